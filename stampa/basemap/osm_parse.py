"""Overpass JSON elements → the basemap's features (see :mod:`.osm_model`).

Accepts both output styles: ``out geom`` (ways and relation members carry their coordinates) and
``out body; >; out skel`` (ways list node ids, the nodes come as separate elements). Elements that
several queries returned (overlapping boxes) are merged by type and id first.

Speed: the coordinates of every way and relation member are gathered into one array and projected
with a single pyproj call, and ways become geometries with shapely's array constructors; only
multipolygon relations (few, but with rings made of many ways) are assembled one by one with
``linemerge``/``polygonize``. ~30,000 ways parse in about a second.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .osm_model import LAYERS, UTM

_HIGHWAY = {
    "motorway": "autostrada", "trunk": "autostrada", "primary": "principale", "secondary": "secondaria",
    "tertiary": "terziaria", "unclassified": "locale", "residential": "locale", "living_street": "locale",
    "pedestrian": "pedonale", "service": "servizio",
}  # fmt: skip
_PLACE = {
    "city": "citta", "town": "citta", "village": "paese", "hamlet": "frazione", "isolated_dwelling": "cascina",
    "suburb": "quartiere", "quarter": "quartiere", "neighbourhood": "quartiere",
}  # fmt: skip
_WATERWAY = {"river": "fiume", "canal": "canale", "stream": "torrente", "ditch": "fosso", "drain": "fosso"}
_RIVER_WATER = {"river", "canal", "stream", "oxbow", "riverbank", "ditch", "drain"}
_BASIN_WATER = {"reservoir", "basin", "wastewater"}
_RAILWAY = {"rail", "light_rail", "narrow_gauge"}
_TYPE_ORDER = {"node": 0, "way": 1, "relation": 2}
COLUMNS = ["osm_id", "strato", "classe", "nome", "geometry"]


def classify(kind: str, tags: dict) -> tuple[str, str, str] | None:
    """(strato, classe, shape) for an element, shape being "point", "line" or "area"; None when
    the basemap does not draw it."""
    if not tags:
        return None
    if kind == "node":
        place = tags.get("place")
        if place in _PLACE:
            return "luoghi", _PLACE[place], "point"
        if tags.get("railway") in ("station", "halt"):
            return "stazioni", "stazione", "point"
        return None
    if kind == "relation" and tags.get("type") != "multipolygon":
        return None
    building = tags.get("building")
    if building and building != "no":
        return "edifici", "edificio", "area"
    landuse = tags.get("landuse")
    if tags.get("natural") == "water" or tags.get("waterway") == "riverbank" or landuse in ("reservoir", "basin"):
        water = tags.get("water", "")
        if water in _RIVER_WATER or tags.get("waterway") == "riverbank":
            return "acqua", "fiume", "area"
        if water in _BASIN_WATER or landuse in ("reservoir", "basin"):
            return "acqua", "bacino", "area"
        return "acqua", "lago", "area"
    if landuse == "residential":
        return "abitato", "residenziale", "area"
    if landuse in ("commercial", "industrial", "retail"):
        return "abitato", "produttivo", "area"
    if tags.get("leisure") == "park":
        return "verde", "parco", "area"
    if landuse == "forest" or tags.get("natural") == "wood":
        return "verde", "bosco", "area"
    if landuse == "cemetery" or tags.get("amenity") == "grave_yard":
        return "verde", "cimitero", "area"
    if kind != "way":
        return None
    waterway = tags.get("waterway")
    if waterway in _WATERWAY:
        return "corsi_acqua", _WATERWAY[waterway], "line"
    if tags.get("railway") in _RAILWAY:
        return "ferrovia", "ferrovia", "line"
    highway = tags.get("highway", "")
    base = highway[:-5] if highway.endswith("_link") else highway
    if base in _HIGHWAY:
        return "strade", _HIGHWAY[base], "line"
    return None


def _name(tags: dict) -> str:
    return str(tags.get("name:it") or tags.get("name") or "").strip()


def merge_elements(elements: list[dict]) -> dict[tuple[str, int], dict]:
    """One element per type and id; a copy with geometry or tags wins over one without."""
    merged: dict[tuple[str, int], dict] = {}
    for el in elements:
        try:
            key = (el["type"], int(el["id"]))
        except (KeyError, TypeError, ValueError):
            continue
        old = merged.get(key)
        if old is None:
            merged[key] = el
            continue
        richer = dict(old)
        for k in ("geometry", "members", "nodes", "lat", "lon"):
            if k in el and (k not in old or (k == "members" and _members_richer(el[k], old[k]))):
                richer[k] = el[k]
        if el.get("tags") and not old.get("tags"):
            richer["tags"] = el["tags"]
        merged[key] = richer
    return merged


def _members_richer(new, old) -> bool:
    return sum("geometry" in m for m in new) > sum("geometry" in m for m in old)


@lru_cache(maxsize=1)
def _transformer():
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", UTM, always_xy=True)


def _way_coords(el: dict, nodes: dict[int, tuple[float, float]]) -> list[tuple[float, float]] | None:
    """(lon, lat) of a way or relation member, from its geometry or its node ids."""
    geom = el.get("geometry")
    if geom:
        pts = [(p["lon"], p["lat"]) for p in geom if p]
        return pts if len(pts) == len(geom) else None  # a hole means a clipped answer: not whole
    ids = el.get("nodes") or []
    if ids and nodes:
        try:
            return [nodes[i] for i in ids]
        except KeyError:
            return None
    return None


def osm_features(elements: list[dict]):
    """A GeoDataFrame (columns :data:`COLUMNS`, EPSG:32632) of the elements the basemap draws,
    in a fixed order (layer, class, type, id)."""
    import geopandas as gpd
    import shapely

    merged = merge_elements(elements)
    nodes = {
        i: (el["lon"], el["lat"]) for (t, i), el in merged.items() if t == "node" and "lat" in el and "lon" in el
    }
    ways_by_id = {i: el for (t, i), el in merged.items() if t == "way"}

    rows: list[tuple[str, int, str, str, str]] = []  # type, id, strato, classe, nome
    kinds: list[str] = []  # "point" | "line" | "area" | "relation"
    coords: list[tuple[float, float]] = []
    starts: list[int] = []  # per row: first coordinate (points: one; ways: a run; relations: -1)
    lengths: list[int] = []
    rel_members: dict[int, list[tuple[str, int, int]]] = {}  # row → (role, start, length)

    for (t, i), el in merged.items():
        tags = el.get("tags") or {}
        what = classify(t, tags)
        if what is None:
            continue
        strato, classe, shape = what
        nome = _name(tags)
        if strato == "luoghi" and not nome:
            continue  # a place is drawn as its name
        if shape == "point":
            if "lat" not in el or "lon" not in el:
                continue
            start = len(coords)
            coords.append((el["lon"], el["lat"]))
            n = 1
        elif t == "way":
            pts = _way_coords(el, nodes)
            if not pts or len(pts) < 2:
                continue
            if shape == "area" and (len(pts) < 4 or pts[0] != pts[-1]):
                continue  # an open way with an area tag is a part of a relation, or broken
            start = len(coords)
            coords.extend(pts)
            n = len(pts)
        else:  # multipolygon relation
            members = []
            for m in el.get("members") or []:
                if m.get("type") != "way":
                    continue
                src = m if m.get("geometry") else ways_by_id.get(m.get("ref"), {})
                pts = _way_coords(src, nodes)
                if not pts or len(pts) < 2:
                    continue
                members.append((m.get("role") or "outer", len(coords), len(pts)))
                coords.extend(pts)
            if not members:
                continue
            rel_members[len(rows)] = members
            start, n, shape = -1, 0, "relation"
        rows.append((t, i, strato, classe, nome))
        kinds.append(shape)
        starts.append(start)
        lengths.append(n)

    if not rows:
        return gpd.GeoDataFrame({c: [] for c in COLUMNS[:-1]}, geometry=[], crs=UTM)[COLUMNS]

    xy = np.asarray(coords, dtype="float64").reshape(-1, 2)
    x, y = _transformer().transform(xy[:, 0], xy[:, 1])
    xy = np.column_stack([x, y])

    geoms = np.empty(len(rows), dtype=object)
    kinds_a = np.asarray(kinds)
    starts_a = np.asarray(starts)
    lengths_a = np.asarray(lengths)
    for shape in ("point", "line", "area"):
        sel = np.flatnonzero(kinds_a == shape)
        if not len(sel):
            continue
        if shape == "point":
            geoms[sel] = shapely.points(xy[starts_a[sel]])
            continue
        idx = np.concatenate([np.arange(s, s + n) for s, n in zip(starts_a[sel], lengths_a[sel])])
        part = np.repeat(np.arange(len(sel)), lengths_a[sel])
        if shape == "line":
            geoms[sel] = shapely.linestrings(xy[idx], indices=part)
        else:
            geoms[sel] = shapely.polygons(shapely.linearrings(xy[idx], indices=part))
    for row, members in rel_members.items():
        geoms[row] = _multipolygon(xy, members)

    geoms = _valid(geoms, kinds_a)
    keep = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
    order = sorted(
        (k for k in range(len(rows)) if keep[k]),
        key=lambda k: (LAYERS.index(rows[k][2]), rows[k][3], _TYPE_ORDER[rows[k][0]], rows[k][1]),
    )
    return gpd.GeoDataFrame(
        {
            "osm_id": [f"{rows[k][0]}/{rows[k][1]}" for k in order],
            "strato": [rows[k][2] for k in order],
            "classe": [rows[k][3] for k in order],
            "nome": [rows[k][4] for k in order],
        },
        geometry=list(geoms[order]) if order else [],
        crs=UTM,
    )[COLUMNS]


def _multipolygon(xy: np.ndarray, members: list[tuple[str, int, int]]):
    """Rings from member ways (a ring may be made of several ways, in any direction); the area is
    the outer rings minus the inner ones."""
    import shapely
    from shapely.ops import linemerge, polygonize, unary_union

    def area(role_pred):
        lines = [shapely.LineString(xy[s : s + n]) for role, s, n in members if role_pred(role)]
        if not lines:
            return None
        merged = linemerge(lines) if len(lines) > 1 else lines[0]
        polys = list(polygonize(merged))
        return unary_union(polys) if polys else None

    outer = area(lambda r: r != "inner")
    if outer is None:
        return None
    inner = area(lambda r: r == "inner")
    if inner is not None and not inner.is_empty:
        outer = outer.difference(inner)
    return outer


def _valid(geoms: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """Make invalid geometries valid, keeping only the parts of the expected dimension (an area
    that self-touches becomes polygons, never a collection with stray lines)."""
    import shapely

    present = np.array([g is not None for g in geoms], dtype=bool)
    bad = np.flatnonzero(present)
    bad = bad[~shapely.is_valid(geoms[bad].astype(object))] if len(bad) else bad
    for k in bad:
        fixed = shapely.make_valid(geoms[k])
        want = 1 if kinds[k] == "line" else 2 if kinds[k] in ("area", "relation") else 0
        parts = [p for p in shapely.get_parts(fixed) if shapely.get_dimensions(p) == want]
        if not parts:
            geoms[k] = None
        elif want == 2:
            geoms[k] = shapely.union_all(parts)
        elif want == 1:
            geoms[k] = shapely.multilinestrings(parts) if len(parts) > 1 else parts[0]
        else:
            geoms[k] = parts[0]
    return geoms
