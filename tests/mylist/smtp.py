"""A real SMTP server for the email tests: aiosmtpd listening on a free localhost port in a
thread, keeping every message it receives."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, f"no text/{subtype} part"
        return body.get_content()


@dataclass
class Inbox:
    """The server's handler: each DATA command becomes a :class:`Received`."""

    messages: list[Received] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0

    async def handle_DATA(self, _server, _session, envelope) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server(handler: type[Inbox] = Inbox) -> Iterator[Inbox]:
    """A real aiosmtpd server on a free port; ``handler`` an :class:`Inbox` or a subclass."""
    inbox = handler(port=free_port())
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def mail_config(inbox: Inbox) -> dict:
    return {
        "MAIL_SERVER": inbox.host,
        "MAIL_PORT": inbox.port,
        "MAIL_USE_TLS": False,
        "MAIL_DEFAULT_SENDER": "Find help in your community <lists@directory.example.org>",
    }
