"""The text of each page as a reader sees it: characters with their printed size and box.

pdfium reports the size set by the `Tf` operator; what is printed also depends on the text and
transformation matrices (a 10 pt font drawn under a 0.5 scale prints at 5 pt). The printed size
is the font size times the length of the matrix's vertical vector, so horizontal squeezing does
not count as small text but scaling does.
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .document import Rect


@dataclass(frozen=True)
class Char:
    text: str
    size_pt: float  # printed size in points (0 for characters pdfium generated, e.g. line breaks)
    box: Rect | None  # tight glyph box in user space; None for generated or blank characters


def read_text(doc: pdfium.PdfDocument) -> list[list[Char]]:
    pages: list[list[Char]] = []
    for index in range(len(doc)):
        page = doc[index]
        textpage = page.get_textpage()
        try:
            pages.append(_chars(textpage))
        finally:
            textpage.close()
            page.close()
    return pages


def _chars(textpage: pdfium.PdfTextPage) -> list[Char]:
    raw = textpage.raw
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    matrix = pdfium_c.FS_MATRIX()
    out = []
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        ch = chr(code) if 0 < code < 0x110000 else ""
        if pdfium_c.FPDFText_IsGenerated(raw, i) == 1 or not ch or ch.isspace():
            out.append(Char(ch if ch else " ", 0.0, None))
            continue
        size = pdfium_c.FPDFText_GetFontSize(raw, i)
        if pdfium_c.FPDFText_GetMatrix(raw, i, matrix):
            size *= math.hypot(matrix.c, matrix.d)
        box = None
        if pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top):
            if right.value > left.value and top.value > bottom.value:
                box = Rect(left.value, bottom.value, right.value, top.value)
        out.append(Char(ch, float(size), box))
    return out


def snippet(chars: list[Char], start: int, end: int, limit: int = 40) -> str:
    """The line of text around ``chars[start:end]``, for a message."""

    def same_line(i: int) -> bool:
        return chars[i].text not in ("\r", "\n", "")

    a = start
    while a > 0 and same_line(a - 1) and end - a < limit:
        a -= 1
    b = end
    while b < len(chars) and same_line(b) and b - a < limit:
        b += 1
    text = " ".join("".join(c.text for c in chars[a:b]).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def runs(indices: list[int]) -> list[tuple[int, int]]:
    """Consecutive indices grouped as (start, end) ranges."""
    out: list[tuple[int, int]] = []
    for i in indices:
        if out and i == out[-1][1]:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out
