"""Overpass QL for the map views: which OpenStreetMap objects, over which boxes, at which detail.

Input: one ``(extent, scale)`` per view (EPSG:32632 metres, printed scale 1:``scale``). Output: at
most one query per level of detail (:data:`~.osm_model.LEVELS`):

- ``distretto`` over every view: water, landuse, green areas, railways and stations, the main
  roads (motorway … tertiary and their links), places;
- ``strade`` only over views printed at 1:25,000 or larger: the minor streets;
- ``edifici`` only over views at 1:12,500 or larger: buildings.

Each level's boxes are merged when their common bounding box is not much larger than the boxes
themselves (atlas sheets side by side become one box), and capped in number, so a query stays
short. A finer level's boxes are always inside one of the coarser level's boxes, so a box recorded
as fetched "at level L" really has every layer of the levels up to L.

Output statement: ``out geom;`` without a bbox, so ways and relation members come whole with their
coordinates (a road crossing the box edge is not cut, and multipolygon rings are complete). The
text depends only on the input (sorted boxes, fixed decimals), so the same views give the same
query, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from .osm_model import LEVEL_SCALE, LEVELS, UTM, Coverage

Extent = tuple[float, float, float, float]  # xmin, ymin, xmax, ymax in EPSG:32632 metres

PAD = 0.02  # each box grows by 2 % of its size on every side: features at the frame edge come too
MERGE_RATIO = 1.3  # merge two boxes when their bounding box is at most 30 % larger than their union
MAX_BOXES = 8  # per query; beyond this, boxes are merged even when wasteful
DEFAULT_TIMEOUT_S = 180  # the public Overpass API's default query timeout
DECIMALS = 6  # ≈ 0.1 m: fixed, so the text is stable

# One line per statement, "{b}" is the box. Area features are asked for as ways and relations
# (multipolygons); the relation's member ways come with it through `out geom`.
_AREA = ("way", "relation")
FILTERS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "distretto": (
        (_AREA, '["natural"="water"]'),
        (_AREA, '["waterway"="riverbank"]'),
        (_AREA, '["landuse"~"^(reservoir|basin)$"]'),
        (("way",), '["waterway"~"^(river|canal|stream|ditch|drain)$"]'),
        (_AREA, '["landuse"~"^(residential|commercial|industrial|retail)$"]'),
        (_AREA, '["leisure"="park"]'),
        (_AREA, '["landuse"~"^(forest|cemetery)$"]'),
        (_AREA, '["natural"="wood"]'),
        (_AREA, '["amenity"="grave_yard"]'),
        (("way",), '["railway"~"^(rail|light_rail|narrow_gauge)$"]'),
        (("node",), '["railway"~"^(station|halt)$"]'),
        (("way",), '["highway"~"^(motorway|trunk|primary|secondary|tertiary)(_link)?$"]'),
        (
            ("node",),
            '["place"~"^(city|town|village|hamlet|isolated_dwelling|suburb|quarter|neighbourhood)$"]["name"]',
        ),
    ),
    "strade": ((("way",), '["highway"~"^(residential|unclassified|living_street|pedestrian|service)$"]'),),
    "edifici": ((_AREA, '["building"]'),),
}


@dataclass(frozen=True)
class OverpassQuery:
    level: str  # one of LEVELS: the layers this query brings
    boxes: tuple[Extent, ...]  # EPSG:32632, what a successful answer covers at this level
    text: str  # Overpass QL
    timeout_s: int  # the query's [timeout:N]

    def coverage(self) -> tuple[Coverage, ...]:
        return tuple(Coverage(box, self.level) for box in self.boxes)


def _area(b: Extent) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _bbox(a: Extent, b: Extent) -> Extent:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _union_area(a: Extent, b: Extent) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    return _area(a) + _area(b) - ix * iy


def merge_boxes(boxes: list[Extent], *, ratio: float = MERGE_RATIO, max_boxes: int = MAX_BOXES) -> list[Extent]:
    """Greedy merge: join the pair whose bounding box wastes least, while it wastes little (or
    while there are more than ``max_boxes``). Every input box ends inside one output box."""
    out = sorted(set(tuple(float(v) for v in b) for b in boxes))
    while len(out) > 1:
        best = None
        for i, j in combinations(range(len(out)), 2):
            merged = _bbox(out[i], out[j])
            waste = _area(merged) / max(_union_area(out[i], out[j]), 1e-9)
            if best is None or waste < best[0]:
                best = (waste, i, j, merged)
        waste, i, j, merged = best
        if waste > ratio and len(out) <= max_boxes:
            break
        out = sorted([b for k, b in enumerate(out) if k not in (i, j)] + [merged])
    return out


def level_boxes(needs: list[tuple[Extent, float]]) -> dict[str, list[Extent]]:
    """The merged boxes of each level, finest first so every finer box sits inside a coarser one."""
    result: dict[str, list[Extent]] = {}
    finer: list[Extent] = []
    for level in reversed(LEVELS):
        own = [tuple(map(float, e)) for e, scale in needs if scale <= LEVEL_SCALE[level]]
        boxes = merge_boxes(own + finer) if (own or finer) else []
        result[level] = boxes
        finer = boxes
    return {level: result[level] for level in LEVELS}


@lru_cache(maxsize=1)
def _transformer():
    from pyproj import Transformer

    return Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)


def _to_wgs84(box: Extent) -> tuple[float, float, float, float]:
    """south, west, north, east of a padded UTM box (the four corners and edge midpoints, since
    the box's edges are not exactly parallels and meridians)."""
    x0, y0, x1, y1 = box
    dx, dy = (x1 - x0) * PAD, (y1 - y0) * PAD
    x0, y0, x1, y1 = x0 - dx, y0 - dy, x1 + dx, y1 + dy
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    xs = [x0, x1, x0, x1, xm, xm, x0, x1]
    ys = [y0, y0, y1, y1, y0, y1, ym, ym]
    lon, lat = _transformer().transform(xs, ys)
    return (min(lat), min(lon), max(lat), max(lon))


def _box_text(box: Extent) -> str:
    s, w, n, e = _to_wgs84(box)
    return ",".join(f"{v:.{DECIMALS}f}" for v in (s, w, n, e))


def query_text(level: str, boxes: list[Extent], timeout_s: int = DEFAULT_TIMEOUT_S) -> str:
    lines = [f"[out:json][timeout:{int(timeout_s)}];", "("]
    for box in boxes:
        b = _box_text(box)
        for kinds, tag_filter in FILTERS[level]:
            for kind in kinds:
                lines.append(f"  {kind}{tag_filter}({b});")
    lines += [");", "out geom;"]
    return "\n".join(lines) + "\n"


def overpass_queries(needs: list[tuple[Extent, float]], *, timeout_s: int = DEFAULT_TIMEOUT_S) -> list[OverpassQuery]:
    """The queries the views need, coarsest level first (the district query is the one that
    must never come back empty)."""
    queries = []
    for level, boxes in level_boxes(needs).items():
        if boxes:
            queries.append(OverpassQuery(level, tuple(boxes), query_text(level, boxes, timeout_s), int(timeout_s)))
    return queries
