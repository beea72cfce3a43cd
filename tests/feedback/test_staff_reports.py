"""Staff at /staff/reports: the list, each report's page and the three actions (resolve with
an optional reply, pass to the organisation), each logged and each one unit of work."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from directory.feedback.models import ReportState
from directory.feedback.workflow import reports_in_state
from directory.staff.models import StaffAction
from tests.feedback.conftest import Site, build_site
from tests.mylist.smtp import free_port, mail_config


def _actions(site: Site, report_id: str) -> list[tuple[str, str | None, dict]]:
    return site.run(
        lambda s: [
            (a.action, a.user_id, a.detail)
            for a in s.scalars(select(StaffAction).where(StaffAction.target_id == report_id))
        ]
    )


class TestWhoMayLook:
    def test_anonymous_visitors_are_sent_to_sign_in(self, site: Site):
        report = site.add_report("svc_a", "Closed now")
        client = site.client()
        for url in ("/staff/reports", f"/staff/reports/{report}"):
            response = client.get(url)
            assert response.status_code == 302, url
            assert "/account/sign-in" in response.headers["Location"]
        for action in ("resolve", "reply", "pass"):
            response = client.post(f"/staff/reports/{report}/{action}", data={})
            assert response.status_code == 302
            assert "/account/sign-in" in response.headers["Location"]

    def test_organisation_members_are_refused(self, site: Site):
        report = site.add_report("svc_a", "Closed now")
        client = site.client("member_a")
        assert client.get("/staff/reports").status_code == 403
        assert client.get(f"/staff/reports/{report}").status_code == 403
        response = client.post(
            f"/staff/reports/{report}/resolve", data={"resolve-resolution": "Done"}
        )
        assert response.status_code == 403
        assert client.post(f"/staff/reports/{report}/pass", data={}).status_code == 403
        assert site.report(report).state == ReportState.OPEN


class TestList:
    def test_open_reports_oldest_first_with_the_listing(self, site: Site):
        newer = site.add_report("svc_b", "The cafe moved to the library", days_old=1)
        older = site.add_report("svc_a", "Phone rings out", "r@example.org", days_old=5)
        page = site.client("staff").get("/staff/reports").get_data(as_text=True)
        assert page.index("Phone rings out") < page.index("The cafe moved to the library")
        assert "Riverside Lunch Club" in page and "Riverside Community Trust" in page
        assert f"/staff/services/{site.ids['svc_a']}/history" in page
        assert f"/staff/reports/{older}" in page and f"/staff/reports/{newer}" in page
        assert "/services/" + site.ids["svc_a"] in page  # the public page
        # Whether a reply is wanted, but never the address itself on the list.
        assert "Reply wanted" in page
        assert "r@example.org" not in page

    def test_filter_by_state(self, site: Site):
        site.add_report("svc_a", "Still open")
        done = site.add_report("svc_b", "Already fixed")
        client = site.client("staff")
        client.post(f"/staff/reports/{done}/resolve", data={"resolve-resolution": "Fixed"})
        open_page = client.get("/staff/reports?state=open").get_data(as_text=True)
        assert "Still open" in open_page and "Already fixed" not in open_page
        resolved = client.get("/staff/reports?state=resolved").get_data(as_text=True)
        assert "Already fixed" in resolved and "Still open" not in resolved
        # A nonsense filter is not an error: it shows the open reports.
        odd = client.get("/staff/reports?state=<script>&page=-3")
        assert odd.status_code == 200
        assert "Still open" in odd.get_data(as_text=True)

    def test_unknown_report_is_404(self, site: Site):
        assert site.client("staff").get("/staff/reports/not-a-report").status_code == 404

    def test_report_page_shows_the_address_to_staff_and_the_links(self, site: Site):
        report = site.add_report("svc_a", "Wrong day", "resident@example.org")
        page = site.client("staff").get(f"/staff/reports/{report}").get_data(as_text=True)
        assert "resident@example.org" in page
        assert f"/manage/services/{site.ids['svc_a']}/edit" in page
        assert f"/staff/services/{site.ids['svc_a']}/history" in page
        assert "Pass to the organisation" in page


class TestResolve:
    def test_resolve_records_who_what_and_when_and_logs_it(self, site: Site):
        report = site.add_report("svc_a", "Closed on Mondays now")
        client = site.client("staff")
        response = client.post(
            f"/staff/reports/{report}/resolve",
            data={"resolve-resolution": "Opening times corrected"},
        )
        assert response.status_code == 303
        saved = site.report(report)
        assert saved.state == ReportState.RESOLVED
        assert saved.resolution == "Opening times corrected"
        assert saved.resolved_by == site.ids["staff"]
        assert saved.resolved_at is not None
        assert _actions(site, report) == [
            (
                "report.resolve",
                site.ids["staff"],
                {"service_id": site.ids["svc_a"], "replied": False},
            )
        ]
        assert site.inbox.messages == []
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Report resolved." in page

    def test_a_resolution_note_is_required_and_the_error_says_how_to_fix_it(self, site: Site):
        report = site.add_report("svc_a", "Closed")
        response = site.client("staff").post(
            f"/staff/reports/{report}/resolve", data={"resolve-resolution": "   "}
        )
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "There is a problem" in page
        assert "Enter what was done about this report" in page
        assert 'href="#resolve-resolution"' in page
        assert site.report(report).state == ReportState.OPEN

    def test_reply_is_emailed_and_the_address_forgotten(self, site: Site):
        report = site.add_report("svc_a", "Phone rings out", "resident@example.org")
        response = site.client("staff").post(
            f"/staff/reports/{report}/resolve",
            data={
                "resolve-resolution": "Phone number corrected",
                "resolve-reply": "Thank you: we have corrected the phone number.",
            },
        )
        assert response.status_code == 303
        [mail] = site.inbox.messages
        assert mail.rcpt_tos == ["resident@example.org"]
        assert mail.message["Subject"] == "Your report about Riverside Lunch Club"
        assert "we have corrected the phone number" in mail.part("plain")
        assert "we have corrected the phone number" in mail.part("html")
        saved = site.report(report)
        assert saved.reply_sent_at is not None
        assert saved.reply_email is None
        assert _actions(site, report)[0][2]["replied"] is True

    def test_reply_without_an_address_is_refused(self, site: Site):
        report = site.add_report("svc_a", "Closed")
        client = site.client("staff")
        response = client.post(
            f"/staff/reports/{report}/resolve",
            data={"resolve-resolution": "Checked", "resolve-reply": "Hello"},
        )
        assert response.status_code == 303
        assert "no reply address" in client.get(response.headers["Location"]).get_data(as_text=True)
        assert site.report(report).state == ReportState.OPEN
        assert site.inbox.messages == []

    def test_resolving_twice_changes_nothing_the_second_time(self, site: Site):
        report = site.add_report("svc_a", "Closed")
        client = site.client("staff")
        client.post(f"/staff/reports/{report}/resolve", data={"resolve-resolution": "First"})
        response = client.post(
            f"/staff/reports/{report}/resolve", data={"resolve-resolution": "Second"}
        )
        assert "already been resolved" in client.get(response.headers["Location"]).get_data(
            as_text=True
        )
        assert site.report(report).resolution == "First"
        assert len(_actions(site, report)) == 1

    def test_reply_after_an_organisation_resolved_it(self, site: Site):
        report = site.add_report("svc_a", "Wrong venue", "resident@example.org")
        staff = site.client("staff")
        staff.post(f"/staff/reports/{report}/pass", data={})
        site.client("member_a").post(
            f"/manage/reports/{report}", data={"resolution": "Venue updated"}
        )
        site.inbox.messages.clear()
        response = staff.post(
            f"/staff/reports/{report}/reply", data={"reply-reply": "The venue is now right."}
        )
        assert response.status_code == 303
        [mail] = site.inbox.messages
        assert mail.rcpt_tos == ["resident@example.org"]
        assert site.report(report).reply_email is None
        assert [a[0] for a in _actions(site, report)] == ["report.pass", "report.reply"]

    def test_when_the_mail_server_is_down_nothing_is_changed(self, make_app, inbox):
        down = {**mail_config(inbox), "MAIL_PORT": free_port(), "MAIL_TIMEOUT": 2}
        site = build_site(make_app(**down), inbox)
        report = site.add_report("svc_a", "Closed", "resident@example.org")
        client = site.client("staff")
        response = client.post(
            f"/staff/reports/{report}/resolve",
            data={"resolve-resolution": "Checked", "resolve-reply": "Thanks"},
        )
        assert "could not be sent" in client.get(response.headers["Location"]).get_data(
            as_text=True
        )
        saved = site.report(report)
        assert saved.state == ReportState.OPEN
        assert saved.reply_email == "resident@example.org"
        assert _actions(site, report) == []

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(note=st.text(max_size=2100), reply=st.text(max_size=300))
    def test_any_resolution_note_gets_a_clear_answer_never_a_500(self, site, note, reply):
        report = site.add_report("svc_a", "Closed", "resident@example.org")
        response = site.client("staff").post(
            f"/staff/reports/{report}/resolve",
            data={"resolve-resolution": note, "resolve-reply": reply},
        )
        assert response.status_code in (200, 303)
        saved = site.report(report)
        if response.status_code == 200:
            assert "There is a problem" in response.get_data(as_text=True)
            assert saved.state == ReportState.OPEN
        else:
            assert saved.state == ReportState.RESOLVED
            assert saved.resolution and "\x00" not in saved.resolution
            assert len(saved.resolution) <= 2000


class TestPassToOrganisation:
    def test_members_are_emailed_a_link_and_nothing_personal(self, site: Site):
        report = site.add_report("svc_a", "Phone rings out", "resident@example.org")
        client = site.client("staff")
        response = client.post(f"/staff/reports/{report}/pass", data={})
        assert response.status_code == 303
        assert "We emailed 2 people" in client.get(response.headers["Location"]).get_data(
            as_text=True
        )
        saved = site.report(report)
        assert saved.state == ReportState.PASSED
        assert saved.organization_id == site.ids["org_a"]
        assert saved.passed_at is not None
        recipients = sorted(r for m in site.inbox.messages for r in m.rcpt_tos)
        assert recipients == ["editor@riverside.example.org", "owner@riverside.example.org"]
        for mail in site.inbox.messages:
            assert mail.rcpt_tos and len(mail.rcpt_tos) == 1  # one message each
            assert "Riverside Lunch Club" in mail.message["Subject"]
            for body in (mail.part("plain"), mail.part("html")):
                assert f"http://directory.example.org/manage/reports/{report}" in body
                assert "resident@example.org" not in body
                assert "Phone rings out" not in body
        assert _actions(site, report) == [
            (
                "report.pass",
                site.ids["staff"],
                {"service_id": site.ids["svc_a"], "organization_id": site.ids["org_a"]},
            )
        ]

    def test_not_passed_when_nobody_from_the_organisation_has_an_account(self, site: Site):
        report = site.add_report("svc_none", "Closed")
        client = site.client("staff")
        page = client.get(f"/staff/reports/{report}").get_data(as_text=True)
        assert "cannot be passed on" in page
        response = client.post(f"/staff/reports/{report}/pass", data={})
        assert "Nobody from this organisation" in client.get(response.headers["Location"]).get_data(
            as_text=True
        )
        assert site.report(report).state == ReportState.OPEN
        assert site.inbox.messages == []

    def test_a_passed_report_cannot_be_passed_again(self, site: Site):
        report = site.add_report("svc_a", "Closed")
        client = site.client("staff")
        client.post(f"/staff/reports/{report}/pass", data={})
        client.post(f"/staff/reports/{report}/pass", data={})
        assert len(site.inbox.messages) == 2  # the two members, once
        assert len(_actions(site, report)) == 1

    def test_staff_can_still_resolve_a_passed_report(self, site: Site):
        report = site.add_report("svc_a", "Closed")
        client = site.client("staff")
        client.post(f"/staff/reports/{report}/pass", data={})
        client.post(f"/staff/reports/{report}/resolve", data={"resolve-resolution": "Done"})
        assert site.report(report).state == ReportState.RESOLVED


def test_reports_in_state_orders_resolved_most_recent_first(site: Site):
    first = site.add_report("svc_a", "One")
    second = site.add_report("svc_b", "Two")
    client = site.client("staff")
    client.post(f"/staff/reports/{first}/resolve", data={"resolve-resolution": "A"})
    client.post(f"/staff/reports/{second}/resolve", data={"resolve-resolution": "B"})
    ids = site.run(lambda s: [r.id for r in reports_in_state(s, ReportState.RESOLVED)])
    assert ids == [second, first]
