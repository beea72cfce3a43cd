"""The public offer form under attack: CSRF tokens on every POST, a rate limit on sending,
and any text in any field answered without a 500 and stored cleaned."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from directory.help_offers.models import HelpOffer, HelpOfferDraft
from tests.accounts.conftest import csrf_token
from tests.help_offers.conftest import VOLUNTEER, answer, send, walk


def _count(world, model) -> int:
    return world.run(lambda s: len(s.scalars(select(model)).all()))


def test_with_csrf_on_a_post_without_its_token_is_refused_and_saves_nothing(make_world):
    world = make_world(WTF_CSRF_ENABLED=True)
    client = world.client()
    refused = answer(client, "who", {"kind": "volunteer"})
    assert refused.status_code == 400 and _count(world, HelpOfferDraft) == 0
    # Through the pages with their tokens, all the way to a sent offer.
    url = "/offer-help/who"
    while not url.endswith("/check"):
        page = client.get(url)
        slug = url.rsplit("/", 1)[-1]
        response = client.post(url, data={**VOLUNTEER[slug], "csrf_token": csrf_token(page.data)})
        assert response.status_code == 303, (slug, response.status_code)
        url = response.headers["Location"]
    assert send(client).status_code == 400  # the send button needs its token too
    assert _count(world, HelpOffer) == 0
    token = csrf_token(client.get("/offer-help/check").data)
    assert send(client, csrf_token=token).status_code == 303
    assert _count(world, HelpOffer) == 1


def test_staff_actions_need_their_token_too(make_world):
    world = make_world(WTF_CSRF_ENABLED=True)
    client = world.client()
    walk_with_tokens(client)
    send(client, csrf_token=csrf_token(client.get("/offer-help/check").data))
    offer_id = world.run(lambda s: s.scalar(select(HelpOffer.id)))
    staff = world.client("moderator")
    assert staff.post(f"/staff/offers/{offer_id}/approve").status_code == 400
    page = staff.get(f"/staff/offers/{offer_id}")
    approved = staff.post(
        f"/staff/offers/{offer_id}/approve", data={"csrf_token": csrf_token(page.data)}
    )
    assert approved.status_code == 303


def walk_with_tokens(client) -> None:
    url = "/offer-help/who"
    while not url.endswith("/check"):
        slug = url.rsplit("/", 1)[-1]
        token = csrf_token(client.get(url).data)
        url = client.post(url, data={**VOLUNTEER[slug], "csrf_token": token}).headers["Location"]


def test_a_flood_of_offers_gets_429_per_address_and_saves_only_what_the_limit_allows(make_world):
    world = make_world(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                       RATELIMIT_OFFER="3 per minute")  # fmt: skip
    client = world.client()
    statuses = []
    for _ in range(5):
        walk(client)
        statuses.append(send(client).status_code)
    assert statuses == [303, 303, 303, 429, 429]
    assert _count(world, HelpOffer) == 3
    refused = send(client)
    assert b"Sorry, there have been too many requests" in refused.data
    assert "Retry-After" in refused.headers
    other = world.app.test_client()
    walk(other)
    assert (
        other.post("/offer-help/check", environ_base={"REMOTE_ADDR": "192.0.2.9"}).status_code
        == 303
    )


def test_the_default_offer_limit_is_five_a_minute(make_world):
    world = make_world(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    assert world.app.config["RATELIMIT_OFFER"] == "5 per minute;20 per hour"
    client = world.client()
    answers = [client.post("/offer-help/check").status_code for _ in range(6)]
    assert answers == [303] * 5 + [429]


HUGE = ["A" * 100_000, "\U0001f4a5" * 20_000, "\x00" * 500, "\r\n" * 5_000]
NASTY = [
    "<script>alert(1)</script>",
    "'; DROP TABLE help_offer; --",
    "{{7*7}}",
    "\u202egnp.exe",
    "CH1 2HJ\x00",
    "nan",
    "inf",
    "-1",
    "1e9",
    "\u0661\u0662",
    "\u00b2",
    " ",
]
#: Any text a browser can send (UTF-8 cannot carry lone surrogates).
text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=300),
    st.sampled_from(HUGE + NASTY),
)
FIELDS = {
    "description": ["description"],
    "where": ["postcode", "radius", "places"],
    "capacity": ["capacity"],
    "contact": ["organisation_name", "name", "phone", "email"],
    "who": ["kind"],
    "needs": ["needs"],
    "when": ["availability"],
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    page=st.sampled_from(sorted(FIELDS)),
    values=st.dictionaries(st.sampled_from(sorted({f for v in FIELDS.values() for f in v})), text),
)
def test_any_text_in_any_field_never_takes_the_site_down(world, page, values):
    client = world.client()
    contact = {"organisation_name": "Group", "name": "Val", "phone": "07700 900982"}
    walk(client, who={"kind": "organisation"}, contact=contact)
    response = answer(client, page, values)
    assert response.status_code in (200, 303), response.status_code
    if response.status_code == 200:
        assert "There is a problem" in response.text
    check = client.get("/offer-help/check")
    assert check.status_code in (200, 303)
    if check.status_code == 200:
        assert send(client).status_code == 303
        stored = world.run(
            lambda s: [
                (o.description, o.name, o.phone, o.email, o.postcode, *o.areas,
                 o.extra.get("organisation_name"))
                for o in s.scalars(select(HelpOffer))
            ]
        )  # fmt: skip
        for row in stored:
            for value in row:
                assert value is None or not _CONTROL.search(value)
        assert all(len(row[0]) <= 1000 for row in stored)
