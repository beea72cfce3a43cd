"""HTML descriptions from feeds: safe markup for pages, plain text everywhere else."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from directory.listings.html import MAX_CHARS, html_to_line, html_to_text, is_html, safe_html
from directory.listings.links import safe_link

#: A description shaped like the ones councils' feeds send (Word, a CMS editor, by hand).
COUNCIL = (
    '<p class="MsoNormal"><span style="font-family:Arial">Glitch is a friendly group for '
    "young people aged 11&nbsp;to&nbsp;18 who are LGBTQ+ or questioning.<o:p></o:p></span></p>"
    "<!--[if gte mso 9]><xml><w:WordDocument>Normal</w:WordDocument></xml><![endif]-->"
    "<h3>What we do</h3><ul><li>Games &amp; films</li><li>Art<br></li><li>&nbsp;</li></ul>"
    '<p>Find out more at <a href="https://glitch.example.org" target="_blank">our site</a> '
    "or <a href=\"javascript:alert('x')\">click here</a>.</p>"
    "<script>document.location='https://evil.example'</script>"
    "<style>p { color: red }</style><p>&nbsp;</p>"
    "<img src=x onerror=alert(1)>"
)
TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:_-]*(?:\s[^<>]*)?/?>|<!--")


class _Elements(HTMLParser):
    """Every element and attribute in markup, as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)


def elements(markup: str) -> _Elements:
    parser = _Elements()
    parser.feed(markup)
    parser.close()
    return parser


def test_a_council_description_becomes_govuk_markup():
    shown = str(safe_html(COUNCIL))
    assert shown == (
        '<p class="govuk-body">Glitch is a friendly group for young people aged 11 to 18 who '
        "are LGBTQ+ or questioning.</p>\n"
        '<p class="govuk-body"><strong>What we do</strong></p>\n'
        '<ul class="govuk-list govuk-list--bullet"><li>Games &amp; films</li><li>Art<br></li>'
        "<li> </li></ul>\n"
        '<p class="govuk-body">Find out more at <a class="govuk-link" '
        'href="https://glitch.example.org" rel="noopener noreferrer nofollow">our site</a> '
        "or click here.</p>"
    )


def test_a_council_description_as_plain_text():
    assert html_to_text(COUNCIL) == (
        "Glitch is a friendly group for young people aged 11 to 18 who are LGBTQ+ or "
        "questioning.\n\nWhat we do\n\n• Games & films\n• Art\n\n"
        "Find out more at our site or click here."
    )
    assert html_to_line(COUNCIL).startswith("Glitch is a friendly group for young people aged")
    assert "\n" not in html_to_line(COUNCIL)


def test_plain_text_is_paragraphs_as_before():
    text = "Drop in for tea & a chat.\n\nAges <18 with a parent.\nBring a friend."
    assert not is_html(text)
    assert str(safe_html(text)) == (
        '<p class="govuk-body">Drop in for tea &amp; a chat.</p>\n'
        '<p class="govuk-body">Ages &lt;18 with a parent.\nBring a friend.</p>'
    )
    assert html_to_text(text) == text


def test_markup_escaped_twice_is_read_as_markup():
    text = "&lt;p&gt;Advice &amp;amp; support&amp;nbsp;here&lt;/p&gt;&lt;p&gt;Call us&lt;/p&gt;"
    assert is_html(text)
    assert html_to_text(text) == "Advice & support here\n\nCall us"
    assert str(safe_html(text)) == (
        '<p class="govuk-body">Advice &amp; support here</p>\n<p class="govuk-body">Call us</p>'
    )


def test_line_breaks_blocks_headings_and_numbered_lists():
    text = "One<br>still one<br><br>Two<div>Three</div><h2>Four</h2><ol><li>a</li><li>b</li></ol>"
    assert html_to_text(text) == "One\nstill one\n\nTwo\n\nThree\n\nFour\n\n1. a\n2. b"
    assert str(safe_html(text)) == (
        '<p class="govuk-body">One<br>still one</p>\n<p class="govuk-body">Two</p>\n'
        '<p class="govuk-body">Three</p>\n<p class="govuk-body"><strong>Four</strong></p>\n'
        '<ol class="govuk-list govuk-list--number"><li>a</li><li>b</li></ol>'
    )


def test_links_keep_only_web_email_and_phone_addresses():
    text = (
        '<a href="mailto:help@example.org">email</a> <a href="tel:01632960001">call</a> '
        '<a href="data:text/html,x">data</a> <a href="/relative">here</a> '
        '<a href=" java&#09;script:alert(1)">tab</a> <a href="ftp://x.example.org">ftp</a>'
    )
    hrefs = [v for _, name, v in elements(str(safe_html(text))).attributes if name == "href"]
    assert hrefs == ["mailto:help@example.org", "tel:01632960001"]
    assert html_to_text(text) == "email call data here tab ftp"


def test_empty_and_junk_only_descriptions_show_nothing():
    assert safe_html(None) == Markup("") and html_to_text(None) == ""
    assert safe_html("<p>&nbsp;</p><script>x()</script>") == Markup("")
    assert html_to_text("<p>&nbsp;</p><style>p{}</style>") == ""


def test_inline_markup_that_spans_paragraphs_stays_well_formed():
    shown = str(safe_html("<b>Bold<p>inside</p>after</b><em>end"))
    assert shown.count("<b>") == shown.count("</b>")
    assert shown.count("<em>") == shown.count("</em>")
    assert html_to_text("<b>Bold<p>inside</p>after</b><em>end") == "Bold\n\ninside\n\nafterend"


# -- hostile input, generated -----------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "<script>", "</script>", "<script src=//x.example>", "<SCRIPT>alert(1)</SCRIPT>",
        "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">', '<a href="JaVaScRiPt:x">',
        "<a href='java\tscript:x'>", '<a href="https://ok.example">', "</a>", "<p>", "</p>",
        "<div onclick=x()>", "<svg onload=alert(1)>", "<iframe src=javascript:x>", "<br>",
        "<li>", "<ul>", "</ul>", "<style>", "</style>", "<!--", "-->", "&lt;script&gt;",
        "&amp;lt;img src=x onerror=alert(1)&amp;gt;", "&nbsp;", "&#60;script&#62;", "<b>",
        '"', "'", ">", "<", "&", "onerror=", "javascript:", "<math><mtext><table><mglyph>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", "\x00", "\n\n",
        "<h3>", "<ol>", "<a href=\"mailto:x@example.org\" onmouseover=\"x()\">",
    ]
)  # fmt: skip
hostile = st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=25).map("".join)


def _assert_safe(markup: str) -> None:
    assert "<script" not in markup.lower()
    found = elements(markup)
    assert set(found.tags) <= {"p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "a"}
    for tag, name, value in found.attributes:
        assert not name.startswith("on"), (tag, name)
        assert name in {"class", "href", "rel"}, (tag, name)
        if name == "href":
            assert "javascript:" not in value.lower()
            assert safe_link(value) == value


@settings(max_examples=250, deadline=None)
@given(hostile)
def test_safe_html_never_lets_script_handlers_or_javascript_links_through(text):
    _assert_safe(str(safe_html(text)))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_safe_html_of_any_text_is_safe(text):
    _assert_safe(str(safe_html(text)))


@settings(max_examples=250, deadline=None)
@given(st.one_of(hostile, st.text(max_size=200)))
def test_html_to_text_never_contains_a_tag(text):
    plain = html_to_text(text)
    assert not TAG.search(plain), plain
    assert html_to_line(text) == " ".join(plain.split())


def test_a_huge_description_is_read_only_up_to_the_cap_and_stays_quick():
    huge = "<p>word <b>x</b></p>" * 60_000  # 1.2 MB, 180,000 tags
    assert html_to_text(huge).count("word x") == MAX_CHARS // len("<p>word <b>x</b></p>")
    assert str(safe_html(huge)).count("<p") <= MAX_CHARS // len("<p>word <b>x</b></p>") + 1
