# ruff: noqa: E501 -- one error case a line reads best.
"""Each question page's checks: every error says how to put the answer right, sits beside its
field and in the error summary, and a wrong answer changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from directory.help_offers import journey
from directory.help_offers.models import HelpOfferDraft
from tests.help_offers.conftest import VOLUNTEER, answer, walk


def _summary_links(html: str) -> list[tuple[str, str]]:
    summary = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="#([^"]+)">([^<]+)<', summary)


def _drafts(world) -> list[dict]:
    return world.run(lambda s: [d.answers for d in s.scalars(select(HelpOfferDraft))])


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


CASES = [
    ("who", {}, "Select whether you are offering help for an organisation or group, or as a volunteer"),
    ("needs", {"needs": ["not-a-need"]}, "Select at least one thing you can help with"),
    ("description", {"description": "   "}, "Describe the help you can give"),
    ("description", {"description": "x" * 1001}, "The description must be 1000 characters or fewer"),
    ("where", {}, "Enter a postcode and how far you can travel, or choose the areas where you can help"),
    ("where", {"postcode": "not a postcode", "radius": "5"}, "Enter a full postcode, like CH1 2HJ"),
    ("where", {"postcode": "CH65 9ZZ", "radius": "5"}, "We could not find that postcode"),
    ("where", {"postcode": "CH1 2HJ"}, "Enter how far from the postcode you can help, in kilometres"),
    ("where", {"postcode": "CH1 2HJ", "radius": "far"}, "Enter the distance as a number of kilometres, like 5"),
    ("where", {"postcode": "CH1 2HJ", "radius": "500"}, "Enter a distance from 0.5 to 80 kilometres"),
    ("where", {"radius": "5"}, "Enter the postcode the distance is from, or clear the distance"),
    ("where", {"places": "Qwzxyplace"}, "We could not find a place called"),
    ("when", {}, "Select the times you are available, or \u2018Any time\u2019"),
    ("when", {"availability": ["mon-am"], "any_time": "y"}, "Select \u2018Any time\u2019 or the times you are available, not both"),
    ("capacity", {"capacity": "lots"}, "Enter the number of people as a whole number, like 3"),
    ("capacity", {"capacity": "0"}, "Enter a number from 1 to 500"),
    ("contact", {"name": "Val"}, "Enter a phone number or an email address, or both"),
    ("contact", {"phone": "01632 960001"}, "Enter your name"),
    ("contact", {"name": "Val", "phone": "12"}, "Enter a UK phone number"),
    ("contact", {"name": "Val", "email": "val@"}, "Enter an email address in the correct format"),
    ("consent", {}, "Confirm that you agree to how we will use your details"),
]  # fmt: skip


@pytest.mark.parametrize(("slug", "data", "message"), CASES)
def test_each_error_says_what_to_do_and_links_to_its_field(world, slug, data, message):
    client = world.client()
    walk(client)  # every page answered, so any page can be shown
    before = _drafts(world)
    page = answer(client, slug, data)
    assert page.status_code == 200
    assert "There is a problem" in page.text and page.text.count(message.split("\u2018")[0]) >= 2
    links = _summary_links(page.text)
    assert links, page.text
    assert all(target in _ids(page.text) for target, _ in links), links
    assert page.text.startswith("<!DOCTYPE html>") and "<title>Error:" in page.text
    assert _drafts(world) == before  # nothing changed


def test_an_organisation_without_a_listing_must_give_its_name(world):
    client = world.client()
    walk(client, who={"kind": "organisation"},
         contact={"organisation_name": "Hoole Helpers", "name": "Val", "phone": "07700 900982"})  # fmt: skip
    page = answer(client, "contact", {"name": "Val", "phone": "07700 900982"})
    assert "Enter the name of your organisation or group" in page.text


def test_a_member_must_choose_a_listing_or_none(world):
    client = world.client("member_a")
    answer(client, "who", {"kind": "organisation"})
    page = answer(client, "listing", {})
    assert "Select the listing this offer is from, or \u2018None of these\u2019" in page.text
    none = answer(client, "listing", {"listing": journey.NONE_OF_THESE})
    assert none.headers["Location"].endswith("/offer-help/needs")


def test_answers_are_shown_again_when_a_page_is_revisited(world):
    client = world.client()
    walk(client)
    assert 'value="CH1 2HJ"' in client.get("/offer-help/where").text
    assert "weekly shopping" in client.get("/offer-help/description").text
    when = client.get("/offer-help/when").text
    assert re.search(r'value="mon-am"\s+checked', when)
    assert 'value="3"' in client.get("/offer-help/capacity").text
    needs = client.get("/offer-help/needs").text
    assert re.search(r'value="money"\s+checked', needs)
    assert VOLUNTEER["contact"]["email"] in client.get("/offer-help/contact").text


def test_a_signed_in_member_finds_their_name_and_email_filled_in(world):
    client = world.client("member_a")
    walk(client, who={"kind": "organisation"}, listing={"listing": world.ids["svc_a"]},
         contact={"name": "Rita River", "email": "rita@riverside.example.org"})  # fmt: skip
    answer(client, "contact", {"name": "", "email": ""})
    # A blank answer is an error, but a first visit is filled from the account:
    fresh = world.client("member_a")
    answer(fresh, "who", {"kind": "organisation"})
    for slug in ("listing", "needs", "description", "where", "when", "capacity"):
        data = {"listing": world.ids["svc_a"]} if slug == "listing" else VOLUNTEER[slug]
        answer(fresh, slug, data)
    page = fresh.get("/offer-help/contact").text
    assert 'value="Rita River"' in page and 'value="rita@riverside.example.org"' in page
