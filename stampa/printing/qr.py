"""Vector QR codes for print, sized by reading distance, and decoding them back for checks.

A QR code is drawn as ONE filled path in 100 % K (no image, so it stays sharp at any size), error
correction M, with its 4-module quiet zone included in the drawn size: ``size_mm`` is the whole
white square the code needs, so nothing may be placed inside it. Only http/https addresses are
ever encoded; anything else (``javascript:``, ``file:``) is refused with a clear message.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import CMYKColor
from reportlab.lib.units import mm

from ..problems import StampaError, error
from ..urls import url_problem

QUIET_MODULES = 4
MIN_MODULE_MM = 0.5  # below this phone cameras struggle even up close
DARK = CMYKColor(0, 0, 0, 1)
LIGHT = CMYKColor(0, 0, 0, 0)


def check_url(url: str, *, what: str = "indirizzo del codice QR") -> None:
    why = url_problem(url, ("http", "https"))
    if why:
        raise StampaError(error(f"{what}: {why}", value=url))


@lru_cache(maxsize=256)
def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """Modules of the code for ``url`` (ECC M), quiet zone included; True = dark."""
    check_url(url)
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_MODULES, box_size=1)
    code.add_data(url)
    code.make(fit=True)
    return tuple(tuple(bool(v) for v in row) for row in code.get_matrix())


def qr_modules(url: str) -> int:
    """Modules across the drawn square, quiet zone included."""
    return len(qr_matrix(url))


def qr_size_mm(url: str, reading_distance_cm: float) -> float:
    """Smallest printed size (mm, quiet zone included) for ``url`` read from ``reading_distance_cm``:
    at least a tenth of the distance, and modules of at least :data:`MIN_MODULE_MM`; rounded up to
    a whole millimetre."""
    by_distance = reading_distance_cm * 10.0 / 10.0  # distance / 10, in mm
    by_module = qr_modules(url) * MIN_MODULE_MM
    return float(math.ceil(max(by_distance, by_module) - 1e-9))


def draw_qr(canvas, url: str, x_mm: float, y_mm: float, size_mm: float, link: bool = False) -> None:
    """Draw the code for ``url`` with its bottom-left corner (quiet zone included) at ``x_mm``,
    ``y_mm`` in the canvas's current coordinates, ``size_mm`` wide and high.

    ``link`` adds a clickable area; the print version's canvas refuses it (no annotations)."""
    matrix = qr_matrix(url)
    if link and not getattr(canvas, "_stampa_links_allowed", True):
        raise ValueError("links are not allowed on the print version")
    n = len(matrix)
    module = size_mm * mm / n
    x0, y0 = x_mm * mm, y_mm * mm
    c = canvas
    c.saveState()
    # The quiet zone is painted white so a coloured background never eats into it.
    c.setFillColor(LIGHT)
    c.rect(x0, y0, size_mm * mm, size_mm * mm, stroke=0, fill=1)
    path = c.beginPath()
    for r, row in enumerate(matrix):
        y = y0 + (n - 1 - r) * module
        col = 0
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                path.rect(x0 + start * module, y, (col - start) * module, module)
            else:
                col += 1
    c.setFillColor(DARK)
    c.drawPath(path, stroke=0, fill=1, fillMode=0)  # nonzero winding: touching runs merge
    c.restoreState()
    if link:
        c.linkURL(url, (x0, y0, x0 + size_mm * mm, y0 + size_mm * mm), relative=1, thickness=0)


def decode_qr_codes(pdf_path: Path, page_index: int = 0, dpi: float = 150) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Decode every QR code on a page rendered at ``dpi``: (text, (x0, y0, x1, y1)) with the box of
    the symbol (without quiet zone) in mm from the TRIM's bottom-left corner, y upwards."""
    import pypdfium2 as pdfium
    import zxingcpp

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[page_index]
        media_left, media_bottom, _, media_top = page.get_mediabox()
        trim = page.get_trimbox(fallback_ok=True)
        image = page.render(scale=dpi / 72.0, grayscale=True).to_pil()
    finally:
        pdf.close()
    px_to_mm = 25.4 / dpi
    found = []
    for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        pts = [b.position.top_left, b.position.top_right, b.position.bottom_right, b.position.bottom_left]
        xs = [p.x * px_to_mm for p in pts]
        ys = [p.y * px_to_mm for p in pts]
        # Rendered pixels run from the media box's top-left; convert to trim mm, y up.
        top_mm = (media_top - media_bottom) / mm
        tx, ty = (trim[0] - media_left) / mm, (trim[1] - media_bottom) / mm
        box = (min(xs) - tx, top_mm - max(ys) - ty, max(xs) - tx, top_mm - min(ys) - ty)
        found.append((b.text, tuple(round(v, 2) for v in box)))
    return found
