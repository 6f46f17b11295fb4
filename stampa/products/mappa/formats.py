"""The Mappa's formats as data: trim size, folds and the panels each side is divided into, in mm.

Coordinates are trim millimetres, origin at the bottom-left corner of the page as the PDF shows
it. A :class:`Panel` is an upright rectangle of the page; ``rotation`` 180 means its content is
printed upside down on the flat sheet so that it reads upright once folded.

A3-pieghevole (the default): an A3 sheet (297 × 420 mm, portrait) printed on both sides and
cross-folded ("piega a croce", a standard fold of Italian print shops) to A5 (148.5 × 210 mm).
Page 1 is the outside/text side, page 2 the map side. Folding with page 1 facing the reader:

1. first fold, horizontal at 210 mm: the top half goes BEHIND the bottom half (page 2 inside);
2. second fold, vertical at 148.5 mm: the left half goes BEHIND the right half.

The stack is then, front to back: bottom-right, top-right, top-left, bottom-left quarter. So the
bottom-right panel is the FRONT COVER (outside, the closed edge of the second fold on its left,
like a book's spine), the bottom-left panel is the BACK (outside, upright when the leaflet is
turned over). Opening the cover like a book shows top-right (left page) and top-left (right page):
both were turned over twice, once about each axis, i.e. rotated 180°, so the top row is printed
upside down. Unfolding the first fold then shows the whole map side. Nothing of the text side
crosses a fold: every panel keeps a margin of at least :data:`PANEL_MARGIN_MM` from folds and trims.

The digital version has the same sheet without folding, so its panels are upright and arranged in
reading order (cover top-left, index, index, back).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from ...printing.page import Fold, PageSpec, paper

Role = Literal["copertina", "indice", "retro", "note"]
FORMATI = ("A3-pieghevole", "A4", "libretto")

PANEL_MARGIN_MM = 7.0  # text and QR stay this far inside every panel edge (≥ 5 mm from trims and folds)
MAP_MARGIN_MM = 8.0  # map frame inside the trim of the map page


@dataclass(frozen=True)
class Panel:
    """A rectangle of one page holding one role; (x, y, w, h) in trim mm as printed."""

    role: Role
    page: int  # 0-based page index
    x_mm: float
    y_mm: float
    w_mm: float
    h_mm: float
    rotation: int = 0  # 0 or 180
    label: str = ""  # where it ends up once folded, for documentation and reports

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.x_mm, self.y_mm, self.w_mm, self.h_mm)

    def to_page(self, x_mm: float, y_mm: float, w_mm: float = 0.0, h_mm: float = 0.0) -> tuple[float, float, float, float]:
        """A box given in panel coordinates (upright, origin at the panel's reading bottom-left)
        as a box (x, y, w, h) in page trim mm."""
        if self.rotation == 180:
            return (self.x_mm + self.w_mm - x_mm - w_mm, self.y_mm + self.h_mm - y_mm - h_mm, w_mm, h_mm)
        return (self.x_mm + x_mm, self.y_mm + y_mm, w_mm, h_mm)


@dataclass(frozen=True)
class MapPage:
    page: int
    frame_mm: tuple[float, float, float, float]  # x, y, w, h of the map frame on the trim
    header_mm: tuple[float, float, float, float]  # the title band above it
    sheet: int = 0  # 0: the district map (or the sheets' overview); N: map sheet (tavola) N
    centre: bool = False  # the page enlarging central Pavia (booklet), right after the district map


@dataclass(frozen=True)
class Format:
    """One format of the Mappa: page geometry (folds included), pages, where the map goes and the
    text panels in reading order for each version."""

    name: str
    product: str  # how messages call it: "il pieghevole", "il foglio A4", "il libretto"
    spec: PageSpec
    pages: int
    map_pages: tuple[MapPage, ...]
    print_panels: tuple[Panel, ...]
    digital_panels: tuple[Panel, ...]
    index_columns_per_panel: int
    growable: bool = False  # the booklet adds index pages as needed

    def panels(self, version: str) -> tuple[Panel, ...]:
        return self.print_panels if version == "stampa" else self.digital_panels

    @property
    def trim_mm(self) -> tuple[float, float]:
        return (self.spec.trim_w_mm, self.spec.trim_h_mm)


def _map_page(page: int, w: float, h: float, header_h: float = 16.0) -> MapPage:
    m = MAP_MARGIN_MM
    frame = (m, m, w - 2 * m, h - 2 * m - header_h - 3.0)
    header = (m, h - m - header_h, w - 2 * m, header_h)
    return MapPage(page, frame, header)


def a3_folded() -> Format:
    w, h = paper("A3")  # 297 × 420, portrait
    pw, ph = w / 2, h / 2  # A5 panels, 148.5 × 210
    folds = (Fold(ph, "horizontal"), Fold(pw, "vertical"))
    spec = PageSpec(w, h, folds=folds)
    print_panels = (
        Panel("copertina", 0, pw, 0, pw, ph, 0, "fronte (copertina)"),
        Panel("indice", 0, pw, ph, pw, ph, 180, "interno, pagina sinistra"),
        Panel("indice", 0, 0, ph, pw, ph, 180, "interno, pagina destra"),
        Panel("retro", 0, 0, 0, pw, ph, 0, "retro"),
    )
    digital_panels = (
        Panel("copertina", 0, 0, ph, pw, ph, 0, "fronte (copertina)"),
        Panel("indice", 0, pw, ph, pw, ph, 0, "interno, pagina sinistra"),
        Panel("indice", 0, 0, 0, pw, ph, 0, "interno, pagina destra"),
        Panel("retro", 0, pw, 0, pw, ph, 0, "retro"),
    )
    return Format(
        "A3-pieghevole",
        "il pieghevole",
        spec,
        2,
        (_map_page(1, w, h),),
        print_panels,
        digital_panels,
        index_columns_per_panel=2,
    )


A4_STRIP_MM = 52.0  # back matter strip under the map on the A4 sheet
A4_COVER_MM = 100.0


def a4_sheet() -> Format:
    """A4 portrait, no folds: page 1 the map with the back matter (taking part, legend, credits)
    in a strip below it; page 2 the cover block on top and the index below."""
    w, h = paper("A4")
    spec = PageSpec(w, h)
    mp = _map_page(0, w, h)
    x, y, fw, fh = mp.frame_mm
    mp = MapPage(0, (x, y + A4_STRIP_MM, fw, fh - A4_STRIP_MM), mp.header_mm)
    panels = (
        Panel("copertina", 1, 0, h - A4_COVER_MM, w, A4_COVER_MM, 0, "retro del foglio, in alto"),
        Panel("indice", 1, 0, 0, w, h - A4_COVER_MM, 0, "retro del foglio: elenco"),
        Panel("retro", 0, 0, 0, w, A4_STRIP_MM + MAP_MARGIN_MM - 1.0, 0, "fronte, sotto la mappa"),
    )
    return Format("A4", "il foglio A4", spec, 2, (mp,), panels, panels, index_columns_per_panel=3)


def booklet(index_pages: int, map_sheets: int = 0, centre: bool = False) -> Format:
    """A4 pages, saddle-stitched: cover, map, index pages, notes pages to reach a multiple of 4,
    back cover. Delivered as single pages in reading order (the print shop imposes them).

    With ``map_sheets`` > 0 the map is an overview of the sheets (quadro d'unione) followed by
    one page per map sheet (tavola), all before the index. With ``centre`` the district map is
    followed by a page enlarging central Pavia (page 3, facing the map): it takes the place of a
    notes page when there is one, else the booklet grows by four pages."""
    w, h = paper("A4")
    spec = PageSpec(w, h)
    index_pages = max(1, index_pages)
    centre = centre and map_sheets <= 0
    maps = 1 + max(0, map_sheets) + (1 if centre else 0)
    body = 1 + maps + index_pages + 1  # cover, map(s), index, back
    notes = (-body) % 4
    pages = body + notes
    first_index = 1 + maps
    panels = [Panel("copertina", 0, 0, 0, w, h, 0, "copertina")]
    for i in range(index_pages):
        panels.append(Panel("indice", first_index + i, 0, 0, w, h, 0, f"pagina {first_index + 1 + i}"))
    for i in range(notes):
        panels.append(Panel("note", first_index + index_pages + i, 0, 0, w, h, 0, f"pagina {first_index + 1 + index_pages + i}"))
    panels.append(Panel("retro", pages - 1, 0, 0, w, h, 0, "quarta di copertina"))
    if centre:
        map_pages = (_map_page(1, w, h), replace(_map_page(2, w, h), centre=True))
    else:
        map_pages = tuple(replace(_map_page(1 + k, w, h), sheet=k) for k in range(maps))
    return Format(
        "libretto",
        "il libretto",
        spec,
        pages,
        map_pages,
        tuple(panels),
        tuple(panels),
        index_columns_per_panel=3,
        growable=True,
    )


CENTRE_PAGE = 3  # the booklet's page (1-based) that enlarges central Pavia, when it has one


def get_format(name: str, index_pages: int = 1, map_sheets: int = 0, centre: bool = False) -> Format:
    if name == "A3-pieghevole":
        return a3_folded()
    if name == "A4":
        return a4_sheet()
    if name == "libretto":
        return booklet(index_pages, map_sheets, centre)
    raise ValueError(f"unknown Mappa format {name!r}")
