"""Email (a handover, an account message, a reminder) with the standard library's smtplib:
plain text with an HTML alternative.

The recipient's address is personal data. It is used for this one message and then dropped: it
is not stored, not put in the session, a URL or a log line. Errors are logged by their type
only, because smtplib's exceptions quote the addresses they refused.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from directory.core.emails import InvalidEmail, parse_email

log = logging.getLogger(__name__)


class MailNotConfigured(RuntimeError):
    """``MAIL_SERVER`` is not set: the site cannot send email."""


class MailFailed(RuntimeError):
    """The mail server could not be reached or refused the message."""


class MailRefused(MailFailed):
    """The recipient is not exactly one acceptable address (:mod:`directory.core.emails`):
    nothing was sent. A :class:`MailFailed`, so every caller's error page covers it."""


def recipient(to: str) -> str:
    """``to`` as one parsed address, or :class:`MailRefused`: never a list, an IP literal or
    a header with a line break in it, whatever a form let through."""
    try:
        return parse_email(to)
    except InvalidEmail:
        log.warning("Refused to send an email: the recipient is not one valid address")
        raise MailRefused("not one valid address") from None


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    use_tls: bool
    username: str
    password: str
    sender: str
    timeout: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        server = (config.get("MAIL_SERVER") or "").strip()
        if not server:
            raise MailNotConfigured("MAIL_SERVER is not set")
        sender = config.get("MAIL_DEFAULT_SENDER") or f"no-reply@{server}"
        return cls(
            server=server,
            port=int(config.get("MAIL_PORT") or 25),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            username=config.get("MAIL_USERNAME") or "",
            password=config.get("MAIL_PASSWORD") or "",
            sender=sender,
            timeout=float(config.get("MAIL_TIMEOUT") or 10),
        )


def mail_configured(config: Mapping[str, Any]) -> bool:
    return bool((config.get("MAIL_SERVER") or "").strip())


def build_message(sender: str, to: str, subject: str, text: str, html: str) -> EmailMessage:
    """A multipart/alternative message: the plain text first, the HTML as the richer part."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send(settings: MailSettings, to: str, subject: str, text: str, html: str) -> None:
    """Send one message to one address; raises :class:`MailFailed` (with no address in it) on
    any failure, :class:`MailRefused` before connecting when ``to`` is not one address."""
    address = recipient(to)
    message = build_message(settings.sender, address, subject, text, html)
    try:
        with smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout) as smtp:
            if settings.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.send_message(message, to_addrs=[address])
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("Could not send an email: %s", type(exc).__name__)
        raise MailFailed(type(exc).__name__) from None


class Mailer:
    """The app's mail extension (``directory.extensions.mail``).

    With ``MAIL_SERVER`` set, messages go by SMTP. Without it (a laptop, ``make run``), account
    and reminder emails are written as ``.eml`` files to ``MAIL_FILE_DIR`` (default
    ``instance/mail``) so a developer can open the verification link; the handover email page
    still says email is not available, because a resident cannot read that folder.
    """

    def init_app(self, app: Any) -> None:
        app.extensions["mail"] = self

    def render(self, template: str, **context: Any) -> tuple[str, str]:
        """Render ``mail/<template>.txt`` and ``mail/<template>.html``."""
        from flask import render_template

        return (
            render_template(f"mail/{template}.txt", **context),
            render_template(f"mail/{template}.html", **context),
        )

    def send(self, to: str, subject: str, text: str, html: str) -> None:
        from flask import current_app

        config = current_app.config
        if mail_configured(config):
            send(MailSettings.from_config(config), to, subject, text, html)
            return
        self._write_file(config, current_app.instance_path, to, subject, text, html)

    @staticmethod
    def _write_file(
        config: Mapping[str, Any], instance: str, to: str, subject: str, text: str, html: str
    ) -> None:
        import os
        import secrets
        from pathlib import Path

        folder = Path(config.get("MAIL_FILE_DIR") or Path(instance) / "mail")
        folder.mkdir(parents=True, exist_ok=True)
        sender = config.get("MAIL_DEFAULT_SENDER") or "no-reply@localhost"
        message = build_message(sender, recipient(to), subject, text, html)
        path = folder / f"{secrets.token_hex(8)}.eml"
        path.write_bytes(bytes(message))
        os.chmod(path, 0o600)
        log.info("MAIL_SERVER is not set: an email was written to %s", folder)
