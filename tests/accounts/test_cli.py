"""``flask users ...``: the first admin from the command line, with the password typed twice
or read from standard input; weak passwords and taken addresses refused clearly."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory.accounts.models import StaffRole, User
from directory.staff.models import StaffAction
from tests.accounts.conftest import PASSWORD, sign_in


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def stored(db_run, email):
    return db_run(lambda s: s.scalar(select(User).where(User.email == email)))


class TestCreate:
    def test_password_from_stdin(self, cli, app, db_run):
        result = cli.invoke(
            args=[
                "users",
                "create",
                "Admin@Example.org",
                "--role",
                "admin",
                "--password-stdin",
                "--name",
                "Ada",
            ],
            input=PASSWORD + "\n",
        )
        assert result.exit_code == 0, result.output
        assert "Two-step verification (TOTP) can be set up at /account/two-factor" in result.output
        assert "admin@example.org" not in result.output.lower()
        user = stored(db_run, "admin@example.org")
        assert user.staff_role is StaffRole.ADMIN and user.name == "Ada"
        assert user.email_verified_at is not None
        client = app.test_client()
        response = sign_in(client, "admin@example.org")
        assert response.headers["Location"] == "/staff/"
        logged = db_run(
            lambda s: [(a.action, a.user_id, a.detail) for a in s.scalars(select(StaffAction))]
        )
        assert logged == [("user.create", None, {"role": "admin", "via": "command line"})]

    def test_password_prompted_twice(self, cli, db_run):
        result = cli.invoke(
            args=["users", "create", "mod@example.org", "--role", "moderator"],
            input=f"{PASSWORD}\n{PASSWORD}\n",
        )
        assert result.exit_code == 0, result.output
        assert result.output.count("Password") >= 1 and "Repeat for confirmation" in result.output
        assert PASSWORD not in result.output
        assert stored(db_run, "mod@example.org").staff_role is StaffRole.MODERATOR

    def test_mismatched_prompts_ask_again(self, cli, db_run):
        result = cli.invoke(
            args=["users", "create", "mod@example.org", "--role", "moderator"],
            input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n",
        )
        assert result.exit_code == 0, result.output
        assert "do not match" in result.output.lower() or "don't match" in result.output.lower()

    def test_weak_password_refused(self, cli, db_run):
        result = cli.invoke(
            args=["users", "create", "mod@example.org", "--role", "moderator", "--password-stdin"],
            input="password123\n",
        )
        assert result.exit_code == 1
        assert "Password is too easy to guess" in result.output
        assert stored(db_run, "mod@example.org") is None
        short = cli.invoke(
            args=["users", "create", "mod@example.org", "--role", "admin", "--password-stdin"],
            input="short\n",
        )
        assert short.exit_code == 1 and "10 characters or more" in short.output

    def test_an_existing_address_is_refused_clearly(self, cli, make_user):
        make_user("taken@example.org")
        result = cli.invoke(
            args=["users", "create", "TAKEN@example.org", "--role", "admin", "--password-stdin"],
            input=PASSWORD + "\n",
        )
        assert result.exit_code == 1
        assert "An account with that email address already exists" in result.output

    def test_role_must_be_staff(self, cli):
        result = cli.invoke(args=["users", "create", "x@example.org", "--role", "owner"])
        assert result.exit_code == 2 and "admin" in result.output


class TestManage:
    def test_list_set_role_and_disable(self, cli, app, make_user, db_run):
        make_user("mod@example.org", staff_role=StaffRole.MODERATOR)
        make_user("amy@example.org", organization_id="org-1")
        listing = cli.invoke(args=["users", "list"])
        lines = listing.output.strip().splitlines()
        assert "mod@example.org" in lines[0] and "moderator" in lines[0]
        assert "amy@example.org" in lines[1]

        client = app.test_client()
        sign_in(client, "mod@example.org")
        assert cli.invoke(args=["users", "set-role", "mod@example.org", "admin"]).exit_code == 0
        assert stored(db_run, "mod@example.org").staff_role is StaffRole.ADMIN
        assert client.get("/account/").status_code == 302, "a new role means signing in again"

        sign_in(client, "mod@example.org")
        assert cli.invoke(args=["users", "disable", "mod@example.org"]).exit_code == 0
        assert client.get("/account/").status_code == 302
        assert "Enter a correct email address" in sign_in(client, "mod@example.org").data.decode()
        assert cli.invoke(args=["users", "disable", "mod@example.org", "--enable"]).exit_code == 0
        assert sign_in(client, "mod@example.org").status_code == 303

        actions = db_run(
            lambda s: [a.action for a in s.scalars(select(StaffAction).order_by(StaffAction.id))]
        )
        assert actions == ["user.set_role", "user.disable", "user.enable"]

    def test_unknown_address(self, cli):
        result = cli.invoke(args=["users", "disable", "nobody@example.org"])
        assert result.exit_code == 1 and "No account has that email address" in result.output


def test_reset_two_factor(cli, make_user, db_run):
    user = make_user("mod@example.org", staff_role=StaffRole.MODERATOR)

    def turn_on(session):
        stored = session.get(User, user.id)
        stored.totp_secret, stored.totp_enabled = "JBSWY3DPEHPK3PXP", True

    db_run(turn_on)
    result = cli.invoke(args=["users", "reset-two-factor", "mod@example.org"])
    assert result.exit_code == 0, result.output
    after = db_run(lambda s: s.get(User, user.id))
    assert after.totp_enabled is False and after.totp_secret is None
    assert after.session_version == user.session_version + 1
