"""Northern Ireland postcodes are on the Irish Grid; the conversion must match PROJ."""

from __future__ import annotations

import pytest

from directory.places.irishgrid import irish_grid_to_wgs84

# Reference values from PROJ (pyproj 3.8, EPSG:29903 -> EPSG:4326, "TM75 to WGS 84 (2)").
CASES = [
    ((334316.0, 374675.0), (54.60244481, -5.92229147)),  # BT1 1AA, Belfast
    ((243372.0, 417390.0), (55.00209534, -7.32298569)),  # BT48 7AA, Derry
    ((200000.0, 250000.0), (53.50021163, -8.00073863)),  # the grid's true origin
    ((150000.0, 300000.0), (53.94701681, -8.76223237)),
]


@pytest.mark.parametrize(("grid", "expected"), CASES)
def test_matches_proj(grid: tuple[float, float], expected: tuple[float, float]) -> None:
    lat, lon = irish_grid_to_wgs84([grid[0]], [grid[1]])
    assert lat[0] == pytest.approx(expected[0], abs=1e-6)
    assert lon[0] == pytest.approx(expected[1], abs=1e-6)
