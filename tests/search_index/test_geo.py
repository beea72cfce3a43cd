"""Places in the text box, radii, geo cells and distances."""

from __future__ import annotations

import pytest

from directory.places.gazetteer import get_gazetteer
from search_index.geo import (
    MAX_CELLS,
    cell_terms,
    cells_for_radius,
    geodesic_km,
    haversine_km,
    radius_for,
    resolve_place,
    split_place_from_text,
    try_place_in_text,
)

CHESTER = (53.19036, -2.88822)
ELLESMERE_PORT = (53.27845, -2.90253)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("food bank CH65 0AA", ("food bank", "CH65 0AA", True)),
        ("ch11aa", ("", "CH1 1AA", True)),
        ("food bank CH65", ("food bank", "CH65", False)),
        ("lunch club in Neston", ("lunch club", "Neston", False)),
        ("help with my bills", ("help with my bills", "", False)),
        ("over 65s", ("over 65s", "", False)),
    ],
)
def test_places_written_into_the_text_box(text, expected):
    assert split_place_from_text(text) == expected


def test_a_name_after_in_stays_a_word_unless_it_is_a_town():
    gazetteer = get_gazetteer()
    assert try_place_in_text(gazetteer, "support in crisis", None) == ("support in crisis", None)
    rest, answer = try_place_in_text(gazetteer, "lunch club near Winsford", None)
    assert rest == "lunch club" and answer.place.name == "Winsford"


def test_unknown_places_get_a_message_never_an_exception():
    answer = resolve_place(get_gazetteer(), "Chesterr", None)
    assert answer.place is None and "Chester" in answer.message
    assert [p.name for p in answer.alternatives][:1] == ["Chester"]
    assert resolve_place(None, "CH1 1AA", None).message.startswith("Searching by place")
    assert resolve_place(get_gazetteer(), "", None).message is None


def test_the_place_carries_its_local_authorities():
    answer = resolve_place(get_gazetteer(), "CH1 1AA", None)
    assert answer.kind == "postcode" and answer.area_codes == {"E06000050"}


def test_default_radius_depends_on_the_kind_of_place_and_requests_are_clamped():
    assert radius_for("postcode", None) == 8.0
    assert radius_for("town", None) == 10.0
    assert radius_for("postcode", 3) == 3.0
    assert radius_for("postcode", 10_000) == 80.0
    assert radius_for("postcode", float("nan")) == 8.0
    assert radius_for("postcode", -1) == 8.0


def test_cells_cover_the_circle_with_few_terms():
    for radius in (1, 8, 25, 80):
        cells = cells_for_radius(*CHESTER, radius)
        assert 0 < len(cells) <= MAX_CELLS or cells[0].startswith("2:")
        # A venue 7 km away is inside a cell of an 8 km search.
    near = cell_terms(*ELLESMERE_PORT)
    assert set(near) & set(cells_for_radius(*CHESTER, 12))


def test_fast_distance_agrees_with_the_geodesic_one():
    fast = haversine_km(*CHESTER, *ELLESMERE_PORT)
    exact = geodesic_km(*CHESTER, *ELLESMERE_PORT)
    assert abs(fast - exact) / exact < 0.005
    assert 9.5 < exact < 10.5


def test_shown_distance_is_geopys_geodesic_to_the_millimetre():
    """``geodesic_km`` (Vincenty, fast) gives what geopy's geodesic gives, from next door to
    across the world, the nearly antipodal case (where Vincenty fails) included."""
    import random

    from geopy.distance import geodesic

    rng = random.Random(5)
    pairs = [
        (
            (rng.uniform(49.9, 60.9), rng.uniform(-8.2, 1.8)),
            (rng.uniform(49.9, 60.9), rng.uniform(-8.2, 1.8)),
        )
        for _ in range(200)
    ]
    pairs += [(CHESTER, CHESTER), (CHESTER, (CHESTER[0] + 1e-6, CHESTER[1])), ((0.0, 0.0),
              (0.5, 179.7)), ((53.2, -2.9), (-33.9, 151.2))]  # fmt: skip
    for a, b in pairs:
        assert abs(geodesic_km(*a, *b) - geodesic(a, b).km) < 1e-6, (a, b)
