"""Your account: name, email, password, signing out everywhere and, for staff, two-step
verification. Changing the password or turning on two-step verification signs out every
other session; this one is renewed so the person stays signed in here."""

from __future__ import annotations

from flask import abort, current_app, flash, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from directory.accounts import services
from directory.accounts import session as signed_in
from directory.accounts.forms import ButtonForm, ChangePasswordForm, CodeForm, NameForm
from directory.accounts.models import MemberRole, User
from directory.accounts.views import bp, see_other
from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db

WRONG_CODE = "The code is not right. Enter the code your app shows now"
PASSWORD_CHANGED = "Your password has been changed. You have been signed out everywhere else."
TOTP_ON = "Two-step verification is on. You will need a code each time you sign in."


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _uow():  # type: ignore[no-untyped-def]
    return unit_of_work(db.session, Actor.user(current_user.id))


@bp.get("/")
@login_required
def account() -> str:
    user = _me()
    organisations = [
        {
            "id": m.organization_id,
            "name": m.organization_name or "Your organisation",
            "role": m.role,
            "is_owner": m.role == MemberRole.OWNER,
        }
        for m in user.memberships
    ]
    return render_template(
        "accounts/account.html", user=user, organisations=organisations, form=ButtonForm()
    )


@bp.route("/name", methods=["GET", "POST"])
@login_required
def change_name() -> str | Response:
    user = _me()
    form = NameForm(data={"name": user.name})
    if form.validate_on_submit():
        with _uow():
            user.name = form.name.data.strip()
        flash("Your name has been changed.", "success")
        return see_other(url_for(".account"))
    return render_template("accounts/name.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    user = _me()
    form = ChangePasswordForm(account_email=user.email)
    if form.validate_on_submit():
        try:
            with _uow():
                services.change_password(db.session, user, form.current.data, form.password.data)
        except services.AccountError as error:
            form.current.errors = [*form.current.errors, str(error)]
        else:
            signed_in.start(user)
            flash(
                "Your password has been changed. You have been signed out everywhere else.",
                "success",
            )
            return see_other(url_for(".account"))
    return render_template("accounts/password.html", form=form)


@bp.route("/sign-out-everywhere", methods=["GET", "POST"])
@login_required
def sign_out_everywhere() -> str | Response:
    form = ButtonForm()
    if form.validate_on_submit():
        user = _me()
        with _uow():
            services.sign_out_everywhere(user)
        signed_in.end()
        flash("You have been signed out on every device, including this one.", "success")
        return see_other(url_for(".sign_in"))
    return render_template("accounts/sign_out_everywhere.html", form=form)


def _staff_only() -> User:
    user = _me()
    if not user.is_staff:
        abort(403)
    return user


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor() -> str | Response:
    """Set up: a secret (as text and as an otpauth URI) and a code to prove the app has it."""
    user = _staff_only()
    form = CodeForm()
    if not user.totp_enabled and user.totp_secret and form.validate_on_submit():
        with _uow():
            enabled = services.enable_totp(user, form.code.data)
        if enabled:
            signed_in.start(user)
            flash(
                "Two-step verification is on. You will need a code each time you sign in.",
                "success",
            )
            return see_other(url_for(".account"))
        form.code.errors = [
            *form.code.errors,
            "The code is not right. Enter the code your app shows now",
        ]
    uri = None
    if user.totp_secret and not user.totp_enabled:
        uri = services.provisioning_uri(user, current_app.config.get("SERVICE_NAME", "Directory"))
    return render_template(
        "accounts/two_factor.html", user=user, form=form, button=ButtonForm(), uri=uri
    )


@bp.post("/two-factor/start")
@login_required
def two_factor_start() -> Response:
    user = _staff_only()
    if ButtonForm().validate_on_submit() and not user.totp_enabled:
        with _uow():
            services.start_totp_setup(user)
    return see_other(url_for(".two_factor"))


@bp.route("/two-factor/turn-off", methods=["GET", "POST"])
@login_required
def two_factor_off() -> str | Response:
    """Turning it off needs a current code, so a borrowed session cannot do it."""
    user = _staff_only()
    if not user.totp_enabled:
        return see_other(url_for(".two_factor"))
    form = CodeForm()
    if form.validate_on_submit():
        with _uow():
            ok = services.verify_totp(user, form.code.data)
            if ok:
                services.disable_totp(user)
        if ok:
            flash("Two-step verification is off.", "success")
            return see_other(url_for(".account"))
        form.code.errors = [
            *form.code.errors,
            "The code is not right. Enter the code your app shows now",
        ]
    return render_template("accounts/two_factor_off.html", form=form)
