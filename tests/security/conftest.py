"""A directory with two organisations and everything of organisation A's that a route can name:
its live listing and organisation row, a draft and a submitted proposal (made through the real
registration pages), a claim, a problem report passed to it, its people (an owner and an
editor), an inferred need waiting on its listing. Organisation B has an owner and a listing of
its own; staff are a moderator and an admin.

Data is set up and read in app contexts of their own (``World.run``), never around a request,
so each request signs in whoever its client says (as a real server's fresh context would).
Mail goes to a real SMTP server; rate limits are off except where a test turns them on.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter

from directory import create_app
from directory.accounts.models import MemberRole, Membership, StaffRole, User
from directory.core.ids import new_id, utcnow
from directory.db import Base, db
from directory.feedback.models import ProblemReport, ReportState
from directory.help_offers.models import HelpOffer, OfferKind, OfferStatus
from directory.help_requests.models import HelpRequest
from directory.inference.models import InferredTerm
from directory.moderation.models import Claim
from tests.auth import create_user, sign_in_as
from tests.delivered_inbox import DeliveredInbox
from tests.factories import make_location, make_organization, make_service, term
from tests.manage.journey import register
from tests.mylist.smtp import Inbox, mail_config, smtp_server

T = TypeVar("T")

#: Words of organisation A's that no one else may ever read: its names, its people, its draft's
#: and proposal's text (tests/manage/journey.py), its claim's message and its report's text.
A_SECRETS = (
    "Riverside",  # the organisation, its listing, its people's names and addresses
    "Baby Bounce",  # the name of the service in the draft and the submitted proposal
    "lonely and isolated new parents",  # the proposals' description
    "took the walks over in May",  # the claim's message
    "church hall on Tuesdays",  # the problem report
)


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """The SMTP server's inbox, read once queued account emails have left
    (tests/delivered_inbox.py)."""
    with smtp_server() as box:
        yield DeliveredInbox(box)  # type: ignore[misc]


def new_app(template: Path, directory: Path, inbox: Inbox, **overrides: Any) -> Flask:
    """An app on a fresh copy of the migrated database, with extra settings."""
    db_path = directory / f"{uuid.uuid4().hex}.sqlite"
    shutil.copy(template, db_path)
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": f"sqlite:///{db_path}",
        "SEARCH_INDEX_DIR": str(directory / "search_index"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        **mail_config(inbox),
        **overrides,
    }
    return create_app(config)


@pytest.fixture
def make_app(
    migrated_sqlite_template: Path, tmp_path: Path, inbox: Inbox
) -> Iterator[Callable[..., Flask]]:
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        app = new_app(migrated_sqlite_template, tmp_path, inbox, **overrides)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["database"].engine.dispose()


@pytest.fixture(scope="module")
def shared_world(
    migrated_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """One world for a module of read-only sweeps (each sweep shows it changed nothing)."""
    with smtp_server() as box:
        app = new_app(migrated_sqlite_template, tmp_path_factory.mktemp("sweep"), box)
        yield build_world(app)
        app.extensions["database"].engine.dispose()


#: Tables rebuilt from other tables, not written by what a person does (see ``snapshot``).
DERIVED_TABLES = frozenset({"place_name", "place_name_refresh"})


@dataclass
class World:
    app: Flask
    ids: dict[str, str] = field(default_factory=dict)

    def run(self, work: Callable[[Session], T]) -> T:
        with self.app.app_context():
            result = work(db.session)
            db.session.commit()
            return result

    def client(self, who: str | None = None, **kwargs: Any) -> FlaskClient:
        """A test client signed in as the user named by ``who`` (a key of ``ids``)."""
        client = self.app.test_client(**kwargs)
        if who is not None:
            with self.app.app_context():
                sign_in_as(client, db.session.get(User, self.ids[who]))
        return client

    def snapshot(self) -> dict[str, list[str]]:
        """Every row of every table, to show a request changed nothing at all.

        Derived tables are left out: the place names read from the listings' addresses are
        refreshed before a page once the listings have changed (at most every
        ``PLACE_NAMES_CHECK_SECONDS``, ``directory.places.views._sync_listing_places``), so a
        slow sweep sees them appear between two snapshots whatever the route it sent."""

        def read(session: Session) -> dict[str, list[str]]:
            return {
                table.name: sorted(repr(tuple(row)) for row in session.execute(select(table)))
                for table in Base.metadata.sorted_tables
                if table.name not in DERIVED_TABLES
            }

        return self.run(read)


def build_world(app: Flask) -> World:
    world = World(app)
    ids = world.ids

    def people_and_places(session: Session) -> None:
        river = make_organization(session, "Riverside Community Trust")
        hill = make_organization(session, "Hillside Carers")
        lone = make_organization(session, "Nobody Signed Up Yet")
        ids["org_a"], ids["org_b"] = river.id, hill.id
        ids["svc_a"] = make_service(
            session, "Riverside Lunch Club", organization=river, places=("hoole",)
        ).id
        ids["svc_b"] = make_service(session, "Hillside Carers Cafe", organization=hill).id
        ids["svc_none"] = make_service(session, "Lonely Walks", organization=lone).id
        ids["hub"] = make_location(session, "blacon").id
        session.commit()
        ids["owner_a"] = create_user(
            session, "rita@riverside.example.org", organization_id=river.id, name="Rita Riverside"
        ).id
        editor = create_user(
            session,
            "eddie@riverside.example.org",
            organization_id=river.id,
            member_role=MemberRole.EDITOR,
            name="Eddie Riverside",
        )
        ids["editor_a"] = editor.id
        ids["membership_a"] = editor.memberships[0].id
        ids["owner_b"] = create_user(
            session, "hal@hillside.example.org", organization_id=hill.id, name="Hal Hillside"
        ).id
        ids["moderator"] = create_user(
            session, "mo@council.example.org", staff_role=StaffRole.MODERATOR, name="Mo Derator"
        ).id
        ids["admin"] = create_user(
            session, "ada@council.example.org", staff_role=StaffRole.ADMIN, name="Ada Admin"
        ).id
        # An admin who is also an owner of A: allowed on every route, for the CSRF sweep.
        everything = create_user(
            session, "all@council.example.org", staff_role=StaffRole.ADMIN, name="Al Lowed"
        )
        everything.memberships.append(Membership(organization_id=river.id, role=MemberRole.OWNER))
        ids["everything"] = everything.id

    world.run(people_and_places)

    owner = world.client("owner_a")
    ids["submitted"] = register(owner, ids["org_a"], ids["hub"])
    ids["draft"] = register(owner, ids["org_a"], ids["hub"], submit=False)

    def a_things(session: Session) -> None:
        claim = Claim(
            service_id=ids["svc_none"],
            organization_id=ids["org_a"],
            user_id=ids["owner_a"],
            message="We took the walks over in May",
        )
        report = ProblemReport(
            service_id=ids["svc_a"],
            problem="The lunch club moved to the church hall on Tuesdays",
            reply_email="resident@example.net",
            state=ReportState.PASSED,
            passed_at=utcnow(),
            organization_id=ids["org_a"],
        )
        inferred = InferredTerm(
            service_id=ids["svc_a"],
            taxonomy_term_id=term(session, "Befriending").id,
            link_type="need",
            method="vocabulary",
            confidence=0.8,
            evidence="words about friendship",
        )
        session.add_all([claim, report, inferred])
        session.flush()
        ids.update(claim=claim.id, report=report.id, term=inferred.id)
        # A resident's request for help, for the matching console's routes.
        asked = HelpRequest(reference="REQ-SWEEP1", postcode="CH2 3AE", outcode="CH2")
        session.add(asked)
        session.flush()
        ids["matching_request"] = asked.id
        # Offers of help: one waiting for a check, one active (/staff/offers).
        offers = (("offer", OfferStatus.PENDING_CHECK), ("active_offer", OfferStatus.ACTIVE))
        for key, status in offers:
            offer = HelpOffer(
                reference=f"OFF-SWEP-{len(key)}",
                kind=OfferKind.VOLUNTEER,
                status=status,
                description="Shopping runs",
                name="Sweep Volunteer",
                phone="01632 960111",
                postcode="CH2 3AE",
                outcode="CH2",
                radius_km=3.0,
            )
            session.add(offer)
            session.flush()
            ids[key] = offer.id

    world.run(a_things)
    return world


@pytest.fixture
def world(make_app: Callable[..., Flask]) -> World:
    return build_world(make_app())


# Routes ---------------------------------------------------------------------------------------

#: Every route anyone may use without signing in, by endpoint, and why. Any other route must
#: send an anonymous visitor to sign in: a new route is covered the moment it exists, and one
#: meant to be public must be added here on purpose.
PUBLIC_ENDPOINTS = {
    # The public directory, its API and its files: everything here is published data.
    **dict.fromkeys(
        [
            "public.home",
            "public.accessibility",
            "public.cookies",
            "public.cover_your_tracks",
            "public.find_help",
            "public.find_help_where",
            "public.find_help_who",
            "public.help_redirect",
            "public.hubs",
            "public.lets_talk",
            "public.organisation",
            "public.place",
            "public.place_calendar",
            "public.privacy",
            "public.search",
            "public.service",
            "places.lookup",
            "assets",
            "static",
        ],
        "published information",
    ),
    # Liveness and readiness for load balancers: no data, no session (issue 14).
    **dict.fromkeys(["ops.healthz", "ops.readyz"], "health checks"),
    # Offering help: no account needed (answers kept in a server-side draft; the send button
    # is rate-limited and has a honeypot).
    **dict.fromkeys(
        [
            "offer_help.start",
            "offer_help.step_who",
            "offer_help.step_listing",
            "offer_help.step_needs",
            "offer_help.step_description",
            "offer_help.step_where",
            "offer_help.step_when",
            "offer_help.step_capacity",
            "offer_help.step_contact",
            "offer_help.step_consent",
            "offer_help.check",
            "offer_help.sent",
        ],
        "offers of help from the public",
    ),
    # A resident reports a problem with a listing: no account needed (rate-limited, honeypot).
    "public.report": "problem reports from the public",
    "public.report_sent": "problem reports from the public",
    # Asking for help: no account needed (answers in the visitor's own cookie until sent; the
    # send is rate-limited and has a honeypot).
    **dict.fromkeys(
        [
            "ask.start",
            "ask.safety",
            "ask.urgent_help",
            "ask.need",
            "ask.confirm",
            "ask.who",
            "ask.postcode",
            "ask.services",
            "ask.self_served",
            "ask.thank_you",
            "ask.contact",
            "ask.consent",
            "ask.check",
            "ask.send",
            "ask.sent",
        ],
        "requests for help from the public",
    ),
    # My list lives in the visitor's own cookie; share links are capability tokens.
    **dict.fromkeys(
        [
            "mylist.view",
            "mylist.add",
            "mylist.remove",
            "mylist.note",
            "mylist.clear",
            "mylist.easy_read",
            "mylist.easy_read_pdf",
            "mylist.email",
            "mylist.email_sent",
            "mylist.handover_pdf",
            "mylist.print_sheet",
            "mylist.share",
            "mylist.shared",
            "mylist.copy_shared",
            "mylist.static",
        ],
        "the visitor's own list",
    ),
    # The reminder's one-click "still correct" link: a signed, single-use, expiring token.
    "freshness.confirm": "signed link from a reminder email",
    # Getting an account and getting back into one.
    **dict.fromkeys(
        [
            "accounts.sign_up",
            "accounts.sign_up_sent",
            "accounts.verify",
            "accounts.sign_in",
            "accounts.sign_in_code",
            "accounts.reset",
            "accounts.reset_sent",
            "accounts.reset_with_token",
            "accounts.accept_invite",
            "accounts.sign_out",
        ],
        "signing up, in and out",
    ),
}


def is_public(rule: Rule) -> bool:
    """Listed above, or the open data API (``api.*``: read-only published data)."""
    return rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.startswith("api.")


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) & {"GET", "POST"})


def rules(app: Flask, *, prefix: str = "", public: bool | None = None) -> list[Rule]:
    found = [r for r in app.url_map.iter_rules() if r.rule.startswith(prefix)]
    if public is not None:
        found = [r for r in found if is_public(r) == public]
    return sorted(found, key=lambda r: (r.rule, r.endpoint))


def parameter_values(world: World) -> dict[str, list[Any]]:
    """What to put in each URL parameter, by its name: organisation A's things. A route with a
    parameter not named here fails the sweep until a value is added."""
    ids = world.ids
    return {
        "org_id": [ids["org_a"]],
        "organization_id": [ids["org_a"]],
        "organisation_id": [ids["org_a"]],
        "proposal_id": [ids["draft"], ids["submitted"]],
        "service_id": [ids["svc_a"]],
        "claim_id": [ids["claim"]],
        "report_id": [ids["report"]],
        "request_id": [ids["matching_request"]],
        "offer_id": [ids["offer"]],
        "membership_id": [ids["membership_a"]],
        "user_id": [ids["owner_a"]],
        "term_id": [ids["term"]],
        "decision": ["confirm"],
        "index": [0],
        "token": ["not-a-real-token"],
        "slug": ["riverside-lunch-club"],
        "place_id": ["hoole"],
        "sal_id": [new_id()],
        "taxonomy_id": [new_id()],
        "filename": ["app.css"],
    }


def urls(rule: Rule, values: dict[str, list[Any]]) -> list[str]:
    """Every URL of ``rule`` from the values for its parameters (each value of an ``any()``
    parameter, such as every question page's slug)."""
    names = sorted(rule.arguments)
    choices: list[Iterable[Any]] = []
    for name in names:
        converter = rule._converters.get(name)
        if isinstance(converter, AnyConverter):
            choices.append(sorted(converter.items))
            continue
        assert name in values, f"{rule.rule}: give the sweep a value for <{name}>"
        choices.append(values[name])
    found = []
    for combination in product(*choices):
        built = rule.build(dict(zip(names, combination, strict=True)), append_unknown=False)
        assert built is not None, rule.rule
        found.append(built[1])
    return found


#: Form fields a POST carries in the sweeps: plausible answers for every form, so a route
#: that wrongly let the request through would have something to act on.
FORM = {
    "decision": "approve",
    "reason": "Sweep",
    "name": "Taken over",
    "email": "taker@example.net",
    "role": "owner",
    "resolution": "Done",
    "reply": "Thanks",
    "problem": "Sweep report",
    "trusted": "y",
    "suspended": "y",
    "message": "Ours now",
    "words": "riverside",
    "at": "2020-01-01T00:00:00+00:00",
    "frequency": "weekly",
    "days": "MO",
    "opens": "10am",
    "closes": "11am",
}


def location_path(response: Any) -> str:
    return re.sub(r"^https?://[^/]+", "", response.headers.get("Location", "")).split("?")[0]
