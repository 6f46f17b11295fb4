"""Map sheets (tavole) for editions too large for one map, as an atlas does it.

The district is covered by sheets printed on pages of the same size, each at the scale its entries
need: a quadtree of the district's extent, where a sheet whose markers would crowd is split into
four sheets at twice the scale (1:160.000 → 1:80.000 → … → 1:5.000, round scales throughout).
Every entry lies on exactly one sheet (the quadtree's cells tile the plane without overlapping;
each sheet shows only the part of its cell around its entries, at the most detailed round scale
that holds them, and a cell without entries has no sheet), keeps its one number, and is drawn
there only; the index gives its sheet ("tav. 12"). An overview page
(quadro d'unione) shows the district with the sheet grid and the sheet numbers.

Planning is linear in entries: projection and the crowding test are numpy over a cell grid,
placement runs per sheet with the grid index of :mod:`placement`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from reportlab.lib.units import mm

from ..units import MM_PER_PT
from ..printing.fonts import FontSet, register_family
from ..printing.theme import Theme
from ..forking import in_child
from ..problems import Problem, warning
from .comuni import DistrictPart, clip_district, colour_comuni
from .draw import (
    WHITE,
    clip_to,
    draw_background,
    draw_boundaries,
    draw_comune_labels,
    draw_map,
    draw_marker,
    draw_markers,
    draw_north,
    draw_scale_bar,
    halo_text,
    marker_colour,
)
from .geometry import Box, View, Viewport, to_utm, to_utm_arrays
from .base_names import draw_base_names, has_base, has_vectors, markers_to_avoid
from .layout import PlacedEntry, ScaleBarRecord, ViewRecord
from .placement import Item, place_markers
from .plan import MAIN, SAMPLE_ATTRIBUTION, ComuneLabel, MapPlan, PlacedMarker, ScaleBarPlan, place_comune_labels, plan_map
from .symbols import SHAPES, MarkerStyle, nice_scale_length, text_width_mm, wrap
from .words import DEFAULT_WORDS, MapWords, fill_in

SHEET_VIEW = "tavola-{}"  # view names: tavola-1, tavola-2, …
BASE_SCALE = 5000  # sheet scales are BASE_SCALE · 2^k: 1:5.000, 1:10.000, … 1:160.000
MIN_SCALE = 5000  # no sheet more detailed than 1:5.000: closer crowds get leader lines
BAND_MM = 13.0  # under each sheet's map: scale bar, north arrow, key, attribution
CELL_MM = 30.0  # crowding test: markers may cover at most FILL_CELL of any cell of this side
FILL = 0.18  # of the whole sheet
FILL_CELL = 0.4
SPLIT_MIN = 12  # a sheet with fewer markers than this is never split


@dataclass(frozen=True)
class Sheet:
    number: int
    port: Viewport  # the sheet's map area inside the frame (mm) and what it shows (metres)
    markers: tuple[PlacedMarker, ...]
    labels: tuple[ComuneLabel, ...]
    scale_bar: ScaleBarPlan
    comuni: tuple[str, ...]  # names of the comuni whose entries are on the sheet, for the title
    neighbours: tuple[tuple[str, tuple[int, ...]], ...]  # side ('nord', 'sud', 'ovest', 'est') → sheets
    edge_labels: tuple[tuple[str, tuple[float, float], Box], ...]  # "→ tav. 7", its baseline centre, its box (mm)
    district: DistrictPart = field(repr=False, compare=False)  # the district clipped to the sheet

    @property
    def view(self) -> View:
        return self.port.view

    def port_to_m(self, p: tuple[float, float]) -> tuple[float, float]:
        """A point of the sheet's frame (mm) back to metres (EPSG:32632)."""
        xmin, ymin, _, _ = self.port.view.extent
        k = self.port.scale / 1000.0
        return (xmin + (p[0] - self.port.origin_mm[0]) * k, ymin + (p[1] - self.port.origin_mm[1]) * k)


@dataclass(eq=False)
class SheetsPlan:
    """The overview (a :class:`MapPlan` of the district without markers) and the sheets.

    The sheets' grid, numbers and views are known at once; the placement of their markers and
    names may still be running in a second process (``plan_sheets(parallel=True)``): reading
    :attr:`sheets` waits for it."""

    frame_mm: tuple[float, float]
    overview: MapPlan
    count: int  # number of sheets
    sheet_of: Mapping[int, int]  # entry number → sheet number
    sheet_views: tuple[View, ...]
    style: MarkerStyle
    fonts: FontSet
    label_fonts: FontSet
    district: Any = field(repr=False)
    problems: list[Problem] = field(default_factory=list)
    words: MapWords = DEFAULT_WORDS
    _sheets: tuple[Sheet, ...] | None = None
    _pending: Any = field(default=None, repr=False)

    @property
    def sheets(self) -> tuple[Sheet, ...]:
        return self.wait()

    def wait(self) -> tuple[Sheet, ...]:
        """The placed sheets, waiting for the second process when it still runs."""
        if self._sheets is None:
            self._sheets = self._pending()
            self._pending = None
        return self._sheets

    @property
    def views(self) -> dict[str, View]:
        """Every view to fetch a basemap for: the overview ('mappa') and each sheet."""
        out = dict(self.overview.views)
        for v in self.sheet_views:
            out[v.name] = v
        return out


def _sheet_scale_for(bounds, area_mm: tuple[float, float]) -> float:
    need = max((bounds[2] - bounds[0]) / area_mm[0], (bounds[3] - bounds[1]) / area_mm[1]) * 1000.0
    scale = float(BASE_SCALE)
    while scale < need:
        scale *= 2
    return scale


def _crowded(px: np.ndarray, py: np.ndarray, cover: np.ndarray, area_mm: tuple[float, float]) -> bool:
    """Whether markers at these frame positions (mm) would crowd: any cell of CELL_MM covered
    beyond FILL by marker boxes (with their gaps), or the whole sheet beyond FILL."""
    if len(px) < SPLIT_MIN:
        return False
    w, h = area_mm
    if cover.sum() > FILL * w * h:
        return True
    nx, ny = int(np.ceil(w / CELL_MM)), int(np.ceil(h / CELL_MM))
    ix = np.clip((px / CELL_MM).astype(int), 0, nx - 1)
    iy = np.clip((py / CELL_MM).astype(int), 0, ny - 1)
    load = np.bincount(ix * ny + iy, weights=cover, minlength=nx * ny)
    return bool(load.max() > FILL_CELL * CELL_MM * CELL_MM)


def _quadtree(xs, ys, cover, extent, scale, area_mm, idx) -> list[tuple[tuple[float, float, float, float], float, np.ndarray]]:
    """Leaves (extent, scale, entry indexes), quadrants in the order NW, NE, SW, SE."""
    x0, y0, x1, y1 = extent
    k = 1000.0 / scale
    if scale <= MIN_SCALE or not _crowded((xs[idx] - x0) * k, (ys[idx] - y0) * k, cover[idx], area_mm):
        return [(extent, scale, idx)] if len(idx) else []
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    out = []
    for qx0, qy0, qx1, qy1 in ((x0, ym, xm, y1), (xm, ym, x1, y1), (x0, y0, xm, ym), (xm, y0, x1, ym)):
        # half-open quadrants (the outer edges closed): every point lands in exactly one sheet
        inx = (xs[idx] >= qx0) & ((xs[idx] < qx1) | ((qx1 == x1) & (xs[idx] <= qx1)))
        iny = (ys[idx] >= qy0) & ((ys[idx] < qy1) | ((qy1 == y1) & (ys[idx] <= qy1)))
        out += _quadtree(xs, ys, cover, (qx0, qy0, qx1, qy1), scale / 2, area_mm, idx[inx & iny])
    return out


# Round scales for fitted sheets (all multiples of 5.000, as the legend prints them).
SHEET_SCALES = tuple(
    sorted({round(m * 10**k) for k in range(3, 7) for m in (1, 1.5, 1.6, 2, 2.5, 3, 3.2, 4, 5, 6, 6.4, 8) if round(m * 10**k) % 5000 == 0})
)
FIT_MARGIN_MM = 10.0  # paper kept around a sheet's outermost entries, where the cell allows


def _fit_leaf(cell, scale: float, px: np.ndarray, py: np.ndarray, area_mm: tuple[float, float]):
    """The sheet for a quadtree leaf: the window around its entries (with FIT_MARGIN_MM of paper)
    at the most detailed round scale that holds them, kept inside the leaf's cell so no sheet shows
    the places of another sheet's entries. (extent, scale)."""
    bx0, by0, bx1, by1 = float(px.min()), float(py.min()), float(px.max()), float(py.max())
    need = max((bx1 - bx0) * 1000.0 / (area_mm[0] - 2 * FIT_MARGIN_MM), (by1 - by0) * 1000.0 / (area_mm[1] - 2 * FIT_MARGIN_MM), MIN_SCALE)
    n = next((float(s) for s in SHEET_SCALES if s >= need - 1e-6), scale)
    if n >= scale:
        return cell, scale
    w, h = area_mm[0] * n / 1000.0, area_mm[1] * n / 1000.0
    cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
    x0 = min(max(cx - w / 2, cell[0]), cell[2] - w)
    y0 = min(max(cy - h / 2, cell[1]), cell[3] - h)
    return (x0, y0, x0 + w, y0 + h), n


SPARSE = 8  # a sheet with fewer entries joins a neighbouring sheet when one can take them


def _window(px: np.ndarray, py: np.ndarray, max_scale: float, area_mm, others_x: np.ndarray, others_y: np.ndarray):
    """A window holding these entries with FIT_MARGIN_MM of paper, at the most detailed round scale
    up to ``max_scale`` where it can be placed without the place of any other entry: (extent,
    scale), or None."""
    bx0, by0, bx1, by1 = float(px.min()), float(py.min()), float(px.max()), float(py.max())
    need = max((bx1 - bx0) * 1000.0 / (area_mm[0] - 2 * FIT_MARGIN_MM), (by1 - by0) * 1000.0 / (area_mm[1] - 2 * FIT_MARGIN_MM), MIN_SCALE)
    for n in SHEET_SCALES:
        if n < need - 1e-6:
            continue
        if n > max_scale + 1e-6:
            return None
        w, h = area_mm[0] * n / 1000.0, area_mm[1] * n / 1000.0
        m = FIT_MARGIN_MM * n / 1000.0
        xs0 = ((bx0 + bx1 - w) / 2, bx0 - m, bx1 + m - w)
        ys0 = ((by0 + by1 - h) / 2, by1 + m - h, by0 - m)
        for y0 in ys0:
            for x0 in xs0:
                x0c = min(max(x0, bx1 - w), bx0)  # the entries stay inside, whatever the margin
                y0c = min(max(y0, by1 - h), by0)
                hit = (others_x >= x0c) & (others_x <= x0c + w) & (others_y >= y0c) & (others_y <= y0c + h)
                if not hit.any():
                    return (x0c, y0c, x0c + w, y0c + h), float(n)
    return None


def _sheets_of(leaves, xs, ys, cover, area_mm):
    """The sheets from the quadtree's leaves (in reading order): a sparse leaf (fewer than SPARSE
    entries) joins a neighbouring sheet when one window at no coarser scale than theirs holds
    both without crowding and without another sheet's entries; every sheet is then fitted to its
    entries. Returns [(extent, scale, entry indexes)] in reading order and their neighbours
    across each side (by the quadtree's cells)."""
    cells = [ext for ext, _, _ in leaves]
    cell_nb = _neighbours(cells)
    groups: list[dict | None] = [{"cells": [i], "scale": leaves[i][1], "idx": leaves[i][2], "ext": None} for i in range(len(leaves))]
    owner = list(range(len(leaves)))
    for i in sorted(range(len(leaves)), key=lambda i: (len(leaves[i][2]), i)):
        g = owner[i]
        G = groups[g]
        if G is None or len(G["idx"]) >= SPARSE:
            continue
        near = sorted({owner[j - 1] for c in G["cells"] for _, js in cell_nb[c] for j in js} - {g})
        best = None
        for h in near:
            H = groups[h]
            idx = np.sort(np.concatenate([G["idx"], H["idx"]]))
            rest = np.ones(len(xs), dtype=bool)
            rest[idx] = False
            got = _window(xs[idx], ys[idx], max(G["scale"], H["scale"]), area_mm, xs[rest], ys[rest])
            if got is None:
                continue
            ext, n = got
            k = 1000.0 / n
            if _crowded((xs[idx] - ext[0]) * k, (ys[idx] - ext[1]) * k, cover[idx], area_mm):
                continue
            key = (n, len(H["idx"]), h)
            if best is None or key < best[0]:
                best = (key, h, ext, n, idx)
        if best is None:
            continue
        _, h, ext, n, idx = best
        H = groups[h]
        H.update(cells=sorted(H["cells"] + G["cells"]), scale=n, idx=idx, ext=ext)
        groups[g] = None
        for c in G["cells"]:
            owner[c] = h
    kept = [k for k, G in enumerate(groups) if G is not None]  # reading order of their first cell
    number = {k: n for n, k in enumerate(kept, start=1)}
    sheets, neighbours = [], []
    for k in kept:
        G = groups[k]
        if G["ext"] is None:
            ext, scale = _fit_leaf(cells[k], G["scale"], xs[G["idx"]], ys[G["idx"]], area_mm)
        else:
            ext, scale = G["ext"], G["scale"]
        sheets.append((ext, scale, G["idx"]))
        sides: dict[str, list[int]] = {}
        for c in G["cells"]:
            for side, js in cell_nb[c]:
                for j in js:
                    o = number[owner[j - 1]]
                    if owner[j - 1] != k and o not in sides.setdefault(side, []):
                        sides[side].append(o)
        neighbours.append(tuple((side, tuple(sorted(sides[side]))) for side in ("nord", "est", "sud", "ovest") if sides.get(side)))
    return sheets, neighbours


def _neighbours(extents: list[tuple[float, float, float, float]]) -> list[tuple[tuple[str, tuple[int, ...]], ...]]:
    """For each sheet, the sheets across each of its sides (sheet numbers from 1)."""
    out = []
    eps = 1e-6
    for a in extents:
        sides: dict[str, list[int]] = {"nord": [], "est": [], "sud": [], "ovest": []}
        for j, b in enumerate(extents, start=1):
            if b is a:
                continue
            xover = min(a[2], b[2]) - max(a[0], b[0]) > eps
            yover = min(a[3], b[3]) - max(a[1], b[1]) > eps
            if xover and abs(b[1] - a[3]) < eps:
                sides["nord"].append(j)
            if xover and abs(b[3] - a[1]) < eps:
                sides["sud"].append(j)
            if yover and abs(b[0] - a[2]) < eps:
                sides["est"].append(j)
            if yover and abs(b[2] - a[0]) < eps:
                sides["ovest"].append(j)
        out.append(tuple((k, tuple(v)) for k, v in sides.items() if v))
    return out


def plan_sheets(
    district: Any,
    numbered: Sequence[Any],
    frame_mm: tuple[float, float],
    *,
    style: MarkerStyle = MarkerStyle(),
    fonts: FontSet | None = None,
    label_fonts: FontSet | None = None,
    attribution: Sequence[str] = SAMPLE_ATTRIBUTION,
    parallel: bool = False,
    words: MapWords = DEFAULT_WORDS,
) -> SheetsPlan:
    """Plan the overview and the sheets for map frames of ``frame_mm`` (w, h) millimetres.
    ``numbered``: objects with ``.number`` and ``.entry`` (stampa.numbering.Numbered).
    ``parallel``: place the sheets' markers in a forked process while the caller goes on (the
    index, say); :attr:`SheetsPlan.sheets` waits for them. ``words``: what the overview and the
    sheets print (legend, scale, north arrow, the neighbouring sheets at the edges)."""
    fonts = fonts or register_family("Atkinson Hyperlegible")
    label_fonts = label_fonts or register_family("Titillium Web")
    W, H = frame_mm
    area = (W, H - BAND_MM)
    problems: list[Problem] = []
    nbs = sorted(numbered, key=lambda nb: nb.number)
    lon = np.array([nb.entry.lon for nb in nbs], dtype=float)
    lat = np.array([nb.entry.lat for nb in nbs], dtype=float)
    xs, ys = to_utm_arrays(lon, lat) if len(nbs) else (np.zeros(0), np.zeros(0))
    widths: dict[int, float] = {}  # by digit count: the marker width hardly depends on the digits
    size = np.array([widths.setdefault(len(str(nb.number)), style.size(10 ** len(str(nb.number)) - 1, fonts.bold)[0]) for nb in nbs])
    cover = (size + 2 * style.gap_mm) * (style.height_mm + 2 * style.gap_mm)

    bx0, by0, bx1, by1 = district.outline_utm.bounds
    if len(nbs):
        bx0, by0, bx1, by1 = min(bx0, xs.min()), min(by0, ys.min()), max(bx1, xs.max()), max(by1, ys.max())
    pad = 0.01 * max(bx1 - bx0, by1 - by0)
    bounds = (bx0 - pad, by0 - pad, bx1 + pad, by1 + pad)
    root_scale = _sheet_scale_for(bounds, area)
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    hw, hh = area[0] * root_scale / 2000.0, area[1] * root_scale / 2000.0
    root = (cx - hw, cy - hh, cx + hw, cy + hh)
    leaves = _quadtree(xs, ys, cover, root, root_scale, area, np.arange(len(nbs)))
    # numbered in reading order, like the plates of an atlas: by the top edge, then left to right
    leaves.sort(key=lambda leaf: (-round(leaf[0][3], 1), round(leaf[0][0], 1)))
    # neighbours across the sides of the quadtree's cells; each sheet then shows only the part of
    # its cell its entries need (fitted, at the most detailed round scale that holds them)
    leaves, neighbours = _sheets_of(leaves, xs, ys, cover, area)
    colours = colour_comuni(district)

    sheet_of: dict[int, int] = {}
    specs = []
    for n, ((ext, scale, idx), nbrs) in enumerate(zip(leaves, neighbours), start=1):
        port = Viewport(View(SHEET_VIEW.format(n), tuple(float(v) for v in ext), (float(area[0]), float(area[1]))), (0.0, BAND_MM))
        clipped = clip_district(district, ext, colours)
        edges = _edge_labels(port.box, nbrs, label_fonts.bold, words.neighbours)
        items = []
        for i in idx:
            nb = nbs[i]
            px, py = port.to_mm(xs[i], ys[i])
            items.append(Item(nb.number, px, py, float(size[i]), style.height_mm))
            sheet_of[nb.number] = n
        bar_len = nice_scale_length(scale, 40.0, (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000))
        bar_mm = bar_len * 1000.0 / scale
        origin = (PAD_X, 4.6)
        bar = ScaleBarPlan(port.view.name, scale, bar_len, bar_mm, origin, (0.0, 0.0, origin[0] + bar_mm + 8.0, BAND_MM))
        names = sorted({str(nbs[i].entry.comune) for i in idx}, key=lambda s: (s != "Pavia", s))
        specs.append((n, port, clipped, edges, items, [nbs[i].entry for i in idx], bar, tuple(names), nbrs))

    def place_all() -> list[tuple[tuple[PlacedMarker, ...], tuple[ComuneLabel, ...], list[int]]]:
        out = []
        for n, port, clipped, edges, items, found, _, _, _ in specs:
            obstacles = [b for _, _, b in edges]
            placed, failed = place_markers(items, port.box, obstacles, gap=style.gap_mm, dot=style.dot_mm)
            markers = []
            for it, e in zip(items, found):
                p = placed[it.key]
                markers.append(PlacedMarker(it.key, e, MAIN, SHAPES.get(e.tipo, "circle"), (it.x, it.y), (p.x, p.y), p.box, p.displaced, p.leader))
            # a comune without room for its name here is named on its other sheets
            labels = place_comune_labels(clipped, port, markers, obstacles, label_fonts, [])
            out.append((tuple(markers), tuple(labels), failed))
        return out

    overview = plan_map(district, [], frame_mm, style=style, fonts=fonts, label_fonts=label_fonts, attribution=attribution, inset=False, words=words)
    plan = SheetsPlan((W, H), overview, len(specs), sheet_of, tuple(sp[1].view for sp in specs), style, fonts, label_fonts, district, problems, words=words)
    wait = in_child(place_all) if parallel else None

    def assemble() -> tuple[Sheet, ...]:
        done = (wait() if wait else None) or place_all()
        sheets = []
        for (n, port, clipped, edges, _, _, bar, names, nbrs), (markers, labels, failed) in zip(specs, done):
            for k in failed:
                problems.append(warning(f"la voce numero {k} non trova un posto libero nella tavola {n}: il suo segnaposto si sovrappone ad altri."))
            sheets.append(Sheet(n, port, markers, labels, bar, names, nbrs, edges, clipped))
        return tuple(sheets)

    plan._pending = assemble
    if not parallel:
        plan.sheets  # noqa: B018 - placed now, in this process
    return plan


PAD_X = 3.0
EDGE_PT = 7.5
ARROWS = {"nord": "↑", "sud": "↓", "ovest": "←", "est": "→"}


def _edge_labels(b: Box, neighbours, font: str, template: str) -> tuple[tuple[str, tuple[float, float], Box], ...]:
    """"tav. N" at the middle of each side that has sheets beyond it; their boxes are kept free
    of markers and names."""
    from ..printing.fonts import missing_glyphs

    out = []
    cap = EDGE_PT * 0.7 * MM_PER_PT
    for side, numbers in neighbours:
        text = fill_in(template, numeri=", ".join(map(str, numbers[:6])) + ("…" if len(numbers) > 6 else ""))
        if not missing_glyphs(font, ARROWS[side]):
            text = (ARROWS[side] + " " + text) if side in ("nord", "ovest", "sud") else (text + " " + ARROWS[side])
        tw = text_width_mm(text, font, EDGE_PT)
        xm, ym = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        x, y = {
            "nord": (xm, b[3] - 1.5 - cap),
            "sud": (xm, b[1] + 1.5),
            "ovest": (b[0] + 1.5 + tw / 2, ym),
            "est": (b[2] - 1.5 - tw / 2, ym),
        }[side]
        out.append((text, (x, y), (x - tw / 2 - 1.0, y - 1.2, x + tw / 2 + 1.0, y + cap + 1.0)))
    return tuple(out)


# --- drawing -------------------------------------------------------------------------------------

def draw_sheet(
    canvas,
    sp: SheetsPlan,
    sheet: Sheet,
    basemap: Any,
    *,
    origin_mm: tuple[float, float],
    theme: Theme,
    attribution: Sequence[str] = (),
) -> tuple[list[PlacedEntry], ViewRecord, ScaleBarRecord, list]:
    """Draw one sheet in its frame at ``origin_mm``; returns where its entries went (mm on the
    page), its view, its scale bar and the names of its OpenStreetMap basemap (text, corners in mm
    on the page)."""
    fonts = sp.fonts
    W, H = sp.frame_mm
    port = sheet.port
    canvas.saveState()
    canvas.translate(origin_mm[0] * mm, origin_mm[1] * mm)
    canvas.saveState()
    clip_to(canvas, port.box)
    draw_background(canvas, port, basemap, sheet.district, sheet.district.colours, theme)
    draw_boundaries(canvas, port, sheet.district, theme, has_raster=has_base(basemap))
    names = []
    if has_vectors(basemap):
        avoid = markers_to_avoid(sheet.markers, sp.style.dot_mm)
        avoid += [lab.box_mm for lab in sheet.labels] + [box for _, _, box in sheet.edge_labels]
        names = draw_base_names(
            canvas, port, basemap, avoid_mm=avoid, font=sp.label_fonts.regular, frame_box=port.box,
            skip_names=[lab.nome for lab in sheet.labels],
        )
    draw_comune_labels(canvas, sheet.labels, sp.label_fonts.bold, theme)
    draw_markers(canvas, sheet.markers, sp.style, theme, fonts)
    # the sheets across each side, named at the middle of that side
    for text, (x, y), _ in sheet.edge_labels:
        halo_text(canvas, x, y, text, sp.label_fonts.bold, EDGE_PT, theme)
    canvas.restoreState()

    # the band under the map: scale bar and scale, north arrow, key, attribution
    k = theme.color("testo")
    canvas.setFillColor(WHITE)
    canvas.rect(0, 0, W * mm, BAND_MM * mm, stroke=0, fill=1)
    draw_scale_bar(canvas, sheet.scale_bar, fonts, theme)
    canvas.setFillColor(k)
    canvas.setFont(fonts.regular, 7)
    canvas.drawString(PAD_X * mm, 1.6 * mm, sp.words.scale_of(sheet.scale_bar.scale))
    x = PAD_X + sheet.scale_bar.length_mm + 12.0
    draw_north(canvas, x, BAND_MM / 2 + 0.3, 8.5, fonts, theme, letter=sp.words.north)
    x += 8.0
    s = sp.style.height_mm * 0.8
    for row, yy in (("laboratorio", 8.0), ("gruppo", 3.0)):
        draw_marker(canvas, SHAPES[row], (x, yy - s / 2, x + s, yy + s / 2), marker_colour(theme, row), None, fonts, 7, theme)
        canvas.setFillColor(k)
        canvas.setFont(fonts.regular, 7)
        canvas.drawString((x + s + 1.5) * mm, (yy - 1.0) * mm, sp.words.kind(row))
    x += s + 1.5 + max(text_width_mm(sp.words.kind(r), fonts.regular, 7) for r in ("laboratorio", "gruppo")) + 5.0
    lines = [w for line in attribution for w in wrap(line, fonts.regular, 6.0, W - x - 2.0)]
    canvas.setFont(fonts.regular, 6.0)
    lead = 6.0 * 1.2 * MM_PER_PT
    y = BAND_MM - 3.0
    for line in lines[:4]:
        canvas.drawString(x * mm, y * mm, line)
        y -= lead
    canvas.setStrokeColor(k)
    canvas.setLineWidth(0.6)
    b = port.box
    canvas.rect(b[0] * mm, b[1] * mm, (b[2] - b[0]) * mm, (b[3] - b[1]) * mm, stroke=1, fill=0)
    canvas.restoreState()

    ox, oy = origin_mm
    name = port.view.name
    entries = [
        PlacedEntry(
            id=str(m.entry.id),
            number=m.number,
            nome=m.entry.nome,
            tipo=m.entry.tipo,
            view=name,
            true_mm=(m.true_mm[0] + ox, m.true_mm[1] + oy),
            marker_mm=(m.marker_mm[0] + ox, m.marker_mm[1] + oy),
            box_mm=(m.box_mm[0] + ox, m.box_mm[1] + oy, m.box_mm[2] + ox, m.box_mm[3] + oy),
            displaced=m.displaced,
            sheet=sheet.number,
        )
        for m in sheet.markers
    ]
    vb = port.box
    view = ViewRecord(name, port.view.extent, (vb[0] + ox, vb[1] + oy, vb[2] + ox, vb[3] + oy), port.scale)
    bar = ScaleBarRecord(name, sheet.scale_bar.length_m, sheet.scale_bar.length_mm, sheet.scale_bar.scale)
    placed_names = [(n.text, tuple((x + ox, y + oy) for x, y in n.polygon_mm)) for n in names]
    return entries, view, bar, placed_names


def draw_overview(canvas, sp: SheetsPlan, basemaps: Mapping[str, Any], *, origin_mm: tuple[float, float], theme: Theme):
    """The quadro d'unione: the district map (no markers) with every sheet's outline and number.
    Returns the overview's :class:`MapLayout` (no entries)."""
    layout = draw_map(canvas, sp.overview, basemaps, origin_mm=origin_mm, theme=theme, fonts=sp.fonts)
    port = sp.overview.main
    lg = sp.overview.legend
    W, H = sp.frame_mm
    canvas.saveState()
    canvas.translate(origin_mm[0] * mm, origin_mm[1] * mm)
    # clip to the frame minus the legend and attribution blocks (even-odd), so the grid never
    # runs over them
    p = canvas.beginPath()
    p.rect(0, 0, W * mm, H * mm)
    for bx in (lg.box_mm, lg.attribution_box_mm):
        p.rect(bx[0] * mm, bx[1] * mm, (bx[2] - bx[0]) * mm, (bx[3] - bx[1]) * mm)
    canvas.clipPath(p, stroke=0, fill=0, fillMode=0)
    ink = theme.color("primario")
    boxes = []
    for s in sp.sheets:
        ext = s.view.extent
        a, b = port.to_mm(ext[0], ext[1]), port.to_mm(ext[2], ext[3])
        boxes.append((a[0], a[1], b[0], b[1]))
    for colour, width in ((WHITE, 1.6), (ink, 0.6)):
        canvas.setStrokeColor(colour)
        canvas.setLineWidth(width)
        for x0, y0, x1, y1 in boxes:
            canvas.rect(x0 * mm, y0 * mm, (x1 - x0) * mm, (y1 - y0) * mm, stroke=1, fill=0)
    # every entry as a small dot: where the sheets are dense, and why
    for tipo in ("gruppo", "laboratorio"):
        canvas.setFillColor(marker_colour(theme, tipo))
        for s in sp.sheets:
            for m in s.markers:
                if m.entry.tipo == tipo:
                    x, y = port.to_mm(*s.port_to_m(m.true_mm))
                    canvas.circle(x * mm, y * mm, 0.28 * mm, stroke=0, fill=1)
    for s, (x0, y0, x1, y1) in zip(sp.sheets, boxes):
        # the part of the sheet inside the frame (the outer sheets reach beyond it)
        x0, y0, x1, y1 = max(x0, 0.0), max(y0, 0.0), min(x1, W), min(y1, H)
        text = str(s.number)
        size = 9.0
        while size > 6.0 and text_width_mm(text, sp.label_fonts.bold, size) > 0.42 * (x1 - x0):
            size -= 0.5
        cap = size * 0.7 * MM_PER_PT
        # in the sheet's top-left corner, like the plate numbers of an atlas grid
        tx = x0 + 1.0 + text_width_mm(text, sp.label_fonts.bold, size) / 2
        halo_text(canvas, tx, y1 - 1.0 - cap, text, sp.label_fonts.bold, size, theme, halo_pt=2.2)
    canvas.restoreState()
    return layout


# --- a page of its own for the enlargement of central Pavia (the booklet) -------------------------


@dataclass(eq=False)
class PagePlan:
    """The enlargement of central Pavia as a full map page (the booklet): one sheet, drawn with
    :func:`draw_sheet` (band with scale bar, north arrow, key and credits under the map)."""

    frame_mm: tuple[float, float]
    sheet: Sheet
    style: MarkerStyle
    fonts: FontSet
    label_fonts: FontSet
    title: str
    problems: tuple[Problem, ...] = ()
    words: MapWords = DEFAULT_WORDS

    @property
    def view(self) -> View:
        return self.sheet.view


def page_area(frame_mm: tuple[float, float]) -> tuple[float, float]:
    """The map area of a full map page of ``frame_mm`` (the band under it taken)."""
    return (frame_mm[0], frame_mm[1] - BAND_MM)


def plan_page(
    district: Any, numbered: Sequence[Any], view: View, frame_mm: tuple[float, float], *,
    title: str, style: MarkerStyle, fonts: FontSet, label_fonts: FontSet, words: MapWords = DEFAULT_WORDS,
) -> PagePlan:
    """Plan the page enlarging ``view`` (its extent and map area, from :func:`plan_map` with
    ``inset_page_mm``): the entries of ``numbered`` inside the extent, placed on it, and the names
    of the comuni it shows."""
    W, H = frame_mm
    port = Viewport(view, (0.0, BAND_MM))
    ext = view.extent
    colours = colour_comuni(district)
    clipped = clip_district(district, ext, colours)
    items, found = [], []
    for nb in sorted(numbered, key=lambda nb: nb.number):
        x, y = to_utm(nb.entry.lon, nb.entry.lat)
        if not (ext[0] <= x <= ext[2] and ext[1] <= y <= ext[3]):
            continue
        px, py = port.to_mm(x, y)
        w, h = style.size(nb.number, fonts.bold)
        items.append(Item(nb.number, px, py, w, h))
        found.append(nb.entry)
    placed, failed = place_markers(items, port.box, [], gap=style.gap_mm, dot=style.dot_mm)
    markers = []
    for it, e in zip(items, found):
        p = placed[it.key]
        markers.append(PlacedMarker(it.key, e, MAIN, SHAPES.get(e.tipo, "circle"), (it.x, it.y), (p.x, p.y), p.box, p.displaced, p.leader))
    labels = place_comune_labels(clipped, port, markers, [], label_fonts, [])
    scale = port.scale
    bar_len = nice_scale_length(scale, 40.0, (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000))
    bar_mm = bar_len * 1000.0 / scale
    origin = (PAD_X, 4.6)
    bar = ScaleBarPlan(view.name, scale, bar_len, bar_mm, origin, (0.0, 0.0, origin[0] + bar_mm + 8.0, BAND_MM))
    names = sorted({str(e.comune) for e in found}, key=lambda s: (s != "Pavia", s))
    problems = tuple(
        warning(f"la voce numero {k} non trova un posto libero nella pagina «{title}»: il suo segnaposto si sovrappone ad altri.") for k in failed
    )
    sheet = Sheet(0, port, tuple(markers), tuple(labels), bar, tuple(names), (), (), clipped)
    return PagePlan((W, H), sheet, style, fonts, label_fonts, title, problems, words)
