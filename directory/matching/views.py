"""The matching console at /staff/requests (moderators and admins).

Thin views: the list comes from :mod:`directory.matching.queue`, candidates from
:mod:`directory.matching.matcher`, and every action from :mod:`directory.matching.services`,
each in one unit of work written by the signed-in member of staff. Opening a request shows
the person's details, so it is logged as an access to their data.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response as BaseResponse

from directory.accounts.models import User
from directory.accounts.policy import staff_required, user_label
from directory.core.actor import Actor
from directory.core.ids import utcnow
from directory.core.uow import unit_of_work
from directory.db import db
from directory.extensions import limiter
from directory.help_requests.models import HelpRequest, Outcome, RequestStatus
from directory.matching import matcher, queue, services
from directory.matching.forms import NOBODY, AssignForm, ContactAttemptForm, OutcomeForm
from directory.places.place import country_part_of
from directory.public.search_params import load_terms
from directory.staff.limits import staff_limit

bp = Blueprint("matching", __name__, url_prefix="/staff/requests")
PER_PAGE = 50
#: How many candidates a request's page shows.
CANDIDATES = 10


@bp.app_template_global()
def open_help_requests() -> int:
    """The staff home's count of requests not yet closed."""
    return queue.open_count(db.session)


def offer_url(offer_id: str) -> str | None:
    """The staff page of an offer (the offers package's), or None while it has none."""
    try:
        return url_for("offers.view", offer_id=offer_id)
    except BuildError:
        return None


def _region() -> str:
    return country_part_of(current_app.config.get("HOME_AREA_CODE")) or "ENG"


def _thresholds() -> tuple[int, int]:
    return queue.ageing_thresholds(current_app.config.get("REQUEST_AGEING_DAYS"))


def _labels(user_ids: set[str | None]) -> dict[str, str]:
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return {u.id: user_label(u) for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


@bp.get("/")
@bp.get("", strict_slashes=False)
@staff_required()
def index() -> str:
    session = db.session
    terms = load_terms(session)
    status = request.args.get("status", "open")
    status = status if status in queue.STATUS_FILTERS else "open"
    need = request.args.get("need", "")[:40]
    need = need if need in terms.by_id else ""
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    found = queue.request_queue(
        session,
        status=status,
        need_ids=queue.subtree(terms, need) if need else None,
        user_id=current_user.id,
        page=page,
        per_page=PER_PAGE,
    )
    thresholds, region, now = _thresholds(), _region(), utcnow()
    assignees = _labels({r.assigned_to for r in found.requests})
    counts = queue.status_counts(session, current_user.id)
    rows = [
        {
            "request": r,
            "needs": [terms.label(n) for n in r.needs or []],
            "ageing": None
            if r.status == RequestStatus.CLOSED
            else queue.ageing(r.created_at, now, thresholds, region),
            "assignee": assignees.get(r.assigned_to or ""),
        }
        for r in found.requests
    ]
    return render_template(
        "matching/list.html",
        rows=rows,
        found=found,
        status_filter=status,
        need=need,
        statuses=queue.STATUS_FILTERS,
        status_items=[
            {"value": key, "text": f"{label} ({counts[key]})", "selected": key == status}
            for key, label in queue.STATUS_FILTERS.items()
        ],
        need_items=[{"value": "", "text": "Any need", "selected": not need}]
        + [
            {"value": key, "text": label, "selected": key == need}
            for key, label in queue.need_options(terms)
        ],
        urgency=queue.URGENCY_LABELS,
        status_labels=queue.STATUS_LABELS,
        outcomes=services.OUTCOME_LABELS,
        thresholds=thresholds,
    )


def _request_or_404(request_id: str) -> HelpRequest:
    found = db.session.get(HelpRequest, request_id[:36])
    if found is None:
        abort(404)
    return found


def _forms(
    help_request: HelpRequest, ranking: matcher.Ranking, **forms: object
) -> dict[str, object]:
    assign = forms.get("assign_form") or AssignForm(prefix="assign")
    people = [(u.id, user_label(u)) for u in queue.staff_people(db.session)]
    assign.set_people(people, current_user.id)
    if assign.assignee.data is None and not assign.errors:
        assign.assignee.data = help_request.assigned_to or current_user.id
    outcome = forms.get("outcome_form") or OutcomeForm(prefix="outcome")
    outcome.set_candidates(
        [(c.key, f"{c.name} ({'offer' if c.kind == 'offer' else 'listing'})")
         for c in ranking.candidates]
    )  # fmt: skip
    attempt = forms.get("attempt_form") or ContactAttemptForm(prefix="attempt")
    return {"assign_form": assign, "outcome_form": outcome, "attempt_form": attempt}


def _page(help_request: HelpRequest, status: int = 200, **forms: object) -> tuple[str, int]:
    """The request's page. It shows the person's details, so each showing is logged."""
    session = db.session
    with unit_of_work(session, Actor.user(current_user.id)):
        services.viewed(session, help_request, current_user.id)
    terms = load_terms(session)
    is_open = help_request.status != RequestStatus.CLOSED
    ranking = (
        matcher.rank(session, help_request, limit=CANDIDATES) if is_open else matcher.Ranking()
    )
    people = _labels({help_request.assigned_to} | {a.by for a in help_request.attempts})
    page = render_template(
        "matching/request.html",
        help_request=help_request,
        needs=[terms.label(n) for n in help_request.needs or []],
        ranking=ranking,
        is_open=is_open,
        people=people,
        ageing=queue.ageing(help_request.created_at, utcnow(), _thresholds(), _region())
        if is_open
        else None,
        urgency=queue.URGENCY_LABELS,
        status_labels=queue.STATUS_LABELS,
        outcomes=services.OUTCOME_LABELS,
        methods=services.CONTACT_METHODS,
        matched=_matched_name(help_request),
        offer_url=offer_url,
        page_error=any(getattr(f, "errors", None) for f in forms.values()),
        **_forms(help_request, ranking, **forms),
    )
    return page, status


def _matched_name(help_request: HelpRequest) -> str | None:
    from directory.help_offers.models import HelpOffer
    from directory.listings.models import Service

    if help_request.matched_service_id:
        service = db.session.get(Service, help_request.matched_service_id)
        return service.name if service else "a listing no longer in the directory"
    if help_request.matched_offer_id:
        offer = db.session.get(HelpOffer, help_request.matched_offer_id)
        return f"offer {offer.reference}" if offer else "an offer no longer kept"
    return None


@bp.get("/<request_id>")
@staff_required()
def view(request_id: str):  # type: ignore[no-untyped-def]
    return _page(_request_or_404(request_id))


def _done(help_request: HelpRequest, message: str) -> BaseResponse:
    flash(message, "success")
    return redirect(url_for(".view", request_id=help_request.id), 303)


def _refused(help_request: HelpRequest, exc: Exception) -> BaseResponse:
    flash(str(exc), "error")
    return redirect(url_for(".view", request_id=help_request.id), 303)


@bp.post("/<request_id>/assign")
@limiter.limit(staff_limit)
@staff_required()
def assign(request_id: str):  # type: ignore[no-untyped-def]
    help_request = _request_or_404(request_id)
    form = AssignForm(prefix="assign")
    form.set_people(
        [(u.id, user_label(u)) for u in queue.staff_people(db.session)], current_user.id
    )
    if not form.validate_on_submit():
        return _page(help_request, 400, assign_form=form)
    assignee = None if form.assignee.data == NOBODY else form.assignee.data
    try:
        with unit_of_work(db.session, Actor.user(current_user.id)):
            services.assign(db.session, help_request, assignee, current_user.id)
    except services.MatchingError as exc:
        return _refused(help_request, exc)
    if assignee is None:
        return _done(help_request, "The request is back on the open list.")
    who = "you" if assignee == current_user.id else _labels({assignee}).get(assignee, "them")
    return _done(help_request, f"The request is assigned to {who}.")


@bp.post("/<request_id>/attempts")
@limiter.limit(staff_limit)
@staff_required()
def attempt(request_id: str):  # type: ignore[no-untyped-def]
    help_request = _request_or_404(request_id)
    form = ContactAttemptForm(prefix="attempt")
    if not form.validate_on_submit():
        return _page(help_request, 400, attempt_form=form)
    try:
        with unit_of_work(db.session, Actor.user(current_user.id)):
            services.log_contact_attempt(
                db.session,
                help_request,
                current_user.id,
                form.method.data,
                form.succeeded.data == "yes",
                form.note.data,
            )
    except services.MatchingError as exc:
        return _refused(help_request, exc)
    return _done(help_request, "Contact attempt saved.")


@bp.post("/<request_id>/outcome")
@limiter.limit(staff_limit)
@staff_required()
def outcome(request_id: str):  # type: ignore[no-untyped-def]
    help_request = _request_or_404(request_id)
    form = OutcomeForm(prefix="outcome")
    form.set_candidates([])
    if not form.validate_on_submit():
        return _page(help_request, 400, outcome_form=form)
    offer_id, service_id = form.chosen()
    result = Outcome(form.outcome.data)
    try:
        with unit_of_work(db.session, Actor.user(current_user.id)):
            services.record_outcome(
                db.session,
                help_request,
                current_user.id,
                result,
                offer_id=offer_id,
                service_id=service_id,
            )
    except services.MatchingError as exc:
        return _refused(help_request, exc)
    return _done(
        help_request, f"Outcome recorded: {services.OUTCOME_LABELS[result]}. The request is closed."
    )
