"""PDFs for the preflight tests: one well-made print file (A4 folded in two, 3 mm bleed, CMYK,
embedded fonts, a 300 ppi CMYK image, a 30 mm vector QR code) and the same file broken on purpose
in one way at a time. Built with ReportLab the way the products build theirs."""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from pathlib import Path

import qrcode
from PIL import Image
from reportlab.lib.colors import CMYKColor
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from stampa.preflight import FileToCheck, Fold, QrSpec, TextSpec
from stampa.printing.fonts import register_family

TRIM = (210.0, 297.0)
BLEED = 3.0
SLUG = 10.0  # room for crop marks beyond the bleed
URL = "https://www.esempio.it/mappa/"
FOLD_X = 105.0
NAMES = ("Spazio Q", "Social Bistrot – Il Naviglio", "Amici del Borgo Ticino")

BLACK = CMYKColor(0, 0, 0, 1)
BLUE = CMYKColor(0.85, 0.2, 0, 0.3)
PALE = CMYKColor(0.06, 0.02, 0, 0)
WHITE = CMYKColor(0, 0, 0, 0)


@dataclass(frozen=True)
class Sample:
    """What to draw; every field that differs from the default breaks one rule."""

    digital: bool = False
    pages: int = 1
    trim: tuple[float, float] = TRIM
    trimbox: bool = True
    bleedbox_mm: float | None = BLEED  # None: no BleedBox
    base14_text: bool = False  # a line in unembedded Helvetica
    small_text_pt: float | None = None  # a line at this size
    scaled_small_text: bool = False  # 10 pt text drawn under a 0.5 scale: prints at 5 pt
    image_ppi: float = 300.0
    image_rgb: bool = False
    qr_url: str = URL
    qr_mm: float = 30.0  # the symbol; with its quiet zone (4 modules each side, version 3) 38.3 mm
    qr_at_mm: tuple[float, float] = (150.0, 40.0)  # lower-left corner of the symbol, trim coordinates
    qr: bool = True
    second_qr_url: str | None = None  # another code, 25 mm, at (60, 130) mm
    quiet_zone_ink: bool = False  # a rule drawn 1.5 mm from the code, inside its quiet zone
    link: bool = False  # a clickable link
    link_url: str = "https://www.esempio.it/"
    rgb_fill: bool = False
    text_on_fold: bool = False
    text_overflow: bool = False
    names: tuple[str, ...] = NAMES
    extra: dict = field(default_factory=dict)


def fonts():
    return register_family("Atkinson Hyperlegible")


def _image(px: int, rgb: bool) -> ImageReader:
    mode = "RGB" if rgb else "CMYK"
    img = Image.new(mode, (px, px), (40, 120, 200) if rgb else (10, 60, 100, 0))
    # Some structure so no encoder collapses it: a diagonal band.
    for i in range(px):
        img.putpixel((i, i), (0, 0, 0) if rgb else (0, 0, 0, 255))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=90)
    buf.seek(0)
    return ImageReader(buf)


def draw_qr(c: Canvas, url: str, x: float, y: float, side: float) -> None:
    """A vector QR code (ECC M, the symbol ``side`` points wide) with its 4-module quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    module = side / n
    c.setFillColor(WHITE)
    c.rect(x - 4 * module, y - 4 * module, side + 8 * module, side + 8 * module, stroke=0, fill=1)
    c.setFillColor(BLACK)
    path = c.beginPath()
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                path.rect(x + col * module, y + side - (r + 1) * module, module, module)
    c.drawPath(path, stroke=0, fill=1)


def build(path: Path, s: Sample = Sample()) -> Path:
    f = fonts()
    w, h = s.trim[0] * mm, s.trim[1] * mm
    off = 0.0 if s.digital else (BLEED + SLUG) * mm
    media = (w + 2 * off, h + 2 * off)
    c = Canvas(str(path), pagesize=media, invariant=1, initialFontName=f.regular)
    if not s.digital:
        if s.trimbox:
            c.setTrimBox((off, off, off + w, off + h))
        if s.bleedbox_mm is not None:
            b = s.bleedbox_mm * mm
            c.setBleedBox((off - b, off - b, off + w + b, off + h + b))
    for page in range(s.pages):
        c.saveState()
        c.translate(off, off)
        bleed = 0.0 if s.digital else BLEED * mm
        # Background band running into the bleed, as the products draw them.
        c.setFillColor(PALE)
        c.rect(-bleed, h - 40 * mm, w + 2 * bleed, 40 * mm + bleed, stroke=0, fill=1)
        c.setFillColor(BLUE)
        c.setFont(f.bold, 18)
        c.drawString(15 * mm, h - 25 * mm, "Mappa dei Laboratori")
        c.setFillColor(BLACK)
        c.setFont(f.regular, 10)
        y = h - 60 * mm
        for n, name in enumerate(s.names, start=1):
            c.drawString(15 * mm, y, f"{n}  {name}")
            c.drawString(FOLD_X * mm + 15 * mm, y, f"{n}  {name}")
            y -= 6 * mm
        if s.base14_text:
            c.setFont("Helvetica", 10)
            c.drawString(15 * mm, 120 * mm, "Testo in Helvetica")
            c.setFont(f.regular, 10)
        if s.small_text_pt:
            c.setFont(f.regular, s.small_text_pt)
            c.drawString(15 * mm, 110 * mm, "Testo minuscolo")
            c.setFont(f.regular, 10)
        if s.scaled_small_text:
            c.saveState()
            c.scale(0.5, 0.5)
            c.drawString(30 * mm, 200 * mm, "Testo ridotto")
            c.restoreState()
        if s.text_on_fold:
            c.drawString(FOLD_X * mm - 12 * mm, 90 * mm, "Testo sulla piega centrale")
        if s.text_overflow:
            c.drawString(w - 30 * mm, 80 * mm, "Una riga troppo lunga per il suo spazio")
        if s.rgb_fill:
            c.setFillColorRGB(1, 0, 0)
            c.rect(20 * mm, 70 * mm, 20 * mm, 10 * mm, stroke=0, fill=1)
            c.setFillColor(BLACK)
        side = 25 * mm
        px = max(1, round(s.image_ppi * 25 / 25.4))
        c.drawImage(_image(px, s.image_rgb), 20 * mm, 20 * mm, side, side)
        if s.qr:
            draw_qr(c, s.qr_url, s.qr_at_mm[0] * mm, s.qr_at_mm[1] * mm, s.qr_mm * mm)
        if s.quiet_zone_ink:
            x = (s.qr_at_mm[0] + s.qr_mm + 1.5) * mm
            c.setFillColor(BLACK)
            c.rect(x, s.qr_at_mm[1] * mm, 0.8 * mm, s.qr_mm * mm, stroke=0, fill=1)
        if s.second_qr_url:
            draw_qr(c, s.second_qr_url, 60 * mm, 130 * mm, 25 * mm)
        if s.link or s.digital:
            c.drawString(15 * mm, 160 * mm, "www.esempio.it")
            c.linkURL(s.link_url, (15 * mm, 158 * mm, 60 * mm, 165 * mm), relative=1)
        c.restoreState()
        c.showPage()
    c.save()
    return path


def spec(path: Path, s: Sample = Sample(), **changes) -> FileToCheck:
    """What the product promises for a sample file (the well-made one)."""
    base = FileToCheck(
        path=str(path),
        prodotto="prova",
        versione="digitale" if s.digital else "stampa",
        trim_mm=TRIM,
        bleed_mm=0.0 if s.digital else BLEED,
        expected_pages=1,
        qr=(QrSpec(URL, 30.0),),
        folds=(Fold("x", FOLD_X),),
        texts_expected=tuple(TextSpec(n) for n in NAMES),
        label=path.name,
    )
    return replace(base, **changes)
