"""The text of each page as a reader sees it: characters with their printed size and box.

pdfium reports the size set by the `Tf` operator; what is printed also depends on the text and
transformation matrices (a 10 pt font drawn under a 0.5 scale prints at 5 pt). The printed size
is the font size times the length of the matrix's vertical vector, so horizontal squeezing does
not count as small text but scaling does.

Reading every character's box and size costs about six times as much as reading the page's text
in one call, and most pages need neither: :class:`PageLayer` gives the text at once, the size and
bounds of each text object (a few hundred per page) on request, and a character's box, or all the
characters (:func:`read_page`'s list), only when a check asks for them.
"""

from __future__ import annotations

import ctypes
import math
import re
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .geometry import Rect


class Char(NamedTuple):
    """One character (a tuple: a 1,500-page booklet has millions)."""

    text: str
    size_pt: float  # printed size in points (0 for characters pdfium generated, e.g. line breaks)
    box: Rect | None  # tight glyph box in user space; None for generated or blank characters


def read_text(doc: pdfium.PdfDocument) -> list[list[Char]]:
    """Every page's characters (the whole document in memory: the checks read one page at a time
    with :func:`read_page`)."""
    return [read_page(doc, index) for index in range(len(doc))]


def read_page(doc: pdfium.PdfDocument, index: int) -> list[Char]:
    """The characters of page ``index`` (0-based)."""
    page = doc[index]
    textpage = page.get_textpage()
    try:
        return _chars(textpage)
    finally:
        textpage.close()
        page.close()


# What each character code reads as: a blank Char (spaces, line breaks, codes that are no
# character) shared by every page, or the printed character. pdfium generates only spaces and line
# breaks (CPDF_TextPage::GenerateCharInfo, the generated space of ProcessTextObject), so a code that
# is not blank never needs FPDFText_IsGenerated.
_KINDS: dict[int, Char | str] = {}


def _kind(code: int) -> Char | str:
    ch = chr(code) if 0 < code < 0x110000 else ""
    kind: Char | str = Char(ch or " ", 0.0, None) if not ch or ch.isspace() else ch
    _KINDS[code] = kind
    return kind


# FPDFText_GetTextObject with the object's address as a plain int (a dictionary key): every
# character of a text object has that object's font size and matrix (CPDF_TextPage sets both per
# object), so the printed size is read once per object instead of twice per character.
_TEXT_OBJECT = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value
)


# FPDFText_GetCharBox the same way, its four out-parameters as plain addresses into one array: no
# pointer conversion per call, and the four values read by unpacking the array (11% of the reading).
_CHAR_BOX = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p
)(ctypes.cast(pdfium_c.FPDFText_GetCharBox, ctypes.c_void_p).value)


def _chars(textpage: pdfium.PdfTextPage) -> list[Char]:
    raw = textpage.raw
    handle = ctypes.cast(raw, ctypes.c_void_p).value
    edges = (ctypes.c_double * 4)()  # left, right, bottom, top
    left = ctypes.addressof(edges)
    right, bottom, top = left + 8, left + 16, left + 24
    matrix = pdfium_c.FS_MATRIX()
    matrix_ref = ctypes.byref(matrix)
    # Looked up once: this loop runs once per printed character (9 million in a 30,000-entry atlas).
    get_unicode, text_object, char_box = pdfium_c.FPDFText_GetUnicode, _TEXT_OBJECT, _CHAR_BOX
    font_size, get_matrix = pdfium_c.FPDFText_GetFontSize, pdfium_c.FPDFText_GetMatrix
    hypot = math.hypot
    # tuple.__new__ directly: the NamedTuple constructors are Python functions, twice the cost.
    new = tuple.__new__
    kinds = _KINDS
    sizes: dict[int, float] = {}  # text object → printed size
    out: list[Char] = []
    append = out.append
    count = pdfium_c.FPDFText_CountChars(raw)
    codes = _page_codes(raw, count)
    for i in range(count):
        code = codes[i]
        if code == 0xFFFE:  # the text holds U+FFFE where the character is 0, 2 or U+FFFE: ask
            code = get_unicode(raw, i)
        ch = kinds.get(code) or _kind(code)
        if ch.__class__ is Char:
            append(ch)  # type: ignore[arg-type]
            continue
        obj = text_object(handle, i)
        size = sizes.get(obj) if obj else None
        if size is None:
            size = font_size(raw, i)
            if get_matrix(raw, i, matrix_ref):
                size *= hypot(matrix.c, matrix.d)
            size = float(size)
            if obj:
                sizes[obj] = size
        box = None
        if char_box(handle, i, left, right, bottom, top):
            x0, x1, y0, y1 = edges
            if x1 > x0 and y1 > y0:
                box = new(Rect, (x0, y0, x1, y1))
        append(new(Char, (ch, size, box)))
    return out


_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone half of a pair: the codes are not one per character


def _page_codes(raw, count: int) -> list[int]:  # raw: a pdfium text page handle
    """Every character's code in one call (FPDFText_GetText) instead of one call each.

    pdfium's page text leaves out control characters (CPDF_TextPage::Init); when it has exactly one
    code per character, it is the characters' codes in order, except U+FFFE, which stands for a
    code 0, a soft hyphen (2) or U+FFFE itself (CPDF_TextPage keeps the two in step). Otherwise the
    codes are read one by one."""
    if count <= 0:
        return []
    buffer = (ctypes.c_ushort * (2 * count + 1))()  # UTF-16: up to two units a character, and the NUL
    written = pdfium_c.FPDFText_GetText(raw, 0, count, buffer)
    data = ctypes.string_at(buffer, max(written - 1, 0) * 2)
    text = data.decode("utf-16-le", "surrogatepass")
    if len(text) == count and not _SURROGATE.search(text):
        return list(map(ord, text))
    get_unicode = pdfium_c.FPDFText_GetUnicode
    return [get_unicode(raw, i) for i in range(count)]


def _page_string(raw, count: int) -> str:  # raw: a pdfium text page handle
    """The page's characters as one string, one code point per character, each as ``Char.text``
    would read it (a code that is no character reads as a space). One call, as :func:`_page_codes`."""
    if count <= 0:
        return ""
    buffer = (ctypes.c_ushort * (2 * count + 1))()
    written = pdfium_c.FPDFText_GetText(raw, 0, count, buffer)
    text = ctypes.string_at(buffer, max(written - 1, 0) * 2).decode("utf-16-le", "surrogatepass")
    if len(text) != count or _SURROGATE.search(text):
        get_unicode = pdfium_c.FPDFText_GetUnicode
        return "".join(_char_of(get_unicode(raw, i)) for i in range(count))
    text = text.replace("\x00", " ")
    if "\ufffe" in text:  # a code 0, a soft hyphen (2) or U+FFFE itself: ask (see _page_codes)
        get_unicode = pdfium_c.FPDFText_GetUnicode
        parts = text.split("\ufffe")
        out = [parts[0]]
        i = len(parts[0])
        for part in parts[1:]:
            out += (_char_of(get_unicode(raw, i)), part)
            i += 1 + len(part)
        text = "".join(out)
    return text


def _char_of(code: int) -> str:
    return chr(code) if 0 < code < 0x110000 else " "


# How far a character's box may reach beyond the bounds of its text object: pdfium makes both from
# the same glyph boxes (measured: never beyond, on every page of the 30,000-entry atlas and the
# sample edition), so this is only room for rounding. A text object within this distance of a
# limit has its characters read one by one.
BOX_SLACK_PT = 1.0
SIZE_SLACK_PT = 0.01  # the same for sizes (measured: equal to the last bit)


def objects_within(objects: list[TextObject], x0: float, y0: float, x1: float, y1: float) -> bool:
    """Whether every object's bounds, with :data:`BOX_SLACK_PT` around them, lie inside the box."""
    s = BOX_SLACK_PT
    x0, y0, x1, y1 = x0 + s, y0 + s, x1 - s, y1 - s
    return all(b.x0 >= x0 and b.y0 >= y0 and b.x1 <= x1 and b.y1 <= y1 for _, b in objects)


class TextObject(NamedTuple):
    """One text object of a page: every character it draws has this printed size (as
    :class:`Char`) and a box inside these bounds."""

    size_pt: float
    bounds: Rect


class PageLayer:
    """One page's text for the checks, read as far as they need it: the text at once; each text
    object's size and bounds (:attr:`objects`), one character's box (:meth:`box`) or every
    character (:attr:`chars`, as :func:`read_page`) on request. Valid until :meth:`close`."""

    def __init__(self, doc: pdfium.PdfDocument, index: int):
        self._page = doc[index]
        self._textpage = self._page.get_textpage()
        raw = self._textpage.raw
        self._raw = raw
        self._handle = ctypes.cast(raw, ctypes.c_void_p).value
        self.text = _page_string(raw, pdfium_c.FPDFText_CountChars(raw))
        self._edges = (ctypes.c_double * 4)()
        self._chars: list[Char] | None = None
        self._objects: list[TextObject] | None | bool = False

    def close(self) -> None:
        self._textpage.close()
        self._page.close()

    @property
    def chars(self) -> list[Char]:
        """Every character with its size and box (the costly reading), once."""
        if self._chars is None:
            self._chars = _chars(self._textpage)
        return self._chars

    def box(self, i: int) -> Rect | None:
        """The box of character ``i``, as in :attr:`chars`."""
        if self._chars is not None:
            return self._chars[i].box
        if self.text[i].isspace():
            return None
        left = ctypes.addressof(self._edges)
        if not _CHAR_BOX(self._handle, i, left, left + 8, left + 16, left + 24):
            return None
        x0, x1, y0, y1 = self._edges
        return Rect(x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None

    @property
    def objects(self) -> list[TextObject] | None:
        """The page's text objects; None when they do not account for all its text (a form
        XObject, whose text pdfium does not list with the page's, or bounds it cannot give): the
        checks then read :attr:`chars`."""
        if self._objects is False:
            self._objects = _text_objects(self._page.raw)
        return self._objects  # type: ignore[return-value]


def _text_objects(page) -> list[TextObject] | None:  # noqa: ANN001 - a pdfium page handle
    out: list[TextObject] = []
    size = ctypes.c_float()
    matrix = pdfium_c.FS_MATRIX()
    edges = [ctypes.c_float() for _ in range(4)]
    get_object, get_type = pdfium_c.FPDFPage_GetObject, pdfium_c.FPDFPageObj_GetType
    text_kind, form_kind = pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_FORM
    for j in range(pdfium_c.FPDFPage_CountObjects(page)):
        obj = get_object(page, j)
        kind = get_type(obj)
        if kind == form_kind:
            return None
        if kind != text_kind:
            continue
        if not pdfium_c.FPDFTextObj_GetFontSize(obj, size) or not pdfium_c.FPDFPageObj_GetBounds(obj, *edges):
            return None
        # As _chars computes a character's size: the font size times the matrix's vertical vector.
        printed = float(size.value)
        if pdfium_c.FPDFPageObj_GetMatrix(obj, matrix):
            printed *= math.hypot(matrix.c, matrix.d)
        x0, y0, x1, y1 = (e.value for e in edges)
        out.append(TextObject(float(printed), Rect(x0, y0, x1, y1)))
    return out


class CharsLayer:
    """A :class:`PageLayer` over characters already read (or made by a test)."""

    def __init__(self, chars: list[Char]):
        self.chars = chars
        self.text = "".join(c.text for c in chars)
        self.objects = None
        if len(self.text) != len(chars):
            raise ValueError("one code point per character")

    def box(self, i: int) -> Rect | None:
        return self.chars[i].box

    def close(self) -> None:
        pass


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
