"""Offline ZIP centroids from the `zipcodes` package, for placing practice locations.

The package's data is loaded once per process (~0.4 s, ~42k ZIPs) and indexed by ZIP.
"""

from functools import cache

import zipcodes


@cache
def zip_index() -> dict[str, tuple[float, float, str, str]]:
    """ZIP5 -> (latitude, longitude, city, state) for every ZIP with coordinates."""
    index: dict[str, tuple[float, float, str, str]] = {}
    for row in zipcodes.list_all():
        try:
            lat, lng = float(row["lat"]), float(row["long"])
        except (TypeError, ValueError):
            continue
        if lat == 0 and lng == 0:
            continue
        index[row["zip_code"]] = (lat, lng, row["city"], row["state"])
    return index


def normalize_zip(text: str) -> str | None:
    """'78701', '78701-1234' or '787011234' -> '78701'; anything else -> None."""
    digits = (text or "").strip().replace("-", "").replace(" ", "")
    if len(digits) in (5, 9) and digits.isdigit() and digits.isascii():
        return digits[:5]
    return None


def zip_centroid(zip_code: str) -> tuple[float, float] | None:
    zip5 = normalize_zip(zip_code)
    if zip5 is None:
        return None
    found = zip_index().get(zip5)
    return (found[0], found[1]) if found else None
