"""The Mappa's type scale and marker drawing: one place for sizes (pt) and shapes (mm).

Every text size here is at least 6 pt after the largest shrink the index may apply
(:data:`MIN_SCALE`): the detail size times the scale never goes under typography.MIN_PT.
All text prints in 100 % K; colour comes only from shapes (markers, rules, tints).
"""

from __future__ import annotations

from dataclasses import dataclass


from ...cartography import MarkerStyle
from ...cartography.draw import draw_marker as _draw_map_marker  # the map's own marker, for a perfect match
from ...printing.fonts import FontSet, register_family
from ...printing.theme import Theme
from ...printing.typography import MIN_PT, TEXT_BLACK, style

DETAIL_PT = 7.5  # the index's body text at scale 1
MIN_SCALE = MIN_PT / DETAIL_PT  # the smallest scale the index may use (details at exactly 6 pt)

# Markers are the map's own (stampa.cartography): squares for laboratori, circles for gruppi, a
# tinted fill with a coloured outline and a black number, at the map's size whatever the index
# scale, so the index and the map look alike.
MARKER = MarkerStyle()
MARKER_MM = MARKER.height_mm
SHAPES = {"laboratorio": "square", "gruppo": "circle"}

@dataclass(frozen=True)
class Fonts:
    titles: FontSet
    text: FontSet


def load_fonts(titles: str, text: str, fonts_dir=None) -> Fonts:
    return Fonts(register_family(titles, fonts_dir), register_family(text, fonts_dir))


def marker_size_mm(number: int | None, font: str) -> tuple[float, float]:
    if number is None:
        return (MARKER_MM, MARKER_MM)
    return MARKER.size(number, font)


def draw_marker(canvas, kind: str, number: int | None, x_mm: float, top_mm: float, theme: Theme, font: str) -> tuple[float, float]:
    """A marker exactly as the map draws it, top-left corner at (x_mm, top_mm); ``number`` None
    draws the bare shape (legend). Returns its (w, h) in mm."""
    w, h = marker_size_mm(number, font)
    canvas.saveState()
    _draw_map_marker(
        canvas,
        SHAPES[kind],
        (x_mm, top_mm - h, x_mm + w, top_mm),
        theme.color(kind),
        None if number is None else str(number),
        _FontsLike(font),
        MARKER.number_pt,
        theme,
    )
    canvas.restoreState()
    return w, h


@dataclass(frozen=True)
class _FontsLike:
    bold: str


@dataclass(frozen=True)
class IndexStyles:
    """Paragraph styles of the index at one scale."""

    scale: float
    comune: object
    quartiere: object
    name: object
    meta: object
    detail: object
    gap_entry_mm: float
    gap_group_mm: float


def index_styles(fonts: Fonts, scale: float) -> IndexStyles:
    s = scale
    return IndexStyles(
        scale=s,
        comune=style(fonts.titles.bold, 12.5 * s, name="comune", leading=1.1),
        quartiere=style(fonts.titles.bold, 8.0 * s, name="quartiere", leading=1.15, hyphenate=False),
        name=style(fonts.titles.bold, 9.5 * s, name="nome", leading=1.1),
        meta=style(fonts.text.italic, DETAIL_PT * s, name="tipo", leading=1.17),
        detail=style(fonts.text.regular, DETAIL_PT * s, name="dettaglio", leading=1.17),
        gap_entry_mm=2.4 * s,
        gap_group_mm=3.5 * s,
    )


def text_style(fonts: Fonts, size_pt: float, *, bold: bool = False, titles: bool = False, leading: float = 1.25, align: str = "left"):
    family = fonts.titles if titles else fonts.text
    return style(family.bold if bold else family.regular, size_pt, leading=leading, align=align, color=TEXT_BLACK)
