"""QR codes as a phone would see them: each page rendered (pypdfium2) and decoded (zxing-cpp).

Rendering at 150 dpi gives about 4 pixels per module for a 25 mm code of a 40-character URL,
comfortably above what zxing needs; very large posters are rendered coarser so that one page
never needs more than about 40 megapixels (their codes are large too).

Rendering is most of the cost, and only a page where a code is expected needs it for certain. Any
other page is rendered only when it could show a code (:func:`may_hold_code`, from its page
objects): an image, or the squares of a drawn code (stampa draws each code as one path of
axis-aligned rectangles, one per run of dark modules; other programs draw one rectangle per module
or per run). A page of text and map lines holds neither and is not rendered.
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


# What a drawn code is made of, in the page objects: one path of at least this many straight
# axis-aligned segments (the smallest code, 21 × 21 modules, has three finder patterns of 7 × 7:
# drawn as runs of dark modules they are already 45 rectangles, 225 segments), or at least this
# many paths that are one filled rectangle each, of the same thickness, each as long as a whole
# number of thicknesses (a module, or a run of modules, of the same code).
CODE_PATH_SEGMENTS = 40
CODE_RECTANGLES = 30
RUN_SLACK = 0.03  # a run's length may differ from a whole number of modules by 3% (overlaps against hairlines)


def may_hold_code(page) -> bool:  # noqa: ANN001 - a pdfium page handle
    """Whether the page could show a QR code: it draws an image (in a form XObject too), one path
    of many axis-aligned straight segments, or many filled rectangles of one thickness. False
    only for a page whose objects can draw no code that zxing would decode."""
    runs: dict[float, int] = {}
    return _may_hold(pdfium_c.FPDFPage_CountObjects(page), lambda j: pdfium_c.FPDFPage_GetObject(page, j), runs, 0)


def _may_hold(count: int, get, runs: dict[float, int], depth: int) -> bool:  # noqa: ANN001
    x, y = ctypes.c_float(), ctypes.c_float()
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    for j in range(count):
        obj = get(j)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            return True
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            if depth >= 12:
                return True  # as deep as the content walk goes: render rather than guess
            if _may_hold(pdfium_c.FPDFFormObj_CountObjects(obj), lambda k, o=obj: pdfium_c.FPDFFormObj_GetObject(o, k), runs, depth + 1):
                return True
            continue
        if kind != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        n = pdfium_c.FPDFPath_CountSegments(obj)
        if n < 4 or 5 < n < CODE_PATH_SEGMENTS:
            continue  # neither one rectangle nor a whole code
        extent = _axis_aligned_extent(obj, n, x, y)
        if extent is None:
            continue
        if n >= CODE_PATH_SEGMENTS:
            return True
        if not pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke) or not fill.value:
            continue
        thick, long = min(extent), max(extent)
        if thick <= 0:
            continue
        ratio = long / thick
        if abs(ratio - round(ratio)) > RUN_SLACK * ratio:
            continue
        key = round(thick, 1)
        runs[key] = runs.get(key, 0) + 1
        if runs[key] >= CODE_RECTANGLES:
            return True
    return False


def _axis_aligned_extent(obj, n: int, x, y) -> tuple[float, float] | None:  # noqa: ANN001
    """Width and height (path space) of a path made only of straight segments along the axes; None
    for a path with a curve or a slanted line."""
    get_segment, get_type, get_point = pdfium_c.FPDFPath_GetPathSegment, pdfium_c.FPDFPathSegment_GetType, pdfium_c.FPDFPathSegment_GetPoint
    line, bezier = pdfium_c.FPDF_SEGMENT_LINETO, pdfium_c.FPDF_SEGMENT_BEZIERTO
    px = py = None
    lo_x = lo_y = math.inf
    hi_x = hi_y = -math.inf
    for k in range(n):
        segment = get_segment(obj, k)
        kind = get_type(segment)
        if kind == bezier or not get_point(segment, x, y):
            return None
        sx, sy = x.value, y.value
        if kind == line and px is not None and sx != px and sy != py:
            return None
        px, py = sx, sy
        lo_x, hi_x = min(lo_x, sx), max(hi_x, sx)
        lo_y, hi_y = min(lo_y, sy), max(hi_y, sy)
    return hi_x - lo_x, hi_y - lo_y


def find_qr_codes(pdf: pdfium.PdfDocument, expected: set[int] | None = None) -> list[list[FoundQr]]:
    """Every page's QR codes, as a phone would read them. Pages (1-based) in ``expected`` (all
    when None) are rendered; any other page only if :func:`may_hold_code`."""
    out: list[list[FoundQr]] = []
    for index in range(len(pdf)):
        page = pdf[index]
        try:
            if expected is not None and index + 1 not in expected and not may_hold_code(page.raw):
                out.append([])
                continue
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
