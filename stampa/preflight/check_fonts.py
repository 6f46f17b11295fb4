"""Fonts: every font the pages (and the form XObjects they draw, at any depth) refer to must be
embedded. A base-14 font (Helvetica, Times…) is a name, not a font: the print shop's RIP
substitutes whatever it has, and most shops reject such files outright. Type3 fonts (glyphs drawn
as PDF procedures, as matplotlib writes by default) print, but some workflows rasterise or
refuse them: a warning."""

from __future__ import annotations

import pikepdf

from ..problems import ERROR, WARNING
from .document import PdfFile
from .model import Finding, finding

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
MAX_DEPTH = 16

FIX_EMBED = (
    "Usa solo i caratteri di stampa (Titillium Web, Atkinson Hyperlegible) o un file TTF nella cartella fonts/: "
    "i caratteri standard del PDF (Helvetica, Times…) non vengono incorporati e la tipografia rifiuta il file."
)
FIX_TYPE3 = (
    "Se la tipografia lo chiede, rigenera la parte che lo contiene con caratteri TrueType "
    "(in matplotlib: pdf.fonttype = 42)."
)


def font_name(font: pikepdf.Dictionary) -> str:
    name = str(font.get("/BaseFont", font.get("/Name", "?"))).lstrip("/")
    # Subsets are named "ABCDEF+Family": the tag is noise to a reader.
    if len(name) > 7 and name[6] == "+" and name[:6].isalpha() and name[:6].isupper():
        name = name[7:]
    return name


def font_status(font: pikepdf.Dictionary) -> str:
    """'embedded', 'type3' or 'missing'."""
    subtype = str(font.get("/Subtype", ""))
    if subtype == "/Type3":
        return "type3"
    target = font
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        if not descendants:
            return "missing"
        target = descendants[0]
    descriptor = target.get("/FontDescriptor")
    if descriptor is None:
        return "missing"
    return "embedded" if any(k in descriptor for k in FONT_FILES) else "missing"


def _fonts_in(resources, seen: set, depth: int = 0):  # noqa: ANN001, ANN202 - yields pikepdf dictionaries
    if resources is None or depth > MAX_DEPTH:
        return
    key = resources.objgen if resources.is_indirect else None
    if key is not None:
        if key in seen:
            return
        seen.add(key)
    fonts = resources.get("/Font")
    if fonts is not None:
        for name in fonts.keys():
            yield fonts[name]
    for group in ("/XObject", "/Pattern"):
        entries = resources.get(group)
        if entries is None:
            continue
        for name in entries.keys():
            xobj = entries[name]
            if not isinstance(xobj, (pikepdf.Stream, pikepdf.Dictionary)):
                continue
            if xobj.get("/Subtype") == pikepdf.Name("/Image"):
                continue
            inner = xobj.get("/Resources")
            if inner is not None:
                yield from _fonts_in(inner, seen, depth + 1)


def check_fonts(doc: PdfFile) -> list[Finding]:
    spec = doc.spec
    found: dict[tuple[str, str], list[int]] = {}
    for number, page in enumerate(doc.pike.pages, start=1):
        seen: set = set()
        for font in _fonts_in(page.obj.get("/Resources"), seen):
            if not isinstance(font, pikepdf.Dictionary):
                continue
            status = font_status(font)
            if status != "embedded":
                pages = found.setdefault((font_name(font), status), [])
                if number not in pages:
                    pages.append(number)
    out = []
    for (name, status), pages in found.items():
        if status == "missing":
            out.append(
                finding(ERROR, "caratteri", "carattere non incorporato", spec, tuple(pages),
                        found=name, expected="carattere incorporato nel PDF", fix=FIX_EMBED)
            )
        else:
            out.append(
                finding(WARNING, "caratteri", "carattere Type3 (disegnato, non un vero carattere)", spec, tuple(pages),
                        found=name, expected="carattere TrueType o OpenType incorporato", fix=FIX_TYPE3)
            )
    return out
