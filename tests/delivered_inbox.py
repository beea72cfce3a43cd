"""An SMTP test inbox to read after account emails have left (directory/core/outbox.py).

Account emails are queued in the request and sent afterwards by the process's sender thread,
so a test that reads ``inbox.messages`` straight after a request could look before the
thread has sent. :class:`DeliveredInbox` wraps the aiosmtpd handler (:class:`Inbox`): reading
``messages`` first waits until every mail queue sender in this process is idle, so nothing
the requests so far queued is still on its way; no sleeps, no guessing how long it takes.

Wrap what ``smtp_server()`` yields; do not give the wrapper to aiosmtpd as its handler (it
inspects a handler's members, and ``messages`` would then wait on the very server it feeds).
"""

from __future__ import annotations

from typing import Any

from directory.core import outbox
from tests.mylist.smtp import Inbox, Received


class DeliveredInbox:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    @property
    def messages(self) -> list[Received]:
        assert outbox.wait_idle(30), "the mail queue sender did not finish in 30 seconds"
        return self.inbox.messages

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inbox, name)

    def __repr__(self) -> str:
        return f"DeliveredInbox({self.inbox!r})"
