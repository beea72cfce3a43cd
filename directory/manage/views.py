"""Pages under /manage/ (issue 12): an organisation's own listings, drafts, claims and reports.

Thin views over :mod:`directory.manage.services` (proposals), :mod:`.claims` and
:mod:`.overview`. Every route asks :func:`directory.accounts.policy.can_manage_organization`;
another organisation's proposal or claim is "not found" (404), so its id is not confirmed, and
another organisation's page is forbidden (403). The wizard's question pages are in
:mod:`directory.manage.steps`, on the same blueprint.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from directory.accounts.policy import can_manage_organization, member_required, organization_ids
from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db
from directory.extensions import limiter
from directory.listings.models import Service
from directory.manage import claims, services, wizard
from directory.manage.forms import ButtonForm, ClaimForm
from directory.manage.overview import overview
from directory.moderation.models import EDITABLE_STATES, Claim, Proposal, ProposalState
from directory.ops.ratelimits import route_limit

bp = Blueprint("manage", __name__, url_prefix="/manage")


def manage_limit() -> str:
    """POSTs under /manage/: a wizard is a dozen forms in a few minutes, so the site's
    default form limit would stop a quick typist; still limited (``RATELIMIT_MANAGE``, or the
    route's entry in ``RATELIMIT_ROUTES``)."""
    return route_limit("RATELIMIT_MANAGE", "60 per minute;600 per hour")


def actor() -> Actor:
    return Actor.user(current_user.id)


def member_of(organization_id: str) -> str:
    """``organization_id`` if the person may manage it; 403 otherwise."""
    if not can_manage_organization(current_user, organization_id):
        abort(403)
    return organization_id


def owned_proposal(proposal_id: str) -> Proposal:
    """The proposal if the person may manage its organisation; 404 otherwise."""
    proposal = db.session.get(Proposal, proposal_id[:64])
    if proposal is None or not can_manage_organization(current_user, proposal.organization_id):
        abort(404)
    return proposal


def owned_service(service_id: str) -> Service:
    service = db.session.get(Service, service_id[:64])
    if service is None or not can_manage_organization(current_user, service.organization_id):
        abort(404)
    return service


@bp.get("/")
@member_required
def dashboard() -> str:
    orgs = [overview(db.session, org_id) for org_id in sorted(organization_ids(current_user))]
    return render_template("manage/dashboard.html", organisations=orgs)


@bp.get("/organisations/<org_id>")
@member_required
def organisation(org_id: str) -> str:
    found = overview(db.session, member_of(org_id))
    return render_template("manage/dashboard.html", organisations=[found], single=True)


@bp.route("/organisations/<org_id>/new", methods=["GET", "POST"])
@member_required
@limiter.limit(manage_limit, methods=["POST"])
def start_new(org_id: str) -> str | BaseResponse:
    member_of(org_id)
    form = ButtonForm()
    if form.validate_on_submit():
        with unit_of_work(db.session, actor()):
            proposal = services.start_new(db.session, org_id, current_user.id)
        return redirect(_continue_url(proposal), 303)
    name = services.organisation_name(db.session, org_id)
    return render_template("manage/start.html", form=form, organisation_name=name)


@bp.route("/services/<service_id>/edit", methods=["GET", "POST"])
@member_required
@limiter.limit(manage_limit, methods=["POST"])
def edit(service_id: str) -> str | BaseResponse:
    service = owned_service(service_id)
    existing = services.open_edit(db.session, service.id)
    if existing is not None:
        return redirect(url_for(".proposal", proposal_id=existing.id), 303)
    form = ButtonForm()
    if form.validate_on_submit():
        with unit_of_work(db.session, actor()):
            proposal = services.start_edit(db.session, service, current_user.id)
        return redirect(url_for(".check", proposal_id=proposal.id), 303)
    return render_template("manage/edit_start.html", form=form, service=service)


def _continue_url(proposal: Proposal) -> str:
    step = wizard.resume_step(proposal.form_state or {})
    if step is None:
        return url_for(".check", proposal_id=proposal.id)
    return url_for(".step", proposal_id=proposal.id, slug=step)


@bp.get("/proposals/<proposal_id>")
@member_required
def proposal(proposal_id: str) -> str | BaseResponse:
    """Continue a draft, or see where a submitted or decided proposal stands."""
    found = owned_proposal(proposal_id)
    if found.state == ProposalState.DRAFT:
        return redirect(_continue_url(found), 303)
    if found.state == ProposalState.CHANGES_REQUESTED:
        return redirect(url_for(".check", proposal_id=found.id), 303)
    return render_template("manage/status.html", proposal=found, name=services.listing_name(found))


@bp.route("/proposals/<proposal_id>/withdraw", methods=["GET", "POST"])
@member_required
@limiter.limit(manage_limit, methods=["POST"])
def withdraw(proposal_id: str) -> str | BaseResponse:
    found = owned_proposal(proposal_id)
    if found.state not in services.OPEN_STATES:
        return redirect(url_for(".proposal", proposal_id=found.id), 303)
    form = ButtonForm()
    if form.validate_on_submit():
        with unit_of_work(db.session, actor()):
            services.withdraw(found)
        return redirect(_home(found.organization_id), 303)
    return render_template(
        "manage/withdraw.html", form=form, proposal=found, name=services.listing_name(found)
    )


@bp.get("/proposals/<proposal_id>/submitted")
@member_required
def submitted(proposal_id: str) -> str | BaseResponse:
    found = owned_proposal(proposal_id)
    if found.state in EDITABLE_STATES:
        return redirect(url_for(".check", proposal_id=found.id), 303)
    return render_template(
        "manage/submitted.html", proposal=found, name=services.listing_name(found)
    )


def _home(organization_id: str | None) -> str:
    if organization_id and organization_id in organization_ids(current_user):
        return url_for(".dashboard")
    if organization_id:
        return url_for(".organisation", org_id=organization_id)
    return url_for(".dashboard")


@bp.route("/organisations/<org_id>/claim/<service_id>", methods=["GET", "POST"])
@member_required
@limiter.limit(manage_limit, methods=["POST"])
def claim(org_id: str, service_id: str) -> str | BaseResponse:
    member_of(org_id)
    try:
        service = claims.claimable(db.session, service_id[:64], org_id)
    except claims.ClaimRefused:
        abort(404)
    existing = claims.open_claim(db.session, service.id, org_id)
    if existing is not None:
        return redirect(url_for(".claim_status", claim_id=existing.id), 303)
    form = ClaimForm()
    back = request.args.get("proposal", "")[:64]
    if form.validate_on_submit():
        with unit_of_work(db.session, actor()):
            made = claims.make_claim(
                db.session, service.id, org_id, current_user.id, form.message.data or ""
            )
        return redirect(
            url_for(".claim_status", claim_id=made.id, sent=1, proposal=back or None), 303
        )
    return render_template(
        "manage/claim.html", form=form, service=service, org_id=org_id, proposal_id=back
    )


@bp.get("/claims/<claim_id>")
@member_required
def claim_status(claim_id: str) -> str:
    found = db.session.get(Claim, claim_id[:64])
    if found is None or not can_manage_organization(current_user, found.organization_id):
        abort(404)
    service = db.session.get(Service, found.service_id)
    back = request.args.get("proposal", "")[:64]
    draft = db.session.get(Proposal, back) if back else None
    if draft is not None and draft.organization_id != found.organization_id:
        draft = None
    return render_template(
        "manage/claim_status.html",
        claim=found,
        service=service,
        sent=bool(request.args.get("sent")),
        draft=draft,
        home=_home(found.organization_id),
    )


from directory.manage import steps  # noqa: E402,F401  (the wizard's routes, on this blueprint)
