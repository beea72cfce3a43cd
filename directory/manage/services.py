"""What an organisation does with its listings, as plain functions (no request needed).

Start a new listing or an edit of a live one, save a step (the draft and its payload are
saved every time), submit it for moderation (or, for a trusted organisation's minor edit,
publish it at once), withdraw it. Nothing here commits: the view wraps each call in
:func:`directory.core.uow.unit_of_work`, and who may touch which proposal is decided by
:mod:`directory.accounts.policy` in the views.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.accounts.models import Membership
from directory.core.ids import new_id, utcnow
from directory.listings.models import Organization, Service
from directory.listings.serialise import organization_json
from directory.manage import wizard
from directory.manage.minor import changed_fields, is_minor
from directory.manage.payload import build_payload
from directory.manage.payload_parts import area_choices
from directory.manage.readback import answers_from_record, organisation_answers
from directory.manage.vocab import term_choices
from directory.moderation.apply import ProposalInvalid, apply_proposal, check_payload, live_record
from directory.moderation.models import (
    EDITABLE_STATES,
    Proposal,
    ProposalKind,
    ProposalState,
)

#: Proposals still open: an edit of a listing continues the open one rather than starting two.
OPEN_STATES = (ProposalState.DRAFT, ProposalState.SUBMITTED, ProposalState.CHANGES_REQUESTED)


class NotEditable(ValueError):
    """The proposal is with a moderator or decided: it cannot be changed now."""


def organisation_name(session: Session, organization_id: str) -> str:
    """The organisation's name: its listed record, else the name it gave in its newest
    proposal, else the name given at sign-up (a group that has just signed up has no listed
    record yet)."""
    org = session.get(Organization, organization_id)
    if org is not None:
        return org.name
    latest = _latest_proposal(session, organization_id)
    if latest is not None:
        name = wizard.answers(latest.form_state or {}, "organisation").get("name")
        if name:
            return str(name)
    return signed_up_name(session, organization_id) or "Your organisation"


def signed_up_name(session: Session, organization_id: str) -> str:
    """The name the organisation gave when it signed up (kept on its memberships)."""
    column = getattr(Membership, "organization_name", None)
    if column is None:
        return ""
    names = session.scalars(
        select(column).where(Membership.organization_id == organization_id, column != "")
    )
    return next(iter(names), "") or ""


def _latest_proposal(session: Session, organization_id: str) -> Proposal | None:
    return session.scalars(
        select(Proposal)
        .where(Proposal.organization_id == organization_id)
        .order_by(Proposal.updated_at.desc())
        .limit(1)
    ).first()


def listing_name(proposal: Proposal) -> str:
    name = (proposal.payload or {}).get("name") or wizard.answers(
        proposal.form_state or {}, "service"
    ).get("name")
    return str(name) if name else "Untitled listing"


def start_new(session: Session, organization_id: str, user_id: str | None) -> Proposal:
    """A draft for a new listing; the organisation step is answered already when the
    organisation is listed (or gave its details in an earlier proposal)."""
    state: wizard.State = {"answers": {}, "done": []}
    org = session.get(Organization, organization_id)
    if org is not None:
        state = wizard.save(state, "organisation", organisation_answers(organization_json(org)))
    elif (latest := _latest_proposal(session, organization_id)) is not None:
        previous = wizard.answers(latest.form_state or {}, "organisation")
        if previous:
            state = wizard.save(state, "organisation", previous)
    elif name := signed_up_name(session, organization_id):
        # Prefilled, not answered: the person still checks the organisation page.
        state["answers"] = {"organisation": organisation_answers({"name": name})}
    proposal = Proposal(
        id=new_id(),
        kind=ProposalKind.NEW,
        state=ProposalState.DRAFT,
        organization_id=organization_id,
        service_id=new_id(),
        base=None,
        created_by=user_id,
        form_state=state,
    )
    proposal.payload = _payload(session, proposal)
    session.add(proposal)
    session.flush()
    return proposal


def open_edit(session: Session, service_id: str) -> Proposal | None:
    """The open edit of a listing, if there is one."""
    return session.scalars(
        select(Proposal).where(
            Proposal.service_id == service_id,
            Proposal.kind == ProposalKind.EDIT,
            Proposal.state.in_(OPEN_STATES),
        )
    ).first()


def start_edit(session: Session, service: Service, user_id: str | None) -> Proposal:
    """The open edit of ``service``, or a new one with every step filled in from the live
    listing (``base``), which stays untouched until a moderator approves."""
    existing = open_edit(session, service.id)
    if existing is not None:
        return existing
    base = live_record(session, service.id) or {}
    choices = term_choices(session)
    kinds = {t: "need" for t, _ in choices.needs} | {t: "client_group" for t, _ in choices.groups}
    answers = answers_from_record(base, {code for code, _ in area_choices(session)}, kinds)
    state: wizard.State = {"answers": answers, "done": [], "base_answers": copy.deepcopy(answers)}
    state["done"] = [step.slug for step in wizard.applicable(state)]
    proposal = Proposal(
        id=new_id(),
        kind=ProposalKind.EDIT,
        state=ProposalState.DRAFT,
        organization_id=service.organization_id,
        service_id=service.id,
        base=base,
        created_by=user_id,
        form_state=state,
    )
    proposal.payload = _payload(session, proposal)
    session.add(proposal)
    session.flush()
    return proposal


def _payload(session: Session, proposal: Proposal) -> dict[str, Any]:
    return build_payload(
        session,
        proposal.form_state or {},
        service_id=proposal.service_id,
        organization_id=proposal.organization_id,
        proposal_id=proposal.id,
        base=proposal.base,
    )


def save_step(session: Session, proposal: Proposal, slug: str, values: dict[str, Any]) -> None:
    """Keep one step's answers and rebuild the payload (the draft is saved at every step)."""
    if proposal.state not in EDITABLE_STATES:
        raise NotEditable(proposal.state)
    proposal.form_state = wizard.save(proposal.form_state or {}, slug, values)
    proposal.payload = _payload(session, proposal)
    proposal.updated_at = utcnow()


def remember(session: Session, proposal: Proposal, key: str, value: Any) -> None:
    """Keep something the wizard needs later that is not an answer (matches already seen)."""
    if proposal.state not in EDITABLE_STATES:
        raise NotEditable(proposal.state)
    proposal.form_state = {**(proposal.form_state or {}), key: value}


def problems(proposal: Proposal) -> list[str]:
    """Why the proposal cannot be submitted yet, in words (empty when it can)."""
    out = [
        f"Answer the questions on '{step.title}'"
        for step in wizard.missing(proposal.form_state or {})
    ]
    try:
        check_payload(proposal.payload or {})
    except ProposalInvalid as exc:
        out.extend(_in_words(e) for e in exc.errors)
    return out


def _in_words(error: str) -> str:
    error = error.strip()
    if error.startswith("has no "):
        return f"The listing needs a {error.removeprefix('has no ').replace('_', ' ')}"
    return f"The listing cannot be accepted as it is: {error}"


@dataclass
class Outcome:
    published: bool = False
    errors: list[str] = field(default_factory=list)


def submit(session: Session, proposal: Proposal) -> Outcome:
    """Send the proposal to the moderation queue, or publish a trusted organisation's minor
    edit straight away (:mod:`directory.manage.minor`). The caller's unit of work commits."""
    if proposal.state not in EDITABLE_STATES:
        raise NotEditable(proposal.state)
    errors = problems(proposal)
    if errors:
        return Outcome(errors=errors)
    now = utcnow()
    proposal.submitted_at = now
    if publishes_directly(session, proposal):
        proposal.minor = True
        proposal.state = ProposalState.APPROVED
        proposal.decided_by = None
        proposal.decided_at = now
        apply_proposal(session, proposal)
        return Outcome(published=True)
    proposal.minor = False
    proposal.state = ProposalState.SUBMITTED
    return Outcome()


def publishes_directly(session: Session, proposal: Proposal) -> bool:
    """A trusted organisation's minor edit of a listing nobody has changed since it began."""
    if proposal.kind != ProposalKind.EDIT or not proposal.organization_id:
        return False
    org = session.get(Organization, proposal.organization_id)
    if org is None or not org.is_trusted or org.is_suspended:
        return False
    if not is_minor(proposal.base, proposal.payload or {}):
        return False
    live = live_record(session, proposal.service_id)
    return live is not None and not changed_fields(proposal.base or {}, live)


def withdraw(proposal: Proposal) -> None:
    if proposal.state not in OPEN_STATES:
        raise NotEditable(proposal.state)
    proposal.state = ProposalState.WITHDRAWN
    proposal.updated_at = utcnow()
