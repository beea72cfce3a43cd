"""The reasons beside each candidate, in the plain words staff read out on the phone:
"Offers shopping and food", "2.1 km away", "3 places free", "Checked 2 months ago"."""

from __future__ import annotations

from datetime import date


def lower_label(label: str) -> str:
    """A term's label inside a sentence: "Food" -> "food", but "NHS Talking Therapies" and
    "ADHD support" keep their capitals."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def join_words(words: list[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"; with a label holding "and", "a, and b and c"."""
    words = [w for w in dict.fromkeys(words) if w]
    if len(words) <= 1:
        return "".join(words)
    # "food, and loneliness and isolation": a comma keeps labels with "and" in them apart.
    last = ", and " if any(" and " in w for w in words) else " and "
    return ", ".join(words[:-1]) + last + words[-1]


def needs_reason(verb: str, covered: list[str], missing: list[str], broader: list[str]) -> str:
    """ "Offers food and befriending", "Helps with food, not debt advice", "Offers befriending
    in general (asked: telephone befriending)"."""
    parts = []
    if covered:
        parts.append(f"{verb} {join_words([lower_label(c) for c in covered])}")
    if broader:
        text = join_words([lower_label(b) for b in broader])
        parts.append(f"{verb if not covered else 'also'} {text} in general")
    text = ", ".join(parts) if parts else f"{verb} none of the needs asked for"
    if missing:
        text += ", not " + join_words([lower_label(m) for m in missing])
    return text[0].upper() + text[1:]


def distance_text(km: float) -> str:
    """ "Under 100 m away", "800 m away", "2.1 km away", "14 km away"."""
    if km < 0.1:
        return "Under 100 m away"
    if km < 1:
        return f"{round(km * 10) * 100:.0f} m away"
    if km < 10:
        return f"{km:.1f} km away"
    return f"{km:.0f} km away"


def places_text(spare: int | None) -> str:
    if spare is None:
        return "No limit on numbers"
    return f"{spare} place{'' if spare == 1 else 's'} free"


def month_year(day: date | None) -> str:
    return f"{day:%B %Y}" if day else "never"


def ago(day: date | None, today: date) -> str:
    """How long ago ``day`` was: "today", "yesterday", "5 days ago", "3 weeks ago",
    "2 months ago", "over a year ago"."""
    if day is None:
        return "never"
    days = (today - day).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    if days < 365:
        months = max(2, round(days / 30.4))
        return f"{months} months ago"
    if days < 730:
        return "over a year ago"
    return f"over {days // 365} years ago"
