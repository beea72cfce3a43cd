"""The one email address parser: every form that takes an address, and every email we send.

Why one strict parser rather than a loose pattern per form: ``a@example.com,b@example.com``
passed a "something@something.something" check and the SMTP server then sent the message to
two people; ``user@[127.0.0.1]`` and addresses with a NUL or a line break in them got through
too. :func:`parse_email` accepts exactly one ordinary address: a dot-atom local part (letters,
digits and ``!#$%&'*+/=?^_`{|}~-``, dots between them), an ``@``, and a domain name of at
least two labels whose last is not all digits. It refuses, with a message that says how to put
it right: lists (commas, semicolons, spaces), quoted local parts, IP-literal and numeric
domains, control and other unprintable characters, and parts over the RFC 5321 lengths.

Internationalised domains are accepted and returned in their ASCII (IDNA) form; the local part
must be ASCII, because sending to anything else needs SMTPUTF8 that many servers lack.

Forms use the WTForms validator :class:`EmailAddress`; :mod:`directory.core.mail` calls
:func:`parse_email` again before sending, so a bad address that reached it some other way is
refused, never sent.
"""

from __future__ import annotations

import re
from typing import Any

#: RFC 5321 limits: the whole path, the local part, the domain and each label of it.
MAX_LENGTH = 254
MAX_LOCAL = 64
MAX_DOMAIN = 253
MAX_LABEL = 63

FORMAT_MESSAGE = "Enter an email address in the correct format, like name@example.com"
ONE_MESSAGE = "Enter one email address only"
LENGTH_MESSAGE = f"Email address must be {MAX_LENGTH} characters or fewer"
IP_MESSAGE = "Enter an email address with a domain name after the @, like name@example.com"

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LOCAL = re.compile(rf"{_ATEXT}+(?:\.{_ATEXT}+)*")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
#: Characters that mean "more than one address" when typed between two of them.
_SEPARATORS = re.compile(r"[,;\s]")


class InvalidEmail(ValueError):
    """Not exactly one acceptable address; ``str(exc)`` says how to put it right."""


def parse_email(value: object) -> str:
    """The one address in ``value``, trimmed, its domain in lower-case ASCII; raises
    :class:`InvalidEmail` otherwise."""
    if not isinstance(value, str):
        raise InvalidEmail(FORMAT_MESSAGE)
    text = value.strip(" \t\r\n")
    if not text:
        raise InvalidEmail(FORMAT_MESSAGE)
    if any(not ch.isprintable() for ch in text if ch != " "):
        raise InvalidEmail(FORMAT_MESSAGE)
    if re.search(r"[,;]", text) or (text.count("@") > 1 and _SEPARATORS.search(text)):
        raise InvalidEmail(ONE_MESSAGE)
    if len(text) > MAX_LENGTH:
        raise InvalidEmail(LENGTH_MESSAGE)
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise InvalidEmail(FORMAT_MESSAGE)
    if domain.startswith("[") or _is_numeric(domain):
        raise InvalidEmail(IP_MESSAGE)
    if len(local) > MAX_LOCAL or not _LOCAL.fullmatch(local):
        raise InvalidEmail(FORMAT_MESSAGE)
    ascii_domain = _ascii_domain(domain)
    address = f"{local}@{ascii_domain}"
    if len(address) > MAX_LENGTH:
        raise InvalidEmail(LENGTH_MESSAGE)
    return address


def is_email(value: object) -> bool:
    """Whether :func:`parse_email` accepts ``value``."""
    try:
        parse_email(value)
    except InvalidEmail:
        return False
    return True


def _is_numeric(domain: str) -> bool:
    """``127.0.0.1``, ``0x7f.1`` or a bare number: an address for a machine, not a name."""
    last = domain.rstrip(".").rsplit(".", 1)[-1]
    return bool(last) and (last.isdigit() or re.fullmatch(r"0x[0-9a-fA-F]+", last) is not None)


def _ascii_domain(domain: str) -> str:
    if domain.endswith("."):
        raise InvalidEmail(FORMAT_MESSAGE)
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except (UnicodeError, ValueError):
        raise InvalidEmail(FORMAT_MESSAGE) from None
    labels = ascii_domain.split(".")
    if len(ascii_domain) > MAX_DOMAIN or len(labels) < 2:
        raise InvalidEmail(FORMAT_MESSAGE)
    for label in labels:
        if len(label) > MAX_LABEL or not _LABEL.fullmatch(label):
            raise InvalidEmail(FORMAT_MESSAGE)
    if _is_numeric(ascii_domain):
        raise InvalidEmail(IP_MESSAGE)
    return ascii_domain


class EmailAddress:
    """WTForms validator: the field holds exactly one acceptable address (see
    :func:`parse_email`), and its data becomes the parsed address. An empty field is left to
    ``DataRequired`` or ``Optional``. Usable by any form: ``validators=[DataRequired(...),
    EmailAddress()]``."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        from wtforms.validators import StopValidation

        if field.data is None or field.data == "":
            return
        try:
            field.data = parse_email(field.data)
        except InvalidEmail as exc:
            raise StopValidation(self.message or str(exc)) from None
