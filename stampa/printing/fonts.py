"""Fonts: the packaged defaults (Titillium Web for headings, Atkinson Hyperlegible for text) or a
family of TTF files dropped in `fonts/`, registered with ReportLab so they are embedded (as subsets)
in every PDF; and the fallback fonts that print what the chosen family lacks.

ReportLab's base-14 fonts (Helvetica…) are never embedded and print shops reject them, so nothing
in stampa may name one: use :func:`register_family` and the names of the returned :class:`FontSet`.

Fallbacks, tried in this order for a character the family lacks (:func:`split_runs`):
Noto Sans (Latin Extended, Greek, Cyrillic; package fontpkg-noto-sans, in the same weight and
slant), Noto Sans Symbols and Noto Emoji (monochrome outlines: ReportLab cannot embed colour emoji;
package manimgx-fonts). A character no font has is left out (never an empty box); scripts that need
shaping (Arabic, Hebrew, the Indic scripts, Thai…) are left out too: ReportLab neither joins their
letters nor orders right-to-left text. :mod:`stampa.glyphs` warns about both, naming entry and field.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import fontpkg
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase import ttfonts as _rl_ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from ..problems import StampaError, error


def _utf16_hex(code: int) -> str:
    return chr(code).encode("utf-16-be", "surrogatepass").hex().upper()


def _to_unicode_cmap(fontname, subset):
    """ReportLab's ToUnicode CMap, with characters beyond U+FFFF (emoji) written as UTF-16 surrogate
    pairs as the PDF standard says: ReportLab writes them as five hex digits, so a PDF reader
    extracted «🌱» as «ἳ» (the first four digits)."""
    text = _rl_to_unicode_cmap(fontname, subset)
    if all(code <= 0xFFFF for code in subset):
        return text
    lines = text.split("\n")
    start = lines.index(f"{len(subset)} beginbfchar") + 1
    lines[start : start + len(subset)] = [f"<{i:02X}> <{_utf16_hex(code)}>" for i, code in enumerate(subset)]
    return "\n".join(lines)


_rl_to_unicode_cmap = _rl_ttfonts.makeToUnicodeCMap
if getattr(_rl_to_unicode_cmap, "__name__", "") != "_to_unicode_cmap":
    _rl_ttfonts.makeToUnicodeCMap = _to_unicode_cmap

# variant → (weight, style) as fontpkg names them
_STYLES = {"regular": (400, "normal"), "bold": (700, "normal"), "italic": (400, "italic"), "bolditalic": (700, "italic")}

FONT_SUFFIXES = (".ttf", ".otf")
FALLBACK_TEXT_FAMILY = "Noto Sans"  # fontpkg-noto-sans
FALLBACK_SYMBOLS = "NotoSansSymbols[wght].ttf"  # manimgx-fonts
FALLBACK_EMOJI = "NotoEmoji[wght].ttf"  # manimgx-fonts: the monochrome Noto Emoji

# Scripts ReportLab cannot set: letters must be joined or reordered (shaping, bidi), which
# ReportLab does not do, so printing them letter by letter would be wrong, not just ugly.
COMPLEX_SCRIPTS: tuple[tuple[int, int, str], ...] = (
    (0x0590, 0x05FF, "ebraica"),
    (0x0600, 0x06FF, "araba"),
    (0x0700, 0x074F, "siriaca"),
    (0x0750, 0x077F, "araba"),
    (0x0780, 0x07BF, "thaana"),
    (0x07C0, 0x07FF, "N'Ko"),
    (0x0860, 0x08FF, "araba"),
    (0x0900, 0x097F, "devanagari"),
    (0x0980, 0x09FF, "bengalese"),
    (0x0A00, 0x0A7F, "gurmukhi"),
    (0x0A80, 0x0AFF, "gujarati"),
    (0x0B00, 0x0B7F, "oriya"),
    (0x0B80, 0x0BFF, "tamil"),
    (0x0C00, 0x0C7F, "telugu"),
    (0x0C80, 0x0CFF, "kannada"),
    (0x0D00, 0x0D7F, "malayalam"),
    (0x0D80, 0x0DFF, "singalese"),
    (0x0E00, 0x0E7F, "thailandese"),
    (0x0E80, 0x0EFF, "lao"),
    (0x0F00, 0x0FFF, "tibetana"),
    (0x1000, 0x109F, "birmana"),
    (0x1780, 0x17FF, "khmer"),
    (0xA8E0, 0xA8FF, "devanagari"),
    (0xFB1D, 0xFB4F, "ebraica"),
    (0xFB50, 0xFDFF, "araba"),
    (0xFE70, 0xFEFF, "araba"),
)


def complex_script(ch: str) -> str | None:
    """The Italian name of the script of ``ch`` when ReportLab cannot set it (see COMPLEX_SCRIPTS)."""
    cp = ord(ch)
    if cp < 0x0590 or cp > 0xFEFF:
        return None
    for lo, hi, name in COMPLEX_SCRIPTS:
        if lo <= cp <= hi:
            return name if ch != "\ufeff" else None
    return None


def silent(ch: str) -> bool:
    """Characters that print as nothing on purpose (joiners, variation selectors, spaces): no
    glyph needed, no warning."""
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc") or 0xFE00 <= ord(ch) <= 0xFE0F


@dataclass(frozen=True)
class FontSet:
    """ReportLab font names of one family, ready for ``canvas.setFont`` and paragraph styles.
    ``folder``: the `fonts/` folder the family was taken from (None: a packaged family)."""

    family: str
    regular: str
    bold: str
    italic: str
    bolditalic: str
    folder: str | None = None


def _slug(family: str) -> str:
    return "".join(ch for ch in family.title() if ch.isalnum())


def _key(family: str) -> str:
    return "".join(ch for ch in family.casefold() if ch.isalnum())


def _packaged(family: str, weight: int, style: str) -> Path | None:
    try:
        return Path(fontpkg.path(family, weight, style, nearest=True))
    except fontpkg.FontpkgError:
        return None


def packaged_families() -> list[str]:
    """Display names of the families installed as fontpkg packages."""
    names = []
    for slug in fontpkg.families():
        try:
            names.append(fontpkg.family(slug).name)
        except fontpkg.FontpkgError:  # pragma: no cover - a broken package
            continue
    return sorted(names)


# -- fonts/ ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalFont:
    """One file of `fonts/` as its own tables describe it."""

    path: Path
    family: str  # typographic family (name ID 16, else 1)
    subfamily: str
    weight: int
    italic: bool
    problem: str | None  # why it cannot be used (Italian), None when it can


def _name(font, *ids: int) -> str:
    table = font["name"]
    for i in ids:
        rec = table.getName(i, 3, 1, 0x409) or table.getName(i, 1, 0, 0) or table.getDebugName(i)
        if rec:
            return str(rec).strip()
    return ""


def embedding_problem(font) -> str | None:
    """Why the font (a fontTools TTFont) cannot be embedded in a print PDF, in Italian; None if it can."""
    if "CFF " in font or "CFF2" in font:
        return (
            "è un OTF con contorni PostScript (CFF), che non si possono incorporare nel PDF: "
            "usa la versione TTF dello stesso carattere (il produttore o Google Fonts la forniscono di solito)."
        )
    if "glyf" not in font:
        kinds = [t for t in ("EBDT", "CBDT", "sbix", "SVG ", "COLR") if t in font]
        what = "solo immagini dei caratteri (bitmap o a colori)" if kinds else "nessun contorno dei caratteri"
        return f"contiene {what}, non contorni vettoriali: usa un carattere TTF normale."
    fs_type = font["OS/2"].fsType if "OS/2" in font else 0
    usage = fs_type & 0x000F
    if usage & 0x0002 and not usage & 0x000C:
        return (
            f"la licenza del carattere vieta di incorporarlo nei documenti (fsType {fs_type:#06x}, «restricted "
            "license»): la tipografia non potrebbe stamparlo. Usa un carattere con licenza libera (per esempio "
            "OFL, come quelli di Google Fonts) o chiedi al produttore una versione incorporabile."
        )
    if fs_type & 0x0100:
        return (
            f"la licenza del carattere vieta di incorporarne solo le lettere usate (fsType {fs_type:#06x}, "
            "«no subsetting»), come stampa fa sempre: usa un carattere con licenza libera (per esempio OFL)."
        )
    if fs_type & 0x0200:
        return (
            f"la licenza del carattere permette di incorporarlo solo come immagine (fsType {fs_type:#06x}, "
            "«bitmap embedding only»): usa un carattere con licenza libera (per esempio OFL)."
        )
    return None


def _describe_file(path: Path) -> LocalFont:
    from fontTools.ttLib import TTFont as FTFont, TTLibError

    try:
        font = FTFont(str(path), lazy=True, fontNumber=0)
        family = _name(font, 16, 1)
        subfamily = _name(font, 17, 2)
        os2 = font["OS/2"] if "OS/2" in font else None
        weight = os2.usWeightClass if os2 is not None else (700 if "bold" in subfamily.lower() else 400)
        italic = bool(os2.fsSelection & 1) if os2 is not None else "italic" in subfamily.lower()
        problem = embedding_problem(font)
        font.close()
    except (TTLibError, OSError, KeyError, AssertionError, ValueError, IndexError, TypeError) as exc:
        return LocalFont(path, path.stem, "", 400, False, f"non è un file di carattere leggibile ({exc}): sostituiscilo con un TTF.")
    return LocalFont(path, family or path.stem, subfamily, weight, italic, problem)


@lru_cache(maxsize=16)
def _scan(folder: str, stamp: tuple) -> tuple[LocalFont, ...]:
    files = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in FONT_SUFFIXES and p.is_file())
    return tuple(_describe_file(p) for p in files)


def local_fonts(fonts_dir: Path | None) -> tuple[LocalFont, ...]:
    """The font files in ``fonts_dir`` (none when it does not exist), read once per change."""
    if fonts_dir is None or not Path(fonts_dir).is_dir():
        return ()
    folder = Path(fonts_dir)
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.iterdir()) if p.is_file())
    return _scan(str(folder), stamp)


def _pick(faces: list[LocalFont]) -> dict[str, LocalFont]:
    """Regular, bold, italic and bold italic among a family's files, by their own weight and slant."""
    chosen: dict[str, LocalFont] = {}
    for variant, (weight, style) in _STYLES.items():
        italic = style == "italic"
        pool = [f for f in faces if f.italic == italic]
        if weight == 700:
            pool = [f for f in pool if f.weight >= 600]
        if pool:
            chosen[variant] = min(pool, key=lambda f: (abs(f.weight - weight), f.path.name))
    return chosen


def _not_found(family: str, fonts_dir: Path | None, key: str | None) -> StampaError:
    local = sorted({f.family for f in local_fonts(fonts_dir) if f.problem is None})
    available = sorted(set(packaged_families()) | set(local))
    where = f" né nella cartella {fonts_dir}" if fonts_dir is not None else " e non c'è una cartella fonts/"
    message = (
        f"il carattere «{family}» non è tra quelli installati{where}. Caratteri disponibili: "
        f"{', '.join(available)}. Scrivi uno di questi nomi, oppure metti i file TTF della famiglia "
        "(normale, grassetto, corsivo) nella cartella fonts/ accanto a stampa.toml."
    )
    return StampaError(error(message, where=f"chiave «{key}»" if key else None, value=family))


@lru_cache(maxsize=None)
def register_family(family: str, fonts_dir: Path | None = None, key: str | None = None) -> FontSet:
    """Register a family with ReportLab (once per process) and return its font names.

    Looks in ``fonts_dir`` first (so staff can override a packaged family), matching files by the
    family name written inside them (not the file name), then in the installed fontpkg packages.
    Missing bold/italic faces fall back to the regular one (bold italic to bold). ``key`` (e.g. "mappa.carattere_testo")
    is named in the errors. A file that may not be embedded, or that ReportLab cannot embed
    (OTF/CFF, bitmap only), is refused naming the file.
    """
    slug = _slug(family)
    paths: dict[str, Path] = {}
    folder = None
    faces = [f for f in local_fonts(fonts_dir) if _key(f.family) == _key(family)]
    if faces:
        bad = [f for f in faces if f.problem]
        if bad:
            raise StampaError(
                [error(f"il carattere «{f.family}» non si può usare: {f.problem}", file=str(f.path), where=f"chiave «{key}»" if key else None)
                 for f in bad]
            )
        chosen = _pick(faces)
        if "regular" not in chosen:  # only bold or italic files: the lightest upright, else any
            chosen["regular"] = min(faces, key=lambda f: (f.italic, abs(f.weight - 400), f.path.name))
        paths = {v: f.path for v, f in chosen.items()}
        folder = str(fonts_dir)
    else:
        for variant, (weight, style) in _STYLES.items():
            path = _packaged(family, weight, style)
            if path is not None:
                paths[variant] = path
    if "regular" not in paths:
        raise _not_found(family, fonts_dir, key)
    names = {}
    for variant, (weight, _) in _STYLES.items():
        # a missing bold italic is set in bold (the weight shows more than the slant), any other in regular
        path = paths.get(variant) or (paths.get("bold") if variant == "bolditalic" else None) or paths["regular"]
        path = _at_weight(path, weight)
        name = f"{slug}-{variant}"
        if folder is not None:  # never mistaken for a packaged family of the same name
            name += "-" + hashlib.sha256(path.read_bytes()).hexdigest()[:8]
        if name not in pdfmetrics.getRegisteredFontNames():
            try:
                pdfmetrics.registerFont(TTFont(name, str(path)))
            except Exception as exc:  # a broken or non-TrueType file dropped in fonts/
                raise StampaError(
                    error(f"il file del carattere non si può usare ({exc}): sostituiscilo con un TTF.", file=str(path))
                ) from None
        names[variant] = name
        _VARIANT_OF[name] = variant
    pdfmetrics.registerFontFamily(
        slug if folder is None else names["regular"], normal=names["regular"], bold=names["bold"], italic=names["italic"], boldItalic=names["bolditalic"]
    )
    return FontSet(family, names["regular"], names["bold"], names["italic"], names["bolditalic"], folder)


# -- fallbacks ------------------------------------------------------------------------------------

_VARIANT_OF: dict[str, str] = {}  # registered font name → regular | bold | italic | bolditalic


def _manimgx_file(name: str) -> Path:
    import manimgx_fonts

    return Path(manimgx_fonts.__file__).with_name(name)


def _cache_dir() -> Path:
    base = os.environ.get("STAMPA_CACHE") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stampa" / "caratteri"


def _static_instance(path: Path, weight: int) -> Path:
    """The variable font at ``path`` pinned at ``weight`` (other axes at their default), written once
    to the cache: ReportLab embeds only a variable font's default (regular) outlines."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    out = _cache_dir() / f"{path.stem.split('[')[0]}-{weight}-{digest}-2.ttf"
    if out.exists():
        return out
    from fontTools.ttLib import TTFont as FTFont
    from fontTools.varLib import instancer

    font = FTFont(str(path))
    axes = {a.axisTag: (weight if a.axisTag == "wght" else a.defaultValue) for a in font["fvar"].axes}
    static = instancer.instantiateVariableFont(font, axes, updateFontNames=False)
    # its own PostScript name: ReportLab keys the embedded font by it, and two fonts named alike
    # («NotoSans-Regular») would be merged into one in the PDF
    italic = bool(static["OS/2"].fsSelection & 1)
    style = ("Bold" if weight >= 600 else f"W{weight}") + ("Italic" if italic else "")
    family = path.stem.split("[")[0].split("-")[0]
    static["name"].setName(f"{family}-{style}", 6, 3, 1, 0x409)
    static["name"].setName(f"{family}-{style}", 6, 1, 0, 0)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # no writable home: a folder of the temp dir, shared by the builds of this machine
        out = Path(tempfile.gettempdir()) / "stampa-caratteri" / out.name
        if out.exists():
            return out
        out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    os.close(fd)
    static.save(tmp)
    os.chmod(tmp, 0o644)
    os.replace(tmp, out)
    return out


@lru_cache(maxsize=None)
def _wght_axis(path: Path) -> tuple[float, float, float] | None:
    from fontTools.ttLib import TTFont as FTFont

    font = FTFont(str(path), lazy=True)
    try:
        axes = [a for a in font["fvar"].axes if a.axisTag == "wght"] if "fvar" in font else []
        return (axes[0].minValue, axes[0].defaultValue, axes[0].maxValue) if axes else None
    finally:
        font.close()


def _at_weight(path: Path, weight: int) -> Path:
    """``path``, or for a variable font whose default is another weight, its instance at
    ``weight`` (ReportLab would embed the default outlines: a bold that prints regular)."""
    axis = _wght_axis(path)
    if axis is None or axis[1] == weight or not axis[0] <= weight <= axis[2]:
        return path
    return _static_instance(path, weight)


@dataclass(frozen=True)
class _Fallback:
    name: str  # ReportLab font name prefix
    files: dict  # variant → (path, weight to instance at or None)


@lru_cache(maxsize=1)
def _fallbacks() -> tuple[_Fallback, ...]:
    text = {}
    for variant, (weight, style) in _STYLES.items():
        path = Path(fontpkg.path(FALLBACK_TEXT_FAMILY, 400, style, nearest=True))
        text[variant] = (path, weight if weight != 400 else None)
    # emoji and symbols: bold where the text is bold (upright only: they have no italic)
    one = lambda f: {v: (_manimgx_file(f), 700 if v.startswith("bold") else None) for v in _STYLES}  # noqa: E731
    return (
        _Fallback("NotoSans", text),
        _Fallback("NotoSansSymbols", one(FALLBACK_SYMBOLS)),
        _Fallback("NotoEmoji", one(FALLBACK_EMOJI)),
    )


@lru_cache(maxsize=None)
def _cmap_of_file(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont as FTFont

    font = FTFont(path, lazy=True)
    codes = frozenset(font.getBestCmap())
    font.close()
    return codes


@lru_cache(maxsize=None)
def _fallback_font(index: int, variant: str) -> str:
    """Register (on first use) the fallback ``index`` in ``variant`` and return its font name."""
    fb = _fallbacks()[index]
    path, weight = fb.files[variant]
    same = [v for v in _STYLES if fb.files[v] == (path, weight)]
    name = f"{fb.name}-{same[0]}"
    if name not in pdfmetrics.getRegisteredFontNames():
        real = _static_instance(path, weight) if weight else path
        pdfmetrics.registerFont(TTFont(name, str(real)))
    return name


def covers(font_name: str, ch: str) -> bool:
    """Whether the registered font has a glyph for ``ch``."""
    return ord(ch) in _codes(font_name)


@lru_cache(maxsize=None)
def _codes(font_name: str) -> frozenset[int]:
    face = pdfmetrics.getFont(font_name).face
    return frozenset(code for code, glyph in face.charToGlyph.items() if glyph)


@lru_cache(maxsize=65536)
def font_for(font_name: str, ch: str) -> str | None:
    """The font that prints ``ch`` in text set in ``font_name``: the font itself, else the first
    fallback (same weight and slant) that has it; None when none has it or the script cannot be
    set (see :func:`complex_script`)."""
    if ord(ch) in _codes(font_name):
        return font_name
    if complex_script(ch):
        return None
    variant = _VARIANT_OF.get(font_name, "regular")
    for i, fb in enumerate(_fallbacks()):
        if ord(ch) in _cmap_of_file(str(fb.files[variant][0])):
            return _fallback_font(i, variant)
    return None


def printable(ch: str, font_name: str) -> bool:
    return silent(ch) or font_for(font_name, ch) is not None


@lru_cache(maxsize=8192)
def split_runs(text: str, font_name: str) -> tuple[tuple[str, str], ...]:
    """``text`` as (font name, text) runs: each character in ``font_name`` when it has it, else in
    a fallback. Characters no font prints are left out (never an empty box); spaces, joiners and
    combining marks stay in the run they follow."""
    if text.isascii() and _ascii_ok(font_name):
        return ((font_name, text),) if text else ()
    # «e» + combining accent (as some Mac and web forms write it) becomes «è»: fonts have that glyph
    text = unicodedata.normalize("NFC", text)
    runs: list[list[str]] = []
    for ch in text:
        if ch.isspace():  # spaces in the text's own font: a fallback's may be far wider
            font = font_name if covers(font_name, ch) else (runs[-1][0] if runs else font_name)
        elif silent(ch):
            font = runs[-1][0] if runs else font_name
            if not covers(font, ch):
                continue  # an invisible joiner or selector the font lacks: nothing to print
        elif unicodedata.combining(ch) and runs and covers(runs[-1][0], ch):
            font = runs[-1][0]  # an accent stays with its letter
        else:
            font = font_for(font_name, ch)
            if font is None:
                continue
        if runs and runs[-1][0] == font:
            runs[-1][1] += ch
        else:
            runs.append([font, ch])
    return tuple((f, t) for f, t in runs)


def printed_text(text: str, font_name: str) -> str:
    """``text`` as it prints in ``font_name`` (fallbacks included): what :func:`split_runs` leaves out
    (characters no font has, scripts that cannot be set) is not there. What the preflight should
    find on the page."""
    return "".join(t for _, t in split_runs(text, font_name))


@lru_cache(maxsize=None)
def _ascii_ok(font_name: str) -> bool:
    codes = _codes(font_name)
    return all(c in codes for c in range(0x20, 0x7F))


def missing_glyphs(font_name: str, text: str) -> set[str]:
    """Characters of ``text`` that the registered TTF itself cannot draw (fallbacks aside)."""
    text = unicodedata.normalize("NFC", text)
    return {ch for ch in set(text) if not silent(ch) and ch.isprintable() and not covers(font_name, ch)}


def unprintable(font_name: str, text: str) -> set[str]:
    """Characters of ``text`` that neither ``font_name`` nor any fallback prints: left out."""
    text = unicodedata.normalize("NFC", text)
    return {ch for ch in set(text) if not silent(ch) and font_for(font_name, ch) is None}
