"""The handover sheet: the print page, the PDF (real text, tagged, 12pt or more) and their
notes switch, over realistic listings."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from directory.mylist.pdf import EASY_BODY_PT
from tests.mylist.conftest import add, load_data, text
from tests.public.conftest import PublicData


@pytest.fixture
def filled(client, data: PublicData):
    """A link worker's list: a demo lunch club with a note, a food bank and a phone line."""
    add(client, data.demo.id, "/")
    add(client, data.service("Blacon Food Bank").id, "/")
    add(client, data.service("Silver Line Chester").id, "/")
    client.post(f"/my-list/{data.demo.id}/note", data={"note": "Ask for Sam on reception"})
    return data


def pdf_text(body: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(body))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def font_sizes(reader: PdfReader) -> set[float]:
    sizes = set()
    for page in reader.pages:
        content = page.get_contents().get_data()
        sizes |= {float(size) for size in re.findall(rb"/F\d+ ([\d.]+) Tf", content)}
    return sizes


class TestPrintPage:
    def test_sheet_has_date_next_steps_and_each_service(self, client, filled: PublicData):
        page = text(client, "/my-list/print")
        assert "Your list of services" in page
        assert re.search(r"Printed on \d{1,2} [A-Z][a-z]+ \d{4}\.", page)
        assert "What to do next" in page
        assert "Find more local help at http://localhost/" in page
        for name in ("Hoole Demonstration Lunch Club", "Blacon Food Bank", "Silver Line Chester"):
            assert name in page
        assert "Phone 01632 960001 (Weekdays 9am to 5pm)" in page
        assert "When Every Monday, Wednesday and Friday, midday to 2pm" in page
        assert "Where Hoole Community Centre, Westminster Road, Chester, CH2 3AE" in page
        assert "Demonstration listing: not a real service." in page
        assert "Note Ask for Sam on reception" in page
        assert "Print without your notes" in page

    def test_without_notes(self, client, filled: PublicData):
        page = text(client, "/my-list/print?notes=0")
        assert "Ask for Sam" not in page
        assert "Print with your notes" in page

    def test_print_styles_and_script_are_linked(self, client, filled: PublicData):
        html = client.get("/my-list/print").data.decode()
        assert re.search(r'<link rel="stylesheet" href="/my-list/static/mylist.css\?v=\w+">', html)
        assert re.search(r'<script src="/my-list/static/mylist.js\?v=\w+" defer>', html)
        assert "data-mylist-print hidden" in html, "the print button waits for JavaScript"
        css = client.get("/my-list/static/mylist.css").data.decode()
        assert "@media print" in css

    def test_empty_list(self, client, data: PublicData):
        assert "There are no services on your list to print." in text(client, "/my-list/print")


class TestHandoverPdf:
    def test_is_a_real_tagged_pdf_with_the_services(self, client, filled: PublicData):
        response = client.get("/my-list/handover.pdf")
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert re.match(
            r'attachment; filename="my-list-\d{4}-\d\d-\d\d\.pdf"',
            response.headers["Content-Disposition"],
        )
        assert response.data.startswith(b"%PDF")
        reader, words = pdf_text(response.data)
        for name in ("Hoole Demonstration Lunch Club", "Blacon Food Bank", "Silver Line Chester"):
            assert name in words
        assert "What to do next" in words
        assert "01632 960001" in words
        assert "Every day, 8am to 8pm" in words
        assert "Ask for Sam on reception" in words
        assert "Demonstration listing: not a real service." in words
        assert reader.metadata.title == "Your list of services"
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "en-GB"
        assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 (a PDF boolean)
        assert [item.title for item in reader.outline] == [
            "Hoole Demonstration Lunch Club",
            "Blacon Food Bank",
            "Silver Line Chester",
        ]
        sizes = font_sizes(reader)
        assert sizes and min(sizes) >= 12

    def test_without_notes(self, client, filled: PublicData):
        _reader, words = pdf_text(client.get("/my-list/handover.pdf?notes=0").data)
        assert "Ask for Sam" not in words
        assert "Blacon Food Bank" in words

    def test_core_font_when_no_truetype_font_is_found(self, make_app, tmp_path):
        app = make_app(PDF_FONT_REGULAR=str(tmp_path / "missing.ttf"))
        data = load_data(app)
        client = app.test_client()
        add(client, data.service("Blacon Friendship Café").id, "/")
        client.post(
            f"/my-list/{data.service('Blacon Friendship Café').id}/note",
            data={"note": "Say \u201cJo sent me\u201d \u2013 ask for the ł room"},
        )
        reader, words = pdf_text(client.get("/my-list/handover.pdf").data)
        assert "Blacon Friendship Café" in words
        assert 'Say "Jo sent me" - ask for the ? room' in words
        fonts = {
            str(font["/BaseFont"])
            for page in reader.pages
            for font in page["/Resources"]["/Font"].values()
        }
        assert fonts == {"/Helvetica", "/Helvetica-Bold"}

    def test_empty_list_goes_back_to_the_list(self, client, data: PublicData):
        for url in ("/my-list/handover.pdf", "/my-list/easy-read.pdf"):
            response = client.get(url)
            assert response.status_code == 303
            assert response.headers["Location"] == "/my-list"


class TestEasyReadPdf:
    def test_easy_read_pdf(self, client, filled: PublicData):
        response = client.get("/my-list/easy-read.pdf")
        assert response.data.startswith(b"%PDF")
        reader, words = pdf_text(response.data)
        flat = " ".join(words.split())
        assert "This is a demonstration listing. It is not a real service." in flat
        assert "Open on Monday, Wednesday and Friday." in flat
        assert "Time: 12 noon to 2pm." in flat
        assert "Phone 01632 960001." in flat
        assert "Your note: Ask for Sam on reception" in flat
        assert "Take this paper with you." in flat
        assert reader.metadata.title == "My list: Easy Read"
        assert reader.trailer["/Root"]["/Lang"] == "en-GB"
        sizes = font_sizes(reader)
        assert min(sizes) >= 14, "nothing in Easy Read is under 14pt"
        assert EASY_BODY_PT == 16 and 16 in sizes
        # fpdf2 draws each SVG picture as vector paths in its own graphics state, scaled from
        # millimetres to points: count those drawings.
        content = b"".join(page.get_contents().get_data() for page in reader.pages)
        pictures = len(re.findall(rb"q 2\.8346 0 0 -2\.8346 0 [\d.]+ cm", content))
        assert pictures >= 20, "a picture beside each key sentence"
