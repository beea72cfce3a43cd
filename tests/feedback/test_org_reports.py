"""An organisation's side of problem reports: what staff passed to it, at /manage/reports/<id>
and through ``reports_for_organizations``. Organisation A never sees B's reports, and no
organisation ever sees the reporter's email address."""

from __future__ import annotations

import pytest

from directory.feedback.models import ReportState
from directory.feedback.services import reports_for_organizations
from tests.auth import create_user
from tests.feedback.conftest import Site


def _pass(site: Site, report_id: str) -> None:
    response = site.client("staff").post(f"/staff/reports/{report_id}/pass", data={})
    assert response.status_code == 303
    assert site.report(report_id).state == ReportState.PASSED


@pytest.fixture
def passed(site: Site) -> dict[str, str]:
    """A passed report for each organisation, plus an open one for A that was not passed."""
    a = site.add_report("svc_a", "The lunch club meets on Thursdays now", "resident@example.org")
    b = site.add_report("svc_b", "The cafe closed in October", "other@example.org")
    not_passed = site.add_report("svc_a", "Not passed on yet")
    _pass(site, a)
    _pass(site, b)
    return {"a": a, "b": b, "open": not_passed}


def test_reports_for_organizations_lists_only_their_passed_reports(site: Site, passed):
    def ids(org_keys: list[str]) -> list[str]:
        return site.run(
            lambda s: [r.id for r in reports_for_organizations(s, [site.ids[k] for k in org_keys])]
        )

    assert ids(["org_a"]) == [passed["a"]]
    assert ids(["org_b"]) == [passed["b"]]
    assert ids(["org_a", "org_b"]) == [passed["a"], passed["b"]]  # passed first, first
    assert ids(["org_none"]) == []
    assert site.run(lambda s: reports_for_organizations(s, [])) == []


def test_a_member_reads_the_report_but_never_the_reporters_address(site: Site, passed):
    response = site.client("member_a").get(f"/manage/reports/{passed['a']}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The lunch club meets on Thursdays now" in page
    assert "Riverside Lunch Club" in page
    assert f"/manage/services/{site.ids['svc_a']}/edit" in page
    assert "resident@example.org" not in page
    assert "@example.org" not in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organisations_report_is_not_found(site: Site, passed, method):
    client = site.client("member_b")
    response = getattr(client, method)(
        f"/manage/reports/{passed['a']}", data={"resolution": "Not ours"}
    )
    assert response.status_code == 404
    assert "Thursdays" not in response.get_data(as_text=True)
    assert site.report(passed["a"]).state == ReportState.PASSED


def test_a_report_not_passed_on_is_not_found_even_for_its_organisation(site: Site, passed):
    client = site.client("member_a")
    assert client.get(f"/manage/reports/{passed['open']}").status_code == 404
    assert client.get("/manage/reports/no-such-report").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(site: Site, passed):
    response = site.client().get(f"/manage/reports/{passed['a']}")
    assert response.status_code == 302
    assert "/account/sign-in" in response.headers["Location"]


def test_unverified_member_is_refused(site: Site, passed):
    def work(session):
        site.ids["unverified"] = create_user(
            session, "new@riverside.example.org", organization_id=site.ids["org_a"], verified=False
        ).id

    site.run(work)
    assert site.client("unverified").get(f"/manage/reports/{passed['a']}").status_code == 403


def test_member_marks_it_dealt_with(site: Site, passed):
    client = site.client("member_a2")
    response = client.post(
        f"/manage/reports/{passed['a']}", data={"resolution": "We changed the day to Thursday"}
    )
    assert response.status_code == 303
    saved = site.report(passed["a"])
    assert saved.state == ReportState.RESOLVED
    assert saved.resolution == "We changed the day to Thursday"
    assert saved.resolved_by == site.ids["member_a2"]
    # No longer waiting; the page now says what was done and by whom.
    assert site.run(lambda s: reports_for_organizations(s, [site.ids["org_a"]])) == []
    page = client.get(f"/manage/reports/{passed['a']}").get_data(as_text=True)
    assert "marked as dealt with" in page
    assert "by your organisation" in page
    assert "Mark as dealt with" not in page
    # Staff see it resolved, with the note.
    staff_page = site.client("staff").get(f"/staff/reports/{passed['a']}").get_data(as_text=True)
    assert "We changed the day to Thursday" in staff_page


def test_dealt_with_needs_a_note(site: Site, passed):
    response = site.client("member_a").post(
        f"/manage/reports/{passed['a']}", data={"resolution": ""}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Enter what you did about this report" in page
    assert site.report(passed["a"]).state == ReportState.PASSED


def test_dealt_with_twice_is_refused_politely(site: Site, passed):
    client = site.client("member_a")
    client.post(f"/manage/reports/{passed['a']}", data={"resolution": "First"})
    response = client.post(f"/manage/reports/{passed['a']}", data={"resolution": "Second"})
    assert response.status_code == 303
    assert site.report(passed["a"]).resolution == "First"


def test_staff_resolution_is_shown_to_the_organisation_as_the_teams(site: Site, passed):
    site.client("staff").post(
        f"/staff/reports/{passed['a']}/resolve", data={"resolve-resolution": "Day corrected"}
    )
    page = site.client("member_a").get(f"/manage/reports/{passed['a']}").get_data(as_text=True)
    assert "Day corrected" in page
    assert "by the directory team" in page
    assert "moderator@council.example.org" not in page
