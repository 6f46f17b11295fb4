"""What to check: the files listed in `rapporto.json` (with what their products promise), or
PDFs named on the command line (then the page boxes themselves say what the product is).

The "verifica" object each product writes next to a file in `rapporto.json`:

    "verifica": {
      "qr":     [{"url": "https://…", "min_mm": 30, "pagine": [2]}],
      "pieghe": [{"asse": "x", "mm": 140.0, "pagine": [1, 2], "testo": true}],
      "testi":  ["Spazio Q", {"testo": "12", "pagine": [1], "posizione_mm": [81.2, 140.5], "tolleranza_mm": 3}],
      "ppi_minimo": 250, "ppi_avviso": 300, "margine_mm": 5, "corpo_minimo_pt": 6
    }

Every key is optional. Positions are millimetres from the lower-left corner of the trimmed page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pikepdf

from ..problems import Problem, StampaError, error
from .document import Rect
from .model import MIN_TEXT_PT, SAFE_MARGIN_MM, FileToCheck, Fold, QrSpec, TextSpec, pt_to_mm

CHECKED_VERSIONS = ("stampa", "digitale")
HOUSE_BLEED_MM = 3.0  # DESIGN.md: 3 mm bleed on every side


class _Reader:
    def __init__(self, report: Path):
        self.report = report
        self.problems: list[Problem] = []

    def bad(self, where: str, message: str, value: Any = None) -> None:
        self.problems.append(
            error(message, file=str(self.report), where=where, value=None if value is None else json.dumps(value, ensure_ascii=False)[:60])
        )

    def number(self, data: dict, key: str, where: str, default: float | None = None, minimum: float = 0.0) -> float | None:
        value = data.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
            self.bad(where, f"«{key}» deve essere un numero non negativo.", value)
            return default
        return float(value)

    def pages(self, data: dict, where: str) -> tuple[int, ...]:
        value = data.get("pagine", [])
        if not isinstance(value, list) or not all(isinstance(p, int) and not isinstance(p, bool) and p >= 1 for p in value):
            self.bad(where, "«pagine» deve essere un elenco di numeri di pagina (da 1).", value)
            return ()
        return tuple(value)

    def file(self, i: int, item: Any) -> FileToCheck | None:
        where = f"file[{i}]"
        if not isinstance(item, dict):
            self.bad(where, "ogni voce di «file» deve essere un oggetto.", item)
            return None
        path, versione = item.get("path"), item.get("versione")
        if not isinstance(path, str) or not path:
            self.bad(where, "manca «path».", item.get("path"))
            return None
        if versione not in CHECKED_VERSIONS:
            return None  # previews and the web page are not PDFs for the print shop
        trim = item.get("rifilo_mm")
        trim_mm = None
        if trim is not None:
            if (isinstance(trim, list) and len(trim) == 2
                    and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in trim)):
                trim_mm = (float(trim[0]), float(trim[1]))
            else:
                self.bad(where, "«rifilo_mm» deve essere [larghezza, altezza] in mm.", trim)
        pages = item.get("pagine")
        if pages is not None and (isinstance(pages, bool) or not isinstance(pages, int) or pages < 1):
            self.bad(where, "«pagine» deve essere il numero di pagine.", pages)
            pages = None
        v = item.get("verifica") or {}
        if not isinstance(v, dict):
            self.bad(where, "«verifica» deve essere un oggetto.", v)
            v = {}
        return FileToCheck(
            path=path,
            prodotto=str(item.get("prodotto", "")),
            versione=versione,
            trim_mm=trim_mm,
            bleed_mm=self.number(item, "abbondanza_mm", where, 0.0) or 0.0,
            expected_pages=pages,
            qr=self.qr(v.get("qr", []), where),
            folds=self.folds(_first(v, "pieghe", "pieghe_mm", default=[]), where),
            texts_expected=self.texts(_first(v, "testi", "testi_attesi", default=[]), where),
            min_ppi=self.number(v, "ppi_minimo", where),
            warn_ppi=self.number(v, "ppi_avviso", where),
            safe_margin_mm=self.number(_alias(v, "margine_mm", "margine_sicurezza_mm"), "margine_mm", where,
                                       SAFE_MARGIN_MM),
            links_expected=bool(v.get("link_attesi", versione == "digitale")),
            min_text_pt=self.number(v, "corpo_minimo_pt", where, MIN_TEXT_PT) or MIN_TEXT_PT,
            label=path,
        )

    def pages_or_page(self, data: dict, where: str) -> tuple[int, ...]:
        if "pagina" in data and "pagine" not in data:
            return self.pages({"pagine": [data["pagina"]]}, where)
        return self.pages(data, where)

    def qr(self, items: Any, where: str) -> tuple[QrSpec, ...]:
        out = []
        for j, q in enumerate(items if isinstance(items, list) else [items]):
            w = f"{where}.verifica.qr[{j}]"
            if not isinstance(q, dict) or not isinstance(q.get("url"), str):
                self.bad(w, "un QR è {\"url\": \"https://…\", \"min_mm\": 30}.", q)
                continue
            box = q.get("box_mm")
            if box is not None and not (
                isinstance(box, list) and len(box) == 4
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in box)
            ):
                self.bad(w, "«box_mm» deve essere [x, y, larghezza, altezza] in mm.", box)
                box = None
            out.append(
                QrSpec(
                    q["url"],
                    self.number(_alias(q, "min_mm", "lato_minimo_mm"), "min_mm", w, 0.0) or 0.0,
                    self.pages_or_page(q, w),
                    tuple(float(v) for v in box) if box is not None else None,  # type: ignore[arg-type]
                )
            )
        return tuple(out)

    def folds(self, items: Any, where: str) -> tuple[Fold, ...]:
        out = []
        for j, f in enumerate(items if isinstance(items, list) else [items]):
            w = f"{where}.verifica.pieghe[{j}]"
            if isinstance(f, dict) and "orientamento" in f and "asse" not in f:
                axis = {"verticale": "x", "orizzontale": "y"}.get(f.get("orientamento"))
                f = {**f, "asse": axis, "mm": f.get("posizione_mm")}
            if not isinstance(f, dict) or f.get("asse") not in ("x", "y") or self.number(f, "mm", w) is None:
                self.bad(w, "una piega è {\"asse\": \"x\" o \"y\", \"mm\": posizione dal bordo}.", f)
                continue
            out.append(Fold(f["asse"], float(f["mm"]), self.pages_or_page(f, w), bool(f.get("testo", True))))
        return tuple(out)

    def texts(self, items: Any, where: str) -> tuple[TextSpec, ...]:
        out = []
        for j, t in enumerate(items if isinstance(items, list) else [items]):
            w = f"{where}.verifica.testi[{j}]"
            if isinstance(t, str):
                if t.strip():
                    out.append(TextSpec(t))
                continue
            if not isinstance(t, dict) or not isinstance(t.get("testo"), str):
                self.bad(w, "un testo è una stringa o {\"testo\": \"…\", \"pagine\": [1]}.", t)
                continue
            at = t.get("posizione_mm")
            if at is not None and not (isinstance(at, list) and len(at) == 2 and all(isinstance(v, (int, float)) for v in at)):
                self.bad(w, "«posizione_mm» deve essere [x, y] in mm.", at)
                at = None
            out.append(
                TextSpec(
                    t["testo"], self.pages(t, w),
                    (float(at[0]), float(at[1])) if at is not None else None,
                    self.number(t, "tolleranza_mm", w, 3.0) or 3.0,
                )
            )
        return tuple(out)


def _first(data: dict, *keys: str, default: Any = None) -> Any:
    """The value of the first of ``keys`` present (the products' two spellings of one field)."""
    for key in keys:
        if key in data:
            return data[key]
    return default


def _alias(data: dict, key: str, *aliases: str) -> dict:
    """``data`` with the first present alias copied under ``key``."""
    if key in data:
        return data
    for alias in aliases:
        if alias in data:
            return {**data, key: data[alias]}
    return data


def files_from_report(report: Path) -> list[FileToCheck]:
    """The PDFs listed in a `rapporto.json` (paths relative to its folder)."""
    report = Path(report)
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StampaError(
            error("rapporto.json non trovato: costruisci prima l'edizione con «stampa edizione», "
                  "o indica i PDF da verificare.", file=str(report))
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StampaError(error(f"rapporto.json non è leggibile ({exc}): ricostruiscilo con «stampa edizione».",
                                file=str(report))) from None
    reader = _Reader(report)
    items = data.get("file") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise StampaError(error("rapporto.json non elenca i file («file»): ricostruiscilo con «stampa edizione».",
                                file=str(report)))
    files = [f for i, item in enumerate(items) if (f := reader.file(i, item)) is not None]
    if reader.problems:
        raise StampaError(reader.problems)
    return files


def file_from_pdf(path: Path) -> FileToCheck:
    """A PDF named by the user: the TrimBox of its first page gives the format (all pages must
    match it) and the house rule the bleed (3 mm). Names containing "digitale" are digital files,
    everything else is checked as a print file."""
    path = Path(path)
    trim_mm: tuple[float, float] | None = None
    try:
        with pikepdf.open(path) as pdf:
            if len(pdf.pages):
                trim = pdf.pages[0].obj.get("/TrimBox")
                if trim is not None:
                    t = Rect.from_array(trim)
                    trim_mm = (round(pt_to_mm(t.width), 1), round(pt_to_mm(t.height), 1))
    except (pikepdf.PdfError, OSError):
        pass  # reported when the file is checked
    versione = "digitale" if "digitale" in path.name.lower() else "stampa"
    return FileToCheck(
        path=str(path), prodotto=path.stem, versione=versione, trim_mm=trim_mm,
        bleed_mm=HOUSE_BLEED_MM if versione == "stampa" else 0.0, label=str(path),
    )
