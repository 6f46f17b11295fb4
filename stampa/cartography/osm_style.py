"""The style of the OpenStreetMap basemap, read from `layout/sfondo.toml` (data staff edit).

Colours are CMYK percentages (0–100) as in `tema.toml`; line widths are in points at the reference
scale 1:10,000 and thin out at smaller scales by ``spessore_per_scala``; ``da_scala`` is the least
scale (largest N of 1:N) at which a class is drawn. A class with no section is not drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from reportlab.lib.colors import CMYKColor

from ..basemap.osm_model import CLASSES, LAYERS
from ..problems import Problem, StampaError, error
from ..tomlfile import read_toml

CMYK = tuple[float, float, float, float]  # 0–100 each

MIN_LABEL_PT = 6.0  # the print floor: no text under 6 pt
ALWAYS = math.inf


SCALE_TOLERANCE = 1.0 + 1e-6


@dataclass(frozen=True)
class ClassStyle:
    """How one class of one layer is drawn and named."""

    strato: str
    classe: str
    colore: CMYK  # area fill, or line colour
    spessore_pt: float = 0.0  # line width at 1:10,000 (stations: side of the symbol)
    bordo: CMYK | None = None  # road casing / area outline
    bordo_pt: float = 0.0  # roads: total width with casing; areas: outline width
    interno: CMYK | None = None  # railway: inner line
    interno_pt: float = 0.0
    tratteggio_pt: tuple[float, ...] = ()  # dash of the inner line, [on, off] pt
    da_scala: float = ALWAYS  # drawn when the view's N ≤ da_scala
    etichetta: bool = False
    etichetta_pt: float = 6.5
    etichetta_da_scala: float = ALWAYS
    colore_testo: CMYK = (0, 0, 0, 100)
    corsivo: bool = False
    priorita: int = 5

    # A view's scale comes out of float arithmetic (1:40,000.0000000006): a threshold written
    # as 40000 must include it.
    def drawn_at(self, scale: float) -> bool:
        return scale <= self.da_scala * SCALE_TOLERANCE

    def labelled_at(self, scale: float) -> bool:
        return self.etichetta and scale <= min(self.da_scala, self.etichetta_da_scala) * SCALE_TOLERANCE


@dataclass(frozen=True)
class OsmStyle:
    """The whole basemap style: general settings and one :class:`ClassStyle` per drawn class."""

    classi: Mapping[tuple[str, str], ClassStyle]
    semplifica_mm: float = 0.15
    area_minima_mm2: float = 0.5
    margine_mm: float = 3.0
    spessore_per_scala: tuple[tuple[float, float], ...] = ((10000.0, 1.0),)
    alone_pt: float = 1.6
    colore_alone: CMYK = (0, 0, 0, 0)
    ripeti_etichette_mm: float = 90.0
    distanza_etichette_mm: float = 0.8
    file: str = field(default="", compare=False)

    def get(self, strato: str, classe: str) -> ClassStyle | None:
        return self.classi.get((strato, classe))

    def width_factor(self, scale: float) -> float:
        """How much line widths shrink at 1:``scale`` (interpolated on log scale)."""
        pts = self.spessore_per_scala
        if scale <= pts[0][0]:
            return pts[0][1]
        for (s0, f0), (s1, f1) in zip(pts, pts[1:]):
            if scale <= s1:
                t = (math.log(scale) - math.log(s0)) / (math.log(s1) - math.log(s0))
                return f0 + (f1 - f0) * t
        return pts[-1][1]


def cmyk(value: CMYK, alpha: float = 1.0) -> CMYKColor:
    """A ReportLab CMYK colour from 0–100 percentages."""
    c, m, y, k = value
    return CMYKColor(c / 100, m / 100, y / 100, k / 100, alpha=alpha)


# --- reading ------------------------------------------------------------------------------------

_GENERAL = {
    "semplifica_mm": "number",
    "area_minima_mm2": "number",
    "margine_mm": "number",
    "spessore_per_scala": "pairs",
    "alone_pt": "number",
    "colore_alone": "colour",
    "ripeti_etichette_mm": "number",
    "distanza_etichette_mm": "number",
}
_CLASS = {
    "colore": "colour",
    "spessore_pt": "number",
    "bordo": "colour",
    "bordo_pt": "number",
    "interno": "colour",
    "interno_pt": "number",
    "tratteggio_pt": "dash",
    "da_scala": "scale",
    "etichetta": "bool",
    "etichetta_pt": "label_pt",
    "etichetta_da_scala": "scale",
    "colore_testo": "colour",
    "corsivo": "bool",
    "priorita": "int",
}
_MESSAGES = {
    "number": "serve un numero maggiore o uguale a 0.",
    "colour": "un colore è [C, M, Y, K] con quattro numeri da 0 a 100.",
    "pairs": "serve un elenco di coppie [scala, fattore], es. [[10000, 1.0], [50000, 0.55]], con scale crescenti e fattori maggiori di 0.",
    "dash": "il tratteggio è [pieno, vuoto] in pt, due numeri maggiori di 0 (oppure [] per una linea piena).",
    "scale": "serve il denominatore della scala (es. 25000 per 1:25.000) oppure \"sempre\".",
    "bool": "serve true oppure false.",
    "label_pt": f"il corpo dei nomi è un numero da {MIN_LABEL_PT:g} a 24 pt (sotto i 6 pt la stampa non si legge).",
    "int": "serve un numero intero (1 = per primo).",
}


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _convert(kind: str, v: Any) -> Any:
    """The value as the dataclass holds it, or None when it is not acceptable."""
    if kind == "number":
        return float(v) if _is_num(v) and v >= 0 else None
    if kind == "colour":
        ok = isinstance(v, list) and len(v) == 4 and all(_is_num(x) and 0 <= x <= 100 for x in v)
        return tuple(float(x) for x in v) if ok else None
    if kind == "pairs":
        if not (isinstance(v, list) and v and all(isinstance(p, list) and len(p) == 2 and all(_is_num(x) for x in p) for p in v)):
            return None
        pairs = tuple((float(s), float(f)) for s, f in v)
        if any(s <= 0 or f <= 0 for s, f in pairs) or any(b[0] <= a[0] for a, b in zip(pairs, pairs[1:])):
            return None
        return pairs
    if kind == "dash":
        if isinstance(v, list) and not v:
            return ()
        ok = isinstance(v, list) and len(v) == 2 and all(_is_num(x) and x > 0 for x in v)
        return tuple(float(x) for x in v) if ok else None
    if kind == "scale":
        if isinstance(v, str) and v.strip().lower() == "sempre":
            return ALWAYS
        return float(v) if _is_num(v) and v > 0 else None
    if kind == "bool":
        return v if isinstance(v, bool) else None
    if kind == "label_pt":
        return float(v) if _is_num(v) and MIN_LABEL_PT <= v <= 24 else None
    if kind == "int":
        return int(v) if isinstance(v, int) and not isinstance(v, bool) else None
    raise AssertionError(kind)


def load_osm_style(path: Path) -> OsmStyle:
    """Read the basemap style; every bad entry is reported at once (file, key, value, what to do)."""
    path = Path(path)
    data = read_toml(path, missing="manca il file dello stile dello sfondo: rimettilo dalla copia di stampa (layout/sfondo.toml).")
    where_file = str(path)
    problems: list[Problem] = []

    def bad(key: str, value: Any, message: str) -> None:
        problems.append(error(message, file=where_file, where=f"chiave «{key}»", value=str(value)))

    general: dict[str, Any] = {}
    classes: dict[tuple[str, str], ClassStyle] = {}
    for section, body in data.items():
        if section == "generale":
            if not isinstance(body, dict):
                bad(section, body, "«generale» è una sezione: scrivila come [generale].")
                continue
            for key, value in body.items():
                if key not in _GENERAL:
                    bad(f"generale.{key}", value, f"chiave sconosciuta: usa una di {', '.join(_GENERAL)}.")
                    continue
                got = _convert(_GENERAL[key], value)
                if got is None:
                    bad(f"generale.{key}", value, _MESSAGES[_GENERAL[key]])
                else:
                    general[key] = got
            continue
        if section not in LAYERS:
            bad(section, "", f"strato sconosciuto: usa «generale» o uno di {', '.join(LAYERS)}.")
            continue
        if not isinstance(body, dict):
            bad(section, body, f"«{section}» contiene le sue classi, es. [{section}.{CLASSES[section][0]}].")
            continue
        for classe, entries in body.items():
            key0 = f"{section}.{classe}"
            if classe not in CLASSES[section]:
                bad(key0, "", f"classe sconosciuta per «{section}»: usa una di {', '.join(CLASSES[section])}.")
                continue
            if not isinstance(entries, dict):
                bad(key0, entries, f"scrivi la classe come sezione: [{key0}].")
                continue
            values: dict[str, Any] = {}
            for key, value in entries.items():
                if key not in _CLASS:
                    bad(f"{key0}.{key}", value, f"chiave sconosciuta: usa una di {', '.join(_CLASS)}.")
                    continue
                got = _convert(_CLASS[key], value)
                if got is None:
                    bad(f"{key0}.{key}", value, _MESSAGES[_CLASS[key]])
                else:
                    values[key] = got
            if "colore" not in entries:
                bad(f"{key0}.colore", "", "manca il colore: scrivi colore = [C, M, Y, K] (o togli la sezione per non disegnare la classe).")
                continue
            if "colore" in values:
                classes[(section, classe)] = ClassStyle(strato=section, classe=classe, **values)
    if problems:
        raise StampaError(problems)
    return OsmStyle(classi=MappingProxyType(classes), file=where_file, **general)
