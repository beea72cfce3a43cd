"""The end of "Ask for help": how to contact the person, their consent, checking the answers
and sending the request (routes on :data:`directory.help_requests.views.bp`).

Sending is the one moment anything about the person is written to the database: one unit of
work saves the request; a second sends the confirmation email, so a mail server that is down
never loses a request (the page then says the email could not be sent). The send is limited
per client address (``RATELIMIT_ASK``); a filled-in honeypot is a bot, which sees the usual
confirmation while nothing is saved.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, redirect, render_template, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from directory.core.mail import MailFailed
from directory.core.uow import unit_of_work
from directory.core.urls import external_url
from directory.db import db
from directory.extensions import limiter
from directory.help_requests import journey, needs, services
from directory.help_requests.forms import ConsentForm, ContactForm, SendForm
from directory.help_requests.views import (
    TOO_LONG,
    _days,
    _guard,
    _next,
    _page,
    ask_limit,
    bp,
    posted,
)
from directory.public.search_params import load_terms

CONTACT_FIELDS = ("name", "phone", "email", "contact_by", "contact_times", "urgency")
URGENCY_WORDS = {"today": "Today", "this_week": "This week", "not_urgent": "It is not urgent"}
CONTACT_BY_WORDS = {"phone": "By phone", "email": "By email", "either": "By phone or email"}


@bp.route("/contact", methods=["GET", "POST"])
def contact() -> str | BaseResponse:
    if (sent_back := _guard("contact")) is not None:
        return sent_back
    answers = journey.read(session)
    form = ContactForm(formdata=posted(), data={name: answers.get(name) for name in CONTACT_FIELDS})
    if journey.for_someone_else(session):
        form.name.description = (
            "Your own name: we will contact you first, and you can tell us how best to reach "
            "the person who needs help."
        )
    if form.validate_on_submit():
        kept = {name: getattr(form, name).data or "" for name in CONTACT_FIELDS}
        if journey.fits(current_app, session, **kept):
            journey.update(session, **kept)
            return _next("contact")
        (form.contact_times if form.contact_times.data else form.name).errors.append(TOO_LONG)
    return _page("contact", "contact", form=form)


@bp.route("/consent", methods=["GET", "POST"])
def consent() -> str | BaseResponse:
    if (sent_back := _guard("consent")) is not None:
        return sent_back
    form = ConsentForm(
        formdata=posted(), data={"consent": bool(journey.read(session).get("consent"))}
    )
    if form.validate_on_submit():
        journey.update(session, consent=True)
        return _next("consent")
    return _page("consent", "consent", form=form, response_days=_days())


@dataclass(frozen=True)
class Row:
    key: str
    value: str
    change: str | None
    what: str


def summary(terms) -> list[Row]:
    """The check page's answers, each with where to change it."""
    answers = journey.read(session)
    labels = [needs.label_of(terms, n) for n in answers.get("needs", [])]

    def change(step: str) -> str:
        return url_for(f".{step}", change="yes")

    rows = [
        Row(
            "What you need help with",
            "\n".join(labels) or "Not sure: our team will read what you told us",
            change("need"),
            "what you need help with",
        ),
    ]
    if answers.get("details"):
        rows.append(Row("In your own words", answers["details"], change("need"), "your words"))
    rows += [
        Row(
            "Who needs help",
            "Someone else" if journey.for_someone_else(session) else "Me",
            change("who"),
            "who needs help",
        ),
        Row("Postcode", answers.get("postcode", ""), change("postcode"), "the postcode"),
        Row("Your name", answers.get("name", ""), change("contact"), "your name"),
        Row("Phone number", answers.get("phone") or "Not given", change("contact"), "phone"),
        Row("Email address", answers.get("email") or "Not given", change("contact"), "email"),
        Row(
            "How to contact you",
            CONTACT_BY_WORDS.get(answers.get("contact_by", ""), ""),
            change("contact"),
            "how to contact you",
        ),
        Row(
            "Best time to contact you",
            answers.get("contact_times") or "Any time",
            change("contact"),
            "the best time to contact you",
        ),
        Row(
            "How soon you need help",
            URGENCY_WORDS.get(answers.get("urgency", ""), ""),
            change("contact"),
            "how soon you need help",
        ),
    ]
    return rows


@bp.get("/check")
def check() -> str | BaseResponse:
    if (sent_back := _guard("check")) is not None:
        return sent_back
    return _page("check", "check", form=SendForm(), rows=summary(load_terms(db.session)))


@bp.post("/check")
@limiter.limit(ask_limit, methods=["POST"])
def send() -> str | BaseResponse:
    if not journey.complete(session):
        if isinstance(session.get(journey.SENT_KEY), dict):
            return redirect(url_for(".sent"), 303)  # sent already: a second click
        return _guard("check") or redirect(url_for(".start"), 303)
    form = SendForm()
    if not form.validate_on_submit():
        return _page("check", "check", form=form, rows=summary(load_terms(db.session)))
    if form.is_bot:
        journey.clear(session)
        session[journey.SENT_KEY] = {"reference": services.new_reference()}
        return redirect(url_for(".sent"), 303)
    answers = journey.request_answers(session)
    with unit_of_work(db.session, services.ASK_FORM):
        created = services.create_request(db.session, answers)
        reference = created.reference
    terms = load_terms(db.session)
    mail = services.confirmation_mail(
        created,
        need_labels=[needs.label_of(terms, n) for n in answers.needs],
        response_days=_days(),
        site_url=external_url("public.home"),
    )
    failed = False
    if mail is not None:
        try:
            with unit_of_work(db.session, services.ASK_FORM):
                services.queue_confirmation(db.session, mail)
        except MailFailed:
            failed = True
    journey.clear(session)
    session[journey.SENT_KEY] = {
        "reference": reference,
        "emailed": mail is not None and not failed,
        "email_failed": failed,
        "contact_by": answers.contact_by,
        "urgency": answers.urgency.value,
    }
    return redirect(url_for(".sent"), 303)


@bp.get("/sent")
def sent() -> str | BaseResponse:
    done = session.get(journey.SENT_KEY)
    if not isinstance(done, dict) or not isinstance(done.get("reference"), str):
        return redirect(url_for(".start"), 303)
    return render_template(
        "help_requests/sent.html",
        done=done,
        steps=services.next_steps(_days(), done.get("contact_by"), done.get("urgency")),
    )
