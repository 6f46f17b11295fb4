"""What the content streams draw: every image with the size it is printed at, and every use of
RGB colour, found by walking each page's operators (and those of the form XObjects it draws)
while keeping track of the transformation matrix and the current colour spaces.

The walk follows the PDF graphics model closely enough for preflight: ``q``/``Q`` save and
restore the matrix and colour spaces, ``cm`` concatenates, ``Do`` draws an image (the unit
square mapped by the current matrix) or runs a form XObject under its own ``/Matrix``.
Shading patterns and tiling patterns are not entered.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pikepdf

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
MAX_FORM_DEPTH = 12  # a form drawing itself would otherwise loop forever


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF row-vector convention: cm with m on the current matrix n gives m × n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


@dataclass(frozen=True)
class PlacedImage:
    name: str
    width_px: int
    height_px: int
    colour: str  # "rgb", "cmyk", "gray", "lab", "spot", "mask", "other"
    matrix: Matrix  # maps the unit square to user space

    @property
    def size_pt(self) -> tuple[float, float]:
        a, b, c, d, _, _ = self.matrix
        return math.hypot(a, b), math.hypot(c, d)

    @property
    def ppi(self) -> float:
        """Effective resolution at the printed size: the lower of the two directions."""
        w_pt, h_pt = self.size_pt
        if w_pt <= 0 or h_pt <= 0:
            return math.inf
        return min(self.width_px / (w_pt / 72), self.height_px / (h_pt / 72))

    def corners(self) -> list[tuple[float, float]]:
        a, b, c, d, e, f = self.matrix
        return [(e, f), (a + e, b + f), (c + e, d + f), (a + c + e, b + d + f)]


@dataclass
class PageContent:
    images: list[PlacedImage] = field(default_factory=list)
    rgb_ops: int = 0  # vector RGB colour settings (rg, RG, sc/scn in an RGB space, RGB shadings)
    rgb_examples: list[str] = field(default_factory=list)


_RGB_FAMILIES = {"/DeviceRGB", "/CalRGB"}


def colour_kind(space, resources: pikepdf.Dictionary | None = None, depth: int = 0) -> str:  # noqa: ANN001
    """Classify a colour space object (name or array) as rgb, cmyk, gray, lab, spot, pattern or other."""
    if depth > 8:
        return "other"
    if isinstance(space, pikepdf.Name):
        name = str(space)
        if name in _RGB_FAMILIES or name == "/RGB":
            return "rgb"
        if name in ("/DeviceCMYK", "/CMYK"):
            return "cmyk"
        if name in ("/DeviceGray", "/G", "/CalGray"):
            return "gray"
        if name == "/Pattern":
            return "pattern"
        if resources is not None:
            named = resources.get("/ColorSpace")
            if named is not None and name in named:
                return colour_kind(named[name], None, depth + 1)
        return "other"
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        family = str(space[0])
        if family in _RGB_FAMILIES:
            return "rgb"
        if family == "/ICCBased":
            try:
                n = int(space[1].get("/N", 0))
            except (AttributeError, TypeError, ValueError):
                n = 0
            return {1: "gray", 3: "rgb", 4: "cmyk"}.get(n, "other")
        if family in ("/Indexed", "/I") and len(space) > 1:
            return colour_kind(space[1], resources, depth + 1)
        if family in ("/Separation", "/DeviceN"):
            return "spot"
        if family == "/Lab":
            return "lab"
        if family == "/Pattern":
            return "pattern"
    return "other"


# The operators the walk records something for (colour spaces, RGB colour, images, forms, shadings,
# inline images) as whole tokens: PDF delimiters or white space on both sides. A page whose content
# has none of them gives an empty PageContent, so its operators need not be parsed one by one
# (an index page of a large booklet has thousands). Anything else that reads as one (inside a
# string, a name) only makes the page parsed as before.
_BOUNDARY = rb"\s()<>\[\]{}/%"
_RECORDED = re.compile(rb"(?<![^" + _BOUNDARY + rb"])(?:rg|RG|scn?|SCN?|cs|CS|sh|Do|BI)(?![^" + _BOUNDARY + rb"])")


def _may_draw(page: pikepdf.Page) -> bool:
    """False only when the page's content certainly has none of the recorded operators."""
    contents = page.obj.get("/Contents")
    if contents is None:
        return True  # as before: the parse finds nothing
    try:
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        data = b"\n".join(stream.read_bytes() for stream in streams)
    except Exception:  # noqa: BLE001 - a damaged stream: the parse reports it as it always did
        return True
    return _RECORDED.search(data) is not None


class _Walker:
    def __init__(self) -> None:
        self.parsed: dict[tuple[int, int], list] = {}

    def page(self, page: pikepdf.Page) -> PageContent:
        out = PageContent()
        if not _may_draw(page):
            return out
        resources = page.obj.get("/Resources")
        try:
            ops = pikepdf.parse_content_stream(page)
        except pikepdf.PdfError:
            return out
        self.run(ops, resources, IDENTITY, out, 0)
        return out

    def run(self, ops: list, resources, ctm: Matrix, out: PageContent, depth: int) -> None:  # noqa: ANN001, C901
        stack: list[tuple[Matrix, str, str]] = []
        fill_space = stroke_space = "gray"
        for item in ops:
            if isinstance(item, pikepdf.ContentStreamInlineImage):
                img = item.iimage
                out.images.append(
                    PlacedImage(
                        "immagine in linea",
                        int(img.width),
                        int(img.height),
                        "mask" if img.image_mask else _inline_kind(img),
                        ctm,
                    )
                )
                continue
            operands, operator = item.operands, str(item.operator)
            if operator == "q":
                stack.append((ctm, fill_space, stroke_space))
            elif operator == "Q":
                if stack:
                    ctm, fill_space, stroke_space = stack.pop()
            elif operator == "cm" and len(operands) == 6:
                ctm = multiply(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
            elif operator in ("rg", "RG"):
                self.rgb(out, operator, operands)
            elif operator == "cs" and operands:
                fill_space = colour_kind(operands[0], resources)
            elif operator == "CS" and operands:
                stroke_space = colour_kind(operands[0], resources)
            elif operator in ("sc", "scn") and fill_space == "rgb":
                self.rgb(out, operator, operands)
            elif operator in ("SC", "SCN") and stroke_space == "rgb":
                self.rgb(out, operator, operands)
            elif operator in ("g", "k"):
                fill_space = "gray" if operator == "g" else "cmyk"
            elif operator in ("G", "K"):
                stroke_space = "gray" if operator == "G" else "cmyk"
            elif operator == "sh" and operands and resources is not None:
                shading = (resources.get("/Shading") or {}).get(str(operands[0]))
                if shading is not None and colour_kind(shading.get("/ColorSpace"), resources) == "rgb":
                    self.rgb(out, "sh", operands)
            elif operator == "Do" and operands and resources is not None:
                xobjects = resources.get("/XObject")
                xobj = xobjects.get(str(operands[0])) if xobjects is not None else None
                if xobj is not None:
                    self.draw(str(operands[0]), xobj, resources, ctm, out, depth)

    def draw(self, name: str, xobj, resources, ctm: Matrix, out: PageContent, depth: int) -> None:  # noqa: ANN001
        subtype = str(xobj.get("/Subtype", ""))
        if subtype == "/Image":
            if bool(xobj.get("/ImageMask", False)):
                kind = "mask"
            else:
                kind = colour_kind(xobj.get("/ColorSpace", pikepdf.Name("/DeviceGray")), resources)
            out.images.append(
                PlacedImage(name, int(xobj.get("/Width", 0)), int(xobj.get("/Height", 0)), kind, ctm)
            )
        elif subtype == "/Form" and depth < MAX_FORM_DEPTH:
            matrix = xobj.get("/Matrix")
            form_ctm = multiply(tuple(float(v) for v in matrix), ctm) if matrix is not None else ctm  # type: ignore[arg-type]
            key = xobj.objgen
            ops = self.parsed.get(key) if key != (0, 0) else None
            if ops is None:
                try:
                    ops = pikepdf.parse_content_stream(xobj)
                except pikepdf.PdfError:
                    return
                if key != (0, 0):
                    self.parsed[key] = ops
            self.run(ops, xobj.get("/Resources", resources), form_ctm, out, depth + 1)

    @staticmethod
    def rgb(out: PageContent, operator: str, operands: list) -> None:  # noqa: ANN001
        out.rgb_ops += 1
        if len(out.rgb_examples) < 3:
            values = " ".join(_fmt(v) for v in operands)
            out.rgb_examples.append(f"{values} {operator}".strip())


def _fmt(value) -> str:  # noqa: ANN001
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


_INLINE_SPACES = {"/DeviceRGB": "rgb", "/DeviceCMYK": "cmyk", "/DeviceGray": "gray"}


def _inline_kind(img: pikepdf.PdfInlineImage) -> str:
    try:
        space = img.colorspace
    except Exception:  # noqa: BLE001 - an odd inline dictionary is not worth failing the check
        return "other"
    return _INLINE_SPACES.get(str(space), "other")


def scan_document(pdf: pikepdf.Pdf) -> list[PageContent]:
    walker = _Walker()
    return [walker.page(page) for page in pdf.pages]
