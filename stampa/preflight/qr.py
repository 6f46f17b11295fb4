"""QR codes as a phone would see them: each page rendered (pypdfium2) and decoded (zxing-cpp).

Rendering at 150 dpi gives about 4 pixels per module for a 25 mm code of a 40-character URL,
comfortably above what zxing needs; very large posters are rendered coarser so that one page
never needs more than about 40 megapixels (their codes are large too).
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import zxingcpp

from .geometry import Rect
from .model import PT_PER_MM

RENDER_DPI = 150.0
MAX_PIXELS = 40e6


QUIET_MODULES = 4  # the quiet zone every QR code needs around it, in modules
DARK = 128  # grey level (0–255) below which a rendered pixel counts as ink


@dataclass(frozen=True)
class FoundQr:
    page: int
    text: str
    box: Rect  # user space, the symbol (dark modules' extent) without its quiet zone
    outer: Rect  # user space, the symbol with its 4-module quiet zone
    side_mm: float  # printed side of the symbol (rotation-independent)
    outer_mm: float  # printed side with the quiet zone: what the products size by reading distance
    quiet_ink: float  # share (0–1) of the quiet zone's pixels that carry ink: should be ~0


def render_scale(width_pt: float, height_pt: float) -> float:
    scale = RENDER_DPI / 72
    pixels = width_pt * height_pt * scale * scale
    if pixels > MAX_PIXELS:
        scale *= math.sqrt(MAX_PIXELS / pixels)
    return scale


def find_qr_codes(pdf: pdfium.PdfDocument) -> list[list[FoundQr]]:
    """Every page's QR codes, as a phone would read them."""
    out: list[list[FoundQr]] = []
    for index in range(len(pdf)):
        page = pdf[index]
        try:
            width, height = page.get_size()
            scale = render_scale(width, height)
            bitmap = page.render(scale=scale, grayscale=True, draw_annots=False)
            pixels = _grey_pixels(bitmap)
            found = zxingcpp.read_barcodes(pixels, formats=zxingcpp.BarcodeFormat.QRCode)
            out.append([_placed(page, index + 1, code, pixels) for code in found])
        finally:
            page.close()
    return out


def _grey_pixels(bitmap: pdfium.PdfBitmap) -> np.ndarray:
    """The render as one grey byte per pixel, rows contiguous. A grey bitmap is used as it is
    (a PIL image and its conversion cost more per page than zxing itself on a page without codes,
    and give the same bytes); any other format goes through PIL's conversion to grey."""
    if bitmap.n_channels == 1:
        return np.ascontiguousarray(bitmap.to_numpy())
    return np.asarray(bitmap.to_pil().convert("L"))


def _modules(code) -> int | None:  # noqa: ANN001
    try:
        version = int(code.extra.get("Version", ""))
    except (AttributeError, TypeError, ValueError):
        return None
    return 17 + 4 * version if 1 <= version <= 40 else None


def _placed(page, number: int, code, pixels: np.ndarray) -> FoundQr:  # noqa: ANN001
    pos = code.position
    corners_px = [(p.x, p.y) for p in (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)]
    size = (pixels.shape[1], pixels.shape[0])
    corners = [_to_page(page, x, y, size) for x, y in corners_px]
    # zxing's corners are the outer corners of the symbol: the side is the mean length of the four
    # edges, which does not depend on rotation.
    side_pt = sum(math.dist(corners[i], corners[(i + 1) % 4]) for i in range(4)) / 4
    side_px = sum(math.dist(corners_px[i], corners_px[(i + 1) % 4]) for i in range(4)) / 4
    modules = _modules(code)
    grow = QUIET_MODULES / modules if modules else 0.0
    box = _bbox(corners)
    pad = side_pt * grow
    outer = Rect(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)
    return FoundQr(
        page=number,
        text=code.text,
        box=box,
        outer=outer,
        side_mm=side_pt / PT_PER_MM,
        outer_mm=side_pt * (1 + 2 * grow) / PT_PER_MM,
        quiet_ink=_quiet_ink(pixels, corners_px, side_px * grow),
    )


def _bbox(points) -> Rect:  # noqa: ANN001
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return Rect(min(xs), min(ys), max(xs), max(ys))


def _quiet_ink(pixels: np.ndarray, corners_px, pad_px: float) -> float:  # noqa: ANN001
    """Share of inked pixels in the ring between the symbol and the edge of its quiet zone (what
    is outside the rendered page counts as ink: the quiet zone is cut off there)."""
    if pad_px < 2:
        return 0.0
    inner = _bbox(corners_px)
    h, w = pixels.shape
    # One pixel of slack on the inside for anti-aliased module edges, one on the outside.
    ix0, iy0 = int(math.floor(inner.x0)) - 1, int(math.floor(inner.y0)) - 1
    ix1, iy1 = int(math.ceil(inner.x1)) + 1, int(math.ceil(inner.y1)) + 1
    p = int(pad_px) - 1
    ox0, oy0, ox1, oy1 = ix0 - p, iy0 - p, ix1 + p, iy1 + p
    total = (ox1 - ox0) * (oy1 - oy0) - (ix1 - ix0) * (iy1 - iy0)
    if total <= 0:
        return 0.0
    cx0, cy0, cx1, cy1 = max(ox0, 0), max(oy0, 0), min(ox1, w), min(oy1, h)
    region = pixels[cy0:cy1, cx0:cx1] < DARK
    ink = int(region.sum())
    jx0, jy0, jx1, jy1 = max(ix0, 0), max(iy0, 0), min(ix1, w), min(iy1, h)
    if jx1 > jx0 and jy1 > jy0:
        ink -= int((pixels[jy0:jy1, jx0:jx1] < DARK).sum())
    outside = total - ((cx1 - cx0) * (cy1 - cy0) - max(jx1 - jx0, 0) * max(jy1 - jy0, 0))
    return (ink + outside) / total
def _to_page(page, x_px: float, y_px: float, size: tuple[int, int]) -> tuple[float, float]:  # noqa: ANN001
    """A pixel of the render back to PDF user space (pdfium knows the crop box and /Rotate)."""
    px, py = ctypes.c_double(), ctypes.c_double()
    pdfium_c.FPDF_DeviceToPage(page.raw, 0, 0, size[0], size[1], 0, int(round(x_px)), int(round(y_px)), px, py)
    return px.value, py.value
