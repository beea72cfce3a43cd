"""Freshness pages: the one-click "still correct" link (public, no sign-in) and
/staff/freshness (staff only). Thin: the rules are in :mod:`directory.freshness.services`."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from directory.accounts.policy import staff_required
from directory.core.actor import PUBLIC_LINK, Actor
from directory.core.uow import unit_of_work
from directory.db import db
from directory.extensions import limiter
from directory.freshness import services, staff
from directory.freshness.forms import ConfirmForm, StaffCheckedForm
from directory.freshness.reminders import EDIT_PATH
from directory.listings import visibility
from directory.listings.models import ListingStatus, Service
from directory.staff.limits import staff_limit

bp = Blueprint("freshness", __name__)

SIGN_IN_PATH = "/account/sign-in"
_STATUS = {"ok": 200, "used": 410, "expired": 410, "gone": 410, "invalid": 404}


def _private(response: Response) -> Response:
    """The token is a key: not cached, not sent on as a referrer, not indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _page(template: str, status: int = 200, **context: object) -> Response:
    context.setdefault("sign_in_url", SIGN_IN_PATH)
    return _private(Response(render_template(template, **context), status=status))


@bp.route("/freshness/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str) -> Response:
    """GET asks; POST confirms (mail scanners follow links, but do not submit forms)."""
    session = db.session
    check = services.check_link(session, token)
    if check.state != "ok":
        return _page(
            "freshness/link_problem.html", _STATUS[check.state], state=check.state, check=check
        )
    assert check.service is not None
    service_id, name = check.service.id, check.service.name
    edit_url = EDIT_PATH.format(service_id=service_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with unit_of_work(session, PUBLIC_LINK):
            confirmed = services.use_link(session, check)
        if not confirmed:  # another click got there first
            return _page("freshness/link_problem.html", 410, state="used", check=check)
        return _page("freshness/confirmed.html", name=name, edit_url=edit_url)
    public = visibility.is_public(check.service)
    return _page("freshness/confirm.html", form=form, check=check, edit_url=edit_url, public=public)


@bp.route("/staff/freshness")
@staff_required()
def staff_list() -> str:
    listings = staff.going_stale(db.session)
    checked = db.session.get(Service, request.args.get("checked", ""))
    return render_template(
        "freshness/staff_list.html",
        groups=staff.grouped(listings),
        total=len(listings),
        checked=checked,
    )


@bp.route("/staff/freshness.csv")
@staff_required()
def staff_csv() -> Response:
    body = staff.to_csv(staff.going_stale(db.session))
    filename = f"listings-going-stale-{services.today_utc().isoformat()}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/staff/freshness/<service_id>/checked", methods=["POST"])
@limiter.limit(staff_limit)
@staff_required()
def staff_checked(service_id: str) -> Response:
    """Staff confirmed the listing themselves (by phone, say): checked today."""
    session = db.session
    service = session.get(Service, service_id)
    if service is None or service.listing_status != ListingStatus.ACTIVE:
        abort(404)
    form = StaffCheckedForm()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work(session, Actor.user(current_user.id)):
        services.mark_checked_by_staff(session, service, current_user.id)
    return redirect(url_for("freshness.staff_list", checked=service_id) + "#checked")
