"""Planning the map (pure, nothing drawn): the main view fitted to the frame, the automatic inset
for dense central Pavia, where the legend, scale bars and attribution go, where every marker and
every comune name goes. The plan holds the two :class:`View` objects so the basemaps can be fetched
for exactly what will be printed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import Polygon, box as shp_box
from shapely.ops import polylabel

from ..district import CAPITAL
from ..units import MM_PER_PT
from ..printing.fonts import FontSet, register_family
from ..problems import Problem, warning
from .cover import W_NAME, CoverMap
from .geometry import Box, BoxIndex, View, Viewport, centred_box, fit_extent, inside, overlaps, segment_hits_box, to_utm
from .placement import Item, place_markers
from .symbols import SHAPES, MarkerStyle, format_length, nice_scale_length, text_width_mm, two_lines, wrap
from .words import DEFAULT_WORDS, MapWords

MAIN, INSET = "mappa", "riquadro"
ROUND_SCALES = (2000, 2500, 4000, 5000, 7500, 10000, 12500, 15000, 20000, 25000, 30000, 40000, 50000)
# Used to size the attribution box before the basemap is known (the OSM + tile style case is the
# longest that stampa prints); draw_map wraps the real lines into the same box.
SAMPLE_ATTRIBUTION = (
    "© OpenStreetMap contributors, dati ODbL (openstreetmap.org/copyright)",
    "Stile della mappa © CARTO (carto.com/attributions)",
)


@dataclass(frozen=True)
class PlacedMarker:
    number: int
    entry: Any  # stampa.entries.model.Entry
    view: str  # 'mappa' | 'riquadro'
    shape: str  # 'square' | 'circle'
    true_mm: tuple[float, float]  # map-frame mm
    marker_mm: tuple[float, float]  # centre of the marker, map-frame mm
    box_mm: Box
    displaced: bool
    leader: tuple[tuple[float, float], tuple[float, float]] | None


@dataclass(frozen=True)
class ComuneLabel:
    istat: str
    nome: str
    lines: tuple[str, ...]
    centre_mm: tuple[float, float]
    size_pt: float
    box_mm: Box


@dataclass(frozen=True)
class ScaleBarPlan:
    view: str
    scale: float  # N of 1:N
    length_m: int
    length_mm: float
    origin_mm: tuple[float, float]  # left end of the bar, on its lower edge
    box_mm: Box  # bar with its labels (kept free of markers)


CORNER_BAR_LENGTHS_M = (50, 100, 200, 500, 1000, 2000)


def corner_scale_bar(view: str, scale: float, corner_mm: tuple[float, float], max_mm: float, fonts: FontSet) -> ScaleBarPlan:
    """A scale bar in the lower left corner ``corner_mm`` of a small map (the inset, a proof's
    detail): the longest round length up to ``max_mm``, its box covering the bar and its labels."""
    length_m = nice_scale_length(scale, max_mm, CORNER_BAR_LENGTHS_M)
    length_mm = length_m * 1000.0 / scale
    origin = (corner_mm[0] + 2.5, corner_mm[1] + 2.0)
    unit_w = text_width_mm(format_length(length_m), fonts.regular, 6.5)
    return ScaleBarPlan(view, scale, length_m, length_mm, origin,
                        (corner_mm[0], corner_mm[1], origin[0] + length_mm + unit_w / 2 + 1.5, origin[1] + 5.2))


@dataclass(frozen=True)
class LegendPlan:
    box_mm: Box
    rows: tuple[str, ...]  # keys: laboratorio, gruppo, spostato, distretto, comune, riquadro
    north_mm: tuple[float, float, float]  # centre x, y and height of the north arrow
    scale_bar: ScaleBarPlan
    attribution_box_mm: Box
    attribution_lines: int  # lines the box was sized for


@dataclass(frozen=True, eq=False)
class MapPlan:
    """Everything :func:`draw_map` needs, in map-frame mm (origin at the frame's lower-left)."""

    frame_mm: tuple[float, float]
    main: Viewport
    inset: Viewport | None
    inset_source_mm: Box | None  # the inset's extent drawn on the main map
    inset_block_mm: Box | None  # the inset map with its title band
    inset_title: str
    markers: tuple[PlacedMarker, ...]
    labels: tuple[ComuneLabel, ...]
    legend: LegendPlan
    inset_scale_bar: ScaleBarPlan | None
    style: MarkerStyle
    fonts: FontSet  # numbers, legend, attribution
    label_fonts: FontSet  # comune names, titles
    district: Any = field(repr=False)
    problems: tuple[Problem, ...] = ()
    inset_page: bool = False  # the enlargement is a page of its own: no inset over this map
    inset_tag: str = MapWords.inset_tag  # the name printed in the rectangle of the enlarged area
    inset_tag_box_mm: Box | None = None  # where that name goes (outside the rectangle) when the enlargement is a page
    inset_legend: str = MapWords.inset_area  # its row in the legend
    words: MapWords = DEFAULT_WORDS  # what the legend, scale, north arrow and credit say

    @property
    def views(self) -> dict[str, View]:
        """The views to fetch basemaps for: 'mappa' and, when there is one, 'riquadro'."""
        out = {MAIN: self.main.view}
        if self.inset is not None:
            out[INSET] = self.inset.view
        return out


@dataclass
class _Entry:
    number: int
    entry: Any
    x: float  # EPSG:32632 m
    y: float
    w: float  # marker mm
    h: float


# --- sizes of the fixed pieces ---------------------------------------------------------------

LEGEND_W = 58.0
PAD = 2.5
TITLE_BAND = 6.0
LEGEND_ROW = 5.0
ATTR_PT = 6.5
ATTR_LEAD = ATTR_PT * 1.22 * MM_PER_PT
CORNER_MARGIN = 4.0
TAG_PT = 7.0  # the name of the enlarged area's rectangle
LEGEND_TITLE_PT = 9.5
LEGEND_PT = 7.5  # a legend row's text
LEGEND_TEXT_MM = LEGEND_W - 2 * PAD - 8.0  # room for a row's text, right of its symbol


def legend_texts(words: MapWords, inset_legend: str) -> dict[str, str]:
    """The text of each legend row, by the keys of :attr:`LegendPlan.rows`."""
    return {
        "laboratorio": words.laboratorio,
        "gruppo": words.gruppo,
        "spostato": words.displaced,
        "distretto": words.district_boundary,
        "comune": words.comune_boundary,
        "riquadro": inset_legend,
    }


def _legend_overflow(words: MapWords, rows: Sequence[str], inset_legend: str, fonts: FontSet, label_fonts: FontSet) -> list[Problem]:
    """Legend texts (staff reword them in layout/mappa.toml) wider than the legend's box."""
    texts = legend_texts(words, inset_legend)
    wanted = [(words.legend_title, label_fonts.bold, LEGEND_TITLE_PT, LEGEND_W - 2 * PAD)]
    wanted += [(texts[row], fonts.regular, LEGEND_PT, LEGEND_TEXT_MM) for row in rows]
    problems = []
    for text, font, size, room in wanted:
        wide = text_width_mm(text, font, size)
        if wide > room + 0.01:
            problems.append(
                warning(
                    f"il testo «{text}» della legenda è largo {wide:.0f} mm e nella legenda ne entrano {room:.0f}: "
                    "esce dal riquadro della legenda. Accorcialo in layout/mappa.toml."
                )
            )
    return problems


def _legend_size(rows: int) -> tuple[float, float]:
    return LEGEND_W, PAD + 6.0 + rows * LEGEND_ROW + 11.0 + PAD


def _attribution_size(lines: Sequence[str], font: str) -> tuple[float, int]:
    n = sum(len(wrap(line, font, ATTR_PT, LEGEND_W - 2 * PAD)) for line in lines)
    return 2 * PAD - 0.8 + n * ATTR_LEAD, n


def _round_main_scale(n: float) -> float:
    # round scales read better on the legend (1:80.000, 1:130.000)
    unit = 5000 if n > 50000 else 2500 if n > 20000 else 500
    return math.ceil(n / unit) * unit


# --- the inset ---------------------------------------------------------------------------------


def _collision_pairs(pts: np.ndarray, sizes: np.ndarray, scale: float, clearance: float, min_sep_m: float = 0.0):
    """Index pairs whose marker boxes would overlap at 1:scale (clearance in mm)."""
    if len(pts) < 2:
        return []
    k = 1000.0 / scale
    dx = np.abs(pts[:, None, 0] - pts[None, :, 0]) * k
    dy = np.abs(pts[:, None, 1] - pts[None, :, 1]) * k
    wx = (sizes[:, None, 0] + sizes[None, :, 0]) / 2 + clearance
    wy = (sizes[:, None, 1] + sizes[None, :, 1]) / 2 + clearance
    hit = (dx < wx) & (dy < wy)
    if min_sep_m > 0:
        hit &= np.hypot(dx, dy) / k >= min_sep_m
    i, j = np.nonzero(np.triu(hit, 1))
    return list(zip(i.tolist(), j.tolist()))


def _components(n: int, pairs) -> list[list[int]]:
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def _choose_inset(entries: list[_Entry], main_scale: float, frame_mm, style: MarkerStyle, inset_min: int, max_frac, force: bool = False):
    """(extent m, frame mm, scale) of the inset, or None when markers do not crowd anywhere."""
    pts = np.array([(e.x, e.y) for e in entries], dtype=float)
    sizes = np.array([(e.w, e.h) for e in entries], dtype=float)
    # Crowding, not only touching: markers closer than one marker height of free paper cannot all
    # be read in place, so they are grouped into the crowd the inset must enlarge.
    pairs = _collision_pairs(pts, sizes, main_scale, clearance=style.height_mm)
    comps = _components(len(entries), pairs)
    if comps and len(comps[0]) >= max(inset_min, 2):
        core = pts[comps[0]]
    elif force:
        # asked for an inset where nothing crowds: enlarge the entries of Pavia (the capital)
        capital = [i for i, e in enumerate(entries) if e.entry.istat == CAPITAL]
        if not capital:
            return None
        core = pts[capital]
    else:
        return None
    bx0, by0 = core.min(axis=0)
    bx1, by1 = core.max(axis=0)
    max_w = frame_mm[0] * max_frac[0]
    max_h = frame_mm[1] * max_frac[1] - TITLE_BAND
    min_side = 70.0
    candidates = [n for n in ROUND_SCALES if n <= main_scale / 2]
    if not candidates:
        return None

    def window(n, bounds):
        # room for a marker and a half between the crowd and the inset's edge, on paper
        pad = 1.6 * style.height_mm * n / 1000
        x0, y0, x1, y1 = bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad
        w = max((x1 - x0) * 1000 / n, min_side)
        h = max((y1 - y0) * 1000 / n, min_side)
        # keep the inset a pleasant shape (not a sliver)
        if w / h > 1.5:
            h = w / 1.5
        elif h / w > 1.5:
            w = h / 1.5
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        ext = (cx - w * n / 2000, cy - h * n / 2000, cx + w * n / 2000, cy + h * n / 2000)
        return ext, (w, h)

    fitting = []
    for n in candidates:
        ext, (w, h) = window(n, (bx0, by0, bx1, by1))
        if w <= max_w and h <= max_h:
            fitting.append((n, ext, (w, h)))
    room = lambda w, h: w * h / ((style.height_mm + 2 * style.gap_mm) ** 2 * 3.0)  # noqa: E731

    def count(ext):
        return int(np.sum((pts[:, 0] >= ext[0]) & (pts[:, 0] <= ext[2]) & (pts[:, 1] >= ext[1]) & (pts[:, 1] <= ext[3])))

    chosen = None
    for n, ext, wh in fitting:  # ascending N: from most to least magnified
        idx = [i for i, p in enumerate(pts) if ext[0] <= p[0] <= ext[2] and ext[1] <= p[1] <= ext[3]]
        # Comfortable: a marker's height of free paper between neighbours, so few need to move.
        # Pairs closer than 25 m (same building) collide at any scale: leader lines handle them.
        if not _collision_pairs(pts[idx], sizes[idx], n, clearance=style.height_mm, min_sep_m=25.0):
            chosen = (n, ext, wh)
    if chosen is None and fitting and count(fitting[0][1]) <= room(*fitting[0][2]):
        chosen = fitting[0]
    if chosen is not None:
        n, ext, wh = chosen
        return ext, wh, float(n)
    # The crowd is too wide or too dense for one inset that shows all of it: enlarge its densest
    # part, at the least magnified scale whose window still holds no more markers than it has
    # room for (the rest stay on the main map, moved with leader lines where needed).
    counts = [np.sum(np.hypot(*(core - p).T) < 1000) for p in core]
    cx, cy = core[int(np.argmax(counts))]
    w, h = max_w, max_h
    pick = candidates[0]
    for n in candidates:
        ext = (cx - w * n / 2000, cy - h * n / 2000, cx + w * n / 2000, cy + h * n / 2000)
        if count(ext) <= room(w, h):
            pick = n
    n = pick
    ext = (cx - w * n / 2000, cy - h * n / 2000, cx + w * n / 2000, cy + h * n / 2000)
    return ext, (w, h), float(n)


MIN_INSET_MM = 45.0  # an inset shrunk below this side is no longer worth its frame


def _inset_variants(choice, main_scale: float, entries: list[_Entry] = (), style: MarkerStyle = MarkerStyle()) -> list:
    """The inset as chosen, then smaller: the same area less magnified (round scales), then a
    smaller area at the same scale; largest first. A smaller inset must still have room for the
    markers it shows (as :func:`_choose_inset` judges it)."""
    ext, (w, h), n = choice
    out = [choice]
    pts = np.array([(e.x, e.y) for e in entries], dtype=float).reshape(-1, 2)

    def roomy(v) -> bool:
        (x0, y0, x1, y1), (fw, fh), _ = v
        inside = int(np.sum((pts[:, 0] >= x0) & (pts[:, 0] <= x1) & (pts[:, 1] >= y0) & (pts[:, 1] <= y1)))
        return inside <= fw * fh / ((style.height_mm + 2 * style.gap_mm) ** 2 * 3.0)

    gw, gh = ext[2] - ext[0], ext[3] - ext[1]
    for N in ROUND_SCALES:
        if n < N <= main_scale / 2:
            fw, fh = gw * 1000 / N, gh * 1000 / N
            if min(fw, fh) >= MIN_INSET_MM:
                out.append((ext, (fw, fh), float(N)))
    cx, cy = (ext[0] + ext[2]) / 2, (ext[1] + ext[3]) / 2
    for f in (0.85, 0.7, 0.55):
        fw, fh = w * f, h * f
        if min(fw, fh) >= MIN_INSET_MM:
            out.append(((cx - fw * n / 2000, cy - fh * n / 2000, cx + fw * n / 2000, cy + fh * n / 2000), (fw, fh), n))
    out = [out[0]] + [v for v in out[1:] if roomy(v)]
    order = sorted(range(len(out)), key=lambda i: (-out[i][1][0] * out[i][1][1], i))
    return [out[i] for i in order]


def _choose_page(entries: list[_Entry], main_scale: float, area_mm, style: MarkerStyle, inset_min: int, force: bool):
    """The enlargement as a page of its own: the inset's scale and centre for a window as large as
    the page's map area, which it then fills."""
    choice = _choose_inset(entries, main_scale, (area_mm[0], area_mm[1] + TITLE_BAND), style, inset_min, (1.0, 1.0), force)
    if choice is None:
        return None
    ext, _, n = choice
    w, h = area_mm
    # The page is far larger than an inset: centre it where its window holds the most entries
    # (ties: nearest the inset's own centre), so it shows the whole of the dense centre.
    pts = np.array([(e.x, e.y) for e in entries], dtype=float)
    hw, hh = w * n / 2000, h * n / 2000
    cx, cy = (ext[0] + ext[2]) / 2, (ext[1] + ext[3]) / 2
    step = 100.0  # m
    gx = cx + np.arange(-hw, hw + step, step)
    gy = cy + np.arange(-hh, hh + step, step)
    best = None
    for x in gx:
        inx = np.abs(pts[:, 0] - x) <= hw
        for y in gy:
            k = int(np.sum(inx & (np.abs(pts[:, 1] - y) <= hh)))
            key = (-k, math.hypot(x - cx, y - cy))
            if best is None or key < best[0]:
                best = (key, x, y)
    _, cx, cy = best
    return (cx - w * n / 2000, cy - h * n / 2000, cx + w * n / 2000, cy + h * n / 2000), (float(w), float(h)), n


def _cover_map(district, port: Viewport, W: float, H: float, label_fonts: FontSet) -> CoverMap:
    """What an inset would cover on this view of the district: its land, each comune, and where
    each comune's name would go (the pole of its visible part)."""
    frame = shp_box(0.0, 0.0, W, H)
    comuni = district.comuni_utm
    geoms: dict[str, tuple[str, object]] = {}
    names: dict[str, Box] = {}
    for code in comuni.index:
        name = str(comuni.loc[code, "nome"])
        g = geom_to_mm(comuni.geometry[code], port)
        geoms[code] = (name, g)
        vis = g.intersection(frame)
        if vis.is_empty:
            continue
        part = max(getattr(vis, "geoms", [vis]), key=lambda q: q.area)
        if not isinstance(part, Polygon):
            continue
        c = polylabel(part, tolerance=0.5)
        size = LABEL_PT_CAPITAL if code == CAPITAL else LABEL_PT
        names[code] = _label_box(c.x, c.y, (name,), label_fonts.bold, size)
    return CoverMap(W, H, geom_to_mm(district.outline_utm, port), geoms, names)


# --- the main plan ------------------------------------------------------------------------------


def geom_to_mm(geom, port: Viewport):
    xmin, ymin, _, _ = port.view.extent
    k = 1000.0 / port.scale
    ox, oy = port.origin_mm
    return shapely.affinity.affine_transform(geom, (k, 0, 0, k, ox - xmin * k, oy - ymin * k))


def _block_score(block: Box, outline_mm, items_mm: list[Box]) -> float:
    area = outline_mm.intersection(shp_box(*block)).area
    covered = sum(1 for b in items_mm if overlaps(b, block))
    return area + 2000.0 * covered


def plan_map(
    district: Any,
    numbered: Sequence[Any],
    frame_mm: tuple[float, float],
    *,
    style: MarkerStyle = MarkerStyle(),
    marker_mm: float | None = None,
    fonts: FontSet | None = None,
    label_fonts: FontSet | None = None,
    attribution: Sequence[str] = SAMPLE_ATTRIBUTION,
    inset: bool | None = None,
    inset_min: int = 4,
    inset_max_frac: tuple[float, float] = (0.42, 0.62),
    inset_title: str = "Pavia, centro",
    margin_frac: float = 0.035,
    label_avoid_mm: Sequence[Box] = (),
    inset_page_mm: tuple[float, float] | None = None,
    inset_tag: str | None = None,
    inset_legend: str | None = None,
    words: MapWords = DEFAULT_WORDS,
) -> MapPlan:
    """Plan the district map for a frame of ``frame_mm`` (w, h) millimetres.

    ``numbered``: objects with ``.number`` and ``.entry`` (stampa.numbering.Numbered).
    ``marker_mm``: marker height (default ``style.height_mm``, 4.3 mm). ``inset``:
    None = decide from where markers collide at the main scale; False = never; True = always
    (the largest crowd, or Pavia's entries when nothing crowds). Sizes are measured with ``fonts`` (numbers, legend) and
    ``label_fonts`` (comune names); draw with the same fonts. ``label_avoid_mm``: boxes of the frame (mm)
    that comune names keep off when they can, e.g. the bands around the folds of a folded leaflet.
    ``inset_page_mm``: the enlargement gets a page of its own with a map area of this size (w, h)
    instead of an inset over the map: the plan keeps its view and the rectangle it enlarges (named
    ``inset_tag``), and leaves its entries to the caller (:func:`stampa.cartography.sheets.plan_page`).
    ``words``: what the map prints (legend, scale, credit); ``inset_tag`` and ``inset_legend``
    default to its words for an inset over the map.
    """
    inset_tag = words.inset_tag if inset_tag is None else inset_tag
    inset_legend = words.inset_area if inset_legend is None else inset_legend
    if marker_mm is not None:
        style = replace(style, height_mm=marker_mm)
    fonts = fonts or register_family("Atkinson Hyperlegible")
    label_fonts = label_fonts or register_family("Titillium Web")
    W, H = frame_mm
    problems: list[Problem] = []
    entries: list[_Entry] = []
    for nb in sorted(numbered, key=lambda nb: nb.number):
        x, y = to_utm(nb.entry.lon, nb.entry.lat)
        w, h = style.size(nb.number, fonts.bold)
        entries.append(_Entry(nb.number, nb.entry, x, y, w, h))

    outline = district.outline_utm
    bx0, by0, bx1, by1 = outline.bounds
    if entries:
        bx0, by0 = min(bx0, min(e.x for e in entries)), min(by0, min(e.y for e in entries))
        bx1, by1 = max(bx1, max(e.x for e in entries)), max(by1, max(e.y for e in entries))
    pad = margin_frac * max(bx1 - bx0, by1 - by0)
    bounds = (bx0 - pad, by0 - pad, bx1 + pad, by1 + pad)
    main_scale = _round_main_scale(max((bounds[2] - bounds[0]) / W, (bounds[3] - bounds[1]) / H) * 1000)

    inset_choice = None
    if inset is not False and len(entries) >= 2:
        if inset_page_mm:
            inset_choice = _choose_page(entries, main_scale, inset_page_mm, style, 2 if inset else inset_min, force=bool(inset))
        else:
            inset_choice = _choose_inset(entries, main_scale, frame_mm, style, 2 if inset else inset_min, inset_max_frac, force=bool(inset))

    legend_rows = ["laboratorio", "gruppo", "spostato", "distretto", "comune"] + (["riquadro"] if inset_choice else [])
    lw, lh = _legend_size(len(legend_rows))
    ah, attr_lines = _attribution_size(words.credits(attribution), fonts.regular)
    side_w, side_h = lw, lh + ah

    # Try the spare room on either side of the district and every corner for the two blocks.
    spare_x = (W * main_scale / 1000) - (bounds[2] - bounds[0])
    aligns_x = (0.5, 0.0, 1.0) if spare_x > 1 else (0.5,)
    spare_y = (H * main_scale / 1000) - (bounds[3] - bounds[1])
    aligns_y = (0.5, 0.0, 1.0) if spare_y > 1 else (0.5,)
    corners = ("sw", "se", "nw", "ne")

    def at_corner(c: str, w: float, h: float) -> Box:
        x = CORNER_MARGIN if c[1] == "w" else W - CORNER_MARGIN - w
        y = CORNER_MARGIN if c[0] == "s" else H - CORNER_MARGIN - h
        return (x, y, x + w, y + h)

    variants: list = [None]
    if inset_choice:
        variants = [inset_choice] if inset_page_mm else _inset_variants(inset_choice, main_scale, entries, style)
    pad_mm = style.height_mm / 2  # a marker around its true place

    # Each alignment of the district in the frame, each corner for the legend block and each size
    # of the inset (largest first): the inset goes where it covers least (cover.CoverMap), off the
    # legend and the area it enlarges. The largest inset that covers no entry and no comune's name
    # wins; when none is clean, the one that covers least.
    best = None
    for ax in aligns_x:
        for ay in aligns_y:
            extent = tuple(float(v) for v in fit_extent(bounds, frame_mm, main_scale, (ax, ay)))
            port = Viewport(View(MAIN, extent, (float(W), float(H))), (0.0, 0.0))
            outline_mm = geom_to_mm(outline, port)
            cover = _cover_map(district, port, W, H, label_fonts)
            for vi, var in enumerate(variants):
                src = None
                pts, tpts = [], []
                if var:
                    ext = var[0]
                    p0, p1 = port.to_mm(ext[0], ext[1]), port.to_mm(ext[2], ext[3])
                    src = (p0[0], p0[1], p1[0], p1[1])
                for e in entries:
                    if var and var[0][0] <= e.x <= var[0][2] and var[0][1] <= e.y <= var[0][3]:
                        continue
                    px, py = port.to_mm(e.x, e.y)
                    pts.append(centred_box(px, py, e.w, e.h))
                    tpts.append((px, py))
                tarr = np.array(tpts, dtype=float).reshape(-1, 2)
                for cs in corners:
                    sblock = at_corner(cs, side_w, side_h)
                    score = _block_score(sblock, outline_mm, pts)
                    # the legend keeps off the comuni's names too (a comune under it loses its name)
                    legend_names = len(cover.describe(sblock, tarr, pad_mm).names)
                    score += W_NAME * legend_names
                    if src and overlaps(sblock, src, 2.0):
                        score += 1e7
                    # Slight preference for the legend at the bottom: readers look there for it.
                    score += 0.0 if cs[0] == "s" else 50.0
                    spot = None
                    if var and not inset_page_mm:
                        # The inset's own score only adds (it is ≥ 0, but for float noise far below
                        # 1e-6): when even a clean inset at no cost could not beat the best so far,
                        # the search for its place is skipped. Same choice, a fraction of the work.
                        if best is not None and best[0] <= (0, legend_names, vi, score - 1e-6):
                            continue
                        iw, ih = var[1]
                        spot = cover.best(iw, ih + TITLE_BAND, CORNER_MARGIN, tarr, pad_mm, [(sblock, 3.0), (src, 3.0)])
                        if spot is None:
                            continue
                        score += spot.score
                    # a clean inset first, then a legend off the names, then the largest inset
                    key = (0 if spot is None or spot.clean else 1, legend_names, vi, score)
                    if best is None or key < best[0]:
                        best = (key, port, outline_mm, src, spot, cs, sblock, var)
    if best is None:  # no room for the inset anywhere beside the legend: the map goes without it
        problems.append(warning(f"il riquadro «{inset_title}» non trova posto sulla mappa: è stato tolto (con formato = \"libretto\" il centro ha una pagina sua)."))
        fallback = plan_map(
            district, numbered, frame_mm, style=style, fonts=fonts, label_fonts=label_fonts, attribution=attribution,
            inset=False, inset_title=inset_title, margin_frac=margin_frac, label_avoid_mm=label_avoid_mm, words=words,
        )
        return replace(fallback, problems=tuple(problems) + fallback.problems)
    _, port, outline_mm, src, spot, cs, sblock, inset_choice = best
    iblock = spot.box if spot is not None else None
    if spot is not None and not spot.clean:
        what = []
        if spot.entries:
            what.append(f"il luogo di {spot.entries} voc{'e' if spot.entries == 1 else 'i'}")
        if spot.names:
            what.append("il nome di " + ", ".join(spot.names))
        problems.append(
            warning(
                f"il riquadro «{inset_title}» non trova un angolo libero della mappa e copre "
                + " e ".join(what)
                + ': usa una cornice più grande, riquadro = "no", oppure formato = "libretto" (il centro ha una pagina sua).'
            )
        )

    # Legend block: legend above the attribution (or below it when the block sits at the top).
    if cs[0] == "s":
        attr_box = (sblock[0], sblock[1], sblock[2], sblock[1] + ah)
        legend_box = (sblock[0], attr_box[3], sblock[2], sblock[3])
    else:
        legend_box = (sblock[0], sblock[3] - lh, sblock[2], sblock[3])
        attr_box = (sblock[0], sblock[1], sblock[2], sblock[1] + ah)
    bar_len = nice_scale_length(main_scale, LEGEND_W - 2 * PAD - 14.0, (500, 1000, 2000, 5000, 10000, 20000))
    bar_mm = bar_len * 1000.0 / main_scale
    bar_origin = (legend_box[0] + PAD, legend_box[1] + PAD + 4.0)
    scale_bar = ScaleBarPlan(MAIN, main_scale, bar_len, bar_mm, bar_origin, (legend_box[0], legend_box[1], legend_box[2], legend_box[1] + 11.0 + PAD))
    north = (legend_box[2] - PAD - 4.0, legend_box[1] + PAD + 5.5, 9.0)
    legend = LegendPlan(legend_box, tuple(legend_rows), north, scale_bar, attr_box, attr_lines)

    inset_port = None
    inset_scale_bar = None
    if inset_choice and inset_page_mm:
        ext, (iw, ih), n = inset_choice
        inset_port = Viewport(View(INSET, tuple(float(v) for v in ext), (float(iw), float(ih))), (0.0, 0.0))
    elif inset_choice:
        ext, (iw, ih), n = inset_choice
        inset_port = Viewport(View(INSET, tuple(float(v) for v in ext), (float(iw), float(ih))), (iblock[0], iblock[1]))
        inset_scale_bar = corner_scale_bar(INSET, n, (iblock[0], iblock[1]), min(30.0, iw * 0.4), fonts)

    # The enlargement on a page of its own: its rectangle is named just outside it (above, or
    # below when there is no room), where no marker or comune name goes.
    tag_box = None
    if inset_port is not None and inset_page_mm and src is not None:
        tw = text_width_mm(inset_tag, label_fonts.bold, TAG_PT) + 2.4
        th = TAG_PT * 0.7 * MM_PER_PT + 2.0
        x0 = min(max(src[0], 1.0), W - 1.0 - tw)
        y0 = src[3] + 0.6 if src[3] + 0.6 + th <= H - 1.0 else src[1] - 0.6 - th
        tag_box = (x0, y0, x0 + tw, y0 + th)

    # Markers: main map and inset separately, each in its own frame.
    in_inset = []
    on_main = []
    for e in entries:
        if inset_port is not None and inset_port.contains_m(e.x, e.y):
            in_inset.append(e)
        else:
            on_main.append(e)
    markers: list[PlacedMarker] = []
    main_obstacles = [legend_box, attr_box] + [b for b in (iblock, src, tag_box) if b]
    for view_name, group, vport, obstacles in (
        (MAIN, on_main, port, main_obstacles),
        (INSET, [] if inset_page_mm else in_inset, inset_port, [inset_scale_bar.box_mm] if inset_scale_bar else []),
    ):
        if not group:
            continue
        items = []
        for e in group:
            px, py = vport.to_mm(e.x, e.y)
            items.append(Item(e.number, px, py, e.w, e.h))
        placed, failed = place_markers(items, vport.box, obstacles, gap=style.gap_mm, dot=style.dot_mm)
        for k in failed:
            problems.append(warning(f"la voce numero {k} non trova un posto libero sulla mappa: il suo segnaposto si sovrappone ad altri."))
        by_number = {e.number: e for e in group}
        for it in items:
            p = placed[it.key]
            e = by_number[it.key]
            markers.append(
                PlacedMarker(it.key, e.entry, view_name, SHAPES.get(e.entry.tipo, "circle"), (it.x, it.y), (p.x, p.y), p.box, p.displaced, p.leader)
            )
    markers.sort(key=lambda m: m.number)
    covered = [m.number for m in markers if m.view == MAIN and any(_contains(b, m.true_mm) for b in main_obstacles)]
    if covered:
        problems.append(
            warning(
                "il luogo di alcune voci resta sotto la legenda o il riquadro (numeri "
                + ", ".join(map(str, covered))
                + "): usa una cornice più grande o meno voci per comune."
            )
        )

    label_obstacles = main_obstacles
    if inset_page_mm and src is not None:
        # the enlarged area is still map (only its markers are on their own page): names may go
        # inside it, off its outline
        e = 1.0
        strips = [(src[0] - e, src[1] - e, src[2] + e, src[1] + e), (src[0] - e, src[3] - e, src[2] + e, src[3] + e),
                  (src[0] - e, src[1] - e, src[0] + e, src[3] + e), (src[2] - e, src[1] - e, src[2] + e, src[3] + e)]
        label_obstacles = [legend_box, attr_box] + [b for b in (tag_box,) if b] + strips
    labels = place_comune_labels(district, port, markers, label_obstacles, label_fonts, problems, avoid=label_avoid_mm)
    problems += _legend_overflow(words, legend_rows, inset_legend, fonts, label_fonts)
    return MapPlan(
        frame_mm=(W, H),
        main=port,
        inset=inset_port,
        inset_source_mm=src,
        inset_block_mm=iblock,
        inset_title=inset_title,
        inset_page=bool(inset_page_mm and inset_port is not None),
        inset_tag=inset_tag,
        inset_tag_box_mm=tag_box,
        inset_legend=inset_legend,
        markers=tuple(markers),
        labels=tuple(labels),
        legend=legend,
        inset_scale_bar=inset_scale_bar,
        style=style,
        fonts=fonts,
        label_fonts=label_fonts,
        district=district,
        problems=tuple(problems),
        words=words,
    )


def _contains(b: Box, p: tuple[float, float]) -> bool:
    return b[0] <= p[0] <= b[2] and b[1] <= p[1] <= b[3]


LABEL_PT = 8.5
LABEL_PT_CAPITAL = 10.5
LABEL_LEAD = 1.05


def _label_box(cx: float, cy: float, lines, font: str, size: float) -> Box:
    w = max(text_width_mm(line, font, size) for line in lines) + 1.0
    h = len(lines) * size * LABEL_LEAD * MM_PER_PT + 0.6
    return centred_box(cx, cy, w, h)


def place_comune_labels(
    district, port: Viewport, markers, obstacles, fonts: FontSet, problems, avoid: Sequence[Box] = ()
) -> list[ComuneLabel]:
    """Each comune's name inside its visible part, off markers, dots, leaders and blocks; off the
    ``avoid`` boxes (fold bands) unless the comune has no other room."""
    taken = BoxIndex(8.0)
    for m in markers:
        if m.view == MAIN:
            taken.add(m.box_mm)
            if m.displaced:
                taken.add(centred_box(*m.true_mm, 1.2, 1.2))
    for ob in obstacles:
        taken.add(ob)
    leaders = [m.leader for m in markers if m.view == MAIN and m.leader]
    frame = shp_box(*port.box).buffer(-2.0)
    hidden = [shp_box(*ob) for ob in obstacles]
    comuni = district.comuni_utm
    order = sorted(comuni.index, key=lambda code: -comuni.geometry[code].area)  # big comuni first
    labels = []
    for code in order:
        name = str(comuni.loc[code, "nome"])
        geom = geom_to_mm(comuni.geometry[code], port).intersection(frame)
        for ob in hidden:
            geom = geom.difference(ob)
        if geom.is_empty:
            continue
        part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
        if not isinstance(part, Polygon):
            continue
        size = LABEL_PT_CAPITAL if code == CAPITAL else LABEL_PT
        start = polylabel(part, tolerance=0.5)
        minx, miny, maxx, maxy = part.bounds
        spots = [(start.x, start.y)]
        step = 2.0
        xs = np.arange(minx, maxx + step, step)
        ys = np.arange(miny, maxy + step, step)
        grid = [(float(x), float(y)) for x in xs for y in ys]
        sx, sy = start.x, start.y  # (shapely's .x is slow in a sort key run for thousands of spots)
        grid.sort(key=lambda p: (math.hypot(p[0] - sx, p[1] - sy), p))
        spots += grid
        variants = [(name,), two_lines(name)] if " " in name else [(name,)]
        grown = part.buffer(0.8)
        chosen = None
        for strict, shun in ((True, True), (False, True), (True, False), (False, False)):
            for cx, cy in spots:
                for lines in variants:
                    b = _label_box(cx, cy, lines, fonts.bold, size)
                    if shun and any(overlaps(b, a) for a in avoid):
                        continue
                    if strict and not grown.contains(shp_box(*b)):
                        continue
                    if not strict and not part.contains(shapely.Point(cx, cy)):
                        continue
                    if not inside(b, port.box, 1.0) or taken.hits(b, 0.4):
                        continue
                    if any(segment_hits_box(p, q, b) for p, q in leaders):
                        continue
                    chosen = (cx, cy, lines, b)
                    break
                if chosen:
                    break
            if chosen:
                break
        if chosen is None:
            problems.append(warning(f"non c'è posto per il nome del comune «{name}» sulla mappa: manca l'etichetta."))
            continue
        cx, cy, lines, b = chosen
        taken.add(b)
        labels.append(ComuneLabel(code, name, tuple(lines), (cx, cy), size, b))
    labels.sort(key=lambda lab: lab.istat)
    return labels


def inset_option(mappa_cfg: Any) -> bool | None:
    """``[mappa] riquadro`` → the ``inset`` argument of :func:`plan_map`."""
    return {"automatico": None, "sì": True, "no": False}[mappa_cfg.riquadro]
