"""Passwords: hashing with werkzeug's scrypt, and the rules a new password must meet.

The rules follow the NCSC's advice: a minimum length (10), a generous maximum (200, so a
passphrase fits but nobody can make the server hash a megabyte), no composition rules, and a
deny-list of the commonest passwords (``common_passwords.txt``) plus a few patterns attackers
try first (the email address, one character repeated).

:func:`check_password` runs a full hash comparison even when there is no account, so a
sign-in for an unknown address takes as long as one with a wrong password.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 200
#: Stored instead of a hash for a person invited who has not chosen a password yet: no
#: password ever matches it.
UNUSABLE = "!unusable"
_LIST = Path(__file__).with_name("common_passwords.txt")
_TRAILING = re.compile(r"[\d\W_]+$")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


@cache
def _dummy_hash() -> str:
    return hash_password("not a real password, only for timing")


def check_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; with no usable hash, spends the same time and says no."""
    password = password[:MAX_LENGTH]
    if not stored_hash or not has_usable_password(stored_hash):
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(stored_hash, password)


def has_usable_password(stored_hash: str | None) -> bool:
    return bool(stored_hash) and stored_hash != UNUSABLE


@cache
def common_passwords() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, email: str | None = None) -> str | None:
    """What is wrong with ``password`` as a new password, said as how to fix it; or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    folded = password.strip().lower()
    stem = _TRAILING.sub("", folded)
    common = common_passwords()
    if folded in common or (stem and stem in common) or len(set(folded)) < 4:
        return (
            "Password is too easy to guess. Try 3 or more random words, like 'river candle orbit'"
        )
    if email:
        address = email.strip().lower()
        if folded == address or stem in {address, address.partition("@")[0]}:
            return "Password must not be your email address. Try 3 or more random words"
    return None
