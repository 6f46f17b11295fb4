"""Page geometry shared by every printed product: paper formats, bleed, crop and fold marks, the
two versions of each file (``stampa`` for the print shop, ``digitale`` for screens).

Everything here is data in millimetres. A product asks :func:`open_canvas` for a :class:`Sheet`
and draws on ``sheet.canvas`` in TRIM coordinates: the origin is the bottom-left corner of the
trimmed page, units are PostScript points (convert with ``reportlab.lib.units.mm``), and on the
print version backgrounds that must bleed are simply drawn from ``-bleed`` to ``trim + bleed``.
The sheet clips drawing to the bleed box (print) or the trim (digital), adds the marks in the slug
outside the bleed, and sets TrimBox/BleedBox on every page.

ReportLab's own ``bleedWidth`` is not used: it scales the page content instead of extending it
(see notes/stack.md); the media box is simply made larger and the origin moved.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Sequence

from reportlab.lib.colors import CMYKColor
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ..outputs import write_bytes

Version = Literal["stampa", "digitale"]
VERSIONS: tuple[Version, ...] = ("stampa", "digitale")

# Portrait trim sizes in mm (width, height). "50x70" and "70x100" are the Italian poster sizes in cm.
FORMATS: dict[str, tuple[float, float]] = {
    "A5": (148.0, 210.0),
    "A4": (210.0, 297.0),
    "A3": (297.0, 420.0),
    "A2": (420.0, 594.0),
    "50x70": (500.0, 700.0),
    "70x100": (700.0, 1000.0),
}

BLEED_MM = 3.0  # what Italian print shops ask for on every side
SAFE_MARGIN_MM = 5.0  # text, QR codes and key items stay this far inside the trim and from folds
MARK_GAP_MM = 2.0  # crop marks start this far outside the bleed edge, so trimming never shows them
MARK_LENGTH_MM = 6.0
SLUG_EXTRA_MM = 2.0  # paper beyond the end of the marks
MARK_WIDTH_PT = 0.25
# Registration colour: marks print on every plate so the shop can align and trim each one.
REGISTRATION = CMYKColor(1, 1, 1, 1)


def paper(name: str, landscape: bool = False) -> tuple[float, float]:
    """Trim size (width, height) in mm of a named format, portrait unless ``landscape``."""
    try:
        w, h = FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown paper format {name!r}; known: {', '.join(FORMATS)}") from None
    return (h, w) if landscape else (w, h)


@dataclass(frozen=True)
class Fold:
    """A fold line across the whole sheet, ``position_mm`` from the trim's left edge (vertical
    fold) or bottom edge (horizontal fold)."""

    position_mm: float
    orientation: Literal["vertical", "horizontal"] = "vertical"

    def __post_init__(self) -> None:
        if self.orientation not in ("vertical", "horizontal"):
            raise ValueError(f"fold orientation must be vertical or horizontal, not {self.orientation!r}")


@dataclass(frozen=True)
class PageSpec:
    """A product's page: trim size, bleed, whether the print version carries marks, its folds."""

    trim_w_mm: float
    trim_h_mm: float
    bleed_mm: float = BLEED_MM
    marks: bool = True
    folds: tuple[Fold, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.trim_w_mm <= 0 or self.trim_h_mm <= 0 or self.bleed_mm < 0:
            raise ValueError("trim sizes must be positive and bleed non-negative")
        for f in self.folds:
            limit = self.trim_w_mm if f.orientation == "vertical" else self.trim_h_mm
            if not 0 < f.position_mm < limit:
                raise ValueError(f"fold at {f.position_mm} mm lies outside the trim")

    @classmethod
    def for_format(cls, name: str, landscape: bool = False, **kw) -> "PageSpec":
        w, h = paper(name, landscape)
        return cls(w, h, **kw)

    @property
    def slug_mm(self) -> float:
        """Paper outside the trim on each side of the print version's media box."""
        if not self.marks:
            return self.bleed_mm
        return self.bleed_mm + MARK_GAP_MM + MARK_LENGTH_MM + SLUG_EXTRA_MM

    def media_mm(self, version: Version) -> tuple[float, float]:
        if version == "digitale":
            return (self.trim_w_mm, self.trim_h_mm)
        s = self.slug_mm
        return (self.trim_w_mm + 2 * s, self.trim_h_mm + 2 * s)

    def origin_mm(self, version: Version) -> float:
        """Offset of the trim's bottom-left corner from the media box's, on both axes."""
        return 0.0 if version == "digitale" else self.slug_mm

    def trim_box_pt(self, version: Version) -> tuple[float, float, float, float]:
        o = self.origin_mm(version)
        return (o * mm, o * mm, (o + self.trim_w_mm) * mm, (o + self.trim_h_mm) * mm)

    def bleed_box_pt(self, version: Version) -> tuple[float, float, float, float]:
        o = self.origin_mm(version)
        b = 0.0 if version == "digitale" else self.bleed_mm
        return ((o - b) * mm, (o - b) * mm, (o + self.trim_w_mm + b) * mm, (o + self.trim_h_mm + b) * mm)

    # --- safe area and folds (boxes are (x, y, w, h) in trim mm) -------------------------------

    def inside_safe_area(self, box_mm: tuple[float, float, float, float], margin_mm: float = SAFE_MARGIN_MM) -> bool:
        x, y, w, h = box_mm
        eps = 1e-6
        return (
            x >= margin_mm - eps
            and y >= margin_mm - eps
            and x + w <= self.trim_w_mm - margin_mm + eps
            and y + h <= self.trim_h_mm - margin_mm + eps
        )

    def folds_near(self, box_mm: tuple[float, float, float, float], clearance_mm: float = SAFE_MARGIN_MM) -> list[Fold]:
        """Folds that cross the box or pass within ``clearance_mm`` of it."""
        x, y, w, h = box_mm
        near = []
        for f in self.folds:
            lo, hi = (x, x + w) if f.orientation == "vertical" else (y, y + h)
            if lo - clearance_mm < f.position_mm < hi + clearance_mm:
                near.append(f)
        return near

    def box_ok(self, box_mm: tuple[float, float, float, float], margin_mm: float = SAFE_MARGIN_MM) -> bool:
        """Inside the safe area and at least ``margin_mm`` from every fold."""
        return self.inside_safe_area(box_mm, margin_mm) and not self.folds_near(box_mm, margin_mm)


@dataclass(frozen=True)
class DocInfo:
    """Document metadata written into the digital version (and title/author into both)."""

    title: str
    author: str = ""
    subject: str = ""
    keywords: Sequence[str] = ()
    lang: str = "it-IT"
    creator: str = "stampa"


class Sheet:
    """A ReportLab canvas set up for one product file. Draw on ``canvas`` in trim coordinates
    (points, origin at the trim's bottom-left corner); call :meth:`next_page` between pages and
    :meth:`finish` (bytes) or :meth:`save` (atomic file) at the end."""

    def __init__(self, spec: PageSpec, version: Version, *, font: str, info: DocInfo):
        if version not in VERSIONS:
            raise ValueError(f"version must be one of {VERSIONS}, not {version!r}")
        self.spec = spec
        self.version: Version = version
        self.links = version == "digitale"  # the print file carries no annotations at all
        self.pages = 0
        self._buffer = io.BytesIO()
        w, h = spec.media_mm(version)
        kwargs = {}
        if version == "digitale":
            kwargs["lang"] = info.lang
        else:
            kwargs["trimBox"] = spec.trim_box_pt(version)
            kwargs["bleedBox"] = spec.bleed_box_pt(version)
        self.canvas = Canvas(
            self._buffer,
            pagesize=(w * mm, h * mm),
            invariant=1,
            initialFontName=font,
            pageCompression=1,
            **kwargs,
        )
        # draw_qr and other helpers read this to refuse links on the print version.
        self.canvas._stampa_links_allowed = self.links  # type: ignore[attr-defined]
        c = self.canvas
        c.setTitle(info.title)
        c.setAuthor(info.author)
        c.setCreator(info.creator)
        c.setProducer(info.creator)
        if version == "digitale":
            c.setSubject(info.subject)
            c.setKeywords(", ".join(info.keywords))
        self._begin_page()

    # ReportLab resets the graphics state at showPage, so the origin and clip are set per page.
    def _begin_page(self) -> None:
        c = self.canvas
        if self.version == "stampa":
            # Boxes are canvas attributes written into every page; set again for clarity.
            c.setTrimBox(self.spec.trim_box_pt("stampa"))
            c.setBleedBox(self.spec.bleed_box_pt("stampa"))
        o = self.spec.origin_mm(self.version) * mm
        c.translate(o, o)
        c.saveState()
        b = self.spec.bleed_mm * mm if self.version == "stampa" else 0.0
        clip = c.beginPath()
        clip.rect(-b, -b, self.spec.trim_w_mm * mm + 2 * b, self.spec.trim_h_mm * mm + 2 * b)
        c.clipPath(clip, stroke=0, fill=0)

    def _end_page(self) -> None:
        c = self.canvas
        c.restoreState()
        if self.version == "stampa" and self.spec.marks:
            draw_marks(c, self.spec)
        c.showPage()
        self.pages += 1

    def next_page(self) -> None:
        self._end_page()
        self._begin_page()

    def finish(self) -> bytes:
        """End the last page and return the PDF bytes (byte-identical for the same drawing)."""
        self._end_page()
        self.canvas.save()
        return self._buffer.getvalue()

    def save(self, path: Path) -> Path:
        return write_bytes(Path(path), self.finish())


def open_canvas(spec: PageSpec, version: Version, *, font: str, info: DocInfo) -> Sheet:
    """A :class:`Sheet` for one file of a product in the ``stampa`` or ``digitale`` version.

    ``font`` must be a registered TTF name (see fonts.register_family): it becomes the canvas's
    initial font, so no unembedded Helvetica is referenced.
    """
    return Sheet(spec, version, font=font, info=info)


def draw_marks(c: Canvas, spec: PageSpec) -> None:
    """Crop marks at the four corners and fold marks at each fold, all in the slug outside the
    bleed (trim coordinates). Fold marks are dashed so the shop does not cut along them."""
    w, h = spec.trim_w_mm * mm, spec.trim_h_mm * mm
    start = (spec.bleed_mm + MARK_GAP_MM) * mm
    end = start + MARK_LENGTH_MM * mm
    c.saveState()
    c.setStrokeColor(REGISTRATION)
    c.setLineWidth(MARK_WIDTH_PT)
    for x in (0.0, w):
        for y in (0.0, h):
            sx = -1 if x == 0 else 1
            sy = -1 if y == 0 else 1
            c.line(x + sx * start, y, x + sx * end, y)  # horizontal mark, in line with the trim edge
            c.line(x, y + sy * start, x, y + sy * end)  # vertical mark
    c.setDash(2, 1.5)
    for f in spec.folds:
        p = f.position_mm * mm
        if f.orientation == "vertical":
            c.line(p, -start, p, -end)
            c.line(p, h + start, p, h + end)
        else:
            c.line(-start, p, -end, p)
            c.line(w + start, p, w + end, p)
    c.restoreState()
