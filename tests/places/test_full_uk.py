"""The full gazetteer (default path) covers the whole UK. Skipped until it has been built."""

from __future__ import annotations

from pathlib import Path

import pytest

from directory.places.gazetteer import Gazetteer

CASES = [
    # postcode, local authority, country part, approximate (lat, lon)
    ("BT1 1AA", "N09000003", "NIR", (54.602, -5.922)),  # Belfast, on the Irish Grid
    ("EH1 1AA", "S12000036", "SCT", (55.954, -3.188)),  # Edinburgh
    ("CF10 1AA", "W06000015", "WLS", (51.479, -3.178)),  # Cardiff
    ("E1 4NS", "E09000030", "ENG", (51.525, -0.041)),  # Mile End Road, Tower Hamlets
    ("ZE1 0AA", "S12000027", "SCT", (60.15, -1.15)),  # Lerwick, Shetland
]


@pytest.mark.parametrize(("postcode", "la_code", "part", "point"), CASES)
def test_full_file_covers_the_uk(
    full_gazetteer_path: Path,
    postcode: str,
    la_code: str,
    part: str,
    point: tuple[float, float],
) -> None:
    gazetteer = Gazetteer(full_gazetteer_path)
    place = gazetteer.postcode(postcode)
    assert place is not None, postcode
    assert place.country_part == part
    assert place.latitude == pytest.approx(point[0], abs=0.02)
    assert place.longitude == pytest.approx(point[1], abs=0.02)
    assert gazetteer.local_authority(place.la_code or "") is not None
    assert place.la_code == la_code


def test_full_file_size(full_gazetteer_path: Path) -> None:
    gazetteer = Gazetteer(full_gazetteer_path)
    assert int(gazetteer.meta["postcodes"]) > 2_600_000
    assert gazetteer.outcode("BT1") is not None
