"""An organisation's people, for its owners (and admins): invite, change a role, remove.

Ids in these URLs are the organisation's and the membership's, never a person's address.
Someone who may not manage the organisation's people gets 403; an organisation with nobody in
it is 404.
"""

from __future__ import annotations

from flask import abort, flash, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from directory.accounts import people, policy, services
from directory.accounts.forms import ButtonForm, InviteForm, RoleForm
from directory.accounts.models import MemberRole, Membership, User
from directory.accounts.views import bp, limited, see_other
from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _allowed(org_id: str) -> list[Membership]:
    """The organisation's people, if the person signed in may manage them."""
    if not policy.can_manage_people(current_user, org_id):
        abort(403)
    everyone = services.members(db.session, org_id)
    if not everyone:
        abort(404)
    return everyone


def _member(org_id: str, membership_id: str) -> Membership:
    _allowed(org_id)
    member = people.membership(db.session, org_id, membership_id)
    if member is None:
        abort(404)
    return member


def _people_page(org_id: str, form: InviteForm, everyone: list[Membership]) -> str:
    return render_template(
        "accounts/people.html",
        org_id=org_id,
        org_name=services.organization_name(db.session, org_id) or "Your organisation",
        members=everyone,
        form=form,
        me=_me(),
        has_password=people.passwords.has_usable_password,
    )


@bp.route("/organisations/<org_id>/people", methods=["GET", "POST"])
@login_required
@limited()
def organisation_people(org_id: str) -> str | Response:
    everyone = _allowed(org_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session, Actor.user(current_user.id)):
                services.invite_member(
                    db.session, _me(), org_id, form.email.data, MemberRole(form.role.data)
                )
        except people.PeopleError as error:
            form.email.errors = [*form.email.errors, str(error)]
        else:
            flash("Invitation sent. They will get an email with what to do next.", "success")
            return see_other(url_for(".organisation_people", org_id=org_id))
    return _people_page(org_id, form, everyone)


@bp.route("/organisations/<org_id>/people/<membership_id>/role", methods=["GET", "POST"])
@login_required
def member_role(org_id: str, membership_id: str) -> str | Response:
    member = _member(org_id, membership_id)
    form = RoleForm(data={"role": member.role.value})
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session, Actor.user(current_user.id)):
                people.change_member_role(db.session, _me(), member, MemberRole(form.role.data))
        except people.PeopleError as error:
            form.role.errors = [*form.role.errors, str(error)]
        else:
            flash("Role changed.", "success")
            if not policy.can_manage_people(
                current_user, org_id
            ):  # an owner made themselves editor
                return see_other(url_for(".account"))
            return see_other(url_for(".organisation_people", org_id=org_id))
    return render_template("accounts/member_role.html", form=form, member=member, org_id=org_id)


@bp.route("/organisations/<org_id>/people/<membership_id>/remove", methods=["GET", "POST"])
@login_required
def member_remove(org_id: str, membership_id: str) -> str | Response:
    member = _member(org_id, membership_id)
    form = ButtonForm()
    error = None
    if form.validate_on_submit():
        leaving = member.user_id == current_user.id
        try:
            with unit_of_work(db.session, Actor.user(current_user.id)):
                people.remove_member(db.session, _me(), member)
        except people.PeopleError as problem:
            error = str(problem)
        else:
            flash("They have been removed from the organisation.", "success")
            if leaving and not policy.is_admin(current_user):
                return see_other(url_for(".account"))
            return see_other(url_for(".organisation_people", org_id=org_id))
    return render_template(
        "accounts/member_remove.html", form=form, member=member, org_id=org_id, error=error
    )
