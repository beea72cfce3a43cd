"""A second running site for the pages behind sign-in (organisations' /manage, /account and
the staff pages), with a real SMTP server, people of every role and one of everything staff
work on: a proposal waiting, a draft, a claim, inferred needs, a report passed to an
organisation, listings going stale. Test modules import the ``private_site`` fixture."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from werkzeug.serving import make_server

from directory import create_app
from directory.accounts.models import MemberRole, StaffRole
from directory.accounts.tokens import Purpose, make_token
from directory.config import PROJECT_ROOT
from directory.core.actor import Actor
from directory.core.ids import new_id, utcnow
from directory.core.uow import unit_of_work
from directory.feedback.models import ProblemReport
from directory.freshness import tokens as freshness_tokens
from directory.freshness.models import FreshnessReminder
from directory.moderation.models import Claim, Proposal, ProposalKind, ProposalState
from tests.auth import PASSWORD, create_user
from tests.delivered_inbox import DeliveredInbox
from tests.moderation.conftest import new_listing, submit
from tests.mylist.smtp import Inbox, mail_config, smtp_server
from tests.public.conftest import build_public_data


@dataclass
class PrivateSite:
    base_url: str
    #: The SMTP server's inbox, read once account emails have left (tests/delivered_inbox.py).
    inbox: Inbox | DeliveredInbox
    app: object
    emails: dict[str, str] = field(default_factory=dict)
    #: page name -> (who is signed in, path); a path that works once (opening a confirmation
    #: link confirms the address) is a function making a fresh one for each visit.
    pages: dict[str, tuple[str, str | Callable[[], str]]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    def path(self, name: str) -> str:
        path = self.pages[name][1]
        return path() if callable(path) else path


def sign_in(page, site: PrivateSite, role: str) -> None:
    """Sign in through the real form (``role`` is a key of ``site.emails``). For ``totp`` (a
    moderator with two-step verification on) this stops at the code step; :func:`enter_code`
    finishes it."""
    page.goto(site.base_url + "/account/sign-in")
    page.fill("input[name=email]", site.emails[role])
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in'), input[type=submit][value='Sign in']")
    page.wait_for_load_state()


def enter_code(page, site: PrivateSite) -> None:
    """The code step, with the code the ``totp`` person's app would show now."""
    page.fill("input[name=code]", pyotp.TOTP(site.ids["totp_secret"]).now())
    page.click("main form button[type=submit], main form input[type=submit]")
    page.wait_for_load_state()


@pytest.fixture(scope="session")
def private_site(
    migrated_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrivateSite]:
    if not (PROJECT_ROOT / "directory" / "static" / "dist" / "manifest.json").exists():
        pytest.fail("The CSS and JavaScript are not built: run `make assets` first.")
    folder = tmp_path_factory.mktemp("private-site")
    db_path = folder / "directory.sqlite"
    shutil.copy(migrated_sqlite_template, db_path)
    with smtp_server() as inbox:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "browser-private-secret",
                "DATABASE_URL": f"sqlite:///{db_path}",
                "SEARCH_INDEX_DIR": str(folder / "search_index"),
                "WTF_CSRF_ENABLED": True,
                "RATELIMIT_ENABLED": False,
                **mail_config(inbox),
            }
        )
        server = make_server("127.0.0.1", 0, app, threaded=True)
        base_url = f"http://127.0.0.1:{server.server_port}"
        app.config["PUBLIC_BASE_URL"] = base_url
        site = PrivateSite(base_url, DeliveredInbox(inbox), app)
        with app.app_context(), app.test_request_context("/", base_url=base_url):
            from directory.db import db

            _build(db.session, site, build_public_data(db.session))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield site
        finally:
            server.shutdown()
            thread.join(timeout=10)
            app.extensions["database"].engine.dispose()


def _build(session, site: PrivateSite, data) -> None:
    live = data.service("Blacon Food Bank")
    org_id = live.organization_id
    moderator = create_user(
        session, "mo@council.example.org", staff_role=StaffRole.MODERATOR, name="Mo Derator"
    )
    admin = create_user(
        session, "ada@council.example.org", staff_role=StaffRole.ADMIN, name="Ada Admin"
    )
    owner = create_user(
        session, "owner@foodbank.example.org", organization_id=org_id, name="Olive Owner"
    )
    site.emails.update({"moderator": moderator.email, "admin": admin.email, "member": owner.email})
    # A moderator with two-step verification on: the code step and turning it off.
    totp = create_user(
        session, "tess@council.example.org", staff_role=StaffRole.MODERATOR, name="Tess Totp"
    )
    totp.totp_secret = pyotp.random_base32()
    totp.totp_enabled = True
    session.commit()
    site.emails["totp"] = totp.email
    site.ids["totp_secret"] = totp.totp_secret
    # A public listing of another organisation with no claim yet: "Ask to manage it" shows its
    # form (for ``other``, which has an open claim, it goes on to that claim's page).
    unclaimed = next(
        service
        for service in data.directory.services.values()
        if service.is_public
        and service.organization_id not in (None, org_id, data.demo.organization_id)
    )
    waiting = submit(
        session,
        new_listing(org_id, org_name=live.organization.name, name="Blacon Larder"),
        organization_id=org_id,
        created_by=owner.id,
    )
    draft = Proposal(
        kind=ProposalKind.NEW,
        state=ProposalState.DRAFT,
        organization_id=org_id,
        service_id=new_id(),
        payload={"name": "Blacon Walking Group", "organization": {"id": org_id}},
        form_state={"answers": {"where": {"mode": "place"}}},  # the place search applies
        created_by=owner.id,
    )
    new_address = Proposal(
        kind=ProposalKind.NEW,
        state=ProposalState.DRAFT,
        organization_id=org_id,
        service_id=new_id(),
        payload={"name": "Blacon Sewing Circle", "organization": {"id": org_id}},
        # A new address applies, and its name is another organisation's listing ("Is this you?").
        form_state={"answers": {"where": {"mode": "address"}, "service": {"name": unclaimed.name}}},
        created_by=owner.id,
    )
    other = data.demo
    claim = Claim(
        service_id=other.id,
        organization_id=org_id,
        user_id=owner.id,
        message="We run this lunch club now.",
    )
    report = ProblemReport(service_id=live.id, problem="The phone number rings out.")
    open_report = ProblemReport(
        service_id=other.id, problem="Closed on Mondays now.", reply_email="r@example.org"
    )
    session.add_all([draft, new_address, claim, report, open_report])
    reminder = FreshnessReminder(
        id=new_id(),
        service_id=live.id,
        stage=6,
        cycle=utcnow().date(),
        sent_at=utcnow(),
        recipients=1,
        expires_at=utcnow() + timedelta(days=30),
    )
    confirm_token, reminder.token_hash = freshness_tokens.new_token(reminder.id)
    session.add(reminder)
    session.commit()
    reset_token = make_token(owner, Purpose.RESET)
    membership_id = owner.memberships[0].id
    # An invitation waiting: someone new, invited by the owner (the emailed link's page).
    from directory.accounts import services as accounts

    with unit_of_work(session, Actor.user(owner.id)):
        accounts.invite_member(session, owner, org_id, "ivy@example.org", MemberRole.EDITOR)
    invite_token = make_token(accounts.find_user(session, "ivy@example.org"), Purpose.INVITE)
    app = site.app

    def fresh_verify_link() -> str:
        """A working confirmation link for a new, unconfirmed account (opening one confirms
        the address, so each visit needs its own)."""
        with app.app_context():
            from directory.db import db

            user = create_user(db.session, verified=False, organization_id=new_id())
            return f"/account/verify/{make_token(user, Purpose.VERIFY)}"

    from directory.feedback.workflow import pass_to_organisation
    from directory.inference.services import infer_services

    with unit_of_work(session, Actor.user(moderator.id)):
        pass_to_organisation(session, report, moderator.id, site.base_url + "/manage/")
        infer_services(session, [live.id, other.id])
    site.ids.update(
        {"org": org_id, "live": live.id, "waiting": waiting.id, "draft": draft.id,
         "claim": claim.id, "report": report.id, "open_report": open_report.id,
         "other": other.id}
    )  # fmt: skip
    steps = (
        "organisation", "service", "who", "cost", "access", "contact", "where", "place",
        "when", "area", "needs",
    )  # fmt: skip
    site.pages.update(
        {
            "sign_up": ("anonymous", "/account/sign-up"),
            "sign_up_sent": ("anonymous", "/account/sign-up/check-your-email"),
            "sign_in": ("anonymous", "/account/sign-in"),
            "reset": ("anonymous", "/account/reset"),
            "reset_sent": ("anonymous", "/account/reset/check-your-email"),
            "verify_bad_link": ("anonymous", "/account/verify/not-a-token"),
            "reset_bad_link": ("anonymous", "/account/reset/not-a-token"),
            "confirm_bad_link": ("anonymous", "/freshness/confirm/not-a-token"),
            # Working links: opening them changes nothing (the forms on them do).
            "reset_new_password": ("anonymous", f"/account/reset/{reset_token}"),
            "accept_invite": ("anonymous", f"/account/invite/{invite_token}"),
            "verify_link": ("anonymous", fresh_verify_link),
            # The code step needs the password step first, and lasts 5 minutes: the sweep
            # signs in with the password for each visit ("totp_pending").
            "sign_in_code": ("totp_pending", "/account/sign-in/code"),
            "two_factor_off": ("totp", "/account/two-factor/turn-off"),
            "freshness_confirm": ("anonymous", f"/freshness/confirm/{confirm_token}"),
            "account": ("member", "/account/"),
            "account_name": ("member", "/account/name"),
            "account_password": ("member", "/account/password"),
            "people": ("member", f"/account/organisations/{org_id}/people"),
            "sign_out": ("member", "/account/sign-out"),
            "sign_out_everywhere": ("member", "/account/sign-out-everywhere"),
            "member_role": (
                "member",
                f"/account/organisations/{org_id}/people/{membership_id}/role",
            ),
            "member_remove": (
                "member",
                f"/account/organisations/{org_id}/people/{membership_id}/remove",
            ),
            "manage": ("member", "/manage/"),
            "manage_organisation": ("member", f"/manage/organisations/{org_id}"),
            "manage_new": ("member", f"/manage/organisations/{org_id}/new"),
            "manage_waiting": ("member", f"/manage/proposals/{waiting.id}"),
            "manage_submitted": ("member", f"/manage/proposals/{waiting.id}/submitted"),
            "manage_withdraw": ("member", f"/manage/proposals/{waiting.id}/withdraw"),
            "manage_session": ("member", f"/manage/proposals/{draft.id}/sessions/0"),
            "step_address": ("member", f"/manage/proposals/{new_address.id}/address"),
            "manage_matches": ("member", f"/manage/proposals/{new_address.id}/matches"),
            "manage_check": ("member", f"/manage/proposals/{draft.id}/check"),
            "manage_claim": ("member", f"/manage/claims/{claim.id}"),
            "manage_claim_start": (
                "member",
                f"/manage/organisations/{org_id}/claim/{unclaimed.id}",
            ),
            "manage_edit": ("member", f"/manage/services/{live.id}/edit"),
            "manage_report": ("member", f"/manage/reports/{report.id}"),
            **{
                f"step_{step}": ("member", f"/manage/proposals/{draft.id}/{step}") for step in steps
            },
            "staff_home": ("moderator", "/staff/"),
            "moderation_queue": ("moderator", "/staff/moderation/"),
            "moderation_proposal": ("moderator", f"/staff/moderation/proposals/{waiting.id}"),
            "moderation_claim": ("moderator", f"/staff/moderation/claims/{claim.id}"),
            "moderation_needs": ("moderator", "/staff/moderation/needs"),
            "staff_organisations": ("moderator", "/staff/organisations"),
            "staff_organisation": ("moderator", f"/staff/organisations/{org_id}"),
            "history": ("moderator", f"/staff/services/{live.id}/history"),
            "reports": ("moderator", "/staff/reports"),
            "report": ("moderator", f"/staff/reports/{open_report.id}"),
            "freshness": ("moderator", "/staff/freshness"),
            "two_factor": ("moderator", "/account/two-factor"),
            "staff_people": ("admin", "/staff/people/"),
            "staff_person": ("admin", f"/staff/people/{owner.id}"),
            # Asking for help: the pages before any answer (the rest of the journey, with its
            # answers, is checked in tests/browser/test_ask_for_help.py).
            "ask_start": ("anonymous", "/ask-for-help"),
            "ask_safety": ("anonymous", "/ask-for-help/safety"),
            "ask_urgent_help": ("anonymous", "/ask-for-help/urgent-help"),
            "privacy": ("admin", "/staff/privacy/"),
            "privacy_access_log": ("admin", "/staff/privacy/access-log"),
            "insights": ("moderator", "/staff/insights/"),
        }
    )
    from tests.privacy.conftest import add_privacy_rows

    add_privacy_rows(session, admin.id)
    from tests.insights.conftest import add_insight_rows

    add_insight_rows(session)
    from tests.matching.conftest import add_matching_pages

    add_matching_pages(session, site)
    from tests.help_offers.browser_pages import add_offer_pages

    add_offer_pages(session, site)
