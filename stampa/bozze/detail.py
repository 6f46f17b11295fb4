"""The map detail of a proof: a square of the district around one entry, its numbered marker as
the Mappa draws it, the neighbours as small marks, the comune boundaries, a scale bar.

Drawn in true metres (UTM 32N, stampa.units.METRIC_CRS). The boundaries are prepared once per run
(:func:`prepare_detail`) and clipped per entry: a thousand proofs stay cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import shapely
from pyproj import Transformer
from reportlab.lib.units import mm

from ..cartography.draw import draw_scale_bar, path_of
from ..cartography.plan import corner_scale_bar
from ..numbering import Numbered
from ..printing.fonts import FontSet
from ..printing.theme import Theme
from ..products.mappa.styles import draw_marker, marker_size_mm
from ..units import METRIC_CRS, WGS84

SPAN_M = 1600.0  # ground width of the detail: a few streets around the entry


@dataclass(frozen=True)
class DetailData:
    """What every detail reads: boundaries and points in metres, computed once."""

    boundaries: object  # shapely geometry: the comuni boundaries (lines), UTM metres
    outline: object  # the district outline (lines)
    points: dict[str, tuple[float, float]]  # entry id → (x, y) in metres
    kinds: dict[str, str]
    tree: shapely.STRtree
    ids: tuple[str, ...]
    osm: object = None  # the edition's frozen OpenStreetMap data (stampa.basemap.osm_model.OsmData), if any
    osm_style: object = None  # layout/sfondo.toml, how the Mappa draws it


OSM_CREDIT = "Dati © OpenStreetMap (ODbL)"


def prepare_detail(numbered: Sequence[Numbered], district, osm=None, osm_style=None) -> DetailData:
    """``osm``/``osm_style``: the frozen OpenStreetMap basemap and its style, drawn under the
    markers as on the Mappa (streets make the detail readable); None: the comune outlines only."""
    to_utm = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)
    xs, ys = to_utm.transform([n.entry.lon for n in numbered], [n.entry.lat for n in numbered])
    points = {n.entry.id: (float(x), float(y)) for n, x, y in zip(numbered, xs, ys)}
    ids = tuple(points)
    tree = shapely.STRtree(shapely.points([points[i] for i in ids])) if ids else shapely.STRtree([])
    boundaries = shapely.union_all(district.comuni_utm.geometry.boundary.values)
    return DetailData(boundaries, district.outline_utm.boundary, points, {n.entry.id: n.entry.tipo for n in numbered}, tree, ids,
                      osm, osm_style)


def draw_detail(canvas, data: DetailData, n: Numbered, box_mm: tuple[float, float, float, float], theme: Theme,
                fonts: FontSet) -> None:
    """The detail in ``box_mm`` (x0, y0, x1, y1 on the page), centred on entry ``n``; ``fonts``:
    the Mappa's text family (its bold for the number, as on the map)."""
    x0, y0, x1, y1 = box_mm
    w_mm, h_mm = x1 - x0, y1 - y0
    cx, cy = data.points[n.entry.id]
    m_per_mm = SPAN_M / w_mm
    ex0, ey0 = cx - w_mm / 2 * m_per_mm, cy - h_mm / 2 * m_per_mm
    ex1, ey1 = ex0 + w_mm * m_per_mm, ey0 + h_mm * m_per_mm

    def to_mm(geom):
        return shapely.transform(geom, lambda a: (a - (ex0, ey0)) / m_per_mm + (x0, y0))

    canvas.saveState()
    clip = canvas.beginPath()
    clip.rect(x0 * mm, y0 * mm, w_mm * mm, h_mm * mm)
    canvas.clipPath(clip, stroke=0, fill=0)
    canvas.setFillColor(theme.color("fondo_chiaro"))
    canvas.rect(x0 * mm, y0 * mm, w_mm * mm, h_mm * mm, stroke=0, fill=1)
    if data.osm is not None:
        from ..basemap import View
        from ..cartography.geometry import Viewport
        from ..cartography.osm_draw import draw_osm

        draw_osm(canvas, data.osm, Viewport(View("bozza", (ex0, ey0, ex1, ey1), (w_mm, h_mm)), (x0, y0)), data.osm_style)
    canvas.setLineJoin(1)
    canvas.setLineCap(1)
    lines = shapely.clip_by_rect(data.boundaries, ex0, ey0, ex1, ey1)
    if not lines.is_empty:
        canvas.setStrokeColor(theme.color("confine"))
        canvas.setLineWidth(0.6)
        canvas.setDash([2.2, 1.4])
        canvas.drawPath(path_of(canvas, _lines(to_mm(lines))), stroke=1, fill=0)
        canvas.setDash()
    outline = shapely.clip_by_rect(data.outline, ex0, ey0, ex1, ey1)
    if not outline.is_empty:
        canvas.setStrokeColor(theme.color("distretto"))
        canvas.setLineWidth(1.5)
        canvas.drawPath(path_of(canvas, _lines(to_mm(outline))), stroke=1, fill=0)
    # The neighbours: small marks in their type's colour, so the entry is seen among the others.
    near = data.tree.query(shapely.box(ex0, ey0, ex1, ey1))
    for k in sorted(int(i) for i in near):
        other = data.ids[k]
        if other == n.entry.id:
            continue
        ox, oy = data.points[other]
        canvas.setFillColor(theme.color(data.kinds[other]))
        canvas.circle(((ox - ex0) / m_per_mm + x0) * mm, ((oy - ey0) / m_per_mm + y0) * mm, 0.8 * mm, stroke=0, fill=1)
    mw, mh = marker_size_mm(n.number, fonts.bold)
    px, py = (cx - ex0) / m_per_mm + x0, (cy - ey0) / m_per_mm + y0
    draw_marker(canvas, n.entry.tipo, n.number, px - mw / 2, py + mh / 2, theme, fonts.bold)
    # The Mappa's own scale bar (planned as the inset's), on a light ground over the streets.
    bar = corner_scale_bar("bozza", m_per_mm * 1000.0, (x0, y0), w_mm * 0.4, fonts)
    bx0, by0, bx1, by1 = bar.box_mm
    canvas.setFillColor(theme.color("fondo_chiaro"))
    canvas.rect(bx0 * mm, by0 * mm, (bx1 - bx0) * mm, (by1 - by0) * mm, stroke=0, fill=1)
    draw_scale_bar(canvas, bar, fonts, theme)
    canvas.restoreState()
    canvas.saveState()
    canvas.setStrokeColor(theme.color("testo"))
    canvas.setLineWidth(0.5)
    canvas.rect(x0 * mm, y0 * mm, w_mm * mm, h_mm * mm, stroke=1, fill=0)
    canvas.restoreState()


def _lines(geom):
    """Only the line parts of a clip (a clip can return points where a line touches the edge)."""
    parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("LineString", "LinearRing")]
    parts += [p for g in getattr(geom, "geoms", [geom]) if g.geom_type == "MultiLineString" for p in g.geoms]
    return shapely.MultiLineString(parts) if parts else shapely.MultiLineString([])
