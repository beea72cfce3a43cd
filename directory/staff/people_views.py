"""/staff/people (admins only): every account with its staff role, organisations and state; a
search; and on each person's page, change the staff role or disable or enable the account.

Thin: the rules are in :mod:`directory.staff.people` (the last admin stays an admin; nobody
disables themselves), the changes in :mod:`directory.accounts.services`, which sign the person
out everywhere and write the staff log. URLs carry account ids, never an address.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from directory.accounts import session as signed_in
from directory.accounts.models import StaffRole, User
from directory.accounts.policy import is_admin, staff_required, user_label
from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db
from directory.extensions import limiter
from directory.staff import people
from directory.staff.forms import DisableForm, EnableForm, PeopleSearchForm, StaffRoleForm
from directory.staff.limits import staff_limit
from directory.staff.models import StaffAction

bp = Blueprint("staff_people", __name__, url_prefix="/staff/people")

ADMIN = StaffRole.ADMIN


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(staff_limit, methods=["POST"])
@staff_required(ADMIN)
def index() -> str | tuple[str, int]:
    """Everyone (the first :data:`~directory.staff.people.LIST_LIMIT`), or a search's matches.
    The search is posted, so an address typed into it stays out of URLs and logs."""
    form = PeopleSearchForm()
    words = ""
    status = 200
    if form.is_submitted():
        if form.validate():
            words = form.words.data or ""
        else:
            status = 400
    found = people.find_people(db.session, words)
    page = render_template(
        "staff/people/index.html",
        form=form,
        words=words,
        found=found,
        limit=people.LIST_LIMIT,
    )
    return page, status


def _person_or_404(user_id: str) -> people.Person:
    found = people.person(db.session, user_id)
    if found is None:
        abort(404)
    return found


def _person_page(
    found: people.Person,
    role_form: StaffRoleForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    session = db.session
    actions = list(
        session.scalars(
            select(StaffAction)
            .where(StaffAction.target_type == "user", StaffAction.target_id == found.user.id)
            .order_by(StaffAction.at.desc(), StaffAction.id.desc())
            .limit(20)
        )
    )
    by_ids = {a.user_id for a in actions if a.user_id}
    names = {u.id: user_label(u) for u in session.scalars(select(User).where(User.id.in_(by_ids)))}
    page = render_template(
        "staff/people/person.html",
        person=found,
        role_form=role_form or StaffRoleForm(data={"role": found.user.staff_role.value}),
        access_form=EnableForm() if found.user.is_disabled else DisableForm(),
        actions=actions,
        names=names,
        action_words=people.ACTION_WORDS,
        is_me=found.user.id == current_user.id,
    )
    return page, status


@bp.get("/<user_id>")
@staff_required(ADMIN)
def person(user_id: str) -> tuple[str, int]:
    return _person_page(_person_or_404(user_id))


@bp.post("/<user_id>/role")
@limiter.limit(staff_limit)
@staff_required(ADMIN)
def role(user_id: str) -> Response | tuple[str, int]:
    found = _person_or_404(user_id)
    form = StaffRoleForm()
    if not form.validate_on_submit():
        return _person_page(found, form, 400)
    me = _me()
    target = found.user
    new_role = StaffRole(form.role.data)
    try:
        with unit_of_work(db.session, Actor.user(me.id)):
            changed = people.change_role(db.session, target, new_role, by=me)
    except people.PeopleRefused as refused:
        form.role.errors = [*form.role.errors, str(refused)]
        return _person_page(found, form, 409)
    if not changed:
        flash("Nothing was changed: that is already their staff role", "success")
    elif target.id == me.id:
        # A new role means a fresh sign-in (set_staff_role signs the person out everywhere);
        # here it is renewed at once, so the admin is not thrown out mid-page.
        signed_in.start(target)
        flash(f"Your staff role is now {people.ROLE_LABELS[new_role].lower()}", "success")
        if not is_admin(target):
            return redirect(url_for("staff.home" if target.is_staff else "accounts.account"), 303)
    else:
        flash(
            f"{user_label(target)} is now {people.ROLE_LABELS[new_role].lower()}. "
            "They have been signed out and get the new role when they sign in again",
            "success",
        )
    return redirect(url_for(".person", user_id=target.id), 303)


def _set_access(user_id: str, disabled: bool) -> Response | tuple[str, int]:
    found = _person_or_404(user_id)
    form = DisableForm() if disabled else EnableForm()
    if not form.validate_on_submit():
        abort(400)
    me = _me()
    try:
        with unit_of_work(db.session, Actor.user(me.id)):
            changed = people.change_access(db.session, found.user, disabled, by=me)
    except people.PeopleRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for(".person", user_id=found.user.id), 303)
    label = user_label(found.user)
    if not changed:
        state = "disabled" if disabled else "enabled"
        flash(f"Nothing was changed: the account is already {state}", "success")
    elif disabled:
        flash(f"{label} can no longer sign in and has been signed out everywhere", "success")
    else:
        flash(f"{label} can sign in again", "success")
    return redirect(url_for(".person", user_id=found.user.id), 303)


@bp.post("/<user_id>/disable")
@limiter.limit(staff_limit)
@staff_required(ADMIN)
def disable(user_id: str) -> Response | tuple[str, int]:
    return _set_access(user_id, True)


@bp.post("/<user_id>/enable")
@limiter.limit(staff_limit)
@staff_required(ADMIN)
def enable(user_id: str) -> Response | tuple[str, int]:
    return _set_access(user_id, False)
