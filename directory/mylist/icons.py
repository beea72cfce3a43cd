"""The Easy Read pictures, drawn here as small SVGs so they need no image files, work offline,
print sharply and look the same on the page and in the PDF.

Each is a bold, simple shape on a 48 by 48 grid, one colour, with no words inside: the
sentence beside it says everything, so on the page the picture is hidden from screen readers
(``aria-hidden``, the inline-SVG way of an empty ``alt``).
"""

from __future__ import annotations

from markupsafe import Markup

_FG = "{fg}"
_BG = "{bg}"
_STROKE = (
    f'fill="none" stroke="{_FG}" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"'
)

SHAPES: dict[str, str] = {
    "phone": (
        f'<path fill="{_FG}" d="M13 5c1.5-1 3.5-.6 4.5.9l4 6.2c.9 1.4.6 3.2-.6 4.3l-2.6 2.3c2.2 '
        "4.6 5.9 8.4 10.5 10.6l2.4-2.6c1.1-1.2 2.9-1.4 4.3-.5l6.1 4c1.5 1 1.9 3 .9 4.5l-2.3 "
        '3.5c-1.4 2.1-4 3-6.4 2.3C20.6 40.3 7.7 27.4 4.6 14.2 4 11.8 4.9 9.3 7 7.9z"/>'
    ),
    "place": (
        f'<path fill="{_FG}" d="M24 3C15.7 3 9 9.7 9 18c0 11.3 15 27 15 27s15-15.7 15-27C39 9.7 '
        f'32.3 3 24 3z"/><circle cx="24" cy="18" r="6" fill="{_BG}"/>'
    ),
    "clock": (f'<circle cx="24" cy="24" r="19" {_STROKE}/><path d="M24 12v13l8 5" {_STROKE}/>'),
    "money": (
        f'<circle cx="24" cy="24" r="21" fill="{_FG}"/>'
        f'<path d="M30 16c-1-2.6-3-3.8-5.4-3.8-3.3 0-5.4 2.3-5.4 5.4V34M15 25h11M15 34.5h18" '
        f'fill="none" stroke="{_BG}" stroke-width="3.5" stroke-linecap="round"/>'
    ),
    "person": (
        f'<circle cx="24" cy="13" r="8.5" fill="{_FG}"/>'
        f'<path fill="{_FG}" d="M7 45c0-9.9 7.6-17.5 17-17.5S41 35.1 41 45z"/>'
    ),
    "calendar": (
        f'<rect x="5" y="9" width="38" height="34" rx="3" {_STROKE}/>'
        f'<path d="M5 19h38M15 4v9M33 4v9" {_STROKE}/>'
        + "".join(
            f'<rect x="{x}" y="{y}" width="6" height="5" fill="{_FG}"/>'
            for x, y in ((12, 25), (21, 25), (30, 25), (12, 33), (21, 33))
        )
    ),
    "email": (
        f'<rect x="4" y="10" width="40" height="28" rx="3" {_STROKE}/>'
        f'<path d="M6 13l18 14 18-14" {_STROKE}/>'
    ),
    "computer": (
        f'<rect x="4" y="7" width="40" height="27" rx="2" {_STROKE}/><path d="M24 34v7M14 43h20" '
        f"{_STROKE}/>"
    ),
    "note": (
        f'<path d="M10 4h20l8 8v32H10z" {_STROKE}/><path d="M16 20h16M16 28h16M16 36h10" '
        f"{_STROKE}/>"
    ),
    "warning": (
        f'<path fill="{_FG}" d="M24 3L1.5 44h45z"/><path d="M24 17v13" stroke="{_BG}" '
        f'stroke-width="5" stroke-linecap="round"/><circle cx="24" cy="36.5" r="2.8" fill="{_BG}"/>'
    ),
}


def svg(name: str, *, fg: str = "#0b0c0c", bg: str = "#ffffff", size: int = 48) -> str:
    """A standalone SVG document of one picture (for the PDF)."""
    body = SHAPES[name].replace(_FG, fg).replace(_BG, bg)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48" width="{size}" '
        f'height="{size}">{body}</svg>'
    )


def inline_icon(name: str) -> Markup:
    """The picture for a web page, in the text colour, hidden from assistive technology."""
    body = SHAPES[name].replace(_FG, "currentColor").replace(_BG, "#ffffff")
    return Markup(
        '<svg class="app-easy-read__icon" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48" '
        f'width="64" height="64" aria-hidden="true" focusable="false">{body}</svg>'
    )
