"""Two-step verification for staff: a time-based code (TOTP, RFC 6238) from an app.

Setting up stores a new secret with TOTP still off; entering a right code turns it on, so a
person cannot lock themselves out with a secret their app never saw. A code is accepted for
the 30 seconds before and after its own (clocks drift) and only once: the last time step used
is kept (``totp_last_step``), so a code seen over someone's shoulder is worthless afterwards.
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime

import pyotp

from directory.accounts.models import User
from directory.core.ids import utcnow

#: Steps either side of now that still count (each 30 seconds).
WINDOW = 1
_DIGITS = re.compile(r"^[0-9]{6}$")


def clean_code(code: str | None) -> str:
    """People type codes with spaces or dashes ("123 456"): keep the digits."""
    return re.sub(r"[\s-]", "", code or "")


def start_totp_setup(user: User) -> str:
    """A new secret for ``user`` (TOTP stays off until :func:`enable_totp`)."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled = False
    user.totp_last_step = None
    return user.totp_secret


def provisioning_uri(user: User, issuer: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (as a QR code or pasted)."""
    if not user.totp_secret:
        raise ValueError("TOTP has not been set up")
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer)


def verify_totp(user: User, code: str | None, now: datetime | None = None) -> bool:
    """Whether ``code`` is right now and unused; records its time step when it is."""
    code = clean_code(code)
    if not user.totp_secret or not _DIGITS.match(code):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    moment = now or utcnow()
    current = totp.timecode(moment)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            user.totp_last_step = step
            return True
    return False


def enable_totp(user: User, code: str | None, now: datetime | None = None) -> bool:
    if not verify_totp(user, code, now):
        return False
    user.totp_enabled = True
    user.session_version = (user.session_version or 1) + 1  # other sessions sign in again
    return True


def disable_totp(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled = False
    user.totp_last_step = None
