"""QR codes as a phone would see them: each page rendered (pypdfium2) and decoded (zxing-cpp).

Rendering at 150 dpi gives about 4 pixels per module for a 25 mm code of a 40-character URL,
comfortably above what zxing needs; very large posters are rendered coarser so that one page
never needs more than about 40 megapixels (their codes are large too).
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pypdfium2.raw as pdfium_c
import zxingcpp

from .document import Rect
from .model import PT_PER_MM

if TYPE_CHECKING:
    from .document import PdfFile

RENDER_DPI = 150.0
MAX_PIXELS = 40e6


@dataclass(frozen=True)
class FoundQr:
    page: int
    text: str
    box: Rect  # user space, the symbol without its quiet zone
    side_mm: float  # printed side of the symbol (rotation-independent)


def render_scale(width_pt: float, height_pt: float) -> float:
    scale = RENDER_DPI / 72
    pixels = width_pt * height_pt * scale * scale
    if pixels > MAX_PIXELS:
        scale *= math.sqrt(MAX_PIXELS / pixels)
    return scale


def find_qr_codes(doc: "PdfFile") -> list[list[FoundQr]]:
    out: list[list[FoundQr]] = []
    for index in range(len(doc.pdfium)):
        page = doc.pdfium[index]
        try:
            width, height = page.get_size()
            scale = render_scale(width, height)
            bitmap = page.render(scale=scale, grayscale=True, draw_annots=False)
            image = bitmap.to_pil()
            found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
            size = image.size
            out.append([_placed(page, index + 1, code, size) for code in found])
        finally:
            page.close()
    return out


def _placed(page, number: int, code, size: tuple[int, int]) -> FoundQr:  # noqa: ANN001
    pos = code.position
    corners_px = [pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left]
    corners = [_to_page(page, p.x, p.y, size) for p in corners_px]
    xs = [c[0] for c in corners]
    ys = [c[1] for c in corners]
    # zxing's corners are the centres of the outer modules' edges, give or take a pixel: the side is
    # the mean length of the four edges, which is rotation-independent.
    edges = [math.dist(corners[i], corners[(i + 1) % 4]) for i in range(4)]
    side_pt = sum(edges) / 4
    return FoundQr(number, code.text, Rect(min(xs), min(ys), max(xs), max(ys)), side_pt / PT_PER_MM)


def _to_page(page, x_px: float, y_px: float, size: tuple[int, int]) -> tuple[float, float]:  # noqa: ANN001
    """A pixel of the render back to PDF user space (pdfium knows the crop box and /Rotate)."""
    px, py = ctypes.c_double(), ctypes.c_double()
    pdfium_c.FPDF_DeviceToPage(page.raw, 0, 0, size[0], size[1], 0, int(round(x_px)), int(round(y_px)), px, py)
    return px.value, py.value
