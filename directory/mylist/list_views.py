"""Keeping the list: the list page, add, remove, a note per item, clear.

Every change is a POST form with a CSRF token that works without JavaScript, then a redirect
(303) back to the page the visitor was on, where a notification banner says what happened.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from directory.core.ids import normalise_uuid
from directory.core.mail import mail_configured
from directory.db import db
from directory.mylist.blueprint import back_to, bp, current_list
from directory.mylist.forms import ConfirmForm, NoteForm, ServiceForm
from directory.mylist.services import build_list, public_name
from directory.mylist.session_list import NOTE_MAX_LENGTH, Added


@bp.get("")
def view() -> str:
    my_list = current_list()
    listing = build_list(db.session, my_list.items)
    return render_template(
        "mylist/list.html",
        listing=listing,
        max_items=my_list.max_items,
        nav="mylist",
        show_exit=listing.show_exit,
        can_email=mail_configured(current_app.config),
    )


@bp.post("/add")
def add() -> Response:
    form = ServiceForm()
    if not form.validate_on_submit():
        abort(400)
    found = public_name(db.session, form.service_id.data)
    if found is None:
        flash("", "mylist-gone")
        return redirect(back_to(form.next.data, url_for(".view")), 303)
    service_id, name = found
    result = current_list().add(service_id, name)
    flash(name, f"mylist-{result.value}")
    fallback = url_for("public.service", service_id=service_id)
    target = back_to(form.next.data, fallback)
    if result is Added.FULL:
        target = url_for(".view")
    return redirect(target, 303)


@bp.post("/remove")
def remove() -> Response:
    form = ServiceForm()
    if not form.validate_on_submit():
        abort(400)
    service_id = normalise_uuid(form.service_id.data)
    gone = current_list().remove(service_id) if service_id else None
    if gone is not None:
        flash(gone.name, "mylist-removed")
    return redirect(back_to(form.next.data, url_for(".view")), 303)


@bp.route("/<service_id>/note", methods=["GET", "POST"])
def note(service_id: str) -> str | Response:
    my_list = current_list()
    item = my_list.get(service_id)
    if item is None:
        abort(404)
    form = NoteForm(data={"note": item.note})
    if form.validate_on_submit():
        if my_list.set_note(item.service_id, form.note.data or ""):
            flash(item.name, "mylist-note")
            return redirect(url_for(".view", _anchor=f"item-{item.service_id}"), 303)
        form.note.errors.append(
            "There is not enough room to keep this note. Make it shorter, or shorten the "
            "notes on other services"
        )
    return render_template(
        "mylist/note.html", form=form, item=item, max_length=NOTE_MAX_LENGTH, nav="mylist"
    )


@bp.route("/clear", methods=["GET", "POST"])
def clear() -> str | Response:
    form = ConfirmForm()
    my_list = current_list()
    if form.validate_on_submit():
        my_list.clear()
        flash("", "mylist-cleared")
        return redirect(url_for(".view"), 303)
    return render_template(
        "mylist/clear.html",
        form=form,
        count=len(my_list),
        max_items=current_app.config["MYLIST_MAX_ITEMS"],
        nav="mylist",
    )
