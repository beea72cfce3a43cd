"""Every staff action is logged: each POST route under /staff, found in ``app.url_map``, driven
with a valid form by an admin, leaves a ``StaffAction`` row naming the admin, the action and
its target, with no personal data in it.

A new staff POST route fails :func:`test_every_staff_post_route_is_covered` until it is given
a form below (or, if it changes nothing, a reason in ``CHANGES_NOTHING``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.accounts.models import User
from directory.core.actor import Actor
from directory.core.ids import utcnow
from directory.core.uow import unit_of_work
from directory.feedback.models import ProblemReport, ReportState
from directory.help_requests.models import HelpRequest
from directory.inference.models import InferredTerm
from directory.listings.models import Service
from directory.moderation.history import service_history
from directory.staff.models import StaffAction
from tests.auth import create_user
from tests.factories import term
from tests.security.conftest import World, build_world, rules

#: Staff POST routes that change nothing, so have nothing to log, and why.
CHANGES_NOTHING = {
    # The people search is a POST only to keep typed addresses out of URLs and logs.
    "staff_people.index": "a search",
    # Admins find a person's help requests: a search (each record shown goes to the personal
    # data access log, tests/privacy).
    "privacy.index": "a search",
    # A download: it changes no record; each record exported is logged as privacy.export in
    # the staff log and the access log (tests/privacy/test_views.py).
    "privacy.export": "a download",
}


@dataclass
class Post:
    url: str
    data: dict[str, str]
    action: str  # the StaffAction.action expected
    target_id: str | None  # None: made by the action itself (a restore's new proposal)


def _extra(world: World) -> None:
    """What the staff actions act on, beyond the world's own things."""
    ids = world.ids

    def work(session: Session) -> None:
        reports = {
            "report_to_resolve": ProblemReport(
                service_id=ids["svc_a"], problem="Wrong bus route", reply_email="r@example.net"
            ),
            "report_to_pass": ProblemReport(service_id=ids["svc_a"], problem="Closed now"),
            "report_to_reply": ProblemReport(
                service_id=ids["svc_b"],
                problem="Wrong phone",
                reply_email="s@example.net",
                state=ReportState.RESOLVED,
                resolved_at=utcnow(),
                resolution="Fixed by the group",
            ),
        }
        session.add_all(reports.values())
        session.add(
            InferredTerm(
                service_id=ids["svc_b"],
                taxonomy_term_id=term(session, "Food").id,
                link_type="need",
                method="vocabulary",
                confidence=0.7,
                evidence="words about lunch",
            )
        )
        ids["disabled"] = create_user(session, "gone@example.org", name="Gone Away").id
        asked = HelpRequest(
            reference="H2H-SWEEP1", email="asker@example.net", name="Gone Away", needs=[]
        )
        session.add(asked)
        session.flush()
        ids["help_request"] = asked.id
        session.get(User, ids["disabled"]).is_disabled = True
        session.flush()
        ids.update({key: report.id for key, report in reports.items()})

    world.run(work)

    # A change to B's listing after it was made, so its history has a version to go back to.
    def rename(session: Session) -> None:
        with unit_of_work(session, Actor.user(ids["admin"])):
            session.get(Service, ids["svc_b"]).name = "Hillside Carers Cafe and Shop"

    world.run(rename)

    def restore_point(session: Session) -> str:
        events = service_history(session, session.get(Service, ids["svc_b"]))
        return next(e.restore_at for e in events if e.restore_at is not None).isoformat()

    ids["restore_at"] = world.run(restore_point)


#: For each staff POST endpoint: the valid form that makes it act, and what it logs.
POSTS: dict[str, Callable[[dict[str, str]], Post]] = {
    "staff.organisation_standing": lambda i: Post(
        f"/staff/organisations/{i['org_b']}",
        {"trusted": "y", "reason": "A long-standing local group"},
        "organization.update",
        i["org_b"],
    ),
    "staff.restore": lambda i: Post(
        f"/staff/services/{i['svc_b']}/history/restore",
        {"at": i["restore_at"]},
        "proposal.restore_requested",
        None,
    ),
    "moderation.proposal": lambda i: Post(
        f"/staff/moderation/proposals/{i['submitted']}",
        {"decision": "approve"},
        "proposal.approve",
        i["submitted"],
    ),
    "moderation.claim": lambda i: Post(
        f"/staff/moderation/claims/{i['claim']}",
        {"decision": "reject", "reason": "We could not confirm it"},
        "claim.reject",
        i["claim"],
    ),
    "moderation.review_term": lambda i: Post(
        f"/staff/moderation/needs/terms/{i['term']}/confirm",
        {},
        "inferred_term.confirm",
        i["svc_a"],
    ),
    "moderation.confirm_listing": lambda i: Post(
        f"/staff/moderation/needs/listings/{i['svc_b']}/confirm",
        {},
        "inferred_term.confirm",
        i["svc_b"],
    ),
    "reports.resolve": lambda i: Post(
        f"/staff/reports/{i['report_to_resolve']}/resolve",
        {"resolve-resolution": "Route corrected", "resolve-reply": "Thank you, fixed"},
        "report.resolve",
        i["report_to_resolve"],
    ),
    "reports.pass_on": lambda i: Post(
        f"/staff/reports/{i['report_to_pass']}/pass", {}, "report.pass", i["report_to_pass"]
    ),
    "reports.reply": lambda i: Post(
        f"/staff/reports/{i['report_to_reply']}/reply",
        {"reply-reply": "The group has corrected it"},
        "report.reply",
        i["report_to_reply"],
    ),
    "freshness.staff_checked": lambda i: Post(
        f"/staff/freshness/{i['svc_a']}/checked", {}, "freshness.mark_checked", i["svc_a"]
    ),
    "staff_people.role": lambda i: Post(
        f"/staff/people/{i['editor_a']}/role",
        {"role": "moderator"},
        "user.set_role",
        i["editor_a"],
    ),
    "staff_people.disable": lambda i: Post(
        f"/staff/people/{i['owner_b']}/disable", {}, "user.disable", i["owner_b"]
    ),
    "staff_people.enable": lambda i: Post(
        f"/staff/people/{i['disabled']}/enable", {}, "user.enable", i["disabled"]
    ),
    "matching.assign": lambda i: Post(
        f"/staff/requests/{i['matching_request']}/assign",
        {"assign-assignee": i["admin"]},
        "help_request.assign",
        i["matching_request"],
    ),
    "matching.attempt": lambda i: Post(
        f"/staff/requests/{i['matching_request']}/attempts",
        {"attempt-method": "phone", "attempt-succeeded": "no", "attempt-note": "Voicemail"},
        "help_request.contact_attempt",
        i["matching_request"],
    ),
    "matching.outcome": lambda i: Post(
        f"/staff/requests/{i['matching_request']}/outcome",
        {"outcome-outcome": "no_match"},
        "help_request.outcome",
        i["matching_request"],
    ),
    "offers.approve": lambda i: Post(
        f"/staff/offers/{i['offer']}/approve", {}, "offer.approve", i["offer"]
    ),
    "offers.reject": lambda i: Post(
        f"/staff/offers/{i['offer']}/reject",
        {"reject-reason": "A duplicate of another offer"},
        "offer.reject",
        i["offer"],
    ),
    "offers.pause": lambda i: Post(
        f"/staff/offers/{i['active_offer']}/pause", {}, "offer.pause", i["active_offer"]
    ),
    "offers.close": lambda i: Post(
        f"/staff/offers/{i['offer']}/close", {}, "offer.close", i["offer"]
    ),
    "offers.capacity": lambda i: Post(
        f"/staff/offers/{i['offer']}/capacity",
        {"capacity-capacity": "4"},
        "offer.capacity",
        i["offer"],
    ),
    "privacy.delete": lambda i: Post(
        "/staff/privacy/delete",
        {"reference": "H2H-SWEEP1", "confirmed": "yes"},
        "privacy.delete",
        i["help_request"],
    ),
}


@pytest.fixture
def world(make_app) -> World:
    built = build_world(make_app())
    _extra(built)
    return built


def test_every_staff_post_route_is_covered(world):
    posts = {r.endpoint for r in rules(world.app, prefix="/staff") if "POST" in r.methods}
    assert posts == set(POSTS) | set(CHANGES_NOTHING)


def _log(world: World) -> list[tuple]:
    def read(session: Session) -> list[tuple]:
        rows = session.scalars(select(StaffAction).order_by(StaffAction.id))
        return [(a.id, a.user_id, a.action, a.target_type, a.target_id, a.detail) for a in rows]

    return world.run(read)


@pytest.mark.parametrize("endpoint", sorted(POSTS))
def test_each_staff_action_leaves_a_staff_log_row(world, endpoint):
    post = POSTS[endpoint](world.ids)
    before = {row[0] for row in _log(world)}
    response = world.client("admin").post(post.url, data=post.data)
    assert response.status_code in (302, 303), (endpoint, response.status_code)
    new = [row for row in _log(world) if row[0] not in before]
    matching = [row for row in new if row[2] == post.action and row[1] == world.ids["admin"]]
    assert matching, (endpoint, new)
    if post.target_id is not None:
        assert {row[4] for row in matching} == {post.target_id}
    # No personal data in the log: no address, no name of the people involved.
    text = repr(new)
    for private in ("@", "Riverside", "Hal Hillside", "Gone Away"):
        assert private not in text, (endpoint, text)


def test_a_search_is_not_an_action(world):
    before = world.run(lambda s: s.scalar(select(func.count(StaffAction.id))))
    response = world.client("admin").post("/staff/people/", data={"words": "river"})
    assert response.status_code == 200
    assert world.run(lambda s: s.scalar(select(func.count(StaffAction.id)))) == before
