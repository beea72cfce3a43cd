"""Cost told honestly: free only where the listing says free, and the same answer on the
service page, the results page, the free filter and facet, and the handovers."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.db import db
from directory.listings.cost import cost_status, says_free, says_only_free, says_paid
from directory.models import CostOption
from directory.public import facts
from search_index.documents import documents_for_services
from search_index.sync import get_sync
from tests.factories import make_service
from tests.public.conftest import text_of

SEEDS = Path(__file__).parents[2] / "seeds" / "listings"


def listing(fees: str | None = None, *options: tuple) -> SimpleNamespace:
    """A listing with ``fees`` and cost options given as (amount, option, description)."""
    return SimpleNamespace(
        fees=fees,
        cost_options=[
            SimpleNamespace(amount=a, option=o, amount_description=d) for a, o, d in options
        ],
    )


@pytest.mark.parametrize(
    ("fees", "expected"),
    [
        (None, "unknown"),
        ("", "unknown"),
        ("   ", "unknown"),
        ("Free", "free"),
        ("FREE.", "free"),
        ("No charge", "free"),
        ("Free of charge", "free"),
        ("There is no cost", "free"),
        ("There is no cost to attend.", "free"),
        ("It doesn't cost anything", "free"),
        ("You don't have to pay", "free"),
        ("None", "free"),
        ("£0", "free"),
        ("Free; donations welcome", "free"),
        ("Free for carers", "free"),
        ("<p>Free&nbsp;of charge</p>", "free"),
        ("£3 a session", "paid"),
        ("&pound;3 per class", "paid"),
        ("45p a mile, paid to the driver", "paid"),
        ("There is a small charge", "paid"),
        ("A fee applies for materials", "paid"),
        ("Not free", "paid"),
        ("Free for members, £2 for others", "paid"),
        ("Free parking; sessions £4", "paid"),
        ("Pay what you can", "paid"),
        ("Donations welcome", "unknown"),
        ("£2 donation suggested", "unknown"),
        ("See website", "unknown"),
        ("N/A", "unknown"),
        ("Varies", "unknown"),
    ],
)
def test_fees_words(fees, expected):
    assert cost_status(listing(fees)) == expected


@pytest.mark.parametrize(
    ("options", "fees", "expected"),
    [
        ([(0, "Free", "No charge")], None, "free"),
        ([(0.0, "Per session", None)], None, "free"),
        ([(3, "Per session", "£3 a session")], None, "paid"),
        ([(0.5, "Tea", None)], None, "paid"),
        ([(None, "Free for carers", "Free for carers")], None, "free"),
        ([(None, "Per session", None)], None, "unknown"),
        ([(0, "Free for under 5s", "£2 for adults")], None, "paid"),
        ([(5, "Suggested donation", "Free; donations welcome")], "Free; donations welcome", "free"),
        ([(1, "Suggested donation", "£1 donation, if you can")], None, "unknown"),
        ([(0, "Free", None), (3, "Adults", None)], None, "paid"),
        ([(0, "Free", None)], "£3 for lunch", "paid"),
        ([], "Free", "free"),
    ],
)
def test_cost_options_and_fees_together(options, fees, expected):
    assert cost_status(listing(fees, *options)) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.none(), st.text(max_size=60)),
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.floats(allow_nan=False, min_value=-5, max_value=500)),
            st.one_of(st.none(), st.text(max_size=30)),
            st.one_of(st.none(), st.text(max_size=30)),
        ),
        max_size=3,
    ),
)
def test_any_listing_gets_one_of_three_answers_and_silence_is_never_free(fees, options):
    status = cost_status(listing(fees, *options))
    assert status in {"free", "paid", "unknown"}
    if not options and not (fees or "").strip():
        assert status == "unknown"
    if status == "free":
        assert any(a == 0 for a, _, _ in options) or any(
            says_free(t) for t in [fees, *(o for _, o, _ in options), *(d for _, _, d in options)]
        )


def test_words_that_only_say_free_and_words_that_name_a_price():
    assert says_only_free("Free.") and says_only_free("No charge") and says_only_free("None")
    assert not says_only_free("Free for carers") and not says_only_free("Donations welcome")
    assert says_paid("£1.50 per cup") and not says_paid("free of charge")
    assert not says_paid("£1 donation for tea and cake, if you can")


def _seed_listings() -> list[dict]:
    return [
        s for name in ("demo.json", "brief.json") for s in json.loads((SEEDS / name).read_text())
    ]


def _as_listing(record: dict) -> SimpleNamespace:
    options = [
        (c.get("amount"), c.get("option"), c.get("amount_description"))
        for c in record.get("cost_options") or []
    ]
    return listing(record.get("fees"), *options)


def test_seed_listings_that_say_free_stay_free_and_silent_ones_are_unknown():
    seeds = _seed_listings()
    statuses = {s["id"]: cost_status(_as_listing(s)) for s in seeds}
    says_free_outright = [
        s for s in seeds if any(c.get("amount") == 0 for c in s.get("cost_options") or [])
    ]
    assert says_free_outright and all(statuses[s["id"]] == "free" for s in says_free_outright)
    silent = [s for s in seeds if not s.get("cost_options") and not s.get("fees")]
    assert all(statuses[s["id"]] == "unknown" for s in silent)
    priced = [s for s in seeds if any((c.get("amount") or 0) > 0 for c in s["cost_options"])]
    donations = [s for s in priced if "donation" in json.dumps(s["cost_options"]).lower()]
    assert all(statuses[s["id"]] == "paid" for s in priced if s not in donations)


# -- on the pages and in the search -----------------------------------------------------------


@pytest.fixture
def listings(app):
    """Three listings at one place: one says free, one gives a price, one says nothing."""
    with app.app_context():
        session = db.session
        free = make_service(session, "Said Free Club", cost=("Free", 0.0))
        paid = make_service(session, "Priced Club", cost=("£3 a session", 3.0))
        silent = make_service(session, "Silent Club")
        silent.cost_options.clear()
        silent.fees = None
        session.commit()
        ids = SimpleNamespace(free=free.id, paid=paid.id, silent=silent.id)
        get_sync(app).rebuild(procs=1)
    return ids


def test_the_index_marks_only_the_listing_that_says_free(app, listings):
    with app.app_context():
        docs = documents_for_services(db.session, vars(listings).values())
        flags = {sid: [d["row"]["free"] for d in found] for sid, found in docs.items()}
    assert flags == {listings.free: [True], listings.paid: [False], listings.silent: [False]}


def test_the_service_pages_say_free_a_price_or_not_given(app, client, listings):
    def cost_section(service_id: str) -> str:
        page = client.get(f"/services/{service_id}", follow_redirects=True)
        return text_of(page.data).split(" Cost ", 1)[1].split(" How to get help ", 1)[0]

    assert cost_section(listings.free).strip() == "Free"
    assert cost_section(listings.paid).strip() == "£3 a session"
    silent = cost_section(listings.silent)
    assert "Free" not in silent
    assert silent.strip() == "Not given: contact the service to ask if there is a charge."


def test_the_free_filter_and_the_result_tags_leave_out_unknown_cost(client, listings):
    everything = text_of(client.get("/search?where=CH1+2HJ").data)
    assert all(name in everything for name in ("Said Free Club", "Priced Club", "Silent Club"))
    free_only = text_of(client.get("/search?where=CH1+2HJ&free=yes").data)
    assert "Said Free Club" in free_only
    assert "Silent Club" not in free_only and "Priced Club" not in free_only
    html = client.get("/search?where=CH1+2HJ").data.decode()
    cards = {name: html.split(f">{name}</a>", 1)[1].split("</li>", 1)[0] for name in
             ("Said Free Club", "Silent Club")}  # fmt: skip
    assert ">Free</strong>" in cards["Said Free Club"]
    assert ">Free</strong>" not in cards["Silent Club"]


def test_cost_words_on_the_page_are_said_once_and_donations_are_not_charges(session):
    service = make_service(session, "Tea Club")
    service.cost_options[:] = [
        CostOption(
            option="Suggested donation", amount=5, amount_description="Free; donations welcome"
        )
    ]
    service.fees = "Free; donations welcome"
    cost = facts.cost(service)
    assert cost.free
    assert cost.lines == ["Free; donations welcome (suggested donation £5)"] and cost.notes is None
    service.cost_options[:] = []
    service.fees = "Donations welcome"
    cost = facts.cost(service)
    assert cost.status == "unknown" and cost.known and cost.notes == "Donations welcome"
