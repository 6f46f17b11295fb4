"""Font files for the tests of the fonts/ folder, made from the packaged fonts with fontTools."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import fontpkg
import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from fontTools.ttLib import TTFont

BASE14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")


def renamed_copy(dest: Path, family: str, weight: int = 400, style: str = "normal", *, source: str = "Atkinson Hyperlegible",
                 fs_type: int | None = None, path: Path | None = None) -> Path:
    """A copy of a packaged TTF (or of ``path``) whose own names say ``family`` (file name unrelated on purpose)."""
    font = TTFont(str(path) if path else fontpkg.path(source, weight, style))
    sub = {(400, "normal"): "Regular", (700, "normal"): "Bold", (400, "italic"): "Italic", (700, "italic"): "Bold Italic"}[(weight, style)]
    ps = family.replace(" ", "") + "-" + sub.replace(" ", "")
    names = font["name"]
    for rec in list(names.names):
        if rec.nameID in (1, 2, 3, 4, 6, 16, 17):
            names.removeNames(nameID=rec.nameID)
    for plat in ((3, 1, 0x409), (1, 0, 0)):
        names.setName(family, 1, *plat)
        names.setName(sub, 2, *plat)
        names.setName(f"{family} {sub}", 4, *plat)
        names.setName(ps, 6, *plat)
    if fs_type is not None:
        font["OS/2"].fsType = fs_type
    dest.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(dest))
    return dest


def cff_font(dest: Path, family: str = "Prova CFF") -> Path:
    """A tiny OpenType font with PostScript (CFF) outlines."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen

    fb = FontBuilder(1000, isTTF=False)
    fb.setupGlyphOrder([".notdef", "A"])
    fb.setupCharacterMap({ord("A"): "A"})
    pen = T2CharStringPen(600, None)
    pen.moveTo((0, 0))
    pen.lineTo((600, 0))
    pen.lineTo((300, 700))
    pen.closePath()
    fb.setupCFF(family.replace(" ", "") + "-Regular", {"FullName": family}, {".notdef": T2CharStringPen(500, None).getCharString(), "A": pen.getCharString()}, {})
    fb.setupHorizontalMetrics({".notdef": (500, 0), "A": (600, 0)})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": family, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    fb.setupPost()
    dest.parent.mkdir(parents=True, exist_ok=True)
    fb.save(str(dest))
    return dest


def pdf_fonts(pdf_path: Path) -> dict[str, dict]:
    """Every font of every page (and of the forms they draw): BaseFont → the font dictionary."""
    found: dict[str, dict] = {}

    def walk(resources):
        if not resources:
            return
        for f in (resources.get("/Font") or {}).values():
            f = f.get_object()
            found.setdefault(str(f["/BaseFont"]).lstrip("/"), f)
        for x in (resources.get("/XObject") or {}).values():
            x = x.get_object()
            if x.get("/Subtype") == "/Form":
                walk(x.get("/Resources"))

    for page in pypdf.PdfReader(str(pdf_path)).pages:
        walk(page.get("/Resources"))
    return found


def notdef_glyphs(font: dict) -> list[str]:
    """Characters a PDF font draws with its .notdef glyph: an empty box, or nothing at all in fonts
    whose .notdef is blank (Titillium Web's). ReportLab puts glyph 0 into the subset for a
    character the font lacks, so a visible character whose glyph is a copy of glyph 0, or has no
    outline, was not printed."""
    data = font["/FontDescriptor"]["/FontFile2"].get_data()
    tt = TTFont(io.BytesIO(data))
    glyf = tt["glyf"]
    order = tt.getGlyphOrder()
    notdef = glyf[order[0]]
    box = notdef.compile(glyf) if notdef.numberOfContours else None
    to_unicode = font["/ToUnicode"].get_data().decode("latin-1").split("beginbfchar", 1)[1].split("endbfchar")[0]
    codes = {int(c, 16): bytes.fromhex(u).decode("utf-16-be") for c, u in re.findall(r"<([0-9A-F]{2})> <([0-9A-F]+)>", to_unicode)}
    cmap = tt["cmap"].tables[0].cmap
    missing = []
    for code, name in cmap.items():
        ch = codes.get(code, "?")
        g = glyf[name]
        visible = not ch.isspace() and unicodedata.category(ch)[0] not in "CZ"
        if (box is not None and g.compile(glyf) == box) or (visible and not g.numberOfContours):
            missing.append(ch)
    return missing


def notdef_drawn(pdf_path: Path) -> int:
    """How many characters the pages draw with code 0 of their font: ReportLab's slot for a
    character the font lacks (the .notdef glyph: a box, or nothing), which reads back as U+0000."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        count = 0
        for i in range(len(pdf)):
            tp = pdf[i].get_textpage()
            count += sum(1 for k in range(tp.count_chars()) if pdfium_c.FPDFText_GetUnicode(tp.raw, k) == 0)
        return count
    finally:
        pdf.close()
