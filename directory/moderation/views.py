"""The moderation queue at /staff/moderation (issue 12): proposals, claims and inferred needs.

Views are thin: each decision is one call into :mod:`directory.moderation.services` (or
:mod:`directory.moderation.needs`) inside one unit of work with the signed-in moderator as the
actor. A refusal (:class:`ModerationError`, a payload that fails the import checks) or a mail
failure rolls everything back and the page says what happened and what to do.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from directory.accounts.models import User
from directory.accounts.policy import staff_required, user_label
from directory.core.actor import Actor
from directory.core.mail import MailFailed
from directory.core.uow import unit_of_work
from directory.db import db
from directory.extensions import limiter
from directory.listings.models import Organization, Service
from directory.moderation import claims, needs, services
from directory.moderation.apply import ProposalInvalid, check_payload, live_record
from directory.moderation.diff import diff_records, same_content
from directory.moderation.forms import ActionForm, ClaimDecisionForm, ProposalDecisionForm
from directory.moderation.models import Claim, Proposal, ProposalKind, ProposalState
from directory.staff.limits import staff_limit

bp = Blueprint("moderation", __name__, url_prefix="/staff/moderation")

MAIL_FAILED = (
    "The email could not be sent, so nothing was changed. Try again in a few minutes; if it "
    "keeps failing, tell the team that runs the site."
)


def _decide(action: Any, *args: Any) -> str | None:
    """Run one decision as one unit of work; the problem in words, or None if it was made."""
    try:
        with unit_of_work(db.session, Actor.user(current_user.id)):
            action(db.session, *args)
    except services.ModerationError as exc:
        return str(exc)
    except ProposalInvalid as exc:
        return "This proposal cannot be published as it is: " + "; ".join(exc.errors)
    except MailFailed:
        return MAIL_FAILED
    return None


@bp.get("/")
@staff_required()
def queue() -> str:
    waiting_terms, waiting_listings = needs.waiting_counts(db.session)
    return render_template(
        "moderation/queue.html",
        proposals=services.proposal_queue(db.session),
        claims=claims.claim_queue(db.session),
        waiting_terms=waiting_terms,
        waiting_listings=waiting_listings,
    )


def _proposal_page(proposal: Proposal, form: ProposalDecisionForm, problem: str | None) -> str:
    session = db.session
    live = live_record(session, proposal.service_id)
    stale_base = bool(proposal.base and live and not same_content(proposal.base, live))
    try:
        check_payload(proposal.payload or {})
        invalid: list[str] = []
    except ProposalInvalid as exc:
        invalid = exc.errors
    submitter = session.get(User, proposal.created_by) if proposal.created_by else None
    decider = session.get(User, proposal.decided_by) if proposal.decided_by else None
    return render_template(
        "moderation/proposal.html",
        proposal=proposal,
        form=form,
        problem=problem,
        kind=services.KIND_LABELS.get(proposal.kind, str(proposal.kind)),
        state=services.STATE_LABELS.get(proposal.state, str(proposal.state)),
        name=services.proposal_name(proposal),
        organisation=services.organisation_name(
            session, proposal.organization_id, proposal.payload
        ),
        organisation_row=session.get(Organization, proposal.organization_id)
        if proposal.organization_id
        else None,
        waiting=services.waiting_words(proposal.submitted_at),
        submitter=user_label(submitter) if proposal.created_by else None,
        decider=user_label(decider) if proposal.decided_by else None,
        live=live,
        sections=diff_records(live, proposal.payload or {}),
        stale_base=stale_base,
        base_changes=diff_records(proposal.base, live) if stale_base else [],
        invalid=invalid,
        limits=(proposal.form_state or {}).get("limits") or []
        if proposal.kind == ProposalKind.RESTORE
        else [],
        waiting_decision=proposal.state == ProposalState.SUBMITTED,
    )


@bp.route("/proposals/<proposal_id>", methods=["GET", "POST"])
@limiter.limit(staff_limit, methods=["POST"])
@staff_required()
def proposal(proposal_id: str) -> str | Response | tuple[str, int]:
    found = db.session.get(Proposal, proposal_id)
    if found is None or found.state == ProposalState.DRAFT:
        abort(404)
    form = ProposalDecisionForm()
    if request.method == "GET":
        return _proposal_page(found, form, None)
    if not form.validate_on_submit():
        return _proposal_page(found, form, None), 400
    name = services.proposal_name(found)
    decision = form.decision.data
    if decision == "approve":
        problem = _decide(services.approve, found, current_user)
        message = f"{name} was approved and is now published"
    elif decision == "reject":
        problem = _decide(services.reject, found, current_user, form.reason.data)
        message = f"{name} was rejected; the organisation has been emailed the reason"
    else:
        problem = _decide(services.request_changes, found, current_user, form.reason.data)
        message = f"Changes were requested for {name}; the organisation has been emailed"
    if problem:
        db.session.expire_all()
        return _proposal_page(found, form, problem), 409
    flash(message, "success")
    return redirect(url_for(".queue"))


@bp.route("/claims/<claim_id>", methods=["GET", "POST"])
@limiter.limit(staff_limit, methods=["POST"])
@staff_required()
def claim(claim_id: str) -> str | Response | tuple[str, int]:
    session = db.session
    found = session.get(Claim, claim_id)
    if found is None:
        abort(404)
    form = ClaimDecisionForm()
    problem = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            if form.decision.data == "approve":
                problem = _decide(claims.approve_claim, found, current_user)
                message = "The request was approved; they can now manage the listing"
            else:
                problem = _decide(claims.reject_claim, found, current_user, form.reason.data)
                message = "The request was rejected; the reason has been emailed"
            if problem is None:
                flash(message, "success")
                return redirect(url_for(".queue"))
            session.expire_all()
            status = 409
        else:
            status = 400
    service = session.get(Service, found.service_id)
    claimant = session.get(User, found.user_id) if found.user_id else None
    page = render_template(
        "moderation/claim.html",
        claim=found,
        form=form,
        problem=problem,
        service=service,
        claimant=claimant,
        claimant_label=user_label(claimant),
        claimant_organisation=services.organisation_name(session, found.organization_id),
        waiting=services.waiting_words(found.created_at),
    )
    return page, status


@bp.get("/needs")
@staff_required()
def needs_queue() -> str:
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and len(page) < 7 else 1
    return render_template(
        "moderation/needs.html", queue=needs.needs_queue(db.session, number), form=ActionForm()
    )


def _back_to_needs() -> Response:
    page = request.form.get("page", "1")
    return redirect(url_for(".needs_queue", page=page if page.isdigit() and len(page) < 7 else 1))


@bp.post("/needs/terms/<term_id>/<decision>")
@limiter.limit(staff_limit)
@staff_required()
def review_term(term_id: str, decision: str) -> Response:
    if decision not in ("confirm", "reject") or not ActionForm().validate_on_submit():
        abort(400)
    problem = _decide(needs.review_term, term_id, current_user, decision == "confirm")
    flash(problem or f"The term was {decision}ed", "error" if problem else "success")
    return _back_to_needs()


@bp.post("/needs/listings/<service_id>/confirm")
@limiter.limit(staff_limit)
@staff_required()
def confirm_listing(service_id: str) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    problem = _decide(needs.confirm_listing, service_id, current_user)
    flash(problem or "Every term for the listing was confirmed", "error" if problem else "success")
    return _back_to_needs()
