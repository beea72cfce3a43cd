"""Listing descriptions that arrive as HTML: shown as sanitised markup, used as plain text.

Councils' feeds put HTML in ``description``: paragraphs, lists, ``&nbsp;``, links, and at
times ``<script>``, ``<style>``, ``<img onerror>``, Word's ``<o:p>`` and conditional
comments, or markup escaped twice (``&lt;p&gt;``). A description is **stored as given**, so a
later, better reading never needs the feed again; it is made safe only where it is used:

* :func:`safe_html` for a page: an allow-list (paragraphs, line breaks, lists, bold, italic,
  and links to ``http``, ``https``, ``mailto`` and ``tel`` only), headings as bold
  paragraphs (the page's own headings keep the outline), and the GOV.UK classes added, so a
  feed's markup reads like the rest of the page. Plain text becomes paragraphs at its blank
  lines, as it always has.
* :func:`html_to_text` wherever text is wanted: result summaries and highlights, the search
  index, JSON-LD, meta descriptions, the short summaries in lists, calendar feeds and the
  cost words (the handover sheet, its PDF, Easy Read and the email show no description).

The parsing is done by ``nh3`` (the Rust ``ammonia`` sanitiser, which parses as browsers do
and is about ten times faster than Python's ``html.parser``). It first reduces the feed's
markup to a few well-formed tags with no attributes but ``href``; our own short pass then lays
those out as text or as GOV.UK markup; for pages, ``nh3`` checks our output once more against
the final allow-list, so no mistake in the layout pass can let anything unsafe out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import nh3
from markupsafe import Markup, escape

from directory.listings.links import LINK_SCHEMES, safe_link

#: The most of one description read for a page or the index. Imports cap free text well below
#: this (``IMPORT_MAX_TEXT``); the cap here keeps a page quick even for a description that
#: reached the database another way. What is stored is never cut.
MAX_CHARS = 100_000

#: A complete tag (``<p>``, ``</li>``, ``<br/>``, ``<o:p>``) or the start of a comment.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:_-]*(?:\s[^<>]*)?/?>|<!--|<!\[")
_REFERENCE = r"(?:[A-Za-z][A-Za-z0-9]{1,31}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});"
_ENTITY = re.compile("&" + _REFERENCE)
_ESCAPED_ENTITY = re.compile(f"&amp;({_REFERENCE})")
#: Tags that, escaped once more than they should be, are markup a feed meant (``&lt;p&gt;``).
_ESCAPED_TAG = re.compile(
    r"&lt;(/?(?:p|br|div|span|ul|ol|li|strong|b|em|i|u|a|h[1-6]|font|table|tbody|thead|tr|td"
    r"|th|section|blockquote|img|script|style|o:p)\b(?:(?!&lt;|&gt;).){0,2000}?)&gt;",
    re.I | re.S,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_MANY_LINES = re.compile(r"\n{3,}")
_EMPTY_ITEM = re.compile(r"•|\d+\.")
#: A tag in nh3's output: lower case, attributes (only ``href`` is kept) double-quoted.
_CLEAN_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:\s+[a-z-]+="[^"]*")*)\s*/?>')
_HREF = re.compile(r'\shref="([^"]*)"')

#: Elements whose contents are never text a resident should read.
DROPPED = frozenset(
    {"script", "style", "head", "title", "template", "noscript", "xml", "iframe", "object",
     "embed", "svg", "math", "canvas", "audio", "video", "select", "textarea"}
)  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_INLINE = frozenset({"strong", "b", "em", "i"})
_LISTS = frozenset({"ul", "ol"})
#: Elements that end a paragraph.
_BLOCKS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "aside", "main", "nav", "blockquote",
     "pre", "address", "figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr", "dl",
     "dt", "dd", "hr", "form", "fieldset", "center", "details", "summary"}
)  # fmt: skip
_CELLS = frozenset({"td", "th"})
_LIST_CLASSES = {"ul": "govuk-list govuk-list--bullet", "ol": "govuk-list govuk-list--number"}
_KEPT = frozenset({"p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "a"})


def _href_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return safe_link(value)
    return value


def _cleaner(tags: frozenset[str], **options) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(tags),
        attribute_filter=_href_filter,
        url_schemes=set(LINK_SCHEMES),
        strip_comments=True,
        **options,
    )


_STRUCTURE = _BLOCKS | _HEADINGS | _LISTS | _CELLS | {"li", "br"}
#: For text: the structure that becomes line and paragraph breaks, nothing else.
_FOR_TEXT = _cleaner(_STRUCTURE, clean_content_tags=set(DROPPED), attributes={}, link_rel=None)
#: For pages, first pass: the structure and the inline markup a page keeps, with links.
_FOR_LAYOUT = _cleaner(
    _STRUCTURE | _KEPT,
    clean_content_tags=set(DROPPED),
    attributes={"a": {"href"}},
    link_rel=None,
)
#: For pages, last pass over our own output: the allow-list the page gets, whatever happened.
_FINAL = _cleaner(
    _KEPT,
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}},
    link_rel="noopener noreferrer nofollow",
    allowed_classes={
        "p": {"govuk-body"},
        "ul": set(_LIST_CLASSES["ul"].split()),
        "ol": set(_LIST_CLASSES["ol"].split()),
        "a": {"govuk-link"},
    },
)


def is_html(text: str | None) -> bool:
    """Whether ``text`` holds markup or character references (``&amp;``, ``&nbsp;``), escaped
    or not; plain text with a ``<`` or an ``&`` in it ("ages <18", "tea & cake") is not."""
    if not text:
        return False
    return bool(_TAG.search(text) or _ENTITY.search(text) or _ESCAPED_TAG.search(text))


def harmless_html(text: str | None) -> str | None:
    """A description as the API serves it: markup kept as the feed gave it (structure, inline
    markup, links), but never a script, a style, an event handler or a ``javascript:`` link,
    since consumers of an ORUK feed often render descriptions as HTML. Plain text unchanged;
    the stored text is never changed."""
    if text is None or not is_html(text):
        return text
    return _FOR_LAYOUT.clean(text)


def _unescape_layers(text: str) -> str:
    """Markup escaped once too often (``&lt;p&gt;``, ``&amp;nbsp;``) made real again, one
    layer at a time (a feed that escaped twice had ``&amp;lt;p&amp;gt;``)."""
    text = _CONTROL.sub("", text)
    if "&amp;" not in text and "&lt;" not in text:
        return text
    for _ in range(3):
        before = text
        text = _ESCAPED_ENTITY.sub(r"&\1", text)
        text = _ESCAPED_TAG.sub(lambda m: "<" + html.unescape(m.group(1)) + ">", text)
        if text == before:
            break
    return text


def _tokens(clean: str) -> Iterator[tuple[str, str, str]]:
    """``("start"|"end", tag, attributes)`` and ``("text", decoded text, "")`` from nh3's
    output, in which every ``<`` of the text is escaped, so a tag is always a tag."""
    position = 0
    for match in _CLEAN_TAG.finditer(clean):
        if match.start() > position:
            yield "text", html.unescape(clean[position : match.start()]), ""
        yield ("end" if match.group(1) else "start"), match.group(2), match.group(3)
        position = match.end()
    if position < len(clean):
        yield "text", html.unescape(clean[position:]), ""


# -- plain text -------------------------------------------------------------------------------


class _TextWriter:
    """Markup to text: blocks become paragraphs, list items "• " lines, ``<br>`` a new line."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.newlines = 0  # newlines at the end of the output so far
        self.started = False  # no breaks before the first words
        self.lists: list[int] = []  # per open list, the next item's number (0: bullets)

    def write(self, clean: str) -> str:
        for kind, value, _ in _tokens(clean):
            if kind == "text":
                for number, piece in enumerate(_BLANK_LINE.split(value.replace("\xa0", " "))):
                    if number:
                        self._break(2)
                    self._text(piece)
            elif value == "br":
                if kind == "start" and self.started:
                    self.parts.append("\n")
                    self.newlines += 1
            elif value in _CELLS:
                self.parts.append(" ")
            elif value == "li":
                self._break(1)
                if kind == "start":
                    self._item()
            elif value in _LISTS:
                if kind == "start":
                    self._break(1 if self.lists else 2)
                    self.lists.append(1 if value == "ol" else 0)
                else:
                    if self.lists:
                        self.lists.pop()
                    self._break(1 if self.lists else 2)
            else:  # blocks and headings
                self._break(1 if self.lists else 2)
        lines = [" ".join(line.split()) for line in "".join(self.parts).split("\n")]
        lines = [line for line in lines if not _EMPTY_ITEM.fullmatch(line)]
        return _MANY_LINES.sub("\n\n", "\n".join(lines)).strip()

    def _item(self) -> None:
        self.newlines = 0  # the marker starts a line (an empty item's line is removed later)
        if self.lists and self.lists[-1]:
            self.parts.append(f"{self.lists[-1]}. ")
            self.lists[-1] += 1
        else:
            self.parts.append("• ")

    def _break(self, count: int) -> None:
        if self.started and self.newlines < count:
            self.parts.append("\n" * (count - self.newlines))
            self.newlines = count

    def _text(self, piece: str) -> None:
        """Words with their spacing kept at the edges (spaces are collapsed at the end)."""
        if piece.strip():
            self.started = True
            self.newlines = 0
        self.parts.append(piece)


def html_to_text(text: str | None) -> str:
    """The words of a description as plain text, paragraphs apart at blank lines.

    Entities are decoded (``&nbsp;`` is a space), script and style contents dropped, list
    items put on lines of their own ("• Advice"), spaces collapsed. Plain text keeps its
    paragraphs and lines. The result never holds a tag: markup that decoding reveals (a
    feed that escaped it) is read again, and anything still left is removed.
    """
    if not text:
        return ""
    text = _unescape_layers(text[:MAX_CHARS])
    if not is_html(text):
        return _plain(text)
    for _ in range(3):
        text = _TextWriter().write(_FOR_TEXT.clean(text))
        if not _TAG.search(text):
            return text
    return _plain(_TAG.sub(" ", text))


def html_to_line(text: str | None) -> str:
    """:func:`html_to_text` on one line: for a meta description or a card's short summary."""
    return " ".join(html_to_text(text).split())


def _plain(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    return _MANY_LINES.sub("\n\n", "\n".join(lines)).strip()


# -- safe markup ------------------------------------------------------------------------------


class _Layout:
    """Lays out the first pass's output as GOV.UK markup: loose text and inline elements
    gathered into ``<p class="govuk-body">``, two ``<br>`` in a row a new paragraph,
    headings bold paragraphs, lists with the GOV.UK list classes, links ``govuk-link``.

    Inline elements (bold, italic, links) are kept on a stack; when a paragraph ends inside
    one (``<b><p>a</p><p>b</p></b>``), it is closed there and not reopened, so every
    paragraph is well formed."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.para: list[str] | None = None  # the open top-level paragraph
        self.para_has_text = False
        self.brs = 0  # <br> in a row in the open paragraph
        self.lists = 0
        self.inline: list[list] = []  # [source tag, output tag, still open in the output]

    def write(self, clean: str) -> str:
        for kind, value, attributes in _tokens(clean):
            if kind == "text":
                self._text(value)
            elif kind == "start":
                self._start(value, attributes)
            else:
                self._end(value)
        self._end_paragraph()
        return "".join(self.out)

    def _emit(self, piece: str) -> None:
        """Content goes into the list when inside one, else into the open paragraph."""
        if self.lists:
            self.out.append(piece)
            return
        if self.para is None:
            self.para, self.para_has_text, self.brs = [], False, 0
        self.para.append(piece)

    def _close_inline(self) -> None:
        for entry in reversed(self.inline):
            if entry[2]:
                self._emit(f"</{entry[1]}>")
                entry[2] = False

    def _end_paragraph(self) -> None:
        if self.para is None:
            return
        self._close_inline()
        body = re.sub(r"^(?:\s|<br>)+|(?:\s|<br>)+$", "", "".join(self.para))
        if self.para_has_text and body:
            self.out.append(f'<p class="govuk-body">{body}</p>\n')
        self.para = None

    def _block(self) -> None:
        if not self.lists:
            self._end_paragraph()

    def _start(self, tag: str, attributes: str) -> None:
        if tag in _HEADINGS:
            self._block()
            self._open_inline(tag, "strong")
        elif tag in _INLINE:
            self._open_inline(tag, tag)
        elif tag == "a":
            found = _HREF.search(attributes)
            href = safe_link(html.unescape(found.group(1))) if found else None
            if href:
                self._emit(f'<a class="govuk-link" href="{escape(href)}">')
            self.inline.append([tag, "a", bool(href)])
        elif tag == "br":
            self._br()
        elif tag in _LISTS:
            if self.lists:
                self._close_inline()
            else:
                self._end_paragraph()
            self.out.append(f'<{tag} class="{_LIST_CLASSES[tag]}">')
            self.lists += 1
        elif tag == "li":
            if self.lists:
                self.out.append("<li>")
            else:
                self._block()
                self._text("• ")
        elif tag in _BLOCKS:
            self._block()
        elif tag in _CELLS:
            self._text(" ")

    def _open_inline(self, source: str, output: str) -> None:
        self._emit(f"<{output}>")
        self.inline.append([source, output, True])

    def _br(self) -> None:
        if self.lists:
            self.out.append("<br>")
            return
        self.brs += 1
        if self.brs >= 2:  # two line breaks in a row: a new paragraph
            self._end_paragraph()
        elif self.para is not None:
            self.para.append("<br>")

    def _end(self, tag: str) -> None:
        if tag in _INLINE or tag in _HEADINGS or tag == "a":
            for index in range(len(self.inline) - 1, -1, -1):
                if self.inline[index][0] == tag:
                    for entry in reversed(self.inline[index:]):
                        if entry[2]:
                            self._emit(f"</{entry[1]}>")
                    del self.inline[index:]
                    break
            if tag in _HEADINGS:
                self._block()
        elif tag in _LISTS:
            if self.lists:
                self._close_inline()
                self.lists -= 1
                self.out.append(f"</{tag}>" if self.lists else f"</{tag}>\n")
        elif tag == "li":
            if self.lists:
                self.out.append("</li>")
            else:
                self._block()
        elif tag in _BLOCKS:
            self._block()
        elif tag in _CELLS:
            self._text(" ")

    def _text(self, value: str) -> None:
        for number, piece in enumerate(_BLANK_LINE.split(value.replace("\xa0", " "))):
            if number:
                self._block()
            if not piece:
                continue
            words = " ".join(piece.split())
            if not words:
                if self.lists or self.para is not None:
                    self._emit(" ")
                continue
            lead = " " if piece[0].isspace() else ""
            tail = " " if piece[-1].isspace() else ""
            self._emit(f"{lead}{escape(words)}{tail}")
            if not self.lists:
                self.para_has_text = True
                self.brs = 0


def _paragraphs(text: str) -> list[str]:
    """Plain text split at blank lines, as the ``paragraphs`` template filter does."""
    return [part.strip() for part in _PARAGRAPH_BREAK.split(text) if part.strip()]


def safe_html(text: str | None) -> Markup:
    """A description as markup safe to put in a page (see the module docstring)."""
    if not text:
        return Markup("")
    text = _unescape_layers(text[:MAX_CHARS])
    if not is_html(text):
        return Markup(
            "\n".join(f'<p class="govuk-body">{escape(part)}</p>' for part in _paragraphs(text))
        )
    laid_out = _Layout().write(_FOR_LAYOUT.clean(text))
    return Markup(re.sub(r" {2,}", " ", _FINAL.clean(laid_out)).strip())
