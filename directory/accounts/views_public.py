"""Pages for people not signed in: sign up, confirm an address, sign in (with the code step),
reset a password, accept an invitation, sign out.

The pages after sign-up and a reset request are the same whatever the address (no account
enumeration), and so is a failed sign-in. Their emails are queued, never sent inside the
request (:mod:`directory.core.outbox`), so they take the same time too. A filled-in honeypot
gets the success page and nothing else.
"""

from __future__ import annotations

from flask import current_app, flash, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from directory.accounts import services
from directory.accounts import session as signed_in
from directory.accounts.forms import (
    AcceptInviteForm,
    ButtonForm,
    CodeForm,
    NewPasswordForm,
    ResetRequestForm,
    SignInForm,
    SignUpForm,
)
from directory.accounts.identity import load_user
from directory.accounts.tokens import Purpose, check_token
from directory.accounts.views import (
    ANONYMOUS,
    bp,
    home_for,
    limited,
    link_problem,
    safe_next,
    see_other,
)
from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db

SIGN_IN_FAILED = (
    "Enter a correct email address and password. After {n} wrong tries an account is locked "
    "for {minutes} minutes: wait, or reset your password"
)
CODE_FAILED = "The code is not right or was used already. Enter the code your app shows now"
NEXT = "sign_in_next"


def _sign_in_failed() -> str:
    """One message for an unknown address, a wrong password, a locked or disabled account."""
    return SIGN_IN_FAILED.format(
        n=current_app.config.get("SIGN_IN_MAX_FAILURES", services.DEFAULT_MAX_FAILURES),
        minutes=current_app.config.get("SIGN_IN_LOCK_MINUTES", services.DEFAULT_LOCK_MINUTES),
    )


@bp.route("/sign-up", methods=["GET", "POST"])
@limited()
def sign_up() -> str | Response:
    form = SignUpForm()
    if form.validate_on_submit():
        if form.is_bot:
            return see_other(url_for(".sign_up_sent"))
        with unit_of_work(db.session, ANONYMOUS):
            services.sign_up(
                db.session,
                organisation_name=form.organisation_name.data,
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
            )
        return see_other(url_for(".sign_up_sent"))
    return render_template("accounts/sign_up.html", form=form)


@bp.get("/sign-up/check-your-email")
def sign_up_sent() -> str:
    return render_template("accounts/check_email.html", kind="sign_up")


@bp.get("/verify/<token>")
def verify(token: str) -> str | tuple[str, int]:
    check = check_token(db.session, token, Purpose.VERIFY)
    if check.user is None:
        return link_problem(check.problem, "verify")  # type: ignore[arg-type]
    with unit_of_work(db.session, Actor.user(check.user.id)):
        services.verify_email(check.user)
    return render_template("accounts/verified.html")


@bp.route("/sign-in", methods=["GET", "POST"])
@limited()
def sign_in() -> str | Response:
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return see_other(next_url or home_for(current_user))
    form = SignInForm()
    if form.validate_on_submit():
        with unit_of_work(db.session, ANONYMOUS):
            result = services.authenticate(db.session, form.email.data, form.password.data)
        user = result.user
        if result.outcome is services.Outcome.SIGNED_IN and user is not None:
            return _finish_sign_in(user, next_url)
        if result.outcome is services.Outcome.NEEDS_CODE and user is not None:
            signed_in.start_pending(user)
            if next_url:
                session[NEXT] = next_url
            return see_other(url_for(".sign_in_code"))
        if result.outcome is services.Outcome.UNVERIFIED:
            return render_template("accounts/check_email.html", kind="unverified")
        form.email.errors = [*form.email.errors, _sign_in_failed()]
    return render_template("accounts/sign_in.html", form=form)


def _finish_sign_in(user: services.User, next_url: str | None) -> Response:
    with unit_of_work(db.session, Actor.user(user.id)):
        services.complete_sign_in(user)
    signed_in.start(user)
    return see_other(next_url or home_for(user))


@bp.route("/sign-in/code", methods=["GET", "POST"])
@limited()
def sign_in_code() -> str | Response:
    token = signed_in.pending_user_token()
    user = load_user(token) if token else None
    if user is None or services.is_locked(user):
        signed_in.clear_pending()
        flash("Sign in again to continue.", "info")
        return see_other(url_for(".sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        with unit_of_work(db.session, Actor.user(user.id)):
            ok = services.verify_totp(user, form.code.data)
            if not ok:
                services.record_failure(db.session, user)
        if ok:
            next_url = safe_next(session.get(NEXT))
            return _finish_sign_in(user, next_url)
        form.code.errors = [*form.code.errors, CODE_FAILED]
    return render_template("accounts/code.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@limited()
def reset() -> str | Response:
    form = ResetRequestForm()
    if form.validate_on_submit():
        if not form.is_bot:
            with unit_of_work(db.session, ANONYMOUS):
                services.start_reset(db.session, form.email.data)
        return see_other(url_for(".reset_sent"))
    return render_template("accounts/reset.html", form=form)


@bp.get("/reset/check-your-email")
def reset_sent() -> str:
    return render_template("accounts/check_email.html", kind="reset")


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limited()
def reset_with_token(token: str) -> str | Response | tuple[str, int]:
    check = check_token(db.session, token, Purpose.RESET)
    if check.user is None:
        return link_problem(check.problem, "reset")  # type: ignore[arg-type]
    user = check.user
    form = NewPasswordForm(account_email=user.email)
    if form.validate_on_submit():
        with unit_of_work(db.session, Actor.user(user.id)):
            services.reset_password(db.session, user, form.password.data)
        signed_in.end()
        flash("Your password has been changed. Sign in with your new password.", "success")
        return see_other(url_for(".sign_in"))
    return render_template("accounts/new_password.html", form=form)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limited()
def accept_invite(token: str) -> str | Response | tuple[str, int]:
    check = check_token(db.session, token, Purpose.INVITE)
    if check.user is None:
        return link_problem(check.problem, "invite")  # type: ignore[arg-type]
    user = check.user
    form = AcceptInviteForm(account_email=user.email)
    if form.validate_on_submit():
        with unit_of_work(db.session, Actor.user(user.id)):
            services.accept_invitation(db.session, user, form.name.data, form.password.data)
            services.complete_sign_in(user)
        signed_in.start(user)
        return see_other(home_for(user))
    organisations = sorted({m.organization_name for m in user.memberships if m.organization_name})
    return render_template("accounts/accept_invite.html", form=form, organisations=organisations)


@bp.route("/sign-out", methods=["GET", "POST"])
def sign_out() -> str | Response:
    """GET: a page with the button (or "you have signed out"). POST: sign out."""
    form = ButtonForm()
    if request.method == "POST" and form.validate_on_submit():
        signed_in.end()
        return see_other(url_for(".sign_out"))
    return render_template("accounts/sign_out.html", form=form)
