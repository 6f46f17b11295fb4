"""Names on the OpenStreetMap basemap, planned as plain data and then drawn.

Street and water names follow their line: the segments OSM splits at every junction are merged by
name, and the label goes on a stretch straight enough for the whole text (the text is set straight
along the chord of that stretch, never bent letter by letter: at these scales the streets worth
naming are straight over a name's length, and straight text is what reads best). The angle is
normalised to (−90°, 90°] so no name is ever upside down; long streets get their name again every
``ripeti_etichette_mm``. Places and stations are set horizontally near their point.

Collision is tested on the real rotated rectangles (shapely polygons): against the boxes the caller
must keep clear (markers, numbers, leader lines, comune names, legend, scale bar, attribution, an
STRtree built once), against the labels already placed (a grid of their bounds, then the exact
polygons) and against the frame. Water names and main roads are placed first (``priorita``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from shapely.geometry import Polygon, box as shp_box
from shapely.geometry.base import BaseGeometry

from ..units import MM_PER_PT
from ..basemap.osm_model import OsmData
from ..printing.typography import draw_string, string_width, text_out
from .geometry import Box, BoxIndex, Viewport
from .osm_draw import clip_m, features_in_view, to_mm
from .osm_style import CMYK, MIN_LABEL_PT, ClassStyle, OsmStyle, cmyk

PT_MM = MM_PER_PT
LINE_LAYERS = ("corsi_acqua", "strade")
POINT_LAYERS = ("luoghi", "stazioni")
SAMPLE_MM = 0.5  # spacing of the points sampled along a line to look for straight stretches
PAD_MM = 1.2  # free line beyond each end of a street name, so it does not touch a junction


@dataclass(frozen=True)
class OsmLabel:
    """One name on the basemap, in frame mm."""

    text: str
    strato: str
    classe: str
    anchor_mm: tuple[float, float]  # centre of the text box
    path_mm: tuple[tuple[float, float], ...]  # the stretch it follows in reading order (points: the point)
    angle_deg: float  # counter-clockwise from the x axis, in (−90, 90]
    size_pt: float
    font: str
    colour: CMYK  # 0–100
    width_mm: float  # text advance
    polygon_mm: tuple[tuple[float, float], ...]  # the rotated box with halo and gap: 4 corners
    band: CMYK | None = None  # street names: the road's fill laid under the text, hiding its casing

    @property
    def polygon(self) -> Polygon:
        return Polygon(self.polygon_mm)

    @property
    def bounds_mm(self) -> Box:
        xs = [p[0] for p in self.polygon_mm]
        ys = [p[1] for p in self.polygon_mm]
        return (min(xs), min(ys), max(xs), max(ys))


def _metrics(font: str, size_pt: float) -> tuple[float, float, float]:
    """Cap height, ascent above the baseline and descent below it, in mm."""
    face = pdfmetrics.getFont(font).face
    cap = (getattr(face, "capHeight", 700) or 700) / 1000 * size_pt * PT_MM
    asc = max(cap, (getattr(face, "ascent", 900) or 900) / 1000 * size_pt * PT_MM * 0.85)
    desc = abs(getattr(face, "descent", -200) or -200) / 1000 * size_pt * PT_MM * 0.9
    return cap, asc, desc


def _italic_of(font: str) -> str:
    """The italic face registered alongside ``font`` (stampa's FontSet naming), else ``font``."""
    base = font.rsplit("-", 1)[0]
    for name in (f"{base}-italic", f"{base}-Italic"):
        if name in pdfmetrics.getRegisteredFontNames():
            return name
    return font


def _normalise(angle: float) -> float:
    while angle > 90:
        angle -= 180
    while angle <= -90:
        angle += 180
    return angle


class _Placer:
    """The free-space test shared by every label of a view."""

    def __init__(self, avoid_mm: Sequence[Box | BaseGeometry], frame: Box, style: OsmStyle):
        self.gap = style.distanza_etichette_mm
        boxes = [b if hasattr(b, "geom_type") else shp_box(*b) for b in avoid_mm]
        self.avoid = shapely.STRtree(boxes) if boxes else None
        self.avoid_geoms = boxes
        self.frame = shp_box(*frame)
        self.placed = BoxIndex(cell_mm=10.0)
        self.polys: list[Polygon] = []

    def free(self, poly: Polygon) -> bool:
        if not self.frame.contains(poly):
            return False
        if self.avoid is not None and len(self.avoid.query(poly, predicate="intersects")):
            return False
        for k in self.placed.query(poly.bounds):
            if self.polys[k].intersects(poly):
                return False
        return True

    def add(self, poly: Polygon) -> None:
        self.placed.add(poly.bounds, len(self.polys))
        self.polys.append(poly)


def _box_polygon(cx, cy, angle_deg, width_mm, below_mm, above_mm, grow_mm) -> tuple[tuple[float, float], ...]:
    """Corners of the text box centred on (cx, cy) on its baseline axis, rotated by ``angle_deg``."""
    a = math.radians(angle_deg)
    ux, uy = math.cos(a), math.sin(a)
    vx, vy = -uy, ux
    hw = width_mm / 2 + grow_mm
    lo, hi = -below_mm - grow_mm, above_mm + grow_mm
    return tuple(
        (cx + ux * s + vx * t, cy + uy * s + vy * t) for s, t in ((-hw, lo), (hw, lo), (hw, hi), (-hw, hi))
    )


def _line_candidates(line, length_mm: float, max_dev_mm: float):
    """Straight-enough stretches of ``length_mm`` along ``line``: (score, start, end) sorted best
    first; the score grows with the bend and with the distance from the middle of the line."""
    total = line.length
    if total < length_mm:
        return []
    # a sixteenth of the name is fine enough to see a bend, and keeps long streets cheap
    n = int(total / max(SAMPLE_MM, length_mm / 16)) + 1
    d = np.linspace(0, total, max(n, 2))
    pts = shapely.get_coordinates(shapely.line_interpolate_point(line, d))
    step = d[1] - d[0]
    k = int(math.ceil(length_mm / step))
    if k >= len(pts):
        k = len(pts) - 1
    if k < 1:
        return []
    win = np.lib.stride_tricks.sliding_window_view(pts, (k + 1, 2))[:, 0]  # (m, k+1, 2)
    a = win[:, 0, :]
    b = win[:, -1, :]
    chord = b - a
    clen = np.hypot(chord[:, 0], chord[:, 1])
    ok = clen >= 0.92 * length_mm
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = win - a[:, None, :]
        cross = np.abs(rel[..., 0] * chord[:, None, 1] - rel[..., 1] * chord[:, None, 0]) / clen[:, None]
    dev = np.nanmax(cross, axis=1)
    ok &= dev <= max_dev_mm
    idx = np.flatnonzero(ok)
    if len(idx) == 0:
        return []
    mid = (d[idx] + d[np.minimum(idx + k, len(d) - 1)]) / 2
    score = dev[idx] / max_dev_mm + np.abs(mid - total / 2) / total
    order = np.argsort(score, kind="stable")
    # at most a few hundred tries per line: the neighbours of a refused spot are much the same
    order = order[:: max(1, len(order) // 300)]
    return [(float(score[i]), tuple(a[idx[i]]), tuple(b[idx[i]])) for i in order]


def place_osm_labels(
    data: OsmData,
    port: Viewport,
    style: OsmStyle,
    font: str,
    avoid_mm: Sequence[Box | BaseGeometry],
    *,
    frame_box: Box | None = None,
    italic_font: str | None = None,
    skip_names: Collection[str] = (),
) -> tuple[OsmLabel, ...]:
    """Plan the OSM names of ``port`` (frame mm): none overlaps ``avoid_mm`` (boxes, or shapely
    geometries in mm such as a leader line buffered by its half width), another name or the
    edge of ``frame_box`` (default: the view's box). ``font`` is a registered TTF name;
    ``italic_font`` (default: the italic of the same family) sets the water names; names in
    ``skip_names`` (e.g. the comuni already named on the map) are left out. Deterministic."""
    scale = port.scale
    frame = frame_box or port.box
    italic = italic_font or _italic_of(font)
    placer = _Placer(avoid_mm, frame, style)
    groups = features_in_view(data, port, 0.0)
    skip = {s.casefold() for s in skip_names}
    f = data.features
    # a missing name may come as None or NaN from a file: it is no name
    names = np.array([n.strip() if isinstance(n, str) else "" for n in f["nome"].tolist()], dtype=object)

    # (priority, order within it, kind, class style, name, geometry in mm)
    jobs: list[tuple[int, float, str, ClassStyle, str, object]] = []
    line_named: set[str] = set()
    for layer in LINE_LAYERS:
        by_name: dict[str, list] = {}
        best: dict[str, ClassStyle] = {}
        for (s, c), rows in groups.items():
            cs = style.get(s, c)
            if s != layer or cs is None or not cs.labelled_at(scale):
                continue
            rows = rows[(names[rows] != "") & np.array([n.casefold() not in skip for n in names[rows]], dtype=bool)]
            if not len(rows):
                continue
            geoms = np.asarray(f.geometry.array[rows], dtype=object)
            geoms = to_mm(clip_m(geoms, port.view.extent), port)
            for name, g in zip(names[rows].tolist(), geoms.tolist()):
                if g is None or g.is_empty:
                    continue
                if g.geom_type in ("Polygon", "MultiPolygon"):
                    # a square mapped as an area: its name goes in the middle, horizontally
                    jobs.append((cs.priorita, -float(g.area), "point", cs, name, g))
                    continue
                by_name.setdefault(name, []).append(g)
                if name not in best or cs.priorita < best[name].priorita:
                    best[name] = cs
        for name, geoms in by_name.items():
            parts = shapely.get_parts(np.asarray(geoms, dtype=object))
            parts = parts[shapely.get_type_id(parts) == 1]
            if not len(parts):
                continue
            merged = shapely.line_merge(shapely.multilinestrings(parts))
            merged = shapely.simplify(merged, 0.1)
            total = float(shapely.length(merged))
            jobs.append((best[name].priorita, -total, "line", best[name], name, merged))
            line_named.add(name.casefold())
    for (s, c), rows in groups.items():
        cs = style.get(s, c)
        if cs is None or not cs.labelled_at(scale):
            continue
        if s in POINT_LAYERS or s == "acqua":
            for r in rows.tolist():
                name = names[r]
                if not name or name.casefold() in skip or (s == "acqua" and name.casefold() in line_named):
                    continue
                g = f.geometry.array[r]
                if g is None or g.is_empty:
                    continue
                jobs.append((cs.priorita, -float(g.area) if s == "acqua" else 0.0, "point", cs, name, to_mm(np.array([g], dtype=object), port)[0]))
    jobs.sort(key=lambda j: (j[0], j[1], j[4], j[3].strato, j[3].classe))

    labels: list[OsmLabel] = []
    for _, _, kind, cs, name, geom in jobs:
        size = max(cs.etichetta_pt, MIN_LABEL_PT)
        face = italic if cs.corsivo else font
        if kind == "line":
            labels.extend(_place_along(placer, geom, name, cs, face, size, style))
        else:
            lab = _place_point(placer, geom, name, cs, face, size, style)
            if lab is not None:
                labels.append(lab)
    return tuple(labels)


def _make(text, cs: ClassStyle, font, size, cx, cy, angle, path, width, style: OsmStyle, band: CMYK | None = None) -> tuple[OsmLabel, Polygon]:
    cap, asc, desc = _metrics(font, size)
    grow = style.alone_pt * PT_MM / 2 + style.distanza_etichette_mm / 2
    # the text is centred vertically on its anchor: baseline cap/2 below it
    poly = _box_polygon(cx, cy, angle, width, desc + cap / 2, asc - cap / 2, grow)
    lab = OsmLabel(
        text=text,
        strato=cs.strato,
        classe=cs.classe,
        anchor_mm=(cx, cy),
        path_mm=path,
        angle_deg=angle,
        size_pt=size,
        font=font,
        colour=cs.colore_testo,
        width_mm=width,
        polygon_mm=poly,
        band=band,
    )
    return lab, Polygon(poly)


def _place_along(placer: _Placer, geom, name: str, cs: ClassStyle, font: str, size: float, style: OsmStyle) -> list[OsmLabel]:
    width = string_width(name, font, size) / mm
    cap = _metrics(font, size)[0]
    need = width + 2 * PAD_MM
    spacing = style.ripeti_etichette_mm * (2 if cs.strato == "corsi_acqua" else 1)
    max_dev = max(0.35, 0.3 * cap)
    out: list[OsmLabel] = []
    centres: list[tuple[float, float]] = []
    lines = sorted(shapely.get_parts(geom).tolist(), key=lambda g: -g.length)
    for line in lines:
        if line.length < need:
            break  # sorted longest first: no later part can hold the name
        for _, a, b in _line_candidates(line, need, max_dev):
            cx, cy = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
            if any(math.hypot(cx - x, cy - y) < spacing for x, y in centres):
                continue
            angle = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
            norm = _normalise(angle)
            path = (a, b) if abs(norm - angle) < 1e-9 else (b, a)
            band = cs.colore if cs.strato == "strade" else None
            lab, poly = _make(name, cs, font, size, cx, cy, round(norm, 4), path, width, style, band)
            if placer.free(poly):
                placer.add(poly)
                out.append(lab)
                centres.append((cx, cy))
    return out


def _place_point(placer: _Placer, geom, name: str, cs: ClassStyle, font: str, size: float, style: OsmStyle) -> OsmLabel | None:
    width = string_width(name, font, size) / mm
    cap, asc, desc = _metrics(font, size)
    if geom.geom_type == "Point":
        x, y = geom.x, geom.y
    else:
        if geom.area <= 0:
            return None
        p = geom.point_on_surface()
        x, y = p.x, p.y
    step = cap + 1.6
    if cs.strato == "stazioni":
        # beside the symbol, never on it
        off = max(cs.spessore_pt, 2.0) * PT_MM / 2 + 1.0 + width / 2
        tries = [(off, 0), (-off, 0)] + [(sx * off, sy * step * k) for k in (0.7, 1.4) for sy in (1, -1) for sx in (1, -1)]
    else:
        tries = [(0, 0), (0, step), (0, -step), (width / 2 + 1.5, 0), (-width / 2 - 1.5, 0)]
    for dx, dy in tries:
        lab, poly = _make(name, cs, font, size, x + dx, y + dy, 0.0, ((x, y),), width, style)
        if placer.free(poly):
            placer.add(poly)
            return lab
    return None


def draw_osm_labels(canvas, labels: Sequence[OsmLabel], style: OsmStyle) -> None:
    """Draw planned names: under street names a strip of the road's colour, then a halo of
    ``colore_alone`` (the text stroked, round joins), then the text."""
    halo = cmyk(style.colore_alone)
    for lab in labels:
        cap = _metrics(lab.font, lab.size_pt)[0]
        canvas.saveState()
        canvas.translate(lab.anchor_mm[0] * mm, lab.anchor_mm[1] * mm)
        if lab.angle_deg:
            canvas.rotate(lab.angle_deg)
        x0, y0 = -lab.width_mm / 2 * mm, -cap / 2 * mm
        if lab.band is not None:
            # the casing lines of the road would show between the words: a strip of the road's
            # own colour under the name makes the road look continuous around it
            h = cap + 0.5
            canvas.setFillColor(cmyk(lab.band))
            canvas.roundRect(x0 - 0.6 * mm, -h / 2 * mm, (lab.width_mm + 1.2) * mm, h * mm, h / 2 * mm, stroke=0, fill=1)
        # the halo in its own graphics state: the text rendering mode (stroke) is graphics state
        # and would otherwise outlive the text object
        canvas.saveState()
        t = canvas.beginText()
        t.setTextRenderMode(1)
        t.setTextOrigin(x0, y0)
        text_out(t, lab.text, lab.font, lab.size_pt)
        canvas.setStrokeColor(halo)
        canvas.setLineWidth(style.alone_pt)
        canvas.setLineJoin(1)
        canvas.drawText(t)
        canvas.restoreState()
        canvas.setFillColor(cmyk(lab.colour))
        draw_string(canvas, x0, y0, lab.text, lab.font, lab.size_pt)
        canvas.restoreState()
