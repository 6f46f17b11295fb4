"""One answer of the service → the point to keep, its precision, or why there is none.

Precision, from the result's ``addresstype``, ``category`` (``class`` in the older formats),
``type``, ``place_rank`` and ``address`` details:
- ``civico``: the house number was found (``address.house_number``, or a house/building/POI result);
- ``via``: only the street (a ``highway`` result, ``addresstype`` road);
- ``frazione``: a hamlet, village, quarter or locality other than the comune itself;
- ``comune``: only the comune.
The choice among several results: those in the declared comune first (they are the ones asked
for), then the most precise; if those still lie more than :data:`AMBIGUOUS_M` apart the address is
ambiguous (two «Via Roma» in one comune: one in the capoluogo, one in a frazione), unless the
address names the frazione («Fraz. Fossarmato, Via Roma»): then the result in it is kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..district import name_key

PRECISIONS = ("civico", "via", "frazione", "comune")  # best first
RANK = {p: i for i, p in enumerate(PRECISIONS)}
NOT_FOUND, AMBIGUOUS = "non trovato", "ambiguo"
AMBIGUOUS_M = 300.0  # results of one address farther apart than this are different places

_PLACE_TYPES = {"hamlet", "village", "isolated_dwelling", "suburb", "quarter", "neighbourhood", "locality",
                "farm", "allotments", "croft", "square"}
_COMUNE_TYPES = {"city", "town", "municipality", "administrative", "county"}
_ROAD_TYPES = {"road", "street"}


def precision(result: dict[str, Any], comune: str = "") -> str:
    address = result.get("address") if isinstance(result.get("address"), dict) else {}
    category = str(result.get("category") or result.get("class") or "")
    kind = str(result.get("type") or "")
    addresstype = str(result.get("addresstype") or "")
    try:
        rank = int(result.get("place_rank") or 0)
    except (TypeError, ValueError):
        rank = 0
    if address.get("house_number") or kind in ("house", "building") or addresstype in ("house", "building"):
        return "civico"
    if category == "highway" or addresstype in _ROAD_TYPES or 26 <= rank <= 27:
        return "via"
    if addresstype in _COMUNE_TYPES or kind in ("city", "town", "administrative") or (0 < rank <= 16):
        return "comune"
    if addresstype in _PLACE_TYPES or kind in _PLACE_TYPES or category in ("place", "boundary"):
        name = str(result.get("name") or "")
        if comune and name and name.casefold() == comune.casefold():
            return "comune"
        return "frazione"
    if rank >= 28:  # a named place (school, church, shop…) at an exact point
        return "civico"
    return "comune"


def place_name(result: dict[str, Any]) -> str:
    return str(result.get("display_name") or result.get("name") or "").strip()


@dataclass(frozen=True)
class Choice:
    lat: float | None
    lon: float | None
    precision: str  # one of PRECISIONS, NOT_FOUND or AMBIGUOUS
    place: str  # display name; for AMBIGUOUS the places found, « | » separated


def _distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat0 = math.radians((a[0] + b[0]) / 2)
    dy = (a[0] - b[0]) * 111_200.0
    dx = (a[1] - b[1]) * 111_320.0 * math.cos(lat0)
    return math.hypot(dx, dy)


def _mentions(result: dict[str, Any], locality: str) -> bool:
    """The result lies in the frazione or località ``locality`` (its name or address details say so)."""
    key = name_key(locality)
    address = result.get("address") if isinstance(result.get("address"), dict) else {}
    names = [str(v) for v in address.values()] + [str(result.get("name") or "")]
    return any(name_key(n) == key for n in names) or f" {key} " in f" {name_key(place_name(result))} "


def choose(results: Sequence[dict[str, Any]], comune: str, in_comune: Callable[[float, float], bool],
           locality: str = "") -> Choice:
    """The result to keep for an address in ``comune``; ``in_comune(lon, lat)`` tells whether a
    point lies in the declared comune. ``locality``: the frazione the address names; results in it
    come first (the same «Via Roma» in the capoluogo and in the frazione is no longer ambiguous)."""
    if not results:
        return Choice(None, None, NOT_FOUND, "")
    points = [(float(r["lat"]), float(r["lon"])) for r in results]
    inside = [i for i, (lat, lon) in enumerate(points) if in_comune(lon, lat)]
    pool = inside or list(range(len(results)))
    if locality:
        pool = [i for i in pool if _mentions(results[i], locality)] or pool
    best = min(RANK[precision(results[i], comune)] for i in pool)
    top = [i for i in pool if RANK[precision(results[i], comune)] == best]
    spread = max((_distance_m(points[i], points[j]) for i in top for j in top), default=0.0)
    if spread > AMBIGUOUS_M:
        names = list(dict.fromkeys(place_name(results[i]) for i in top))
        return Choice(None, None, AMBIGUOUS, " | ".join(names[:4]))
    i = top[0]
    return Choice(points[i][0], points[i][1], PRECISIONS[best], place_name(results[i]))
