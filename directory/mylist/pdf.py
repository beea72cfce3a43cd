"""Handover sheets as PDF with fpdf2 (pure Python): the standard sheet and the Easy Read one.

Both are real text (selectable, searchable, read aloud by screen readers and readers' apps),
tagged with a title shown in the window bar, the language en-GB and a bookmark per service,
and never set below 12pt. A Unicode TrueType font is used when one is found (``PDF_FONT_REGULAR``
/ ``PDF_FONT_BOLD``, else DejaVu Sans or Liberation Sans where installed); without one the PDF
core font Helvetica is used and characters it cannot show are replaced.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fpdf import FPDF, ViewerPreferences

from directory.mylist import icons
from directory.mylist.easyread import EasySheet, Sentence
from directory.mylist.handover import details, next_steps, unlisted_text
from directory.mylist.services import Entry, ListView
from directory.public.formatting import format_date

FONT_CANDIDATES = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    ("/Library/Fonts/Arial Unicode.ttf", "/Library/Fonts/Arial Bold.ttf"),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
)
#: Typographic characters the core font cannot show, as their plain forms.
_LATIN1 = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)
BODY_PT = 13
EASY_BODY_PT = 16
MARGIN_MM = 20


def find_fonts(config: Mapping[str, Any]) -> tuple[str, str] | None:
    """The (regular, bold) TrueType files to use, or None for the core font."""
    regular, bold = config.get("PDF_FONT_REGULAR"), config.get("PDF_FONT_BOLD")
    if regular:
        return (regular, bold or regular) if Path(regular).is_file() else None
    for pair in FONT_CANDIDATES:
        if all(Path(path).is_file() for path in pair):
            return pair
    return None


class Sheet(FPDF):
    """A4 with the service's name and page numbers in the footer."""

    def __init__(
        self, title: str, footer: str, fonts: tuple[str, str] | None, footer_pt: float = 12
    ) -> None:
        super().__init__(format="A4", unit="mm")
        self.footer_text = footer
        self.footer_pt = footer_pt
        self.unicode = fonts is not None
        if fonts:
            self.add_font("body", "", fonts[0])
            self.add_font("body", "B", fonts[1])
            self.family = "body"
        else:
            self.family = "helvetica"
        self.set_title(title)
        self.set_lang("en-GB")
        self.set_subject(title)
        self.set_creator(footer)
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(True, margin=22)
        self.alias_nb_pages()
        self.add_page()

    def clean(self, text: str) -> str:
        if self.unicode:
            return text
        return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    def style(self, size: float, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    def para(self, text: str, size: float = BODY_PT, bold: bool = False, after: float = 2) -> None:
        self.style(size, bold)
        self.multi_cell(0, size * 0.5, self.clean(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(after)

    def heading(self, text: str, size: float, bookmark: int | None = None) -> None:
        if self.get_y() > self.h - 60:
            self.add_page()
        if bookmark is not None:
            self.start_section(self.clean(text), level=bookmark)
        self.para(text, size, bold=True, after=1)

    def footer(self) -> None:
        self.set_y(-16)
        self.style(self.footer_pt)
        self.cell(0, 6, self.clean(f"{self.footer_text}   Page {self.page_no()} of {{nb}}"))


def handover_pdf(
    view: ListView,
    *,
    service_name: str,
    site_url: str,
    config: Mapping[str, Any],
    notes: bool = True,
) -> bytes:
    """The standard handover sheet: what to do next, then each service's details."""
    pdf = Sheet("Your list of services", service_name, find_fonts(config))
    pdf.heading("Your list of services", 22)
    pdf.para(f"From {service_name}. Printed on {format_date(view.today)}.", after=4)
    pdf.heading("What to do next", 16)
    for number, step in enumerate(next_steps(site_url), start=1):
        pdf.para(f"{number}. {step}", after=1)
    pdf.ln(4)
    for entry in view.listed:
        _service_block(pdf, entry, notes)
    if view.unlisted:
        pdf.para(unlisted_text(len(view.unlisted)))
    return bytes(pdf.output())


def _service_block(pdf: Sheet, entry: Entry, notes: bool) -> None:
    pdf.heading(entry.name, 17, bookmark=0)
    if entry.organisation and entry.organisation != entry.name:
        pdf.para(f"Run by {entry.organisation}", after=1)
    if entry.is_demonstration:
        pdf.para("Demonstration listing: not a real service. Do not contact it.", bold=True)
    for warning in (entry.closed_notice, entry.alert):
        if warning:
            pdf.para(warning, bold=True)
    for label, value in details(entry, notes=notes):
        pdf.style(BODY_PT, bold=True)
        pdf.write(BODY_PT * 0.5, pdf.clean(f"{label}: "))
        pdf.style(BODY_PT)
        pdf.write(BODY_PT * 0.5, pdf.clean(value))
        pdf.ln(BODY_PT * 0.5 + 1.5)
    pdf.ln(5)


def easy_read_pdf(sheet: EasySheet, *, service_name: str, config: Mapping[str, Any]) -> bytes:
    """The Easy Read sheet: big text, a picture on the left of each key sentence, space."""
    pdf = Sheet("My list: Easy Read", service_name, find_fonts(config), footer_pt=14)
    pdf.heading("My list of services", 26)
    pdf.ln(2)
    for said in sheet.intro:
        _easy_sentence(pdf, said)
    for service in sheet.services:
        pdf.ln(6)
        pdf.heading(service.name, 22, bookmark=0)
        if service.organisation and service.organisation != service.name:
            pdf.para(f"Run by {service.organisation}.", EASY_BODY_PT, after=3)
        for said in service.sentences:
            _easy_sentence(pdf, said)
        if service.note:
            _easy_sentence(pdf, Sentence("note", [("Your note: ", True), (service.note, False)]))
    pdf.ln(6)
    pdf.heading("What to do next", 22, bookmark=0)
    for said in sheet.next_steps:
        _easy_sentence(pdf, said)
    return bytes(pdf.output())


def _easy_sentence(pdf: Sheet, said: Sentence) -> None:
    """Picture 15mm wide on the left, text beside it, at least the picture's height apart."""
    icon_mm, gap, line = 15.0, 6.0, EASY_BODY_PT * 0.6
    if pdf.get_y() + icon_mm > pdf.h - 24:
        pdf.add_page()
    top, page = pdf.get_y(), pdf.page
    if said.icon:
        image = io.BytesIO(icons.svg(said.icon).encode())
        pdf.image(image, x=MARGIN_MM, y=top, w=icon_mm, h=icon_mm)
    text_x = MARGIN_MM + icon_mm + gap
    pdf.set_left_margin(text_x)
    pdf.set_xy(text_x, top + 2)
    for text, bold in said.parts:
        pdf.style(EASY_BODY_PT, bold)
        pdf.write(line, pdf.clean(text))
    for extra in said.lines:
        pdf.ln(line)
        pdf.style(EASY_BODY_PT)
        pdf.write(line, pdf.clean(extra))
    pdf.ln(line)
    pdf.set_left_margin(MARGIN_MM)
    bottom = top + icon_mm if pdf.page == page else pdf.get_y()
    pdf.set_xy(MARGIN_MM, max(pdf.get_y(), bottom) + 5)
