"""Fonts: the packaged defaults (Titillium Web for headings, Atkinson Hyperlegible for text) or a
TTF dropped in `fonts/`, registered with ReportLab so they are embedded (as subsets) in every PDF.

ReportLab's base-14 fonts (Helvetica…) are never embedded and print shops reject them, so nothing
in stampa may name one: use :func:`register_family` and the names of the returned :class:`FontSet`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import fontpkg
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..problems import StampaError, error

# family → (regular, bold, italic, bold italic) as fontpkg weight/style
_STYLES = {"regular": (400, "normal"), "bold": (700, "normal"), "italic": (400, "italic"), "bolditalic": (700, "italic")}


@dataclass(frozen=True)
class FontSet:
    """ReportLab font names of one family, ready for ``canvas.setFont`` and paragraph styles."""

    family: str
    regular: str
    bold: str
    italic: str
    bolditalic: str


def _slug(family: str) -> str:
    return "".join(ch for ch in family.title() if ch.isalnum())


def _packaged(family: str, weight: int, style: str) -> Path | None:
    try:
        return Path(fontpkg.path(family, weight, style, nearest=True))
    except fontpkg.FontpkgError:
        return None


def _local(fonts_dir: Path, family: str, variant: str) -> Path | None:
    """A TTF in fonts/ named like "<Family>-<Variant>.ttf" (spaces optional), e.g. "Lato-Bold.ttf"."""
    wanted = {f"{_slug(family)}-{variant}".lower(), f"{family}-{variant}".lower()}
    if variant == "regular":
        wanted |= {_slug(family).lower(), family.lower()}
    if fonts_dir.is_dir():
        for p in sorted(fonts_dir.iterdir()):
            if p.suffix.lower() in (".ttf", ".otf") and p.stem.lower() in wanted:
                return p
    return None


@lru_cache(maxsize=None)
def register_family(family: str, fonts_dir: Path | None = None) -> FontSet:
    """Register a family with ReportLab (once per process) and return its font names.

    Looks in ``fonts_dir`` first (so staff can override a packaged family), then in the installed
    fontpkg packages. Missing bold/italic faces fall back to the regular one.
    """
    slug = _slug(family)
    paths: dict[str, Path] = {}
    for variant, (weight, style) in _STYLES.items():
        path = (_local(fonts_dir, family, variant) if fonts_dir else None) or _packaged(family, weight, style)
        if path is not None:
            paths[variant] = path
    if "regular" not in paths:
        where = f" o un file «{slug}-Regular.ttf» in {fonts_dir}" if fonts_dir else ""
        raise StampaError(
            error(
                f"carattere «{family}» non trovato: installa il pacchetto fontpkg corrispondente{where}.",
                field="carattere",
                value=family,
            )
        )
    names = {}
    for variant in _STYLES:
        path = paths.get(variant, paths["regular"])
        name = f"{slug}-{variant}"
        if name not in pdfmetrics.getRegisteredFontNames():
            try:
                pdfmetrics.registerFont(TTFont(name, str(path)))
            except Exception as exc:  # a broken or non-TrueType file dropped in fonts/
                raise StampaError(
                    error(f"il file del carattere non si può usare ({exc}): sostituiscilo con un TTF.", file=str(path))
                ) from None
        names[variant] = name
    pdfmetrics.registerFontFamily(
        slug, normal=names["regular"], bold=names["bold"], italic=names["italic"], boldItalic=names["bolditalic"]
    )
    return FontSet(family, names["regular"], names["bold"], names["italic"], names["bolditalic"])


def missing_glyphs(font_name: str, text: str) -> set[str]:
    """Characters of ``text`` that the registered TTF cannot draw (they would print as boxes)."""
    face = pdfmetrics.getFont(font_name).face
    widths = getattr(face, "charWidths", {})
    return {ch for ch in set(text) if ch.isprintable() and not ch.isspace() and ord(ch) not in widths}
