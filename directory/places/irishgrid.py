"""Irish Grid eastings/northings to WGS84 latitude/longitude, vectorised with numpy.

The ONS Postcode Directory gives Northern Ireland (BT) postcodes on the Irish Grid, not the
British National Grid, and ``convertbng`` only knows the British grid (OSTN15). Feeding BT
eastings to it puts Belfast in the sea off Cumbria, so BT postcodes are converted here instead.

Method (Ordnance Survey's published formulae): inverse transverse Mercator on the Airy Modified
1849 ellipsoid with the Irish Grid's projection constants, then a seven-parameter Helmert
transformation from the TM75 datum to WGS84 (EPSG:1956, about 1 m accuracy), then back to
latitude/longitude on the WGS84 ellipsoid. That is far better than the 1 m precision a postcode
centroid has anyway.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Airy Modified 1849 ellipsoid and the Irish Grid projection.
_A, _B = 6377340.189, 6356034.447
_F0 = 1.000035
_LAT0, _LON0 = np.radians(53.5), np.radians(-8.0)
_E0, _N0 = 200000.0, 250000.0

# WGS84 ellipsoid.
_WA, _WB = 6378137.0, 6356752.314245

# TM75 -> WGS84 (EPSG:1956), position-vector convention, the same parameters PROJ uses.
_TX, _TY, _TZ = 482.5, -130.6, 564.6
_ARCSEC = np.pi / (180 * 3600)
_RX, _RY, _RZ = -1.042 * _ARCSEC, -0.214 * _ARCSEC, -0.631 * _ARCSEC
_S = 8.15e-6


def _meridional_arc(lat: NDArray[np.float64]) -> NDArray[np.float64]:
    n = (_A - _B) / (_A + _B)
    d, s = lat - _LAT0, lat + _LAT0
    return (
        _B
        * _F0
        * (
            (1 + n + 1.25 * n**2 + 1.25 * n**3) * d
            - (3 * n + 3 * n**2 + 2.625 * n**3) * np.sin(d) * np.cos(s)
            + (1.875 * n**2 + 1.875 * n**3) * np.sin(2 * d) * np.cos(2 * s)
            - (35 / 24) * n**3 * np.sin(3 * d) * np.cos(3 * s)
        )
    )


def _grid_to_tm75(
    eastings: NDArray[np.float64], northings: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    e2 = 1 - (_B * _B) / (_A * _A)
    lat = (northings - _N0) / (_A * _F0) + _LAT0
    for _ in range(10):
        lat = lat + (northings - _N0 - _meridional_arc(lat)) / (_A * _F0)
    sin2 = np.sin(lat) ** 2
    nu = _A * _F0 / np.sqrt(1 - e2 * sin2)
    rho = _A * _F0 * (1 - e2) * (1 - e2 * sin2) ** -1.5
    eta2 = nu / rho - 1
    tan, sec = np.tan(lat), 1 / np.cos(lat)
    t2, t4, t6 = tan**2, tan**4, tan**6
    vii = tan / (2 * rho * nu)
    viii = tan / (24 * rho * nu**3) * (5 + 3 * t2 + eta2 - 9 * t2 * eta2)
    ix = tan / (720 * rho * nu**5) * (61 + 90 * t2 + 45 * t4)
    x = sec / nu
    xi = sec / (6 * nu**3) * (nu / rho + 2 * t2)
    xii = sec / (120 * nu**5) * (5 + 28 * t2 + 24 * t4)
    xiia = sec / (5040 * nu**7) * (61 + 662 * t2 + 1320 * t4 + 720 * t6)
    de = eastings - _E0
    phi = lat - vii * de**2 + viii * de**4 - ix * de**6
    lam = _LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return phi, lam


def _to_wgs84(
    phi: NDArray[np.float64], lam: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    e2 = 1 - (_B * _B) / (_A * _A)
    nu = _A / np.sqrt(1 - e2 * np.sin(phi) ** 2)
    x1 = nu * np.cos(phi) * np.cos(lam)
    y1 = nu * np.cos(phi) * np.sin(lam)
    z1 = (1 - e2) * nu * np.sin(phi)
    x2 = _TX + x1 * (1 + _S) - y1 * _RZ + z1 * _RY
    y2 = _TY + x1 * _RZ + y1 * (1 + _S) - z1 * _RX
    z2 = _TZ - x1 * _RY + y1 * _RX + z1 * (1 + _S)
    we2 = 1 - (_WB * _WB) / (_WA * _WA)
    p = np.hypot(x2, y2)
    lat = np.arctan2(z2, p * (1 - we2))
    for _ in range(6):
        nu2 = _WA / np.sqrt(1 - we2 * np.sin(lat) ** 2)
        lat = np.arctan2(z2 + we2 * nu2 * np.sin(lat), p)
    return np.degrees(lat), np.degrees(np.arctan2(y2, x2))


def irish_grid_to_wgs84(
    eastings: ArrayLike, northings: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert Irish Grid coordinates (metres) to WGS84 ``(latitudes, longitudes)`` in degrees."""
    e = np.asarray(eastings, dtype=np.float64)
    n = np.asarray(northings, dtype=np.float64)
    return _to_wgs84(*_grid_to_tm75(e, n))
