"""The duplicate rules on their own: names, contacts and verdicts, without a database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.listings.duplicates.candidates import Blocks
from directory.listings.duplicates.contacts import (
    email_key,
    phone_digits,
    postcode_key,
    site_key,
)
from directory.listings.duplicates.models import Strength
from directory.listings.duplicates.names import compare_names, name_words
from directory.listings.duplicates.rules import Listing, compare


def listing(name: str, sid: str = "", **values) -> Listing:
    """A listing as the loader would build it; ``city`` and ``org`` add qualifier words."""
    org = values.pop("org", None)
    city = values.pop("city", None)
    found = Listing(id=sid or name, name=name, words=name_words(name))
    if org:
        found.organization_id = f"org-{org}"
        found.organization_name = org
        found.organization_key = " ".join(sorted(name_words(org)))
        found.qualifiers.update(name_words(org))
    if city:
        found.qualifiers.update(name_words(city))
    found.postcodes = {postcode_key(p) for p in values.pop("postcodes", ())}
    found.phones = {phone_digits(p): p for p in values.pop("phones", ())}
    found.emails = {email_key(e) for e in values.pop("emails", ())}
    found.sites = {site_key(s) for s in values.pop("sites", ())}
    assert not values, values
    return found


@pytest.mark.parametrize(
    "spelling",
    [
        "Memory Café - Chester",
        "Memory cafe (Chester)",
        "CHESTER MEMORY CAFE",
        "The Chester Memory Cafe Group",
    ],
)
def test_one_name_spelt_many_ways_is_the_same_name(spelling):
    match = compare_names(name_words("Chester Memory Cafe"), name_words(spelling))
    assert match.score == 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Knit & Natter", "Knit and Natter"),
        ("St Werburgh's Foodbank", "Saint Werburghs Food Bank"),
        ("Hoole Comunity Pantry", "Hoole Community Pantry"),
        ("Upton Community Center", "Upton Community Centre"),
        ("Men's Shed Ltd", "Mens Shed CIC"),
        ("Parents' Lunch Club Service", "Parents Lunch Club Sevice"),
    ],
)
def test_punctuation_accents_misspellings_and_legal_words_do_not_matter(a, b):
    assert compare_names(name_words(a), name_words(b)).score == 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Tuesday Friendship Club", "Thursday Friendship Club"),
        ("Memory Cafe (2nd Tuesday)", "Memory Cafe (4th Tuesday)"),
        ("Chester Walking Football", "Neston Walking Football"),
        ("Advice Line", "Debt Advice Line"),
        ("Autism Advice Line", "Autism Information Line"),
    ],
)
def test_names_that_differ_in_a_telling_word_are_not_near_same(a, b):
    assert compare_names(name_words(a), name_words(b)).score < 0.88


def test_a_town_or_organisation_word_on_one_side_only_qualifies_the_name():
    plain = compare_names(name_words("Memory Cafe"), name_words("Chester Memory Cafe"))
    qualified = compare_names(
        name_words("Memory Cafe"), name_words("Chester Memory Cafe"), frozenset({"chester"})
    )
    assert plain.score == 0.8
    assert qualified.score == 0.95
    # ...but not when each name carries its own town: they name two places.
    towns = frozenset({"chester", "neston"})
    assert (
        compare_names(
            name_words("Chester Memory Cafe"), name_words("Neston Memory Cafe"), towns
        ).score
        < 0.88
    )


def test_a_town_the_directory_knows_qualifies_a_name_without_an_address():
    places = frozenset({"stourport", "chester"})
    plain = listing("Women's Cycling Club", phones=["01632 960300"], org="Cycle Trust")
    bracketed = listing("Women's Cycling Club (Stourport)", phones=["01632 960300"], org="Feed 2")
    assert compare(plain, bracketed).strength == Strength.POSSIBLE
    plain.places = bracketed.places = places
    verdict = compare(plain, bracketed)
    assert verdict.strength == Strength.LIKELY
    assert verdict.reasons == ["similar name (0.95)", "same phone 01632 960300"]


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("01244 977000", "01244977000"),
        ("(01244) 977 000", "01244977000"),
        ("+44 (0)1244 977000", "01244977000"),
        ("+441244977000", "01244977000"),
        ("0300 123 8123", "03001238123"),
        ("116 123", None),
        ("01244 977000 / 07700 900123 / 0151 000 0000", None),
        ("", None),
        (None, None),
    ],
)
def test_phone_numbers_reduce_to_their_national_digits(raw, digits):
    assert phone_digits(raw) == digits


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("https://www.example.org/cafe/", "example.org/cafe"),
        ("http://example.org/cafe?utm_source=feed#top", "example.org/cafe"),
        ("www.Example.org", "example.org"),
        ("https://example.org/index.html", "example.org"),
        ("javascript:alert(1)", None),
        ("not a web address", None),
        ("http://[::1", None),
        (None, None),
    ],
)
def test_web_addresses_reduce_to_host_and_path(raw, key):
    assert site_key(raw) == key


def test_emails_and_postcodes_reduce_to_one_spelling():
    assert email_key(" Info@Example.ORG ") == "info@example.org"
    assert email_key("mailto:info@example.org") == "info@example.org"
    assert email_key("not an email") is None
    assert postcode_key("ch65 0aa") == postcode_key("CH650AA") == "CH650AA"
    assert postcode_key("CH65") is None


def test_near_same_names_at_one_postcode_are_likely():
    verdict = compare(
        listing("Chester Memory Cafe", postcodes=["CH1 2HJ"], org="Age Concern Chester"),
        listing("Memory Café - Chester", postcodes=["ch1 2hj"], org="Chester Dementia Friends"),
    )
    assert verdict.strength == Strength.LIKELY
    assert verdict.reasons == ["same name at CH1 2HJ"]


def test_a_shared_phone_and_a_similar_name_across_feeds_is_likely_without_a_postcode():
    verdict = compare(
        listing("Chester Memory Cafe", postcodes=["CH1 2HJ"], phones=["01244 977000"], org="A"),
        listing("Memory cafe (Chester)", phones=["(01244) 977 000"], org="B"),
    )
    assert verdict.strength == Strength.LIKELY
    assert verdict.reasons == ["same name", "same phone 01244 977000"]


def test_a_shared_switchboard_with_different_names_is_not_flagged():
    council = {"org": "Cheshire West and Chester Council", "phones": ["0300 123 8123"]}
    for other in ("Adult Social Care", "Chester Registration Office", "Blue Badge Applications"):
        assert compare(listing("Chester Library", **council), listing(other, **council)) is None


def test_one_organisations_services_sharing_a_contact_are_not_flagged():
    shared = {
        "org": "Juniper Autism Network",
        "emails": ["info@example.org"],
        "phones": ["01632 960101"],
        "sites": ["https://example.org/"],
    }
    names = ["Autism Advice Line", "Autism Information Line", "Autism Social Group"]
    for a in names:
        for b in names:
            if a != b:
                assert compare(listing(a, **shared), listing(b, **shared)) is None


def test_branches_of_one_organisation_in_different_places_are_not_flagged():
    org = {"org": "Age UK Cheshire", "phones": ["0300 123 8123"]}
    chester = listing("Memory Cafe (Chester)", postcodes=["CH1 2HJ"], city="Chester", **org)
    neston = listing("Memory Cafe (Neston)", postcodes=["CH64 3RL"], city="Neston", **org)
    plain = listing("Memory Cafe", postcodes=["CH64 3RL"], city="Neston", **org)
    assert compare(chester, neston) is None
    assert compare(chester, plain) is None


def test_a_related_name_with_a_shared_contact_between_organisations_is_possible():
    verdict = compare(
        listing("Blacon Food Bank", phones=["01632 960555"], org="Blacon Food Bank Trust"),
        listing("Food Bank at Blacon Hub", phones=["01632 960555"], org="St Chad Church"),
    )
    assert verdict.strength == Strength.POSSIBLE
    assert verdict.reasons == ["same phone 01632 960555", "related name (0.86)"]


def test_the_same_name_elsewhere_is_possible_only_nearby():
    near = compare(
        listing("Whitby Warm Space", postcodes=["CH65 2AH"], org="Whitby Church"),
        listing("Whitby Warm Space", postcodes=["CH65 2AJ"], org="Cheshire Warm Spaces"),
    )
    assert near.strength == Strength.POSSIBLE
    assert near.reasons == ["same name nearby (CH65 2AH / CH65 2AJ)"]
    far = compare(
        listing("Walking Football", postcodes=["CH1 1NW"], org="A"),
        listing("Redditch Walking Football", postcodes=["B97 6HH"], city="Redditch", org="B"),
    )
    assert far is None


def test_the_same_name_with_nothing_else_to_compare_is_possible():
    verdict = compare(
        listing("Blacon Memory Cafe", org="A"), listing("Blacon Memory Café", org="B")
    )
    assert verdict.strength == Strength.POSSIBLE


def test_an_empty_name_is_never_flagged():
    same = {"postcodes": ["CH1 2HJ"], "phones": ["01244 977000"], "org": "A"}
    assert compare(listing("", **same), listing("", **same)) is None
    assert compare(listing("  -  ", **same), listing("Memory Cafe", **same)) is None


def test_a_repeated_record_of_one_organisation_without_a_place_is_likely():
    a = listing("Carers Advice Line", "1", org="Cheshire Carers", phones=["01632 960200"])
    b = listing("Carers' Advice Line", "2", org="Cheshire Carers", phones=["01632 960200"])
    verdict = compare(a, b)
    assert verdict.strength == Strength.LIKELY
    assert "same organisation (Cheshire Carers)" in verdict.reasons


def test_big_blocks_are_only_compared_within_a_name():
    council = {"org": "Big Council", "phones": ["0300 123 8123"]}
    listings = {str(i): listing(f"Service number {i}", str(i), **council) for i in range(400)}
    listings["a"] = listing("Chester Library", "a", **council)
    listings["b"] = listing("Chester Library", "b", **council)
    blocks = Blocks(listings)
    assert blocks.candidates("a") == {"b"}
    assert len(blocks.candidates("7")) == 0


_text = st.text(max_size=60)
_maybe = st.none() | _text


@given(
    names=st.tuples(_text, _text),
    phones=st.lists(_maybe, max_size=3),
    emails=st.lists(_maybe, max_size=3),
    sites=st.lists(_maybe, max_size=3),
    postcodes=st.lists(_maybe, max_size=3),
)
def test_arbitrary_names_and_contacts_never_raise(names, phones, emails, sites, postcodes):
    made = []
    for i, name in enumerate(names):
        item = Listing(
            id=str(i), name=name, words=name_words(name), qualifiers=set(name_words(name))
        )
        item.phones = {d: str(p) for p in phones if (d := phone_digits(p))}
        item.emails = {k for e in emails if (k := email_key(e))}
        item.sites = {k for s in sites if (k := site_key(s))}
        item.postcodes = {k for p in postcodes if (k := postcode_key(p))}
        made.append(item)
    verdict = compare(*made)
    if verdict is not None:
        assert verdict.reasons and 0.6 <= verdict.score <= 1.0
