"""Handing the list over: the print page, the PDF, the Easy Read page and PDF, and email.

All of them are made from the list in the visitor's cookie at the moment they ask, so nothing is
stored. ``?notes=0`` leaves the notes off the print pages and PDFs.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from flask import current_app, redirect, render_template, url_for
from werkzeug.wrappers import Response

from directory.core.mail import MailFailed, MailSettings, mail_configured, send
from directory.core.urls import external_url
from directory.db import db
from directory.mylist import pdf
from directory.mylist.blueprint import bp, current_list, wants_notes
from directory.mylist.easyread import easy_sheet
from directory.mylist.forms import EmailForm
from directory.mylist.handover import details, next_steps, unlisted_text
from directory.mylist.services import ListView, build_list


def _listing() -> ListView:
    return build_list(db.session, current_list().items)


def _site_url() -> str:
    return external_url("public.home")


def _sheet_context(listing: ListView, notes: bool) -> dict:
    return {
        "listing": listing,
        "notes": notes,
        "steps": next_steps(_site_url()),
        "details": details,
        "unlisted_text": unlisted_text,
        "nav": "mylist",
        "show_exit": listing.show_exit,
    }


@bp.get("/print")
def print_sheet() -> str:
    listing = _listing()
    return render_template("mylist/print.html", **_sheet_context(listing, wants_notes()))


@bp.get("/easy-read")
def easy_read() -> str:
    listing = _listing()
    notes = wants_notes()
    return render_template(
        "mylist/easy_read.html",
        sheet=easy_sheet(listing, notes=notes),
        **_sheet_context(listing, notes),
    )


def _pdf_response(body: bytes, name: str) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/handover.pdf")
def handover_pdf() -> Response:
    listing = _listing()
    if not listing.listed:
        return redirect(url_for(".view"), 303)
    body = pdf.handover_pdf(
        listing,
        service_name=current_app.config["SERVICE_NAME"],
        site_url=_site_url(),
        config=current_app.config,
        notes=wants_notes(),
    )
    return _pdf_response(body, f"my-list-{listing.today.isoformat()}.pdf")


@bp.get("/easy-read.pdf")
def easy_read_pdf() -> Response:
    listing = _listing()
    if not listing.listed:
        return redirect(url_for(".view"), 303)
    body = pdf.easy_read_pdf(
        easy_sheet(listing, printed=True, notes=wants_notes()),
        service_name=current_app.config["SERVICE_NAME"],
        config=current_app.config,
    )
    return _pdf_response(body, f"my-list-easy-read-{listing.today.isoformat()}.pdf")


def _email_limit() -> AbstractContextManager:
    """``MYLIST_EMAIL_RATELIMIT`` per client address, counted by the site's own limiter (so in
    Redis when the site uses it) on top of its limit for forms."""
    limiters = current_app.extensions.get("limiter") or ()
    limiter = next(iter(limiters), None)
    if limiter is None:
        return nullcontext()
    return limiter.limit(
        lambda: current_app.config["MYLIST_EMAIL_RATELIMIT"],
        scope="mylist-email",
        override_defaults=False,
    )


@bp.route("/email", methods=["GET", "POST"])
def email() -> tuple[str, int] | Response:
    listing = _listing()
    available = mail_configured(current_app.config)
    form = EmailForm()
    failed = False
    if available and listing.listed and form.validate_on_submit():
        with _email_limit():
            try:
                _send(listing, form.email.data, bool(form.include_notes.data))
            except MailFailed:
                failed = True
            else:
                return redirect(url_for(".email_sent"), 303)
    page = render_template(
        "mylist/email.html",
        form=form,
        available=available,
        failed=failed,
        listing=listing,
        nav="mylist",
        show_exit=listing.show_exit,
    )
    return page, 503 if failed else 200


def _send(listing: ListView, address: str, notes: bool) -> None:
    """Render and send the handover; ``address`` goes no further than the message."""
    config = current_app.config
    context = _sheet_context(listing, notes)
    context["service_name"] = config["SERVICE_NAME"]
    context["site_url"] = _site_url()
    send(
        MailSettings.from_config(config),
        address.strip(),
        f"Your list of services from {config['SERVICE_NAME']}",
        render_template("mail/mylist.txt", **context),
        render_template("mail/mylist.html", **context),
    )


@bp.get("/email/sent")
def email_sent() -> str:
    return render_template("mylist/email_sent.html", nav="mylist")
