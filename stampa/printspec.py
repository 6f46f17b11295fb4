"""What a built file must pass, written once: the products fill it in, `rapporto.json` carries it,
the preflight (`stampa verifica`) reads it back. Both directions live here so there is one
spelling of every key.

A file record in `rapporto.json` (products add their own keys, e.g. ``formato``, ``sha256``):

    {"path": "mappa-stampa.pdf", "prodotto": "mappa", "versione": "stampa", "pagine": 2,
     "rifilo_mm": [297.0, 420.0], "abbondanza_mm": 3.0,
     "verifica": {
       "qr":     [{"url": "https://…", "min_mm": 30, "pagine": [2], "box_mm": [11.0, 217.0, 30.0, 30.0]}],
       "pieghe": [{"asse": "x", "mm": 148.5, "pagine": [1], "testo": true}],
       "testi":  ["Spazio Q", {"testo": "12", "pagine": [1], "posizione_mm": [81.2, 140.5], "tolleranza_mm": 3}],
       "margine_mm": 5.0, "corpo_minimo_pt": 6.0, "ppi_minimo": 250, "ppi_avviso": 300, "link_attesi": true
     }}

Keys of «verifica» may be left out (the defaults below apply); any other key is an error, so that
a product and the preflight can never drift into two spellings again. Positions are millimetres
from the lower-left corner of the trimmed page (the TrimBox), x to the right and y upwards, as
ReportLab draws. A text with no pages, no position and the default tolerance is written as a
bare string (a large booklet expects thousands).

This module is a leaf (standard library only): products import it without the preflight's PDF
libraries, and the preflight imports it without the products.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

# Print rules (DESIGN.md, "Rules of the trade").
MIN_TEXT_PT = 6.0
SAFE_MARGIN_MM = 5.0
TEXT_TOLERANCE_MM = 3.0
BOX_DECIMALS = 2  # QR boxes are written to 1/100 mm: finer is noise in a report people read

# Every key each object may carry: the writer below writes no other, the reader refuses any other.
SPEC_KEYS = ("qr", "pieghe", "testi", "margine_mm", "corpo_minimo_pt", "ppi_minimo", "ppi_avviso", "link_attesi")
QR_KEYS = ("url", "min_mm", "pagine", "box_mm")
FOLD_KEYS = ("asse", "mm", "pagine", "testo")
TEXT_KEYS = ("testo", "pagine", "posizione_mm", "tolleranza_mm")


@dataclass(frozen=True)
class QrSpec:
    """A QR code the file must carry: it must decode to ``url`` and be at least ``min_mm`` wide
    with its 4-module quiet zone (reading distance / 10). ``pages`` (1-based) limits where it is
    looked for; empty = any page. ``box_mm`` (x, y, w, h on the trim, quiet zone included): where
    the product drew it; the code found must be there."""

    url: str
    min_mm: float
    pages: tuple[int, ...] = ()
    box_mm: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class Fold:
    """A fold line: ``axis`` "x" is a vertical fold at x = ``mm`` from the left edge of the trim,
    "y" a horizontal fold at y = ``mm`` from the bottom edge. ``pages`` empty = every page.
    ``check_text`` False: only QR codes are checked against it (a map may run across a fold)."""

    axis: Literal["x", "y"]
    mm: float
    pages: tuple[int, ...] = ()
    check_text: bool = True


@dataclass(frozen=True)
class TextSpec:
    """A text that must be printed (whole words, case and spacing ignored). ``pages`` empty = any
    page. With ``at_mm`` (x, y from the trim's lower-left corner) the text must lie within
    ``tolerance_mm`` of that point, e.g. a marker's number on the map."""

    text: str
    pages: tuple[int, ...] = ()
    at_mm: tuple[float, float] | None = None
    tolerance_mm: float = TEXT_TOLERANCE_MM


@dataclass(frozen=True)
class PrintSpec:
    """What the preflight checks in one PDF beyond its format (the «verifica» object).

    ``min_ppi``: images below it are errors in print files; ``warn_ppi``: images below it (and at
    least ``min_ppi``) are warnings; None → from the format. ``links_expected`` None → digital
    files are expected to carry clickable links, print files none."""

    qr: tuple[QrSpec, ...] = ()
    folds: tuple[Fold, ...] = ()
    texts_expected: tuple[TextSpec, ...] = ()
    safe_margin_mm: float = SAFE_MARGIN_MM
    min_text_pt: float = MIN_TEXT_PT
    min_ppi: float | None = None
    warn_ppi: float | None = None
    links_expected: bool | None = None


@dataclass(frozen=True)
class FileSpec:
    """One built file as its product describes it: where, what, its format (``trim_mm``: the cut
    size of every page, width × height; ``bleed_mm`` each side; ``expected_pages``) and, for
    PDFs, what it must pass (``check``; None for previews and web pages)."""

    path: str  # relative to the output folder, with "/"
    prodotto: str
    versione: str  # "stampa", "digitale", "anteprima", "web"
    trim_mm: tuple[float, float] | None = None
    bleed_mm: float = 0.0
    expected_pages: int | None = None
    check: PrintSpec | None = None


# --- writing -------------------------------------------------------------------------------


def spec_record(spec: FileSpec, **extra: Any) -> dict[str, Any]:
    """The record of ``spec`` in `rapporto.json`: its keys, then the product's ``extra`` keys,
    then «verifica» (last: in a large booklet it is by far the longest)."""
    record: dict[str, Any] = {"path": spec.path, "prodotto": spec.prodotto, "versione": spec.versione}
    if spec.expected_pages is not None:
        record["pagine"] = spec.expected_pages
    if spec.trim_mm is not None:
        record["rifilo_mm"] = list(spec.trim_mm)
    record["abbondanza_mm"] = spec.bleed_mm
    record.update(extra)
    if spec.check is not None:
        record["verifica"] = check_to_json(spec.check)
    return record


def check_to_json(check: PrintSpec) -> dict[str, Any]:
    """The «verifica» object of ``check`` (see the module docstring)."""
    out: dict[str, Any] = {
        "qr": [_qr_to_json(q) for q in check.qr],
        "pieghe": [{"asse": f.axis, "mm": f.mm, "pagine": list(f.pages), "testo": f.check_text} for f in check.folds],
        "testi": [_text_to_json(t) for t in check.texts_expected],
        "margine_mm": check.safe_margin_mm,
        "corpo_minimo_pt": check.min_text_pt,
    }
    if check.min_ppi is not None:
        out["ppi_minimo"] = check.min_ppi
    if check.warn_ppi is not None:
        out["ppi_avviso"] = check.warn_ppi
    if check.links_expected is not None:
        out["link_attesi"] = check.links_expected
    return out


def _qr_to_json(q: QrSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"url": q.url, "min_mm": q.min_mm, "pagine": list(q.pages)}
    if q.box_mm is not None:
        out["box_mm"] = [round(v, BOX_DECIMALS) for v in q.box_mm]
    return out


def _text_to_json(t: TextSpec) -> str | dict[str, Any]:
    if not t.pages and t.at_mm is None and t.tolerance_mm == TEXT_TOLERANCE_MM:
        return t.text
    out: dict[str, Any] = {"testo": t.text, "pagine": list(t.pages)}
    if t.at_mm is not None:
        out["posizione_mm"] = list(t.at_mm)
    if t.tolerance_mm != TEXT_TOLERANCE_MM:
        out["tolleranza_mm"] = t.tolerance_mm
    return out


# --- reading -------------------------------------------------------------------------------

Bad = Callable[[str, str, Any], None]  # (where, message, value): one problem of the report file


def read_file_record(item: Any, where: str, bad: Bad, versions: tuple[str, ...]) -> FileSpec | None:
    """The :class:`FileSpec` of one record of `rapporto.json`, or None when it is unusable or its
    ``versione`` is not among ``versions``. Every fault is handed to ``bad``; what is faulty
    falls back to its default so that all faults are reported at once."""
    if not isinstance(item, dict):
        bad(where, "ogni voce di «file» deve essere un oggetto.", item)
        return None
    path, versione = item.get("path"), item.get("versione")
    if not isinstance(path, str) or not path:
        bad(where, "manca «path».", item.get("path"))
        return None
    if versione not in versions:
        return None
    trim = item.get("rifilo_mm")
    trim_mm = None
    if trim is not None:
        if isinstance(trim, list) and len(trim) == 2 and all(_is_number(v) and v > 0 for v in trim):
            trim_mm = (float(trim[0]), float(trim[1]))
        else:
            bad(where, "«rifilo_mm» deve essere [larghezza, altezza] in mm.", trim)
    pages = item.get("pagine")
    if pages is not None and (isinstance(pages, bool) or not isinstance(pages, int) or pages < 1):
        bad(where, "«pagine» deve essere il numero di pagine.", pages)
        pages = None
    v = item.get("verifica")
    check = None
    if v is not None:
        if isinstance(v, dict):
            check = read_check(v, where, bad)
        else:
            bad(where, "«verifica» deve essere un oggetto.", v)
    return FileSpec(
        path=path,
        prodotto=str(item.get("prodotto", "")),
        versione=versione,
        trim_mm=trim_mm,
        bleed_mm=_number(item, "abbondanza_mm", where, bad, 0.0) or 0.0,
        expected_pages=pages,
        check=check,
    )


def read_check(v: dict, where: str, bad: Bad) -> PrintSpec:
    """The :class:`PrintSpec` of a «verifica» object (``where``: the file record's place)."""
    _only(v, SPEC_KEYS, "«verifica»", f"{where}.verifica", bad)
    links = v.get("link_attesi")
    if links is not None and not isinstance(links, bool):
        bad(where, "«link_attesi» deve essere true o false.", links)
        links = None
    return PrintSpec(
        qr=_read_qr(v.get("qr", []), where, bad),
        folds=_read_folds(v.get("pieghe", []), where, bad),
        texts_expected=_read_texts(v.get("testi", []), where, bad),
        safe_margin_mm=_number(v, "margine_mm", where, bad, SAFE_MARGIN_MM),
        min_text_pt=_number(v, "corpo_minimo_pt", where, bad, MIN_TEXT_PT) or MIN_TEXT_PT,  # 0: the house minimum
        min_ppi=_number(v, "ppi_minimo", where, bad),
        warn_ppi=_number(v, "ppi_avviso", where, bad),
        links_expected=links,
    )


def _only(data: dict, keys: tuple[str, ...], what: str, where: str, bad: Bad) -> None:
    """Refuse keys outside ``keys``: a second spelling would otherwise drop a check silently."""
    for key in data:
        if key not in keys:
            bad(where, f"«{key}» non è una chiave di {what} (sono: {', '.join(keys)}): "
                "ricostruisci rapporto.json con «stampa edizione».", key)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(data: dict, key: str, where: str, bad: Bad, default: float | None = None) -> float | None:
    value = data.get(key, default)
    if value is None:
        return default
    if not _is_number(value) or value < 0:
        bad(where, f"«{key}» deve essere un numero non negativo.", value)
        return default
    return float(value)


def _pages(data: dict, where: str, bad: Bad) -> tuple[int, ...]:
    value = data.get("pagine", [])
    if not isinstance(value, list) or not all(isinstance(p, int) and not isinstance(p, bool) and p >= 1 for p in value):
        bad(where, "«pagine» deve essere un elenco di numeri di pagina (da 1).", value)
        return ()
    return tuple(value)


def _listed(items: Any) -> list:
    return items if isinstance(items, list) else [items]


def _numbers(d: dict, key: str, count: int, shape: str, where: str, bad: Bad) -> list | None:
    """``d[key]`` when it is a list of ``count`` numbers; None when absent or (reported) malformed."""
    value = d.get(key)
    if value is not None and not (isinstance(value, list) and len(value) == count and all(_is_number(v) for v in value)):
        bad(where, f"«{key}» deve essere {shape}.", value)
        return None
    return value


def _read_qr(items: Any, where: str, bad: Bad) -> tuple[QrSpec, ...]:
    out = []
    for j, q in enumerate(_listed(items)):
        w = f"{where}.verifica.qr[{j}]"
        if not isinstance(q, dict) or not isinstance(q.get("url"), str):
            bad(w, "un QR è {\"url\": \"https://…\", \"min_mm\": 30}.", q)
            continue
        _only(q, QR_KEYS, "un QR", w, bad)
        box = _numbers(q, "box_mm", 4, "[x, y, larghezza, altezza] in mm", w, bad)
        out.append(
            QrSpec(
                q["url"],
                _number(q, "min_mm", w, bad, 0.0) or 0.0,
                _pages(q, w, bad),
                tuple(float(v) for v in box) if box is not None else None,  # type: ignore[arg-type]
            )
        )
    return tuple(out)


def _read_folds(items: Any, where: str, bad: Bad) -> tuple[Fold, ...]:
    out = []
    for j, f in enumerate(_listed(items)):
        w = f"{where}.verifica.pieghe[{j}]"
        if not isinstance(f, dict) or f.get("asse") not in ("x", "y") or _number(f, "mm", w, bad) is None:
            bad(w, "una piega è {\"asse\": \"x\" o \"y\", \"mm\": posizione dal bordo}.", f)
            continue
        _only(f, FOLD_KEYS, "una piega", w, bad)
        out.append(Fold(f["asse"], float(f["mm"]), _pages(f, w, bad), bool(f.get("testo", True))))
    return tuple(out)


def _read_texts(items: Any, where: str, bad: Bad) -> tuple[TextSpec, ...]:
    out = []
    for j, t in enumerate(_listed(items)):
        w = f"{where}.verifica.testi[{j}]"
        if isinstance(t, str):
            if t.strip():
                out.append(TextSpec(t))
            continue
        if not isinstance(t, dict) or not isinstance(t.get("testo"), str):
            bad(w, "un testo è una stringa o {\"testo\": \"…\", \"pagine\": [1]}.", t)
            continue
        _only(t, TEXT_KEYS, "un testo", w, bad)
        at = _numbers(t, "posizione_mm", 2, "[x, y] in mm", w, bad)
        out.append(
            TextSpec(
                t["testo"], _pages(t, w, bad),
                (float(at[0]), float(at[1])) if at is not None else None,
                _number(t, "tolleranza_mm", w, bad, TEXT_TOLERANCE_MM),  # type: ignore[arg-type]
            )
        )
    return tuple(out)

