"""The public site's pages: thin views over :mod:`directory.public.services` (queries) and
:mod:`directory.public.pages` (what each page shows).

URLs are short and readable so they can be read out over the phone and shared: a service is
``/services/<id>/<name-as-words>``; the words are optional, and a wrong or old version of them
redirects to the current one.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from directory.core.urls import external_url, site_host
from directory.db import db
from directory.extensions import limiter
from directory.feedback.forms import PublicReportForm
from directory.feedback.public import report_limit, submit_report
from directory.models import Location, LocationKind, Organization, Service
from directory.public import (
    facts,
    fragments,
    page_cache,
    pages,
    place_lists,
    place_page,
    services,
    timing,
)
from directory.public.formatting import slug as make_slug
from directory.public.forms import REPORT_MAX_LENGTH, SearchForm
from directory.public.place_groups import place_of

bp = Blueprint("public", __name__)
timing.install(bp)  # the Server-Timing header, when SERVER_TIMING is on
fragments.install(bp)  # the `fragment` call block for rendered pieces kept for reuse
page_cache.install(bp)  # whole pages for visitors with nothing of their own on them
bp.add_app_template_global(pages.address_lines, "place_address")
bp.add_app_template_filter(facts.status_tag, "status_tag")

#: Words that are pages of their own under a listing's URL, so never used as its slug.
RESERVED_SLUGS = frozenset({"report", "report-sent", "sessions.ics"})


def listing_slug(name: str | None) -> str:
    text = make_slug(name)
    return f"{text}-listing" if text in RESERVED_SLUGS else text


@bp.app_template_global()
def service_url(service: Service) -> str:
    """The canonical, shareable address of a service page (no redirect on the way)."""
    return url_for("public.service", service_id=service.id, slug=listing_slug(service.name))


@bp.app_template_global()
def organisation_url(organisation: Organization) -> str:
    return url_for(
        "public.organisation", organisation_id=organisation.id, slug=listing_slug(organisation.name)
    )


@bp.app_template_global()
def place_url(location: Location) -> str:
    return url_for("public.place", place_id=location.id, slug=listing_slug(location.name))


@bp.get("/")
def home() -> str:
    key = page_cache.key_for("home")
    if (kept := page_cache.lookup(key)) is not None:
        return page_cache.serve(kept)
    html = render_template("public/home.html", search=SearchForm(request.args))
    page_cache.keep(key, html)
    return html


@bp.get("/services/<service_id>")
@bp.get("/services/<service_id>/<slug>")
def service(service_id: str, slug: str | None = None) -> str | BaseResponse:
    # Kept until what it says about time changes (pages.valid_until), not per minute.
    key = page_cache.key_for("service", per_minute=False)
    if (kept := page_cache.lookup(key)) is not None:
        return page_cache.serve(kept)
    found = services.get_public_service(db.session, service_id)
    if found is None:
        abort(404)
    canonical = listing_slug(found.name)
    if slug != canonical or service_id != found.id:
        return redirect(url_for(".service", service_id=found.id, slug=canonical), 301)
    page_url = external_url("public.service", service_id=found.id, slug=canonical)
    now = pages.london_now()
    page = pages.service_page(db.session, found, now=now, page_url=page_url)
    html = render_template("public/service.html", page=page, service=found)
    page_cache.keep(key, html, expires=pages.valid_until(page, now))
    return html


@bp.route("/services/<service_id>/report", methods=["GET", "POST"])
@limiter.limit(report_limit, methods=["POST"])
def report(service_id: str) -> str | BaseResponse:
    found = services.get_public_service(db.session, service_id)
    if found is None:
        abort(404)
    form = PublicReportForm()
    if form.validate_on_submit():
        submit_report(db.session, found, form)  # a bot's (honeypot) report is not saved
        return redirect(url_for(".report_sent", service_id=found.id), 303)
    return render_template(
        "public/report.html",
        form=form,
        service=found,
        max_length=REPORT_MAX_LENGTH,
        show_exit=services.needs_safety_features(db.session, [found]),
    )


@bp.get("/services/<service_id>/report-sent")
def report_sent(service_id: str) -> str:
    found = services.get_public_service(db.session, service_id)
    if found is None:
        abort(404)
    return render_template("public/report_sent.html", service=found)


@bp.get("/organisations/<organisation_id>")
@bp.get("/organisations/<organisation_id>/<slug>")
def organisation(organisation_id: str, slug: str | None = None) -> str | BaseResponse:
    found = services.get_public_organisation(db.session, organisation_id)
    if found is None:
        abort(404)
    canonical = listing_slug(found.name)
    if slug != canonical or organisation_id != found.id:
        return redirect(url_for(".organisation", organisation_id=found.id, slug=canonical), 301)
    listed = services.public_services_of(db.session, found)
    return render_template(
        "public/organisation.html",
        organisation=found,
        services=listed,
        show_exit=services.needs_safety_features(db.session, listed),
    )


@bp.get("/places/<place_id>")
@bp.get("/places/<place_id>/<slug>")
def place(place_id: str, slug: str | None = None) -> str | BaseResponse:
    found = services.get_public_place(db.session, place_id)
    if found is None:
        abort(404)
    # Several records can describe one place: each of them leads to the one that stands for it.
    found = place_of(db.session, found).location
    canonical = listing_slug(found.name)
    if slug != canonical or place_id != found.id:
        return redirect(url_for(".place", place_id=found.id, slug=canonical), 301)
    page = place_page.place_page(db.session, found)
    return render_template("public/place.html", page=page, place=found)


@bp.get("/places/<place_id>/sessions.ics")
def place_calendar(place_id: str) -> Response:
    found = services.get_public_place(db.session, place_id)
    if found is None:
        abort(404)
    body = place_page.place_calendar(
        db.session,
        found,
        domain=site_host(),
        page_url=lambda service: external_url(
            "public.service", service_id=service.id, slug=listing_slug(service.name)
        ),
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{listing_slug(found.name)}-sessions.ics"'
    )
    return response


@bp.get("/hubs")
def hubs() -> str:
    return _place_list(LocationKind.COMMUNITY_HUB, "hubs")


@bp.get("/lets-talk")
def lets_talk() -> str:
    return _place_list(LocationKind.LETS_TALK, "lets_talk")


def _place_list(kind: LocationKind, nav: str) -> str:
    listing = place_lists.place_list_page(db.session, kind, request.args.get("where", ""))
    return render_template(
        "public/place_list.html",
        kind=kind.value,
        listing=listing,
        nav=nav,
        show_exit=listing.show_exit,
    )


@bp.get("/cover-your-tracks")
def cover_your_tracks() -> str:
    return render_template("public/cover_your_tracks.html")


@bp.get("/accessibility")
def accessibility() -> str:
    return render_template("public/accessibility.html")


@bp.get("/cookies")
def cookies() -> str:
    return render_template("public/cookies.html")


@bp.get("/privacy")
def privacy() -> str:
    return render_template("public/privacy.html")


# The search pages live in their own module and add their routes to this blueprint.
from directory.public import search_views  # noqa: E402, F401
