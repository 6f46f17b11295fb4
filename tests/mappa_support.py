"""Shared inputs for the Mappa tests: the sample edition, synthetic entries, PDF readers."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from stampa.entries.model import Entry
from stampa.inputs import load_inputs
from stampa.printing.theme import load_theme
from stampa.products.mappa import build_mappa

ROOT = Path(__file__).resolve().parent.parent
URL = "https://www.farebenecomunepv.it/la-mappa-dei-laboratori/"


@lru_cache(maxsize=1)
def sample():
    inp = load_inputs(ROOT / "stampa.toml")
    return inp.config, inp.district, inp.edition.entries


def config(formato: str = "A3-pieghevole"):
    cfg, _, _ = sample()
    return replace(cfg, mappa=replace(cfg.mappa, formato=formato))


def build(out: Path, entries=None, formato: str = "A3-pieghevole", layout_dir: Path | None = None):
    cfg, district, sample_entries = sample()
    return build_mappa(
        config(formato),
        sample_entries if entries is None else entries,
        district,
        out,
        theme=load_theme(ROOT / "layout" / "tema.toml"),
        layout_dir=layout_dir or ROOT / "layout",
        basemaps=None,
        preview_dpi=40,
    )


def renamed(entry: Entry, i: int, nome: str | None = None, **kw) -> Entry:
    return replace(entry, id=f"{entry.id}-{i}", nome=nome or f"{entry.nome} {i}", **kw)


def page_text(pdf_path: Path) -> str:
    """All text of all pages, ReportLab's hyphenation joined back and whitespace collapsed."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        parts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()
    text = "\n".join(parts)
    text = re.sub("[\ufffe\u00ad-]?\r?\n", lambda m: "" if m.group(0)[0] in "\ufffe\u00ad" else " ", text)
    text = text.replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text)


def char_sizes(pdf_path: Path) -> list[float]:
    """Font size (pt) of every character with a glyph on every page, as pdfium reports it."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    sizes = []
    try:
        for i in range(len(pdf)):
            tp = pdf[i].get_textpage()
            for k in range(tp.count_chars()):
                ch = pdfium_c.FPDFText_GetUnicode(tp.raw, k)
                if chr(ch).isspace() or ch in (0xFFFE, 0xFFFF, 0):
                    continue
                sizes.append(pdfium_c.FPDFText_GetFontSize(tp.raw, k))
    finally:
        pdf.close()
    return sizes
