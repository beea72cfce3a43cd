"""``/ask-for-help``: a resident (or someone for them) asks for help, no account needed.

Safety first (anyone in danger goes to the emergency numbers before any form), then what
they need, for whom and where; then the services that match right now, where they can stop
("This is what I needed") or go on to ask to be contacted. Answers wait in the session cookie
(:mod:`directory.help_requests.journey`) and reach the database only on "Send request". Each
question is a POST form with a CSRF token; pages carry no personal data in their URLs and
are never cached (``no-store``), as someone may use a library computer.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from directory.core.uow import unit_of_work
from directory.db import db
from directory.help_requests import journey, needs
from directory.help_requests.forms import (
    NONE_OF_THESE,
    ConfirmNeedsForm,
    NeedForm,
    PostcodeForm,
    SafetyForm,
    SelfServedForm,
    WhoForm,
)
from directory.help_requests.services import ASK_FORM, record_self_served
from directory.help_requests.signposting import find_signposts
from directory.ops.ratelimits import route_limit
from directory.places.postcodes import outcode_of
from directory.public import guided
from directory.public.home_page import gazetteer
from directory.public.search_params import load_terms
from search_index.vocabulary import load_vocabulary

bp = Blueprint("ask", __name__, url_prefix="/ask-for-help")

DEFAULT_ASK_LIMIT = "5 per minute;20 per hour"
TOO_LONG = (
    "Your answers are too long for us to keep between pages. Make this answer shorter: you "
    "can tell us more when we contact you"
)


def ask_limit() -> str:
    """Sending a request, per client address: the route's ``RATELIMIT_ROUTES`` entry, else
    ``RATELIMIT_ASK``, read per request."""
    return route_limit("RATELIMIT_ASK", DEFAULT_ASK_LIMIT)


@bp.after_request
def _never_cached(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def posted():
    """The posted form on a POST (even an empty one), else None: an answer kept from before
    fills the form on a GET only, never stands in for one left out of a POST."""
    return request.form if request.method == "POST" else None


def _guard(step: str) -> BaseResponse | None:
    """Send anyone who skipped a question back to it."""
    missing = journey.first_missing(session, step)
    return redirect(url_for(f".{missing}"), 303) if missing else None


def _next(step: str) -> BaseResponse:
    """After a question: the check page when changing an answer there, else the next one."""
    if request.args.get("change") and journey.complete(session):
        return redirect(url_for(".check"), 303)
    following = journey.STEP_NAMES[journey.STEP_NAMES.index(step) + 1]
    change = {"change": "yes"} if request.args.get("change") else {}
    return redirect(url_for(f".{following}", **change), 303)


def _page(template: str, step: str, **context) -> str:
    back = journey.STEP_NAMES[journey.STEP_NAMES.index(step) - 1] if step != "safety" else None
    context.setdefault("show_exit", _show_exit())
    return render_template(
        f"help_requests/{template}.html",
        step=step,
        back_url=url_for(".check")
        if request.args.get("change")
        else (url_for(f".{back}") if back else url_for(".start")),
        **context,
    )


def _show_exit() -> bool:
    """ "Exit this page" once anything said points to domestic abuse."""
    answers = journey.read(session)
    terms = load_terms(db.session)
    chosen = [*answers.get("chosen", []), *answers.get("needs", []), *answers.get("offered", [])]
    return guided.urgency_for(
        terms, text=answers.get("details") or "", needs=chosen, vocab=load_vocabulary(db.session)
    ).safety


@bp.get("")
def start() -> str:
    return render_template("help_requests/start.html", response_days=_days())


@bp.route("/safety", methods=["GET", "POST"])
def safety() -> str | BaseResponse:
    form = SafetyForm(
        formdata=posted(), data={"urgent": "no" if journey.read(session).get("safe") else None}
    )
    if form.validate_on_submit():
        if form.urgent.data == "yes":
            journey.update(session, safe=None)
            return redirect(url_for(".urgent_help"), 303)
        journey.update(session, safe=True)
        return _next("safety")
    return _page("safety", "safety", form=form)


@bp.get("/urgent-help")
def urgent_help() -> str:
    return render_template(
        "help_requests/urgent_help.html", show_exit=True, crisis_phone=_crisis_phone()
    )


@bp.route("/need", methods=["GET", "POST"])
def need() -> str | BaseResponse:
    if (sent_back := _guard("need")) is not None:
        return sent_back
    terms = load_terms(db.session)
    choices = needs.top_level_choices(terms)
    answers = journey.read(session)
    form = NeedForm(
        formdata=posted(),
        data={"details": answers.get("details", ""), "need": answers.get("chosen", [])},
        need_choices=[(c.value, c.label) for c in choices],
    )
    if form.validate_on_submit():
        chosen = needs.ids_of_codes(terms, form.need.data)
        meant = needs.needs_in_words(load_vocabulary(db.session), terms, form.details.data)
        offered = list(dict.fromkeys([*chosen, *meant]))
        kept = {"details": form.details.data, "chosen": form.need.data, "offered": offered}
        if journey.fits(current_app, session, asked=True, **kept):
            journey.update(session, asked=True, needs=None, **kept)
            return _next("need")
        form.details.errors.append(TOO_LONG)
    return _page("need", "need", form=form, choices=choices)


def _offered(terms) -> tuple[list[needs.NeedChoice], bool]:
    """The needs to confirm (from the list and the words), or every top-level need when
    nothing could be named (``False`` says which)."""
    found = needs.describe(terms, journey.read(session).get("offered", []))
    if found:
        return found, True
    every = [t.id for t in terms.top_level_needs()]
    return sorted(needs.describe(terms, every), key=lambda c: c.label), False


@bp.route("/confirm-need", methods=["GET", "POST"])
def confirm() -> str | BaseResponse:
    if (sent_back := _guard("confirm")) is not None:
        return sent_back
    terms = load_terms(db.session)
    offered, named = _offered(terms)
    answers = journey.read(session)
    ticked = answers.get("needs") if isinstance(answers.get("needs"), list) else None
    if ticked is None:
        ticked = [c.value for c in offered] if named else []
    elif not ticked and answers.get("none"):
        ticked = [NONE_OF_THESE]
    form = ConfirmNeedsForm(
        formdata=posted(), data={"need": ticked}, offered=[c.value for c in offered]
    )
    if form.validate_on_submit():
        confirmed = [v for v in form.need.data if v != NONE_OF_THESE]
        journey.update(session, needs=confirmed, none=NONE_OF_THESE in form.need.data or None)
        return _next("confirm")
    urgency = guided.urgency_for(
        terms,
        text=answers.get("details") or "",
        needs=answers.get("offered", []),
        vocab=load_vocabulary(db.session),
    )
    return _page(
        "confirm", "confirm", form=form, offered=offered, named=named, emergency=urgency.emergency
    )


@bp.route("/who", methods=["GET", "POST"])
def who() -> str | BaseResponse:
    if (sent_back := _guard("who")) is not None:
        return sent_back
    form = WhoForm(formdata=posted(), data={"for_whom": journey.read(session).get("for")})
    if form.validate_on_submit():
        journey.update(session, **{"for": form.for_whom.data})
        return _next("who")
    return _page("who", "who", form=form)


@bp.route("/postcode", methods=["GET", "POST"])
def postcode() -> str | BaseResponse:
    if (sent_back := _guard("postcode")) is not None:
        return sent_back
    places = gazetteer()
    form = PostcodeForm(
        formdata=posted(),
        data={"postcode": journey.read(session).get("postcode", "")},
        known=(lambda pc: places.postcode(pc) is not None) if places is not None else None,
    )
    if journey.for_someone_else(session):
        form.postcode.label.text = "What is their postcode?"
        form.postcode.description = (
            "The postcode of the person who needs help, to find help near them. "
            "For example, CH1 2HJ"
        )
    if form.validate_on_submit():
        place = places.postcode(form.postcode.data) if places is not None else None
        journey.update(
            session,
            postcode=form.postcode.data,
            outcode=outcode_of(form.postcode.data),
            latitude=place.latitude if place else None,
            longitude=place.longitude if place else None,
        )
        return _next("postcode")
    return _page("postcode", "postcode", form=form)


@bp.get("/services")
def services() -> str | BaseResponse:
    if (sent_back := _guard("services")) is not None:
        return sent_back
    answers = journey.read(session)
    terms = load_terms(db.session)
    found = find_signposts(db.session, terms, answers.get("needs", []), answers.get("postcode"))
    journey.update(session, seen=True, shown=len(found.suggestions))
    return _page(
        "services",
        "services",
        found=found,
        need_labels=[needs.label_of(terms, n) for n in answers.get("needs", [])],
        postcode=answers.get("postcode", ""),
        form=SelfServedForm(),
        show_exit=found.show_exit or _show_exit(),
    )


@bp.post("/self-served")
def self_served() -> BaseResponse:
    if (sent_back := _guard("contact")) is not None:
        return sent_back
    form = SelfServedForm()
    if not form.validate_on_submit():
        return redirect(url_for(".services"), 303)
    answers = journey.read(session)
    with unit_of_work(db.session, ASK_FORM):
        record_self_served(
            db.session, answers.get("needs", []), answers.get("outcode"), answers.get("shown", 0)
        )
    journey.clear(session)
    return redirect(url_for(".thank_you"), 303)


@bp.get("/thank-you")
def thank_you() -> str:
    return render_template("help_requests/thank_you.html")


def _days() -> int:
    return int(current_app.config.get("REQUEST_RESPONSE_DAYS") or 3)


def _crisis_phone() -> str:
    return (current_app.config.get("CRISIS_PHONE") or "").strip()


# The rest of the journey (contact, consent, check and send) is in its own module.
from directory.help_requests import send_views  # noqa: E402, F401
