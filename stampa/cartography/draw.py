"""Drawing a planned map with ReportLab, natively: the basemap raster embedded at its own
resolution, everything else vector (boundaries, names, markers, numbers, legend, scale bars, north
arrow, attribution), all colours CMYK from the theme, text in 100 % K with embedded fonts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from PIL import Image
from reportlab.lib.colors import CMYKColor
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics

from ..units import MM_PER_PT
from ..printing.fonts import FontSet
from ..printing.theme import Theme
from ..printing.typography import draw_string, text_out
from ..problems import Problem, warning
from .comuni import colour_comuni
from .base_names import draw_base_layers, draw_base_names, has_base, has_vectors, markers_to_avoid, outline_of
from .geometry import Box, Viewport, box_edge_point
from .osm_labels import OsmLabel
from .layout import MapLayout, PlacedEntry, ScaleBarRecord, ViewRecord
from .plan import ATTR_LEAD, ATTR_PT, INSET, LABEL_LEAD, LEGEND_PT, LEGEND_TITLE_PT, MAIN, PAD, TAG_PT, TITLE_BAND, ComuneLabel, MapPlan, PlacedMarker, ScaleBarPlan, geom_to_mm, legend_texts
from .symbols import MarkerStyle, format_length, text_width_mm, wrap
from .words import fill_in

WHITE = CMYKColor(0, 0, 0, 0)


def tint(colour: CMYKColor, t: float) -> CMYKColor:
    """``colour`` at ``t`` of its strength (0 = white), still CMYK."""
    return CMYKColor(colour.cyan * t, colour.magenta * t, colour.yellow * t, colour.black * t)


def _cap_height_mm(font: str, size_pt: float) -> float:
    face = pdfmetrics.getFont(font).face
    cap = getattr(face, "capHeight", 700) or 700
    return cap / 1000 * size_pt / mm


def path_of(canvas, geom):
    """A ReportLab path for a (multi)polygon or line in mm."""
    p = canvas.beginPath()
    polys = getattr(geom, "geoms", [geom])
    for poly in polys:
        rings = [poly.exterior, *poly.interiors] if hasattr(poly, "exterior") else [poly]
        for ring in rings:
            coords = list(ring.coords)
            if len(coords) < 2:
                continue
            p.moveTo(coords[0][0] * mm, coords[0][1] * mm)
            for x, y in coords[1:]:
                p.lineTo(x * mm, y * mm)
            if hasattr(poly, "exterior"):
                p.close()
    return p


def clip_to(canvas, b: Box) -> None:
    """Clip what follows to the box (mm)."""
    p = canvas.beginPath()
    p.rect(b[0] * mm, b[1] * mm, (b[2] - b[0]) * mm, (b[3] - b[1]) * mm)
    canvas.clipPath(p, stroke=0, fill=0)


def halo_text(canvas, x_mm, y_mm, text, font, size, theme: Theme, halo_pt=1.8, centred=True):
    """One line of text in the theme's text colour over a white halo, legible on any basemap."""
    w = text_width_mm(text, font, size)
    x0 = x_mm - w / 2 if centred else x_mm
    t = canvas.beginText()
    t.setTextRenderMode(1)
    t.setTextOrigin(x0 * mm, y_mm * mm)
    text_out(t, text, font, size)
    canvas.saveState()
    canvas.setStrokeColor(WHITE)
    canvas.setLineWidth(halo_pt)
    canvas.setLineJoin(1)
    canvas.drawText(t)
    canvas.restoreState()
    canvas.setFillColor(theme.color("testo"))
    draw_string(canvas, x0 * mm, y_mm * mm, text, font, size)


def draw_background(canvas, port: Viewport, basemap, district, colours: Mapping[str, int], theme: Theme) -> None:
    """OpenStreetMap vectors, a raster basemap (at its own pixels) or the comune fill (the
    fallback), clipped by the caller. ``district``: a District or a DistrictPart (its
    ``comuni_utm`` are filled); ``colours``: each comune's tint (:func:`colour_comuni`)."""
    fw, fh = port.view.frame_mm
    x0, y0 = port.origin_mm
    image = getattr(basemap, "image", None) if basemap is not None else None
    canvas.setFillColor(WHITE)
    canvas.rect(x0 * mm, y0 * mm, fw * mm, fh * mm, stroke=0, fill=1)
    if has_vectors(basemap):
        draw_base_layers(canvas, port, basemap)
        return
    if image is not None:
        ext = basemap.extent
        a = port.to_mm(ext[0], ext[1])
        b = port.to_mm(ext[2], ext[3])
        pil = Image.fromarray(np.ascontiguousarray(image[..., :3]).astype(np.uint8), "RGB")
        canvas.drawImage(ImageReader(pil), a[0] * mm, a[1] * mm, (b[0] - a[0]) * mm, (b[1] - a[1]) * mm)
        return
    # Neutral greys (tints of the boundary colour): the coloured markers must stay the only
    # colours on the map, so no comune fill can be mistaken for a marker's colour.
    grey = theme.color("confine")
    tints = [tint(grey, 0.07), tint(grey, 0.13), tint(grey, 0.04), tint(grey, 0.18)]
    for code, geom in district.comuni_utm.geometry.items():
        canvas.setFillColor(tints[colours[code] % len(tints)])
        canvas.drawPath(path_of(canvas, geom_to_mm(geom, port)), stroke=0, fill=1, fillMode=0)


def draw_boundaries(canvas, port: Viewport, district, theme: Theme, *, has_raster: bool) -> None:
    """The comuni's boundaries (dashed) and the district's outline of ``district`` (a District or
    a DistrictPart)."""
    comuni = district.comuni_utm
    canvas.setLineJoin(1)
    canvas.setLineCap(1)
    # comuni: a white casing under a dashed grey line, legible over any basemap
    for code in sorted(comuni.index):
        path_geom = geom_to_mm(comuni.geometry[code].boundary, port)
        if has_raster:
            canvas.setStrokeColor(WHITE)
            canvas.setLineWidth(1.6)
            canvas.setDash()
            canvas.drawPath(path_of(canvas, path_geom), stroke=1, fill=0)
        canvas.setStrokeColor(theme.color("confine"))
        canvas.setLineWidth(0.6)
        canvas.setDash([2.2, 1.4])
        canvas.drawPath(path_of(canvas, path_geom), stroke=1, fill=0)
    canvas.setDash()
    outline = geom_to_mm(district.outline_utm.boundary, port)
    canvas.setStrokeColor(WHITE)
    canvas.setLineWidth(3.2)
    canvas.drawPath(path_of(canvas, outline), stroke=1, fill=0)
    canvas.setStrokeColor(theme.color("distretto"))
    canvas.setLineWidth(1.5)
    canvas.drawPath(path_of(canvas, outline), stroke=1, fill=0)


def marker_colour(theme: Theme, tipo: str) -> CMYKColor:
    """The theme colour of an entry's kind."""
    return theme.color("laboratorio" if tipo == "laboratorio" else "gruppo")


def draw_marker(canvas, shape: str, box: Box, colour: CMYKColor, label: str | None, fonts: FontSet, size_pt: float, theme: Theme):
    """One marker ('square' or 'circle', stadium-like when wide) filling ``box`` (mm), with its
    number (``label``) in bold when given."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    canvas.setStrokeColor(colour)
    canvas.setFillColor(tint(colour, 0.4))
    canvas.setLineWidth(1.15)
    canvas.setLineJoin(0)
    inset = 0.2  # keep the stroke inside the box
    bx, by, bw, bh = (x0 + inset) * mm, (y0 + inset) * mm, (w - 2 * inset) * mm, (h - 2 * inset) * mm
    if shape == "square":
        canvas.rect(bx, by, bw, bh, stroke=1, fill=1)
    else:
        canvas.roundRect(bx, by, bw, bh, bh / 2, stroke=1, fill=1)
    if label:
        cap = _cap_height_mm(fonts.bold, size_pt)
        canvas.setFillColor(theme.color("testo"))
        canvas.setFont(fonts.bold, size_pt)
        canvas.drawCentredString((x0 + x1) / 2 * mm, ((y0 + y1) / 2 - cap / 2) * mm, label)


def draw_markers(canvas, markers: Sequence[PlacedMarker], style: MarkerStyle, theme: Theme, fonts: FontSet) -> None:
    """Placed markers: leader lines first, then the dots at the true places, then the markers."""
    # leaders first, under every marker
    for m in markers:
        if not m.leader:
            continue
        colour = marker_colour(theme, m.entry.tipo)
        (px, py), _ = m.leader
        ex, ey = box_edge_point(m.box_mm, (px, py))
        canvas.setStrokeColor(WHITE)
        canvas.setLineWidth(1.6)
        canvas.setLineCap(1)
        canvas.line(px * mm, py * mm, ex * mm, ey * mm)
        canvas.setStrokeColor(colour)
        canvas.setLineWidth(0.6)
        canvas.line(px * mm, py * mm, ex * mm, ey * mm)
    for m in markers:
        if not m.leader:
            continue
        colour = marker_colour(theme, m.entry.tipo)
        (px, py), _ = m.leader
        canvas.setFillColor(colour)
        canvas.setStrokeColor(WHITE)
        canvas.setLineWidth(0.5)
        canvas.circle(px * mm, py * mm, style.dot_mm / 2 * mm, stroke=1, fill=1)
    for m in markers:
        draw_marker(canvas, m.shape, m.box_mm, marker_colour(theme, m.entry.tipo), str(m.number), fonts, style.number_pt, theme)


def draw_scale_bar(canvas, bar: ScaleBarPlan, fonts: FontSet, theme: Theme, *, scale_text: str = "") -> None:
    """The alternating bar with its lengths; ``scale_text`` («Scala 1:25.000»), if any, under it."""
    x, y = bar.origin_mm
    n = 5 if str(bar.length_m)[0] == "5" else 4
    seg = bar.length_mm / n
    hbar = 1.4
    k = theme.color("testo")
    canvas.setLineWidth(0.4)
    canvas.setStrokeColor(k)
    for i in range(n):
        canvas.setFillColor(k if i % 2 == 0 else WHITE)
        canvas.rect((x + i * seg) * mm, y * mm, seg * mm, hbar * mm, stroke=1, fill=1)
    size = 6.5
    canvas.setFillColor(k)
    canvas.setFont(fonts.regular, size)
    unit = 1000 if bar.length_m >= 1000 else 1
    ty = (y + hbar + 0.9) * mm
    canvas.drawCentredString(x * mm, ty, "0")
    half = bar.length_m / 2 / unit
    if n % 2 == 0 and str(half)[0] in "125":  # a middle label only when it is a round number
        canvas.drawCentredString((x + bar.length_mm / 2) * mm, ty, f"{half:g}")
    end = f"{bar.length_m / unit:g}"
    canvas.drawString((x + bar.length_mm - text_width_mm(end, fonts.regular, size) / 2) * mm, ty, format_length(bar.length_m))
    if scale_text:
        canvas.setFont(fonts.regular, 7)
        canvas.drawString(x * mm, (y - 3.2) * mm, scale_text)


def draw_north(canvas, cx: float, cy: float, h: float, fonts: FontSet, theme: Theme, *, letter: str) -> None:
    """The north arrow centred on (cx, cy), ``h`` mm tall, with ``letter`` above its tip."""
    k = theme.color("testo")
    w = h * 0.42
    base = cy - h / 2
    tip = cy + h / 2 - 3.0
    canvas.setLineJoin(0)
    canvas.setLineWidth(0.5)
    canvas.setStrokeColor(k)
    # left half filled, right half open: the classic arrow that reads in black only
    p = canvas.beginPath()
    p.moveTo(cx * mm, tip * mm)
    p.lineTo((cx - w / 2) * mm, base * mm)
    p.lineTo(cx * mm, (base + h * 0.22) * mm)
    p.close()
    canvas.setFillColor(k)
    canvas.drawPath(p, stroke=1, fill=1)
    p = canvas.beginPath()
    p.moveTo(cx * mm, tip * mm)
    p.lineTo((cx + w / 2) * mm, base * mm)
    p.lineTo(cx * mm, (base + h * 0.22) * mm)
    p.close()
    canvas.setFillColor(WHITE)
    canvas.drawPath(p, stroke=1, fill=1)
    canvas.setFillColor(k)
    canvas.setFont(fonts.bold, 8)
    canvas.drawCentredString(cx * mm, (tip + 0.8) * mm, letter)


def _draw_legend(canvas, plan: MapPlan, theme: Theme, fonts: FontSet, title_font: str) -> None:
    lg = plan.legend
    x0, y0, x1, y1 = lg.box_mm
    k = theme.color("testo")
    canvas.setFillColor(WHITE)
    canvas.setStrokeColor(theme.color("confine"))
    canvas.setLineWidth(0.5)
    canvas.rect(x0 * mm, y0 * mm, (x1 - x0) * mm, (y1 - y0) * mm, stroke=1, fill=1)
    canvas.setFillColor(k)
    canvas.setFont(title_font, LEGEND_TITLE_PT)
    words = plan.words
    canvas.drawString((x0 + PAD) * mm, (y1 - PAD - 3.4) * mm, words.legend_title)
    texts = legend_texts(words, plan.inset_legend)
    sx = x0 + PAD + 3.0
    tx = x0 + PAD + 8.0
    for i, row in enumerate(lg.rows):
        cy = y1 - PAD - 6.0 - (i + 0.5) * 5.0
        if row in ("laboratorio", "gruppo"):
            s = plan.style.height_mm
            draw_marker(canvas, "square" if row == "laboratorio" else "circle", (sx - s / 2, cy - s / 2, sx + s / 2, cy + s / 2), marker_colour(theme, row), None, fonts, plan.style.number_pt, theme)
        elif row == "spostato":
            colour = theme.color("gruppo")
            canvas.setStrokeColor(colour)
            canvas.setLineWidth(0.6)
            canvas.line((sx - 2.6) * mm, (cy - 1.2) * mm, (sx + 1.0) * mm, (cy + 0.8) * mm)
            canvas.setFillColor(colour)
            canvas.setStrokeColor(WHITE)
            canvas.setLineWidth(0.5)
            canvas.circle((sx - 2.6) * mm, (cy - 1.2) * mm, plan.style.dot_mm / 2 * mm, stroke=1, fill=1)
            draw_marker(canvas, "circle", (sx + 0.2, cy - 0.3, sx + 3.0, cy + 2.5), colour, None, fonts, 7, theme)
        elif row == "distretto":
            canvas.setStrokeColor(theme.color("distretto"))
            canvas.setLineWidth(1.5)
            canvas.line((sx - 3) * mm, cy * mm, (sx + 3) * mm, cy * mm)
        elif row == "comune":
            canvas.setStrokeColor(theme.color("confine"))
            canvas.setLineWidth(0.6)
            canvas.setDash([2.2, 1.4])
            canvas.line((sx - 3) * mm, cy * mm, (sx + 3) * mm, cy * mm)
            canvas.setDash()
        elif row == "riquadro":
            canvas.setStrokeColor(theme.color("testo"))
            canvas.setLineWidth(1.0)
            canvas.rect((sx - 3) * mm, (cy - 1.6) * mm, 6 * mm, 3.2 * mm, stroke=1, fill=0)
        canvas.setFillColor(k)
        canvas.setFont(fonts.regular, LEGEND_PT)
        canvas.drawString(tx * mm, (cy - 0.95) * mm, texts[row])
    draw_scale_bar(canvas, lg.scale_bar, fonts, theme, scale_text=words.scale_of(lg.scale_bar.scale))
    draw_north(canvas, *lg.north_mm, fonts, theme, letter=words.north)


def _draw_attribution(canvas, plan: MapPlan, lines: list[str], theme: Theme, fonts: FontSet, problems: list[Problem]) -> None:
    x0, y0, x1, y1 = plan.legend.attribution_box_mm
    width = x1 - x0 - 2 * PAD
    size, lead = ATTR_PT, ATTR_LEAD
    wrapped = [w for line in lines for w in wrap(line, fonts.regular, size, width)]
    room = y1 - y0 - 2 * PAD + 0.8
    if len(wrapped) * lead > room + 0.01:
        size, lead = 6.0, 6.0 * 1.22 * MM_PER_PT  # 6 pt is the floor
        wrapped = [w for line in lines for w in wrap(line, fonts.regular, size, width)]
        if len(wrapped) * lead > room + 0.01:
            problems.append(warning("le attribuzioni dello sfondo non stanno nel loro riquadro: escono verso l'alto."))
    top = max(y1, y0 + 2 * PAD - 0.8 + len(wrapped) * lead)
    canvas.setFillColor(WHITE)
    canvas.setStrokeColor(theme.color("confine"))
    canvas.setLineWidth(0.5)
    canvas.rect(x0 * mm, y0 * mm, (x1 - x0) * mm, (top - y0) * mm, stroke=1, fill=1)
    canvas.setFillColor(theme.color("testo"))
    canvas.setFont(fonts.regular, size)
    y = top - PAD - size * MM_PER_PT * 0.78
    for line in wrapped:
        draw_string(canvas, (x0 + PAD) * mm, y * mm, line, fonts.regular, size)
        y -= lead


def draw_comune_labels(canvas, labels: Sequence[ComuneLabel], font: str, theme: Theme) -> None:
    """The comuni's names as planned, each line centred, over a white halo."""
    for lab in labels:
        cx, cy = lab.centre_mm
        lead = lab.size_pt * LABEL_LEAD * MM_PER_PT
        cap = _cap_height_mm(font, lab.size_pt)
        n = len(lab.lines)
        for i, line in enumerate(lab.lines):
            # lines centred as a block on the label's centre
            baseline = cy + (n - 1) * lead / 2 - i * lead - cap / 2
            halo_text(canvas, cx, baseline, line, font, lab.size_pt, theme)


def draw_map(
    canvas,
    plan: MapPlan,
    basemaps: Mapping[str, Any],
    *,
    origin_mm: tuple[float, float] = (0.0, 0.0),
    theme: Theme,
    fonts: FontSet | None = None,
) -> MapLayout:
    """Draw ``plan`` on ``canvas`` with its lower-left corner at ``origin_mm`` (in the canvas's
    current coordinates) and return the layout record (positions in the same coordinates).

    ``basemaps``: view name ('mappa', 'riquadro') → Basemap; a missing view or a Basemap whose
    image is None gets the vector basemap. ``fonts`` must be the fonts the plan was sized with
    (default: those).
    """
    fonts = fonts or plan.fonts
    problems: list[Problem] = list(plan.problems)
    W, H = plan.frame_mm
    canvas.saveState()
    canvas.translate(origin_mm[0] * mm, origin_mm[1] * mm)

    main_bm = basemaps.get(MAIN)
    canvas.saveState()
    clip_to(canvas, (0, 0, W, H))
    colours = colour_comuni(plan.district)
    draw_background(canvas, plan.main, main_bm, plan.district, colours, theme)
    draw_boundaries(canvas, plan.main, plan.district, theme, has_raster=has_base(main_bm))
    names: list[OsmLabel] = []
    if has_vectors(main_bm):
        avoid = markers_to_avoid([m for m in plan.markers if m.view == MAIN], plan.style.dot_mm)
        avoid += [lab.box_mm for lab in plan.labels]
        avoid += [plan.legend.box_mm, plan.legend.attribution_box_mm, plan.legend.scale_bar.box_mm]
        if plan.inset_block_mm:
            avoid.append(plan.inset_block_mm)
        if plan.inset_source_mm:
            b = plan.inset_source_mm
            avoid += [outline_of(b), (b[0], b[3] - 5.0, b[0] + 16.0, b[3])]  # the frame and its «Riquadro» tag
        if plan.inset_tag_box_mm:
            avoid.append(plan.inset_tag_box_mm)
        names += draw_base_names(
            canvas, plan.main, main_bm, avoid_mm=avoid, font=plan.label_fonts.regular, frame_box=(0.0, 0.0, W, H),
            skip_names=[lab.nome for lab in plan.labels],
        )
    if plan.inset_source_mm:
        b = plan.inset_source_mm
        for colour, width in ((WHITE, 2.6), (theme.color("testo"), 1.0)):
            canvas.setStrokeColor(colour)
            canvas.setLineWidth(width)
            canvas.rect(b[0] * mm, b[1] * mm, (b[2] - b[0]) * mm, (b[3] - b[1]) * mm, stroke=1, fill=0)
        tag = plan.inset_tag
        tb = plan.inset_tag_box_mm
        if tb is not None:  # the enlargement is a page: its name and page just outside the rectangle
            halo_text(canvas, tb[0] + 1.2, tb[1] + 1.0, tag, plan.label_fonts.bold, TAG_PT, theme, centred=False)
        # name the rectangle inside its top-left corner (nothing else is drawn there), if it fits
        elif text_width_mm(tag, plan.label_fonts.bold, 7) + 2.4 < b[2] - b[0] and b[3] - b[1] > 6:
            halo_text(canvas, b[0] + 1.2, b[3] - 1.2 - _cap_height_mm(plan.label_fonts.bold, 7), tag, plan.label_fonts.bold, 7, theme, centred=False)
    draw_comune_labels(canvas, plan.labels, plan.label_fonts.bold, theme)
    draw_markers(canvas, [m for m in plan.markers if m.view == MAIN], plan.style, theme, fonts)
    canvas.restoreState()

    if plan.inset is not None and not plan.inset_page:
        ib = plan.inset_block_mm
        port = plan.inset
        inset_bm = basemaps.get(INSET)
        canvas.saveState()
        clip_to(canvas, port.box)
        draw_background(canvas, port, inset_bm, plan.district, colours, theme)
        draw_boundaries(canvas, port, plan.district, theme, has_raster=has_base(inset_bm))
        if has_vectors(inset_bm):
            avoid = markers_to_avoid([m for m in plan.markers if m.view == INSET], plan.style.dot_mm)
            avoid.append(plan.inset_scale_bar.box_mm)
            names += draw_base_names(canvas, port, inset_bm, avoid_mm=avoid, font=plan.label_fonts.regular, frame_box=port.box)
        draw_markers(canvas, [m for m in plan.markers if m.view == INSET], plan.style, theme, fonts)
        canvas.restoreState()
        # title band above the inset map
        canvas.setFillColor(WHITE)
        canvas.rect(ib[0] * mm, port.box[3] * mm, (ib[2] - ib[0]) * mm, TITLE_BAND * mm, stroke=0, fill=1)
        canvas.setFillColor(theme.color("testo"))
        title = fill_in(plan.words.inset_title, nome=plan.inset_title)
        draw_string(canvas, (ib[0] + PAD) * mm, (port.box[3] + 1.9) * mm, title, plan.label_fonts.bold, 9.5)
        canvas.setFont(fonts.regular, 7)
        scale_text = plan.words.scale_of(port.scale)
        canvas.drawRightString((ib[2] - PAD) * mm, (port.box[3] + 1.9) * mm, scale_text)
        bar = plan.inset_scale_bar
        bb = bar.box_mm
        canvas.setFillColor(WHITE)
        canvas.rect(bb[0] * mm, bb[1] * mm, (bb[2] - bb[0]) * mm, (bb[3] - bb[1]) * mm, stroke=0, fill=1)
        draw_scale_bar(canvas, bar, fonts, theme)
        canvas.setStrokeColor(theme.color("testo"))
        canvas.setLineWidth(1.0)
        canvas.rect(ib[0] * mm, ib[1] * mm, (ib[2] - ib[0]) * mm, (ib[3] - ib[1]) * mm, stroke=1, fill=0)
        canvas.setLineWidth(0.5)
        canvas.line(ib[0] * mm, port.box[3] * mm, ib[2] * mm, port.box[3] * mm)

    # attribution: every source actually used, OpenStreetMap's for geocoded points, the boundaries' credit
    lines: list[str] = []
    for name in (MAIN, INSET):
        bm = basemaps.get(name)
        if not has_base(bm) or (name == INSET and (plan.inset is None or plan.inset_page)):
            continue
        for line in bm.attribution:
            if line not in lines:
                lines.append(line)
    lines = plan.words.credits(lines)
    _draw_legend(canvas, plan, theme, fonts, plan.label_fonts.bold)
    _draw_attribution(canvas, plan, lines, theme, fonts, problems)

    canvas.setStrokeColor(theme.color("testo"))
    canvas.setLineWidth(0.6)
    canvas.rect(0, 0, W * mm, H * mm, stroke=1, fill=0)
    canvas.restoreState()

    ox, oy = origin_mm

    def sh(p):
        return (p[0] + ox, p[1] + oy)

    def shb(b):
        return (b[0] + ox, b[1] + oy, b[2] + ox, b[3] + oy)

    entries = tuple(
        PlacedEntry(
            id=str(m.entry.id),
            number=m.number,
            nome=m.entry.nome,
            tipo=m.entry.tipo,
            view=m.view,
            true_mm=sh(m.true_mm),
            marker_mm=sh(m.marker_mm),
            box_mm=shb(m.box_mm),
            displaced=m.displaced,
        )
        for m in plan.markers
    )
    views = [ViewRecord(MAIN, plan.main.view.extent, shb(plan.main.box), plan.main.scale)]
    bars = [ScaleBarRecord(MAIN, plan.legend.scale_bar.length_m, plan.legend.scale_bar.length_mm, plan.legend.scale_bar.scale)]
    blocks = [("legenda", shb(plan.legend.box_mm)), ("attribuzione", shb(plan.legend.attribution_box_mm))]
    if plan.inset is not None and plan.inset_page:
        blocks += [("area_riquadro", shb(plan.inset_source_mm))]
        if plan.inset_tag_box_mm:
            blocks += [("nome_area_riquadro", shb(plan.inset_tag_box_mm))]
    elif plan.inset is not None:
        views.append(ViewRecord(INSET, plan.inset.view.extent, shb(plan.inset.box), plan.inset.scale))
        sb = plan.inset_scale_bar
        bars.append(ScaleBarRecord(INSET, sb.length_m, sb.length_mm, sb.scale))
        blocks += [("riquadro", shb(plan.inset_block_mm)), ("area_riquadro", shb(plan.inset_source_mm))]
    return MapLayout(
        origin_mm=(ox, oy),
        frame_mm=(W, H),
        entries=entries,
        views=tuple(views),
        scale_bars=tuple(bars),
        label_boxes_mm=tuple((lab.nome, shb(lab.box_mm)) for lab in plan.labels),
        base_names=tuple((n.text, tuple(sh(p) for p in n.polygon_mm)) for n in names),
        blocks_mm=tuple(blocks),
        attribution=tuple(lines),
        problems=tuple(problems),
    )
