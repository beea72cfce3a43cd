"""The public "Report a problem" form's defences: a rate limit, a honeypot and CSRF; and any
text gets a clear answer, never a 500."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from directory.feedback.models import ProblemReport
from tests.feedback.conftest import Site, build_site


def _count(site: Site) -> int:
    return site.run(lambda s: s.scalar(select(func.count()).select_from(ProblemReport)))


def _url(site: Site) -> str:
    return f"/services/{site.ids['svc_a']}/report"


def test_a_flood_of_reports_is_refused_with_429(make_app, inbox):
    site = build_site(make_app(RATELIMIT_ENABLED=True), inbox)
    client = site.client()
    statuses = [
        client.post(_url(site), data={"problem": f"Report {n}"}).status_code for n in range(7)
    ]
    assert statuses == [303] * 5 + [429, 429]  # the default: 5 a minute
    assert _count(site) == 5
    refused = client.post(_url(site), data={"problem": "One more"})
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    # Reading the form is not held back by the limit on sending it.
    assert client.get(_url(site)).status_code == 200


def test_the_limit_comes_from_config(make_app, inbox):
    site = build_site(make_app(RATELIMIT_ENABLED=True, RATELIMIT_REPORTS="2 per hour"), inbox)
    client = site.client()
    statuses = [client.post(_url(site), data={"problem": "x"}).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]


def test_a_filled_honeypot_looks_sent_but_saves_nothing(site: Site):
    response = site.client().post(
        _url(site), data={"problem": "Buy cheap watches", "website": "http://spam.example"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/services/{site.ids['svc_a']}/report-sent")
    assert _count(site) == 0


def test_the_honeypot_is_hidden_from_people(site: Site):
    page = site.client().get(_url(site)).get_data(as_text=True)
    match = re.search(r"<div hidden>\s*<label for=\"website\">.*?</div>", page, re.S)
    assert match, "the honeypot must sit inside a hidden block"
    assert 'tabindex="-1"' in match.group(0)
    # An empty honeypot is a person: the report is saved.
    site.client().post(_url(site), data={"problem": "Closed", "website": ""})
    assert _count(site) == 1


def test_csrf_is_required_when_switched_on(make_app, inbox):
    site = build_site(make_app(WTF_CSRF_ENABLED=True), inbox)
    client = site.client()
    assert client.post(_url(site), data={"problem": "No token"}).status_code == 400
    assert _count(site) == 0
    form = client.get(_url(site)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post(_url(site), data={"problem": "With token", "csrf_token": token})
    assert response.status_code == 303
    assert _count(site) == 1


def test_staff_and_organisation_forms_need_csrf_too(make_app, inbox):
    site = build_site(make_app(WTF_CSRF_ENABLED=True), inbox)
    report = site.add_report("svc_a", "Closed", "resident@example.org")
    staff = site.client("staff")
    for action in ("resolve", "pass"):
        response = staff.post(
            f"/staff/reports/{report}/{action}", data={"resolve-resolution": "Done"}
        )
        assert response.status_code == 400
    assert site.report(report).state.value == "open"
    page = staff.get(f"/staff/reports/{report}").get_data(as_text=True)
    token = re.search(r'name="pass-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = staff.post(f"/staff/reports/{report}/pass", data={"pass-csrf_token": token})
    assert response.status_code == 303
    member = site.client("member_a")
    assert member.post(f"/manage/reports/{report}", data={"resolution": "x"}).status_code == 400
    page = member.get(f"/manage/reports/{report}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = member.post(
        f"/manage/reports/{report}", data={"resolution": "Fixed", "csrf_token": token}
    )
    assert response.status_code == 303
    assert site.report(report).state.value == "resolved"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(problem=st.text(max_size=1300), email=st.one_of(st.just(""), st.text(max_size=40)))
def test_any_report_text_gets_a_clear_answer(site: Site, problem: str, email: str):
    before = _count(site)
    response = site.client().post(_url(site), data={"problem": problem, "email": email})
    assert response.status_code in (200, 303)
    if response.status_code == 200:
        assert "There is a problem" in response.get_data(as_text=True)
        assert _count(site) == before
    else:
        assert _count(site) == before + 1
        saved = site.run(
            lambda s: s.scalars(
                select(ProblemReport.problem).order_by(ProblemReport.created_at.desc())
            ).first()
        )
        assert saved and saved == saved.strip()
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", saved)
