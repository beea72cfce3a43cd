"""``flask --app wsgi users ...``: staff accounts from the command line.

``users create EMAIL --role admin`` makes the first admin on a new site. The password is asked
for twice (hidden), or read from standard input with ``--password-stdin`` for scripts, so it
never appears in the shell history or the process list. Every change is written to the staff
log as done from the command line.
"""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from directory.accounts import services
from directory.accounts.models import StaffRole, User
from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db

users_cli = AppGroup("users", help="Manage staff accounts.")
CLI_ACTOR = Actor.system("users-cli")
ROLES = click.Choice(["admin", "moderator"])


def _user(email: str) -> User:
    user = services.find_user(db.session, email)
    if user is None:
        raise click.ClickException("No account has that email address.")
    return user


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=ROLES, required=True, help="admin or moderator")
@click.option("--name", default="", help="The person's name, as staff pages show it.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
def create(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create a staff account that can sign in straight away."""
    if services.find_user(db.session, email) is not None:
        raise click.ClickException("An account with that email address already exists.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with unit_of_work(db.session, CLI_ACTOR):
            user = services.create_user(
                db.session, email, password, role=StaffRole(role), name=name
            )
    except services.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {role} account {user.id}.")
    click.echo("They can sign in at /account/sign-in.")
    click.echo("Two-step verification (TOTP) can be set up at /account/two-factor.")


@users_cli.command("list")
def list_users() -> None:
    """Staff accounts first, then organisation members: id, role, state, email."""
    users = db.session.scalars(select(User).order_by(User.staff_role, User.email)).all()
    ranked = sorted(users, key=lambda u: (not u.is_staff, u.email))
    for user in ranked:
        state = "disabled" if user.is_disabled else "active"
        if user.email_verified_at is None:
            state += ",unverified"
        if user.totp_enabled:
            state += ",totp"
        click.echo(f"{user.id}  {user.staff_role!s:<9}  {state:<20}  {user.email}")
    if not users:
        click.echo("No accounts yet. Create one with: users create EMAIL --role admin")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(["admin", "moderator", "none"]))
def set_role(email: str, role: str) -> None:
    """Give an account a staff role, or take it away ("none")."""
    user = _user(email)
    with unit_of_work(db.session, CLI_ACTOR):
        services.set_staff_role(db.session, user, StaffRole(role), by=None)
    click.echo(f"Account {user.id} is now {role}; it must sign in again.")


@users_cli.command("disable")
@click.argument("email")
@click.option("--enable", is_flag=True, help="Let a disabled account sign in again.")
def disable(email: str, enable: bool) -> None:
    """Stop an account signing in (and sign it out everywhere)."""
    user = _user(email)
    with unit_of_work(db.session, CLI_ACTOR):
        services.set_disabled(db.session, user, not enable, by=None)
    click.echo(f"Account {user.id} is {'enabled' if enable else 'disabled'}.")


@users_cli.command("reset-two-factor")
@click.argument("email")
def reset_two_factor(email: str) -> None:
    """Turn off two-step verification for someone who lost their authenticator app."""
    user = _user(email)
    with unit_of_work(db.session, CLI_ACTOR):
        services.disable_totp(user)
        user.session_version = (user.session_version or 1) + 1
        services.log_staff_action(db.session, None, "user.reset_totp", user)
    click.echo(f"Two-step verification is off for account {user.id}; it can be set up again.")


def register(app: Flask) -> None:
    from directory.core import outbox

    app.cli.add_command(users_cli)
    outbox.register(app)  # ``mail send-queued``: account emails are its only users
