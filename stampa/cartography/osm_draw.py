"""Drawing OpenStreetMap data as a print basemap: vector paths in CMYK, natively with ReportLab.

One pass per class, each class one path (chunked for very large ones): the features in the view
(spatial index), those the printed scale calls for (``da_scala``), clipped to the view plus a
margin, moved to frame mm, simplified to what the eye can see on paper and with areas too small
to print dropped. Roads are drawn as all casings first, then all fills, minor classes below major
ones, so junctions merge into one network.

The path operators are written with ``canvas.addLiteral`` (plain PDF path syntax) instead of one
ReportLab call per vertex: a district of 30,000 ways then draws in a fraction of a second. Colours,
widths, caps and dashes still go through the canvas API, so the CMYK enforcement applies.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import shapely
from reportlab.lib.units import mm

from ..basemap.osm_model import CLASSES, OsmData
from .geometry import Viewport
from .osm_style import ClassStyle, OsmStyle, cmyk

AREA_LAYERS = ("abitato", "verde", "acqua", "edifici")
LINE_LAYERS = ("corsi_acqua", "ferrovia", "strade")
# Waterway lines go under the water surfaces: a river's centre line shows only where the river has
# no mapped surface (narrow canals, streams), never as a stripe in the middle of the Ticino.
DRAW_ORDER = ("abitato", "verde", "corsi_acqua", "acqua", "edifici", "ferrovia", "strade", "stazioni")
MIN_LINE_PT = 0.1
CHUNK_POINTS = 20_000  # vertices per PDF path: keeps every path comfortably within RIP limits


@dataclass(frozen=True)
class OsmDrawStats:
    """What :func:`draw_osm` put on the page."""

    features: int  # features drawn (after scale, extent and size filters)
    vertices: int  # path vertices written
    by_class: Mapping[str, int] = field(default_factory=dict)  # "strato.classe" → features drawn
    seconds: float = 0.0


def view_extent_m(port: Viewport, margin_mm: float) -> tuple[float, float, float, float]:
    """The view's extent grown by ``margin_mm`` printed millimetres, in metres."""
    m = margin_mm * port.scale / 1000.0
    x0, y0, x1, y1 = port.view.extent
    return (x0 - m, y0 - m, x1 + m, y1 + m)


def to_mm(geoms: np.ndarray, port: Viewport) -> np.ndarray:
    """Geometries in EPSG:32632 metres → frame mm (vectorised over all coordinates)."""
    xmin, ymin = port.view.extent[:2]
    k = 1000.0 / port.scale
    shift = np.array([port.origin_mm[0] - xmin * k, port.origin_mm[1] - ymin * k])
    return shapely.transform(geoms, lambda c: c * k + shift)


def features_in_view(data: OsmData, port: Viewport, margin_mm: float) -> dict[tuple[str, str], np.ndarray]:
    """(strato, classe) → row positions (into ``data.features``) whose bounding box meets the view
    plus margin, found with the spatial index."""
    f = data.features
    if len(f) == 0:
        return {}
    idx = np.sort(f.sindex.query(shapely.box(*view_extent_m(port, margin_mm))))
    strato = f["strato"].to_numpy()[idx]
    classe = f["classe"].to_numpy()[idx]
    keys = np.char.add(np.char.add(strato.astype(str), "|"), classe.astype(str))
    out: dict[tuple[str, str], np.ndarray] = {}
    if len(idx) == 0:
        return out
    uniq, inverse = np.unique(keys, return_inverse=True)
    for n, key in enumerate(uniq):
        s, c = key.split("|")
        out[(s, c)] = idx[inverse == n]
    return out


def clip_m(geoms: np.ndarray, extent: tuple[float, float, float, float]) -> np.ndarray:
    """Geometries cut to a rectangle; an invalid one (self-crossing rings happen in OSM) is
    repaired first instead of stopping the whole map."""
    try:
        return shapely.clip_by_rect(geoms, *extent)
    except shapely.errors.GEOSException:
        return shapely.clip_by_rect(shapely.make_valid(geoms), *extent)


def prepared_geometries(data: OsmData, rows: np.ndarray, port: Viewport, style: OsmStyle, *, area: bool, simplify: bool = True) -> np.ndarray:
    """The geometries of ``rows`` clipped to the view plus margin, simplified to ``semplifica_mm``
    on paper and, for areas, without those under ``area_minima_mm2`` on paper; still in metres
    (moving them to mm is left to the path writer, on plain coordinate arrays). Empty ones dropped."""
    m_per_mm = port.scale / 1000.0
    geoms = np.asarray(data.features.geometry.array[rows], dtype=object)
    geoms = geoms[~shapely.is_missing(geoms)]
    if not area:
        # a road or a canal mapped as an area (a pedestrian square, a basin) is drawn by its edge
        polys = np.isin(shapely.get_type_id(geoms), (3, 6))
        if polys.any():
            geoms = geoms.copy()
            geoms[polys] = shapely.boundary(geoms[polys])
    geoms = clip_m(geoms, view_extent_m(port, style.margine_mm))
    if simplify and style.semplifica_mm > 0:
        geoms = shapely.simplify(geoms, style.semplifica_mm * m_per_mm, preserve_topology=False)
    keep = ~shapely.is_empty(geoms)
    if area:
        keep &= shapely.area(geoms) >= style.area_minima_mm2 * m_per_mm * m_per_mm
    return geoms[keep]


def _fmt(values: np.ndarray) -> list[str]:
    return [f"{v:.2f}" for v in values.tolist()]


def _path_chunks(geoms: np.ndarray, port: Viewport, *, area: bool):
    """PDF path construction operators (in pt, frame coordinates) for geometries in metres, in
    chunks of about CHUNK_POINTS vertices split between parts, and the number of vertices."""
    parts = shapely.get_parts(geoms)
    if area:
        parts = parts[shapely.get_type_id(parts) == 3]
        # exteriors counter-clockwise, holes clockwise: with the nonzero rule holes stay holes
        # while overlapping areas of one class simply merge (y keeps its direction in the page)
        parts = shapely.orient_polygons(parts, exterior_cw=False)
        parts = shapely.get_rings(parts)
    else:
        parts = parts[np.isin(shapely.get_type_id(parts), (1, 2))]
    coords, index = shapely.get_coordinates(parts, return_index=True)
    n = len(coords)
    if n == 0:
        return [], 0
    xmin, ymin = port.view.extent[:2]
    k = 1000.0 / port.scale * mm
    pt = (coords - (xmin, ymin)) * k + (port.origin_mm[0] * mm, port.origin_mm[1] * mm)
    xs, ys = _fmt(pt[:, 0]), _fmt(pt[:, 1])
    first = np.ones(n, dtype=bool)
    first[1:] = index[1:] != index[:-1]
    ops = np.where(first, "m", "l").astype(object)
    if area:
        last = np.ones(n, dtype=bool)
        last[:-1] = first[1:]
        ops[last] = "l h"
    ops = ops.tolist()
    starts = np.flatnonzero(first).tolist() + [n]
    chunks: list[str] = []
    begin = 0
    for s in starts[1:]:
        if s - begin >= CHUNK_POINTS or s == n:
            chunks.append("\n".join(f"{xs[i]} {ys[i]} {ops[i]}" for i in range(begin, s)))
            begin = s
    return chunks, n


def _paint(canvas, chunks: list[str], op: str) -> None:
    for chunk in chunks:
        canvas.addLiteral(chunk + "\n" + op)


def _stroke_setup(canvas, colour, width_pt: float, dash: tuple[float, ...] = (), cap: int = 1) -> None:
    canvas.setStrokeColor(cmyk(colour))
    canvas.setLineWidth(max(width_pt, MIN_LINE_PT))
    canvas.setLineCap(cap)
    canvas.setLineJoin(1)
    if dash:
        canvas.setDash(list(dash), 0)
    else:
        canvas.setDash()


def draw_osm(canvas, data: OsmData, port: Viewport, style: OsmStyle) -> OsmDrawStats:
    """Draw the OSM layers of ``port`` on ``canvas`` (frame mm, inside the caller's clip), bottom
    to top; nothing outside the view plus ``margine_mm`` is written. Returns what was drawn."""
    t0 = time.perf_counter()
    scale = port.scale
    factor = style.width_factor(scale)
    groups = features_in_view(data, port, style.margine_mm)
    by_class: dict[str, int] = {}
    vertices = 0

    def classes_of(layer: str) -> list[ClassStyle]:
        out = []
        for c in CLASSES[layer]:
            cs = style.get(layer, c)
            if cs is not None and cs.drawn_at(scale) and (layer, c) in groups:
                out.append(cs)
        return out

    canvas.saveState()
    for layer in DRAW_ORDER:
        if layer == "strade":
            # minor classes first so the major ones are drawn over them at junctions
            prepared = []
            for cs in reversed(classes_of(layer)):
                geoms = prepared_geometries(data, groups[(layer, cs.classe)], port, style, area=False)
                chunks, n = _path_chunks(geoms, port, area=False)
                if n:
                    prepared.append((cs, chunks))
                    by_class[f"{layer}.{cs.classe}"] = len(geoms)
                    vertices += n
            for cs, chunks in prepared:  # all casings …
                if cs.bordo is not None and cs.bordo_pt > cs.spessore_pt:
                    _stroke_setup(canvas, cs.bordo, cs.bordo_pt * factor)
                    _paint(canvas, chunks, "S")
            for cs, chunks in prepared:  # … then all fills
                _stroke_setup(canvas, cs.colore, cs.spessore_pt * factor)
                _paint(canvas, chunks, "S")
            continue
        for cs in classes_of(layer):
            key = f"{layer}.{cs.classe}"
            rows = groups[(layer, cs.classe)]
            if layer == "stazioni":
                pts = to_mm(np.asarray(data.features.geometry.array[rows], dtype=object), port)
                pts = pts[shapely.get_type_id(pts) == 0]
                _draw_stations(canvas, pts, cs)
                by_class[key] = len(pts)
                continue
            if layer == "luoghi":
                continue  # names only: see osm_labels
            area = layer in AREA_LAYERS
            geoms = prepared_geometries(data, rows, port, style, area=area)
            chunks, n = _path_chunks(geoms, port, area=area)
            if not n:
                continue
            by_class[key] = len(geoms)
            vertices += n
            if area:
                canvas.setFillColor(cmyk(cs.colore))
                if cs.bordo is not None and cs.bordo_pt > 0:
                    _stroke_setup(canvas, cs.bordo, cs.bordo_pt * factor)
                    _paint(canvas, chunks, "B")  # fill, then the outline over it
                else:
                    _paint(canvas, chunks, "f")
            else:
                _stroke_setup(canvas, cs.colore, cs.spessore_pt * factor, cap=0 if layer == "ferrovia" else 1)
                _paint(canvas, chunks, "S")
                if cs.interno is not None and cs.interno_pt > 0:
                    _stroke_setup(canvas, cs.interno, cs.interno_pt * factor, tuple(d * factor for d in cs.tratteggio_pt), cap=0)
                    _paint(canvas, chunks, "S")
    canvas.setDash()
    canvas.restoreState()
    return OsmDrawStats(
        features=sum(by_class.values()),
        vertices=vertices,
        by_class=MappingProxyType(by_class),
        seconds=time.perf_counter() - t0,
    )


def _draw_stations(canvas, points: np.ndarray, cs: ClassStyle) -> None:
    """A small dark diamond with a white rim: neither a square (laboratori) nor a circle (gruppi)."""
    half = max(cs.spessore_pt, 2.0) / 2
    canvas.setFillColor(cmyk(cs.colore))
    canvas.setStrokeColor(cmyk((0, 0, 0, 0)))
    canvas.setLineWidth(0.5)
    canvas.setLineJoin(0)
    for x, y in shapely.get_coordinates(points).tolist():
        px, py = x * mm, y * mm
        p = canvas.beginPath()
        p.moveTo(px, py + half)
        p.lineTo(px + half, py)
        p.lineTo(px, py - half)
        p.lineTo(px - half, py)
        p.close()
        canvas.drawPath(p, stroke=1, fill=1)
