"""Asking for help: references, saving a request, recording a self-served visit, and what
happens next. Plain functions over a ``Session``; none commits (the caller's
:func:`~directory.core.uow.unit_of_work` does), so a request and its email go together.

A reference is what the person quotes on the phone, so it is short and cannot be misread:
``H2H-7KQ3-9P`` uses no letter or digit that looks or sounds like another (no 0/O, 1/I/L,
2/Z, 5/S, 8/B, U/V), and its last character is a check character, so a reference read back
with one character wrong or two swapped is known to be wrong before anyone searches for it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.core.actor import Actor
from directory.core.ids import utcnow
from directory.core.uow import QueuedMail, queue_mail
from directory.help_requests.models import HelpRequest, RequestStatus, SelfServed, Urgency

#: Who wrote a request, in the change log: a member of the public, unnamed.
ASK_FORM = Actor("public", "ask-for-help")
PREFIX = "H2H"
ALPHABET = "ACDEFGHJKMNPQRTWXY34679"
_RANDOM_CHARACTERS = 5
_ATTEMPTS = 20
CONTACT_WORDS = {"phone": "by phone", "email": "by email", "either": "by phone or email"}


def _check_character(body: str) -> str:
    """Weighted sum modulo the alphabet's (prime) length: a wrong character or two
    neighbours swapped always changes it."""
    total = sum((i + 2) * ALPHABET.index(ch) for i, ch in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def new_reference() -> str:
    """A random reference, ``H2H-XXXX-XX``; :func:`unique_reference` makes sure it is new."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(_RANDOM_CHARACTERS))
    code = body + _check_character(body)
    return f"{PREFIX}-{code[:4]}-{code[4:]}"


def normalise_reference(text: object) -> str | None:
    """A reference as typed or read out ("h2h 7kq3 9p") in its one spelling, or None when it
    cannot be one (wrong length, a character we never use, a wrong check character)."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    if compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    if len(compact) != _RANDOM_CHARACTERS + 1 or any(ch not in ALPHABET for ch in compact):
        return None
    if _check_character(compact[:-1]) != compact[-1]:
        return None
    return f"{PREFIX}-{compact[:4]}-{compact[4:]}"


def unique_reference(session: Session) -> str:
    """A reference no request has yet (the unique constraint is the last word)."""
    for _ in range(_ATTEMPTS):
        reference = new_reference()
        taken = session.scalar(select(HelpRequest.id).where(HelpRequest.reference == reference))
        if taken is None:
            return reference
    raise RuntimeError("no free reference after many attempts")  # 6 million to choose from


@dataclass(frozen=True)
class RequestAnswers:
    """Everything a person answered, as the journey hands it over on submit."""

    needs: list[str]
    details: str | None
    for_someone_else: bool
    postcode: str | None
    outcode: str | None
    latitude: float | None
    longitude: float | None
    name: str
    phone: str | None
    email: str | None
    contact_by: str
    contact_times: str | None
    urgency: Urgency
    extra: dict = field(default_factory=dict)


def create_request(
    session: Session, answers: RequestAnswers, now: datetime | None = None
) -> HelpRequest:
    """A new open request from the web form, consent given now. Nothing is logged: every
    answer but the needs and the outcode is personal data."""
    now = now or utcnow()
    request = HelpRequest(
        reference=unique_reference(session),
        created_at=now,
        source="web",
        needs=list(answers.needs),
        details=answers.details or None,
        for_someone_else=answers.for_someone_else,
        urgency=answers.urgency,
        postcode=answers.postcode,
        outcode=answers.outcode,
        latitude=answers.latitude,
        longitude=answers.longitude,
        name=answers.name,
        phone=answers.phone or None,
        email=answers.email or None,
        contact_by=answers.contact_by,
        contact_times=answers.contact_times or None,
        consent_at=now,
        status=RequestStatus.OPEN,
        extra=dict(answers.extra),
    )
    session.add(request)
    session.flush()
    return request


def record_self_served(
    session: Session, needs: list[str], outcode: str | None, shown: int
) -> SelfServed:
    """Someone found what they needed among the services shown: what, roughly where, and how
    many services they saw. Nothing about the person."""
    visit = SelfServed(
        needs=list(needs), outcode=(outcode or None), services_shown=max(0, int(shown))
    )
    session.add(visit)
    session.flush()
    return visit


def next_steps(
    response_days: int, contact_by: str | None, urgency: Urgency | str | None
) -> list[str]:
    """What happens after a request is sent, in the order it happens (page and email alike)."""
    how = f" {CONTACT_WORDS[contact_by]}" if contact_by in CONTACT_WORDS else ""
    days = f"{response_days} working day{'s' if response_days != 1 else ''}"
    steps = [
        f"Someone from our team will read your request and contact you{how} within {days}.",
        "They will talk with you about what you need and put you in touch with a group, "
        "service or volunteer who can help.",
    ]
    if str(urgency) == Urgency.TODAY.value:
        steps.append(
            "You told us you need help today. If we have not contacted you in time, or things "
            "get worse, call NHS 111 or, if anyone is in danger, 999."
        )
    steps.append("Quote your reference if you contact us about this request.")
    return steps


def confirmation_mail(
    request: HelpRequest,
    *,
    need_labels: list[str],
    response_days: int,
    site_url: str,
) -> QueuedMail | None:
    """The "we have your request" email, or None when no address was given. It holds the
    reference, the needs and what happens next; not the person's own words."""
    if not request.email:
        return None
    from directory.extensions import mail

    text, html = mail.render(
        "help_request_received",
        reference=request.reference,
        name=request.name,
        needs=need_labels,
        steps=next_steps(response_days, request.contact_by, request.urgency),
        site_url=site_url,
    )
    return QueuedMail(
        request.email, f"We have your request for help: {request.reference}", text, html
    )


def queue_confirmation(session: Session, mail: QueuedMail | None) -> None:
    """Send the confirmation when the surrounding unit of work commits."""
    if mail is not None:
        queue_mail(session, mail)
