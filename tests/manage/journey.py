"""Drive the register journey through the test client, one step at a time (shared by the
journey, edit, access and hostile-input tests)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

ORGANISATION = {
    "name": "Blacon Baby Bounce",
    "description": "Parents and volunteers in Blacon.",
    "website": "blacon-bounce.example.org",
    "email": "hello@blacon-bounce.example.org",
    "phone": "01632 960777",
}
SERVICE = {
    "name": "Baby Bounce and Rhyme",
    "description": "Befriending for lonely and isolated new parents: a friendly weekly group "
    "with songs, rhymes and a chat for parents and carers with babies.",
    "website": "",
}
WHO = {"minimum_age": "", "maximum_age": "5", "eligibility": ""}
COST = {"cost": "free", "amount": "", "details": ""}
ACCESS = {"access": "drop_in", "how": ""}
CONTACT = {"contact_name": "Sam", "phone": "01632 960777", "email": ""}
SESSION = {"frequency": "weekly", "days": ["TU"], "opens": "10am", "closes": "11:30am"}
#: Every question page with answers it accepts (the place and the sessions need ids).
GOOD_ANSWERS = {
    "organisation": ORGANISATION,
    "service": SERVICE,
    "who": WHO,
    "cost": COST,
    "access": ACCESS,
    "contact": CONTACT,
    "where": {"mode": "place", "also": ["phone"]},
    "address": {"address_1": "1 Church Lane", "town": "Chester", "postcode": "ch1 2hj"},
    "when": {"notes": "Closed in August."},
    "area": {"areas": ["E06000050"], "other": ""},
}


@dataclass
class Page:
    """What a test reads of a page: its text, its inputs and the labels of its checkboxes."""

    html: str
    inputs: list[dict[str, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    textareas: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.html)))

    def value_of(self, name: str, label: str) -> str:
        """The value of the checkbox or radio ``name`` whose label ends with ``label``."""
        for item in self.inputs:
            if item.get("name") == name and self.labels.get(item.get("id", ""), "").endswith(label):
                return item["value"]
        raise AssertionError(f"no {name} labelled {label!r}")

    def checked(self, name: str) -> list[str]:
        return [i["value"] for i in self.inputs if i.get("name") == name and "checked" in i]

    def form_data(self) -> dict[str, list[str]]:
        """What the browser would send for the page's POST form as it stands."""
        data: dict[str, list[str]] = {}
        for item in self.inputs:
            name, kind = item.get("name"), item.get("type", "text")
            if not name or name in {"csrf_token", "q"} or kind in {"submit", "button"}:
                continue
            if kind in {"checkbox", "radio"} and "checked" not in item:
                continue
            data.setdefault(name, []).append(item.get("value", ""))
        for name, value in self.textareas.items():
            data.setdefault(name, []).append(value)
        return data

    def error_summary(self) -> list[str]:
        found = re.search(r'govuk-error-summary__list">(.*?)</ul>', self.html, re.S)
        items = re.findall(r"<a [^>]*>(.*?)</a>", found.group(1), re.S) if found else []
        return [unescape(i.strip()) for i in items]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page("")
        self._label: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "input":
            self.page.inputs.append(values)
        elif tag == "label" and values.get("for"):
            self._label = values["for"]
            self.page.labels[self._label] = ""
        elif tag == "textarea" and values.get("name"):
            self._textarea = values["name"]
            self.page.textareas[self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self.page.labels[self._label] += data
        if self._textarea is not None:
            self.page.textareas[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            # The browser drops one newline right after <textarea>.
            self.page.textareas[self._textarea] = self.page.textareas[self._textarea].removeprefix(
                "\n"
            )
            self._textarea = None
        if tag == "label" and self._label is not None:
            self.page.labels[self._label] = " ".join(self.page.labels[self._label].split())
            self._label = None


def read(response: TestResponse) -> Page:
    html = response.get_data(as_text=True)
    reader = _Reader()
    reader.convert_charrefs = True
    reader.feed(html)
    reader.page.html = html
    return reader.page


def location(response: TestResponse) -> str:
    assert response.status_code in (302, 303), (response.status_code, response.data[:2000])
    return response.headers["Location"]


def start(client: FlaskClient, org_id: str) -> str:
    """Start a new listing; the proposal id."""
    url = location(client.post(f"/manage/organisations/{org_id}/new", data={}))
    found = re.search(r"/manage/proposals/([0-9a-f-]{36})/", url)
    assert found, url
    return found.group(1)


def post_step(client: FlaskClient, pid: str, slug: str, data: dict) -> TestResponse:
    return client.post(f"/manage/proposals/{pid}/{slug}", data=data)


def through_matches(client: FlaskClient, response: TestResponse) -> str:
    """Follow a step's redirect, saying "none of these is ours" if it offers matches."""
    target = location(response)
    if "/matches" in target:
        target = location(client.post(target, data={}))
    return target


def register(
    client: FlaskClient,
    org_id: str,
    hub_id: str,
    *,
    submit: bool = True,
    pid: str | None = None,
) -> str:
    """Every step with good answers: a free weekly session at the hub, the suggested needs."""
    pid = pid or start(client, org_id)
    for slug in ("organisation", "service"):
        through_matches(client, post_step(client, pid, slug, GOOD_ANSWERS[slug]))
    who = read(client.get(f"/manage/proposals/{pid}/who"))
    carers = who.value_of("client_groups", "Carers")
    location(post_step(client, pid, "who", WHO | {"client_groups": [carers]}))
    for slug in ("cost", "access", "contact", "where"):
        location(post_step(client, pid, slug, GOOD_ANSWERS[slug]))
    location(post_step(client, pid, "place", {"location_id": hub_id}))
    location(client.post(f"/manage/proposals/{pid}/sessions/0", data=SESSION))
    for slug in ("when", "area"):
        location(post_step(client, pid, slug, GOOD_ANSWERS[slug]))
    needs = read(client.get(f"/manage/proposals/{pid}/needs")).checked("needs")
    assert needs, "the description should suggest needs"
    location(post_step(client, pid, "needs", {"needs": needs}))
    if submit:
        done = location(client.post(f"/manage/proposals/{pid}/check", data={}))
        assert done.endswith(f"/manage/proposals/{pid}/submitted"), done
    return pid
