"""The search pages: results (``/search``), the guided journey (``/find-help``) and the data
the home page shows (popular needs, community hubs and Let's Talk sites near you).

The routes are added to the public blueprint. Each view reads the query string with
:mod:`directory.public.search_params`, asks :func:`search_index.search` and hands a page object
from :mod:`directory.public.search_page` to a template. Everything is a GET, so every page can
be bookmarked, shared and reached with the Back button, and works without JavaScript.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from directory.db import db
from directory.insights.logging import log_results, log_results_page
from directory.public import guided, page_cache
from directory.public.filter_markup import filter_choices
from directory.public.forms import SearchForm
from directory.public.home_page import HomePanels, gazetteer, home_panels
from directory.public.search_forms import NeedsForm, WhereForm, WhoForm
from directory.public.search_page import build_results_page, home_area_code, km_to_miles_text
from directory.public.search_params import load_terms, parse_args
from directory.public.timing import measure
from directory.public.views import bp
from search_index.store import IndexRepairing, IndexUnavailable
from search_index.vocabulary import load_vocabulary

bp.add_app_template_filter(km_to_miles_text, "miles")
bp.add_app_template_global(filter_choices, "filter_choices")
bp.add_app_template_global(guided.EMERGENCY_CONTACTS, "emergency_contacts")


@bp.get("/search")
def search() -> tuple[str, int] | tuple[str, int, dict[str, str]] | str:
    params = parse_args(request.args)
    key = page_cache.key_for("search")
    if (kept := page_cache.lookup(key)) is not None:
        log_results(params, *kept.extra)  # the same search again, logged as the first was
        return page_cache.serve(kept)
    terms = load_terms(db.session)
    form = SearchForm(formdata=None, data={"q": params.q, "where": params.where})
    try:
        with measure("build"):
            page = build_results_page(db.session, params, terms)
    except IndexRepairing as exc:
        # Being rebuilt in the background (docs/adr/0017-background-repair-and-503.md).
        current_app.logger.warning("search: %s", exc)
        headers = {"Retry-After": str(exc.retry_after)}
        return render_template("search/unavailable.html", search=form), 503, headers
    except (IndexUnavailable, OSError):
        # No usable index (missing, unreadable, disk trouble): say so and point to places
        # people can go, rather than the general error page.
        current_app.logger.exception("search: the index is unavailable")
        return render_template("search/unavailable.html", search=form), 503
    log_results_page(params, page.results)  # anonymous, never fails the search
    template = "search/results.html" if page.results.total else "search/zero_results.html"
    with measure("render"):
        html = render_template(template, page=page, search=form, show_exit=page.urgency.safety)
    page_cache.keep(key, html, extra=(page.results.request.need_ids, page.results.total))
    return html


@bp.app_template_global()
def search_home() -> HomePanels:
    """The home page's panels (called from templates/public/home.html, whose view is the
    public blueprint's ``home``)."""
    return home_panels(db.session, request.args.get("where", ""))


@bp.get("/help")
def help_redirect() -> BaseResponse:
    """``/help`` is the short address for the guided journey, easy to say on the phone."""
    query = request.query_string.decode("utf-8", "replace")
    return redirect(url_for(".find_help") + ("?" + query if query else ""), 301)


def _step_url(endpoint: str, answers: guided.Answers) -> str:
    query = urlencode(answers.pairs())
    return url_for(endpoint) + ("?" + query if query else "")


@bp.get("/find-help")
def find_help() -> str | BaseResponse:
    terms = load_terms(db.session)
    answers = guided.read_answers(request.args, terms)
    choices = guided.need_choices(terms)
    form = NeedsForm.from_pairs(answers.pairs(), need_choices=[(c.code, c.label) for c in choices])
    if request.args.get("answered") and form.validate():
        return redirect(_step_url(".find_help_who", answers), 303)
    return render_template(
        "guided/needs.html",
        form=form,
        answers=answers,
        choices=choices,
        carried=_carried(answers, "need"),
        back_url=None,
    )


@bp.get("/find-help/who")
def find_help_who() -> str | BaseResponse:
    answers = guided.read_answers(request.args, load_terms(db.session))
    if not (answers.needs or answers.urgent):
        return redirect(_step_url(".find_help", answers), 303)
    form = WhoForm.from_pairs(answers.pairs())
    if request.args.get("answered") and form.validate():
        return redirect(_step_url(".find_help_where", answers), 303)
    return render_template(
        "guided/who.html",
        form=form,
        answers=answers,
        show_exit=_needs_exit(answers),
        who_choices=guided.WHO_CHOICES,
        carried=_carried(answers, "who", "age"),
        back_url=_step_url(".find_help", answers),
        skip_url=_results_url(answers),
    )


@bp.get("/find-help/where")
def find_help_where() -> str | BaseResponse:
    terms = load_terms(db.session)
    answers = guided.read_answers(request.args, terms)
    if not (answers.needs or answers.urgent):
        return redirect(_step_url(".find_help", answers), 303)
    if not (answers.who and answers.age):
        return redirect(_step_url(".find_help_who", answers), 303)
    form = WhereForm.from_pairs(answers.pairs(), check_place=_place_problem)
    if request.args.get("answered") and form.validate():
        return redirect(_results_url(answers), 303)
    return render_template(
        "guided/where.html",
        form=form,
        answers=answers,
        show_exit=_needs_exit(answers),
        carried=_carried(answers, "where", "anywhere"),
        back_url=_step_url(".find_help_who", answers),
        skip_url=_results_url(answers),
    )


def _needs_exit(answers: guided.Answers) -> bool:
    """Offer "Exit this page" once someone says they are in danger or chooses domestic abuse."""
    terms = load_terms(db.session)
    return answers.urgent or guided.urgency_for(terms, needs=answers.needs).safety


def _carried(answers: guided.Answers, *asked: str) -> list[tuple[str, str]]:
    """The other steps' answers, kept as hidden fields so going back and forth loses none."""
    return [(name, value) for name, value in answers.pairs() if name not in asked]


def _results_url(answers: guided.Answers) -> str:
    terms = load_terms(db.session)
    params = guided.results_params(answers, terms, home_area_code(load_vocabulary(db.session)))
    return url_for(".search") + params.query()


def _place_problem(text: str) -> str | None:
    """Why the gazetteer cannot use this place, or None when it can (or there is no
    gazetteer, in which case the results page explains that instead)."""
    found = gazetteer()
    if found is None:
        return None
    home = current_app.config.get("HOME_LATITUDE"), current_app.config.get("HOME_LONGITUDE")
    resolution = found.resolve(text, home if None not in home else None)
    if resolution.place is not None:
        return None
    return resolution.message or "Enter a postcode, like CH1 1AA, or the name of a town"
