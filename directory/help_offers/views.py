"""/offer-help: an organisation or a volunteer offers help, one question a page, no account
needed and no JavaScript.

Thin views: the order of the pages is :mod:`directory.help_offers.journey`, the answers so far
live in a server-side draft (:mod:`directory.help_offers.drafts`), and sending makes the offer
with :func:`directory.help_offers.services.create_offer`. Nothing personal goes in a URL:
every answer is posted. The send button is rate-limited (``RATELIMIT_OFFER``) and carries a
honeypot: a bot that fills it in is thanked and nothing is kept. The question pages are under
the site's default form limit, each page counted on its own.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db
from directory.extensions import limiter
from directory.help_offers import drafts, forms, journey, summary, where_form
from directory.help_offers.models import HelpOfferDraft, OfferKind, OfferStatus
from directory.help_offers.services import (
    OfferAnswers,
    OfferError,
    create_offer,
    member_listings,
    new_reference,
)
from directory.listings.models import Service
from directory.ops.ratelimits import route_limit
from directory.public import guided
from directory.public.home_page import gazetteer
from directory.public.search_params import load_terms

bp = Blueprint("offer_help", __name__)

DEFAULT_OFFER_LIMIT = "5 per minute;20 per hour"
#: Who made an offer without signing in, in the change log: a member of the public, unnamed.
PUBLIC_FORM = Actor("public", "offer-form")
#: The reference and kind of the offer just sent, for the confirmation page (nothing personal).
SENT_KEY = "offer_help_sent"


def offer_limit() -> str:
    """Sending an offer, per client address: the route's ``RATELIMIT_ROUTES`` entry, else
    ``RATELIMIT_OFFER``, read per request."""
    return route_limit("RATELIMIT_OFFER", DEFAULT_OFFER_LIMIT)


def _actor() -> Actor:
    return Actor.user(current_user.id) if current_user.is_authenticated else PUBLIC_FORM


def _draft() -> HelpOfferDraft | None:
    return drafts.load(db.session, session.get(drafts.SESSION_KEY))


def _url(slug: str | None) -> str:
    if slug is None:
        return url_for(".start")
    if slug == "check":
        return url_for(".check")
    return url_for(f".step_{slug}")


@bp.get("/offer-help")
def start() -> str:
    return render_template("help_offers/start.html", resume=_draft() is not None)


# The question pages ---------------------------------------------------------------------


def _locate_postcode(postcode: str) -> where_form.Point | str:
    found = gazetteer()
    if found is None:
        return where_form.UNAVAILABLE
    place = found.postcode(postcode)
    return place.point if place is not None else where_form.NOT_FOUND


def _find_place(text: str) -> tuple[str | None, str | None]:
    """The place's name as the gazetteer spells it ("blacon" -> "Blacon"), or why not. The
    bare name is stored: matching looks it up again near the person asking, which picks the
    right one of places sharing a name."""
    found = gazetteer()
    if found is None:
        return text, None
    config = current_app.config
    resolution = found.resolve(text, (config["HOME_LATITUDE"], config["HOME_LONGITUDE"]))
    place = resolution.place
    if place is None:
        return None, resolution.message
    return place.name, None


def area_choices() -> list[tuple[str, str]]:
    """Council areas an offer can cover: those a listing can say it covers."""
    from directory.manage.payload_parts import area_choices as listing_areas

    return listing_areas(db.session)


def _need_choices() -> list[guided.NeedChoice]:
    return guided.need_choices(load_terms(db.session))


def _form(step: journey.Step, answers: dict[str, Any], listings: list[Service]) -> Any:
    data = step.form.from_answers(answers)
    kwargs: dict[str, Any] = {}
    if step.slug == "where":
        kwargs = {"locate_postcode": _locate_postcode, "find_place": _find_place}
    elif step.slug == "contact":
        kwargs = {"organisation_name_needed": journey.organisation_name_needed(answers)}
        if current_user.is_authenticated and not answers.get("name"):
            data.update(name=current_user.name or None, email=current_user.email)
    elif step.slug == "needs":
        terms = load_terms(db.session)
        data = {"needs": [terms.key(term_id) for term_id in answers.get("needs") or []]}
    # A POST is read from the form alone: stored answers only fill the page shown.
    form = step.form(data=None if request.method == "POST" else data, **kwargs)
    if step.slug == "listing":
        several = len({s.organization_id for s in listings}) > 1
        form.listing.choices = forms.options(
            [
                (
                    s.id,
                    f"{s.name} ({s.organization.name})" if several and s.organization else s.name,
                )
                for s in listings
            ]
            + [(journey.NONE_OF_THESE, "None of these")]
        )
    elif step.slug == "needs":
        form.needs.choices = forms.options((c.code, c.label) for c in _need_choices())
    elif step.slug == "where":
        form.area_codes.choices = forms.options(area_choices())
    return form


def _changes(step: journey.Step, form: Any) -> dict[str, Any]:
    changes = form.answers()
    if step.slug == "needs":
        terms = load_terms(db.session)
        changes = {"needs": [t.id for code in form.needs.data if (t := terms.find(code))]}
    return changes


def _question(slug: str) -> str | BaseResponse:
    step = journey.BY_SLUG[slug]
    listings = member_listings(db.session, current_user)
    listing_ids = {s.id for s in listings}
    draft = _draft()
    answers = journey.reconcile(dict(draft.answers) if draft else {}, listing_ids)
    if not journey.applies(slug, answers, listing_ids):
        return redirect(_url(journey.next_step(answers, listing_ids) or "check"), 303)
    order = [s for s in journey.SLUGS if journey.applies(s, answers, listing_ids)]
    missing = journey.next_step(answers, listing_ids)
    if missing is not None and order.index(missing) < order.index(slug):
        return redirect(_url(missing), 303)  # the questions are answered in order
    form = _form(step, answers, listings)
    if request.method == "POST" and form.validate():
        changes = _changes(step, form)
        extra, drop = journey.after_answer(slug, answers | changes)
        with unit_of_work(db.session, _actor()):
            if draft is None:
                token, draft = drafts.start(db.session)
                session[drafts.SESSION_KEY] = token
            drafts.update(draft, changes | extra, drop)
        answers = journey.reconcile(dict(draft.answers), listing_ids)
        return redirect(_url(journey.next_step(answers, listing_ids, after=slug) or "check"), 303)
    back = journey.previous_step(slug, answers, listing_ids)
    return render_template(
        f"help_offers/steps/{slug}.html",
        step=step,
        form=form,
        answers=answers,
        back=_url(back),
        listings=listings,
        need_choices=_need_choices() if slug == "needs" else [],
        days=summary.DAYS,
        parts=summary.PARTS,
    )


def _question_view(slug: str):
    def view() -> str | BaseResponse:
        return _question(slug)

    view.__name__ = view.__qualname__ = f"step_{slug}"
    return view


for _slug in journey.SLUGS:
    bp.add_url_rule(
        f"/offer-help/{_slug}",
        endpoint=f"step_{_slug}",
        view_func=_question_view(_slug),
        methods=["GET", "POST"],
    )


# Check and send -------------------------------------------------------------------------


@bp.route("/offer-help/check", methods=["GET", "POST"])
@limiter.limit(offer_limit, methods=["POST"])
def check() -> str | BaseResponse | tuple[str, int]:
    listings = member_listings(db.session, current_user)
    listing_ids = {s.id for s in listings}
    draft = _draft()
    if draft is None:
        return redirect(url_for(".start"), 303)
    answers = journey.reconcile(dict(draft.answers), listing_ids)
    missing = journey.next_step(answers, listing_ids)
    if missing is not None:
        return redirect(_url(missing), 303)
    form = forms.SendForm()
    problem = None
    if request.method == "POST" and form.validate():
        if form.is_bot:
            return _sent(new_reference(), answers, OfferStatus.PENDING_CHECK)
        try:
            with unit_of_work(db.session, _actor()):
                offer = create_offer(db.session, OfferAnswers.from_draft(answers), current_user)
                drafts.discard(db.session, draft)
        except OfferError as exc:
            problem = str(exc)
        else:
            return _sent(offer.reference, answers, offer.status)
    rows = summary.check_rows(
        answers,
        terms=load_terms(db.session),
        areas=dict(area_choices()),
        listings={s.id: s.name for s in listings},
        change_url=lambda slug: _url(slug),
        show_listing=journey.applies("listing", answers, listing_ids),
    )
    page = render_template(
        "help_offers/check.html",
        form=form,
        rows=rows,
        problem=problem,
        back=_url(journey.previous_step("check", answers, listing_ids)),
        organisation=journey.is_organisation(answers),
    )
    return (page, 400) if problem else page


def _sent(reference: str, answers: dict[str, Any], status: OfferStatus) -> BaseResponse:
    session.pop(drafts.SESSION_KEY, None)
    session[SENT_KEY] = {
        "reference": reference,
        "kind": OfferKind.ORGANISATION.value
        if journey.is_organisation(answers)
        else OfferKind.VOLUNTEER.value,
        "status": status.value,
    }
    return redirect(url_for(".sent"), 303)


@bp.get("/offer-help/sent")
def sent() -> str | BaseResponse:
    done = session.get(SENT_KEY)
    if not isinstance(done, dict) or not done.get("reference"):
        return redirect(url_for(".start"), 303)
    return render_template(
        "help_offers/sent.html",
        reference=done["reference"],
        active=done.get("status") == OfferStatus.ACTIVE.value,
        organisation=done.get("kind") == OfferKind.ORGANISATION.value,
    )
