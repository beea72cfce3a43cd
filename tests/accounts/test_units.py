"""The account building blocks on their own: password rules, tokens, TOTP codes, the session
clock and safe redirects."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest

from directory.accounts import passwords, tokens, totp
from directory.accounts.models import User
from directory.accounts.notify import describe_hours
from directory.accounts.views import safe_next
from directory.core.ids import utcnow
from tests.auth import create_user


class TestPasswords:
    @pytest.mark.parametrize(
        "weak",
        ["password", "Password123!", "qwertyuiop", "1234567890", "iloveyou123", "zzzzzzzzzzzz"],
    )
    def test_common_and_repetitive_passwords_are_refused(self, weak):
        assert passwords.password_problem(weak) is not None

    @pytest.mark.parametrize("good", ["river candle orbit", "correct horse battery staple"])
    def test_passphrases_pass(self, good):
        assert passwords.password_problem(good, "amy@example.org") is None

    def test_length_limits(self):
        assert "10 characters or more" in passwords.password_problem("abc defg1")
        assert "200 characters or fewer" in passwords.password_problem("ab cd " * 40)
        assert passwords.password_problem("x7 " + "long words " * 17) is None

    def test_not_the_email_address(self):
        assert passwords.password_problem("amy.example@example.org", "Amy.Example@example.org")
        assert passwords.password_problem("amy.example2024", "amy.example@example.org")

    def test_hashes_are_scrypt_and_unusable_matches_nothing(self):
        hashed = passwords.hash_password("river candle orbit")
        assert hashed.startswith("scrypt:")
        assert passwords.check_password(hashed, "river candle orbit")
        assert not passwords.check_password(hashed, "river candle orbiT")
        assert not passwords.check_password(passwords.UNUSABLE, "!unusable")
        assert not passwords.check_password(None, "anything")

    def test_the_list_has_no_comment_lines(self):
        assert not any(entry.startswith("#") for entry in passwords.common_passwords())
        assert "password" in passwords.common_passwords()


class TestTokens:
    def test_round_trip_and_purpose(self, app, session):
        user = create_user(session, "amy@example.org", verified=False)
        with app.test_request_context():
            token = tokens.make_token(user, tokens.Purpose.VERIFY)
            assert tokens.check_token(session, token, tokens.Purpose.VERIFY).user is user
            wrong = tokens.check_token(session, token, tokens.Purpose.RESET)
            assert wrong.problem is tokens.TokenProblem.INVALID
            user.email_verified_at = utcnow()
            used = tokens.check_token(session, token, tokens.Purpose.VERIFY)
            assert used.problem is tokens.TokenProblem.USED

    def test_another_secret_key_is_refused(self, app, make_app, session):
        user = create_user(session, "amy@example.org")
        with app.test_request_context():
            token = tokens.make_token(user, tokens.Purpose.RESET)
        other = make_app(SECRET_KEY="another secret")
        with other.test_request_context():
            problem = tokens.check_token(session, token, tokens.Purpose.RESET).problem
            assert problem is tokens.TokenProblem.INVALID

    @pytest.mark.parametrize("junk", ["", ".", "a.b.c", "é" * 50, "x" * 5000, "eyJ1Ijo"])
    def test_junk_is_invalid_not_an_error(self, app, session, junk):
        with app.test_request_context():
            check = tokens.check_token(session, junk, tokens.Purpose.RESET)
            assert check.user is None and check.problem is tokens.TokenProblem.INVALID

    def test_a_disabled_account_cannot_use_its_link(self, app, session):
        user = create_user(session, "amy@example.org")
        with app.test_request_context():
            token = tokens.make_token(user, tokens.Purpose.RESET)
            user.is_disabled = True
            assert tokens.check_token(session, token, tokens.Purpose.RESET).user is None

    def test_no_personal_data_in_the_token(self, app, session):
        user = create_user(session, "amy@example.org", name="Amy")
        with app.test_request_context():
            token = tokens.make_token(user, tokens.Purpose.RESET)
        import base64

        payload = token.split(".")[0]
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        assert b"amy" not in decoded.lower() and b"scrypt" not in decoded


class TestTotp:
    def test_window_and_single_use(self):
        user = User(totp_secret=pyotp.random_base32())
        now = utcnow()
        code = pyotp.TOTP(user.totp_secret).at(now)
        assert totp.verify_totp(user, code, now)
        assert not totp.verify_totp(user, code, now), "used once already"
        earlier = pyotp.TOTP(user.totp_secret).at(now - timedelta(seconds=30))
        assert not totp.verify_totp(user, earlier, now), "older than the last one used"
        later = pyotp.TOTP(user.totp_secret).at(now + timedelta(seconds=30))
        assert totp.verify_totp(user, later, now), "a clock running ahead by one step"
        too_late = pyotp.TOTP(user.totp_secret).at(now + timedelta(seconds=120))
        assert not totp.verify_totp(user, too_late, now)

    @pytest.mark.parametrize(
        "junk",
        [
            None,
            "",
            "12345",
            "1234567",
            "abcdef",
            "\uff11\uff12\uff13\uff14\uff15\uff16",
            "12\u0663456",
        ],
    )
    def test_junk_codes(self, junk):
        user = User(totp_secret=pyotp.random_base32())
        assert not totp.verify_totp(user, junk)

    def test_enable_needs_a_right_code(self):
        user = User(session_version=1)
        secret = totp.start_totp_setup(user)
        assert not totp.enable_totp(user, "000000") or user.totp_enabled
        assert totp.enable_totp(user, pyotp.TOTP(secret).now())
        assert user.totp_enabled and user.session_version == 2


class TestSmallThings:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("/account/", "/account/"),
            ("/manage/?x=1", "/manage/?x=1"),
            ("https://evil.example/", None),
            ("//evil.example", None),
            ("/\\evil.example", None),
            ("javascript:alert(1)", None),
            ("/ok\r\nSet-Cookie: x", None),
            (None, None),
        ],
    )
    def test_safe_next(self, value, expected):
        assert safe_next(value) == expected

    def test_describe_hours(self):
        assert describe_hours(1) == "1 hour"
        assert describe_hours(0.5) == "30 minutes"
        assert describe_hours(48) == "2 days"
        assert describe_hours(168) == "7 days"
        assert describe_hours(12) == "12 hours"
