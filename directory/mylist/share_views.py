"""Share links: a web address that shows the services on a list, for ``SHARED_LIST_DAYS`` days.

The link holds no personal data: only the ids of the public services on the list are stored,
never the notes, and nothing about who made it. Anyone with the link can see the list, so the
page says so before a link is made.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.core.urls import external_url
from directory.db import db
from directory.mylist.blueprint import bp, current_list
from directory.mylist.forms import ConfirmForm
from directory.mylist.handover import details, unlisted_text
from directory.mylist.services import (
    build_list,
    create_shared_list,
    find_shared_list,
    is_expired,
)
from directory.mylist.session_list import Item

#: Share links are made by anonymous visitors; nothing more about them is recorded.
MY_LIST_VISITOR = Actor("public", "my-list")


@bp.route("/share", methods=["GET", "POST"])
def share() -> str | Response:
    form = ConfirmForm()
    my_list = current_list()
    listing = build_list(db.session, my_list.items)
    if listing.listed and form.validate_on_submit():
        with unit_of_work(db.session, MY_LIST_VISITOR):
            shared = create_shared_list(
                db.session,
                [entry.service_id for entry in listing.listed],
                days=int(current_app.config["SHARED_LIST_DAYS"]),
            )
        return redirect(url_for(".shared", token=shared.token, created=1), 303)
    return render_template(
        "mylist/share.html",
        form=form,
        listing=listing,
        days=current_app.config["SHARED_LIST_DAYS"],
        has_notes=any(item.note for item in my_list.items),
        nav="mylist",
        show_exit=listing.show_exit,
    )


@bp.get("/shared/<token>")
def shared(token: str) -> str | tuple[str, int]:
    found = find_shared_list(db.session, token)
    if found is None:
        return render_template("mylist/shared_missing.html"), 404
    if is_expired(found):
        return render_template("mylist/expired.html", shared=found), 410
    listing = build_list(db.session, [Item(sid, "", "") for sid in found.service_ids])
    return render_template(
        "mylist/shared.html",
        shared=found,
        listing=listing,
        created=request.args.get("created") == "1",
        share_url=external_url("mylist.shared", token=found.token),
        form=ConfirmForm(),
        details=details,
        unlisted_text=unlisted_text,
        show_exit=listing.show_exit,
    )


@bp.post("/shared/<token>/copy")
def copy_shared(token: str) -> Response:
    """Put a shared list's services on the visitor's own list, to print or add notes."""
    form = ConfirmForm()
    found = find_shared_list(db.session, token)
    if found is None or not form.validate_on_submit():
        abort(404 if found is None else 400)
    if is_expired(found):
        return redirect(url_for(".shared", token=token), 303)
    listing = build_list(db.session, [Item(sid, "", "") for sid in found.service_ids])
    added = current_list().add_many([(entry.service_id, entry.name) for entry in listing.listed])
    flash(str(added), "mylist-copied")
    return redirect(url_for(".view"), 303)
