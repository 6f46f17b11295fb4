"""An opened PDF for the checks: the page boxes (pikepdf, exactly as written in the file), the
text layer (pypdfium2) and the content analysis (pikepdf), each computed once and only when a
check asks for it.

The value types (:class:`Rect`, :class:`PageBoxes`) live in :mod:`.geometry`, a leaf, so that
the readers this module calls on (textlayer, qr, content) need not import it back.

All rectangles are PDF user-space points (1/72 in), origin where the file puts it: pdfium's
character boxes use the same space, so no conversion is needed between the two libraries.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Protocol, Sequence

import pikepdf
import pypdfium2 as pdfium

from .geometry import PageBoxes, Rect  # re-exported: the checks take both from here
from .model import PT_PER_MM, FileToCheck


class PdfFile:
    """One PDF opened for checking. Use as a context manager so both libraries release the file."""

    def __init__(self, spec: FileToCheck, path: Path):
        self.spec = spec
        self.path = path
        self.pike = pikepdf.open(path)
        self.pdfium = pdfium.PdfDocument(str(path))

    def __enter__(self) -> "PdfFile":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.pdfium.close()
        self.pike.close()

    @cached_property
    def pages(self) -> list[PageBoxes]:
        out = []
        for i, page in enumerate(self.pike.pages, start=1):
            obj = page.obj
            crop = page.obj.get("/CropBox")
            # CropBox may be inherited from the page tree; pikepdf's property resolves that.
            crop_rect = Rect.from_array(page.cropbox) if crop is not None or _inherited(obj, "/CropBox") else None
            trim = obj.get("/TrimBox")
            bleed = obj.get("/BleedBox")
            out.append(
                PageBoxes(
                    number=i,
                    media=Rect.from_array(page.mediabox),
                    crop=crop_rect,
                    trim=Rect.from_array(trim) if trim is not None else None,
                    bleed=Rect.from_array(bleed) if bleed is not None else None,
                    rotate=int(obj.get("/Rotate", 0) or 0) % 360,
                )
            )
        return out

    def to_trim_mm(self, page: PageBoxes, x_pt: float, y_pt: float) -> tuple[float, float]:
        t = page.finished
        return (x_pt - t.x0) / PT_PER_MM, (y_pt - t.y0) / PT_PER_MM

    def from_trim_mm(self, page: PageBoxes, x_mm: float, y_mm: float) -> tuple[float, float]:
        t = page.finished
        return t.x0 + x_mm * PT_PER_MM, t.y0 + y_mm * PT_PER_MM

    @cached_property
    def text(self):  # noqa: ANN201 - list[list[Char]], see textlayer
        """Every page's characters at once. The checks read one page at a time instead
        (:meth:`page_layer`, :func:`visit_pages`): a large booklet's text does not fit in memory."""
        from .textlayer import read_text

        return read_text(self.pdfium)

    def page_layer(self, number: int):  # noqa: ANN201 - PageLayer | CharsLayer, see textlayer
        """Page ``number`` (1-based) for the text checks, read as far as they ask (close it)."""
        from .textlayer import CharsLayer, PageLayer

        if "text" in self.__dict__:
            return CharsLayer(self.text[number - 1])
        return PageLayer(self.pdfium, number - 1)

    @cached_property
    def content(self):  # noqa: ANN201 - list[PageContent], see content
        from .content import scan_document

        return scan_document(self.pike)

    @cached_property
    def barcodes(self):  # noqa: ANN201 - list[list[FoundQr]], see qr
        """Every page's codes: the pages the spec puts a code on are rendered and decoded; the
        others only if their objects could draw one (qr.may_hold_code), to report it."""
        from .qr import find_qr_codes

        wanted = self.spec.qr
        expected = None if any(not q.pages for q in wanted) else {p for q in wanted for p in q.pages}
        return find_qr_codes(self.pdfium, expected)


def _inherited(obj: pikepdf.Dictionary, key: str) -> bool:
    node = obj.get("/Parent")
    depth = 0
    while node is not None and depth < 64:
        if key in node:
            return True
        node = node.get("/Parent")
        depth += 1
    return False


class PageVisitor(Protocol):
    """A check that reads the text one page at a time: all such checks share one reading of each
    page (see :func:`visit_pages`), and no more than one page's text is in memory. ``layer`` is
    the page's text read as far as the checks ask (textlayer.PageLayer): a check reads every
    character's box only where its test on the text objects cannot rule a finding out."""

    def page(self, page: PageBoxes, layer) -> None: ...  # noqa: D102, ANN001

    def finish(self) -> list: ...  # noqa: D102 - the findings


def visit_pages(doc: PdfFile, visitors: Sequence[PageVisitor]) -> list[list]:
    """Read each page's text once, show it to every visitor, and return each one's findings."""
    if visitors:
        for page in doc.pages:
            layer = doc.page_layer(page.number)
            try:
                for v in visitors:
                    v.page(page, layer)
            finally:
                layer.close()
    return [v.finish() for v in visitors]


def streamed(doc: PdfFile, visitor: type) -> list:
    """The findings of one page-by-page check run on its own."""
    return visit_pages(doc, [visitor(doc)])[0]
