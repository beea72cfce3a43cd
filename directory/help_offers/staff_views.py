"""Offers for staff at /staff/offers: the list by status (waiting for a check first, oldest
first) and each offer's page, where staff approve, reject, pause or close it, or change how
many people it can take.

The list shows no personal details (no names, phones, emails or full postcodes), so reading
it is not logged; an offer's page shows them, so every view of it writes a
``PersonalDataAccess`` row (:func:`directory.privacy.services.log_access`). Each action is one
unit of work written by the signed-in member of staff, with its ``StaffAction`` row
(:mod:`directory.help_offers.staff`).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response as BaseResponse

from directory.accounts.models import User
from directory.accounts.policy import staff_required, user_label
from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db
from directory.extensions import limiter
from directory.help_offers import staff, summary
from directory.help_offers.forms import km_text, parse_whole_number
from directory.help_offers.models import HelpOffer, OfferStatus
from directory.help_offers.services import OfferError
from directory.help_offers.staff_forms import ActionForm, RejectForm, StaffCapacityForm
from directory.help_offers.views import area_choices
from directory.listings.models import Organization, Service
from directory.privacy.services import log_access
from directory.public.search_params import load_terms
from directory.staff.limits import staff_limit

bp = Blueprint("offers", __name__, url_prefix="/staff/offers")

PER_PAGE = 50


@bp.app_template_global()
def offers_waiting() -> int:
    """Offers waiting for a staff check, for the staff home page."""
    return int(
        db.session.scalar(
            select(func.count(HelpOffer.id)).where(HelpOffer.status == OfferStatus.PENDING_CHECK)
        )
        or 0
    )


def _context() -> dict:
    return {
        "statuses": staff.STATUS_LABELS,
        "terms": load_terms(db.session),
        "area_names": dict(area_choices()),
        "summary": summary,
        "km_text": km_text,
    }


@bp.get("/")
@bp.get("", strict_slashes=False)
@staff_required()
def index() -> str:
    try:
        status = OfferStatus(request.args.get("status", OfferStatus.PENDING_CHECK))
    except ValueError:
        status = OfferStatus.PENDING_CHECK
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 10_000)
    counts = staff.status_counts(db.session)
    offers = staff.offers_in_status(db.session, status, page=page, per_page=PER_PAGE)
    listing_ids = {o.service_id for o in offers if o.service_id}
    listings = (
        {
            s.id: s.name
            for s in db.session.scalars(select(Service).where(Service.id.in_(listing_ids)))
        }
        if listing_ids
        else {}
    )
    return render_template(
        "help_offers/staff_list.html",
        shown_status=status,  # not "status": base.html reads that as the HTTP status
        order=staff.STATUS_ORDER,
        counts=counts,
        offers=offers,
        listings=listings,
        page=page,
        has_next=counts[status] > page * PER_PAGE,
        **_context(),
    )


def _offer_or_404(offer_id: str) -> HelpOffer:
    offer = db.session.get(HelpOffer, offer_id[:64])
    if offer is None:
        abort(404)
    return offer


def _page(offer: HelpOffer, status: int = 200, **forms: object) -> tuple[str, int]:
    """The offer's page, its personal details included: the view is logged first, in its own
    unit of work, so a page that fails to render is still on the record."""
    with unit_of_work(db.session, Actor.user(current_user.id)):
        log_access(db.session, current_user.id, staff.TARGET_TYPE, offer.id, "view")
    forms.setdefault("action_form", ActionForm())
    forms.setdefault("reject_form", RejectForm(prefix="reject"))
    forms.setdefault(
        "capacity_form",
        StaffCapacityForm(
            prefix="capacity",
            data={"capacity": "" if offer.capacity is None else str(offer.capacity)},
        ),
    )
    service = db.session.get(Service, offer.service_id) if offer.service_id else None
    organisation = (
        db.session.get(Organization, offer.organization_id) if offer.organization_id else None
    )
    actions = staff.history(db.session, offer)
    people = {a.user_id: user_label(db.session.get(User, a.user_id)) for a in actions if a.user_id}
    page = render_template(
        "help_offers/staff_offer.html",
        offer=offer,
        service=service,
        organisation=organisation,
        actions=actions,
        people=people,
        may=lambda action: staff.may(action, offer),
        page_error=any(getattr(form, "errors", None) for form in forms.values()),
        **forms,
        **_context(),
    )
    return page, status


@bp.get("/<offer_id>")
@staff_required()
def view(offer_id: str) -> tuple[str, int]:
    return _page(_offer_or_404(offer_id))


def _act(offer_id: str, work: Callable[[HelpOffer, User], None], message: str) -> BaseResponse:
    offer = _offer_or_404(offer_id)
    try:
        with unit_of_work(db.session, Actor.user(current_user.id)):
            work(offer, current_user)
    except OfferError as exc:
        flash(str(exc), "error")
    else:
        flash(message.format(reference=offer.reference), "success")
    return redirect(url_for(".view", offer_id=offer.id), 303)


def _simple(action: str, message: str) -> Callable[[str], BaseResponse | tuple[str, int]]:
    do = getattr(staff, action)

    def post(offer_id: str) -> BaseResponse | tuple[str, int]:
        form = ActionForm()
        if not form.validate():
            return _page(_offer_or_404(offer_id), 400, action_form=form)
        return _act(offer_id, lambda offer, user: do(db.session, offer, user), message)

    post.__name__ = post.__qualname__ = action
    return post


for _action, _message in (
    ("approve", "Offer {reference} is active: matching can use it"),
    ("pause", "Offer {reference} is paused: matching will not use it"),
    ("close", "Offer {reference} is closed"),
):
    bp.add_url_rule(
        f"/<offer_id>/{_action}",
        endpoint=_action,
        view_func=limiter.limit(staff_limit)(staff_required()(_simple(_action, _message))),
        methods=["POST"],
    )


@bp.post("/<offer_id>/reject")
@limiter.limit(staff_limit)
@staff_required()
def reject(offer_id: str) -> BaseResponse | tuple[str, int]:
    form = RejectForm(prefix="reject")
    if not form.validate():
        return _page(_offer_or_404(offer_id), 400, reject_form=form)
    reason = form.reason.data or ""
    return _act(
        offer_id,
        lambda offer, user: staff.reject(db.session, offer, user, reason),
        "Offer {reference} is rejected",
    )


@bp.post("/<offer_id>/capacity")
@limiter.limit(staff_limit)
@staff_required()
def capacity(offer_id: str) -> BaseResponse | tuple[str, int]:
    form = StaffCapacityForm(prefix="capacity")
    if not form.validate():
        return _page(_offer_or_404(offer_id), 400, capacity_form=form)
    value = parse_whole_number(form.capacity.data)
    return _act(
        offer_id,
        lambda offer, user: staff.set_capacity(db.session, offer, user, value),
        "Offer {reference}: capacity changed",
    )
