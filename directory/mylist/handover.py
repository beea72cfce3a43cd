"""The words every handover shares, whatever its form (print page, PDF, email): the facts of
each service as labelled lines, and the short "what to do next"."""

from __future__ import annotations

from directory.mylist.services import Entry


def next_steps(site_url: str) -> list[str]:
    return [
        "Contact the services on this list. Their phone numbers and opening times are below.",
        "Check opening times before you go: they can change.",
        "If a service cannot help, ask them or the person who gave you this list what else "
        "might help.",
        f"Find more local help at {site_url}",
    ]


def unlisted_text(count: int) -> str:
    if count == 1:
        return "1 service on this list is no longer listed, so it is left out."
    return f"{count} services on this list are no longer listed, so they are left out."


def details(entry: Entry, *, notes: bool = True) -> list[tuple[str, str]]:
    """(label, text) for each fact of a listed entry, in the order every handover shows them:
    how to contact, where, when, cost, how to get help, then the note."""
    rows: list[tuple[str, str]] = []
    for phone in entry.phones:
        suffix = f" ({phone.description})" if phone.description else ""
        rows.append(("Phone", phone.number + suffix))
    emails = [contact.email for contact in entry.contacts if contact.email]
    if entry.email:
        emails.append(entry.email)
    rows.extend(("Email", email) for email in dict.fromkeys(emails))
    if entry.website:
        rows.append(("Website", entry.website))
    if not rows:
        # Said outright, so the reader does not think the sheet has lost a line.
        rows.append(("Contact", "No phone number, email or website given"))
    for place in entry.places:
        where = ", ".join(part for part in [place.name, *place.address_lines] if part)
        if where:
            rows.append(("Where", where))
        for text in place.times:
            rows.append(("When", f"{text} (at {place.name})" if place.name else text))
    remote = [words for words in entry.delivery if words != "In person"]
    if not entry.places and remote:
        rows.append(("Where", " or ".join(remote).capitalize()))
    rows.extend(("When", text) for text in entry.times)
    if not entry.times and not any(place.times for place in entry.places):
        rows.append(("When", "Not given: ask the service"))
    if entry.cost is not None:
        cost = "Free" if entry.cost.free else "; ".join(entry.cost.lines) or entry.cost.notes
        rows.append(("Cost", cost or "Not given: ask the service"))
    if entry.referral:
        rows.append(("How to get help", entry.referral))
    if notes and entry.note:
        rows.append(("Note", entry.note))
    return rows
