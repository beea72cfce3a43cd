"""Pages under /staff/ (issue 12): the staff home, organisations' standing and a listing's
history (with "restore this version", which goes through moderation).

Every page needs a moderator or an admin (anonymous visitors go to sign in, anyone else gets
403); changing an organisation's trust or suspension needs an admin.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.routing import BuildError

from directory.accounts.models import Membership, StaffRole, User
from directory.accounts.policy import is_admin, staff_required, user_label
from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db
from directory.extensions import limiter
from directory.listings.models import Organization, Service
from directory.moderation.forms import OrganisationForm, RestoreForm
from directory.moderation.history import service_history
from directory.moderation.restore import request_restore
from directory.moderation.services import ModerationError
from directory.staff import services
from directory.staff.limits import staff_limit
from directory.staff.models import StaffAction

bp = Blueprint("staff", __name__, url_prefix="/staff")


def link(endpoint: str, path: str) -> str:
    """A page another part of the site provides: its URL, or its agreed path until it exists
    (``/staff/freshness`` and ``/staff/reports`` are fixed by issue 12)."""
    try:
        return url_for(endpoint)
    except BuildError:
        return path


@bp.get("/")
@staff_required()
def home() -> str:
    return render_template(
        "staff/home.html",
        counts=services.staff_counts(db.session),
        reports_url=link("reports.index", "/staff/reports/"),
        freshness_url=link("freshness.staff_list", "/staff/freshness"),
        is_admin=is_admin(current_user),
    )


@bp.get("/organisations")
@staff_required()
def organisations() -> str:
    words = request.args.get("q", "")[:200]
    return render_template(
        "staff/organisations.html",
        words=words,
        found=services.find_organisations(db.session, words),
    )


def _organisation_page(org: Organization, form: OrganisationForm | None, status: int = 200):
    session = db.session
    listings = list(
        session.scalars(
            select(Service).where(Service.organization_id == org.id).order_by(Service.name)
        )
    )
    members = session.scalar(
        select(func.count(Membership.id)).where(Membership.organization_id == org.id)
    )
    actions = list(
        session.scalars(
            select(StaffAction)
            .where(StaffAction.target_id == org.id)
            .order_by(StaffAction.at.desc())
            .limit(20)
        )
    )
    people = {
        u.id: user_label(u)
        for u in session.scalars(select(User).where(User.id.in_({a.user_id for a in actions})))
    }
    page = render_template(
        "staff/organisation.html",
        org=org,
        listings=listings,
        members=members or 0,
        actions=actions,
        people=people,
        form=form,
    )
    return page, status


@bp.get("/organisations/<organization_id>")
@staff_required()
def organisation(organization_id: str):  # type: ignore[no-untyped-def]
    org = db.session.get(Organization, organization_id)
    if org is None:
        abort(404)
    form = None
    if is_admin(current_user):
        form = OrganisationForm(data={"trusted": org.is_trusted, "suspended": org.is_suspended})
    return _organisation_page(org, form)


@bp.post("/organisations/<organization_id>")
@limiter.limit(staff_limit)
@staff_required(StaffRole.ADMIN)
def organisation_standing(organization_id: str):  # type: ignore[no-untyped-def]
    org = db.session.get(Organization, organization_id)
    if org is None:
        abort(404)
    form = OrganisationForm()
    if not form.validate_on_submit():
        return _organisation_page(org, form, 400)
    with unit_of_work(db.session, Actor.user(current_user.id)):
        changes = services.set_standing(
            db.session,
            org,
            current_user,
            trusted=bool(form.trusted.data),
            suspended=bool(form.suspended.data),
            reason=form.reason.data,
        )
    flash(
        f"{org.name} is {' and '.join(changes)}" if changes else "Nothing was changed",
        "success",
    )
    return redirect(url_for(".organisation", organization_id=org.id))


@bp.get("/services/<service_id>/history")
@staff_required()
def history(service_id: str) -> str:
    service = db.session.get(Service, service_id)
    if service is None:
        abort(404)
    return render_template(
        "staff/history.html",
        service=service,
        events=service_history(db.session, service),
        form=RestoreForm(),
    )


@bp.post("/services/<service_id>/history/restore")
@limiter.limit(staff_limit)
@staff_required()
def restore(service_id: str):  # type: ignore[no-untyped-def]
    service = db.session.get(Service, service_id)
    if service is None:
        abort(404)
    form = RestoreForm()
    at = None
    if form.validate_on_submit():
        try:
            at = datetime.fromisoformat(form.at.data)
        except ValueError:
            at = None
    if at is None or at.tzinfo is None:
        flash("Choose a point in the history to restore", "error")
        return redirect(url_for(".history", service_id=service.id))
    try:
        with unit_of_work(db.session, Actor.user(current_user.id)):
            proposal = request_restore(db.session, service, at, current_user)
            proposal_id = proposal.id
    except ModerationError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".history", service_id=service_id))
    flash(
        "The earlier version is in the moderation queue: check it below, then approve it "
        "(or ask another moderator to)",
        "success",
    )
    return redirect(url_for("moderation.proposal", proposal_id=proposal_id))
