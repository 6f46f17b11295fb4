"""`stampa.toml` → frozen dataclasses.

Each section of the file is a frozen dataclass below; the loader walks the dataclass fields, so the
dataclasses *are* the schema: a key the dataclasses do not know is refused with its dotted name and
a "did you mean" suggestion, and every value is checked (type, range, choices, URL scheme) before
any stage runs. All problems are collected and raised together.

Paths in the file are relative to the folder of `stampa.toml`, and may not leave the project
folder unless written as absolute paths (an explicit choice by whoever wrote them).
"""

from __future__ import annotations

import difflib
import typing
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from .problems import Problem, StampaError, error
from .tomlfile import read_toml
from .urls import url_problem

# Field metadata keys: "min"/"max" (numbers), "choices", "url" (one of the allowed schemes),
# "path" (resolved against the config folder), "doc" (Italian, shown in messages).


def _f(default: Any = MISSING, **meta: Any) -> Any:
    if isinstance(default, (list, dict)):
        value = default
        return field(default_factory=lambda: type(value)(value), metadata=meta)
    if default is MISSING:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True, kw_only=True)
class Edizione:
    """What is printed as the edition's identity."""

    titolo: str = _f("Mappa dei Laboratori Sociali e dei Gruppi di cittadini")
    sottotitolo: str = _f("Distretto sociale pavese")
    anno: int = _f(min=2000, max=2100)
    etichetta: str = _f("")  # e.g. "Seconda edizione"; empty → "Edizione <anno>"
    autore: str = _f("Centro Servizi Volontariato")  # PDF metadata and credits

    @property
    def nome(self) -> str:
        return self.etichetta or f"Edizione {self.anno}"


@dataclass(frozen=True, kw_only=True)
class Distretto:
    nome: str = _f("Distretto sociale pavese")
    comuni: tuple[str, ...] = _f()  # ISTAT codes, six digits ("018110")
    anno_confini: int = _f(2023, choices=(2022, 2023))


@dataclass(frozen=True, kw_only=True)
class Dati:
    voci: Path = _f(path=True)  # the entries file
    foglio: str = _f("")  # XLSX sheet; empty → the first one
    crs: str = _f("")  # CRS of CSV/XLSX coordinates when not WGS84 (e.g. "EPSG:32632")


@dataclass(frozen=True, kw_only=True)
class Collegamenti:
    """Where the QR codes and links lead."""

    mappa_digitale: str = _f(url=("http", "https"))
    manifesto_digitale: str = _f("", url=("http", "https"))  # empty → mappa_digitale


@dataclass(frozen=True, kw_only=True)
class Contatti:
    ente: str = _f()
    referente: str = _f("")
    email: str = _f("")
    telefono: str = _f("")
    sito: str = _f("", url=("http", "https"))


@dataclass(frozen=True, kw_only=True)
class Sfondo:
    """The basemap. ``fonte``: ``osm`` (OpenStreetMap data drawn as vectors), an xyzservices name,
    a tile URL template, a GeoTIFF path, or ``vettoriale``."""

    fonte: str = _f("osm")
    attribuzione: str = _f("")  # needed for a URL template
    zoom_massimo: int = _f(19, min=0, max=22)  # for a URL template
    ppi: int = _f(300, min=72, max=1200)  # target resolution at print size
    ppi_minimo: int = _f(250, min=72, max=1200)  # below this the report warns
    max_tessere: int = _f(1500, min=1, max=100000)  # tile budget of one build
    timeout_s: float = _f(10.0, min=0.5, max=300.0)  # one tile request, whole answer included
    tentativi: int = _f(2, min=0, max=10)  # retries per tile
    cache: str = _f("")  # empty → the user's cache folder (~/.cache/stampa/tessere)
    congelato: str = _f("")  # frozen GeoTIFF in dati/; empty → dati/sfondo-<anno>.tif
    zoom: int = _f(0, min=0, max=22)  # 0 → chosen from the printed size and `ppi`
    chiave_api: str = _f("")  # key for providers that need one (or env STAMPA_CHIAVE_API)
    contatto: str = _f("")  # email or site sent in the User-Agent; empty → contatti.email
    connessioni: int = _f(2, min=1, max=8)  # parallel downloads (tile servers ask for few)
    tempo_massimo_s: float = _f(300.0, min=5.0, max=3600.0)  # deadline of all the downloads of one view
    # Overpass API endpoint for ``fonte = "osm"`` (env STAMPA_SERVER_OSM overrides it)
    server_osm: str = _f("https://overpass-api.de/api/interpreter", url=("http", "https"))


@dataclass(frozen=True, kw_only=True)
class Geocodifica:
    """Addresses → points (``stampa geocodifica``): a Nominatim-compatible service (env
    STAMPA_SERVER_GEOCODIFICA overrides ``server``) and the record that caches and corrects it."""

    server: str = _f("https://nominatim.openstreetmap.org", url=("http", "https"))
    registro: Path = _f(Path("dati/geocodifica.csv"), path=True)
    timeout_s: float = _f(10.0, min=0.5, max=120.0)  # one request, whole answer included
    tempo_massimo_s: float = _f(0.0, min=0.0, max=86400.0)  # 0 → 60 s + 3 s per address to look up
    tentativi: int = _f(3, min=0, max=10)  # retries after «busy» (429/503) or a server error


@dataclass(frozen=True, kw_only=True)
class Mappa:
    # "automatico": the A3 leaflet while the edition fits it, else the booklet (with map sheets
    # when it has more entries than one map holds)
    formato: str = _f("automatico", choices=("automatico", "A3-pieghevole", "A4", "libretto"))
    distanza_lettura_cm: float = _f(30.0, min=10.0, max=1000.0)
    carattere_titoli: str = _f("Titillium Web")
    carattere_testo: str = _f("Atkinson Hyperlegible")
    # The inset of central Pavia: "automatico" = only where markers crowd the main map.
    riquadro: str = _f("automatico", choices=("automatico", "sì", "no"))
    titolo_riquadro: str = _f("Pavia, centro")
    # Map sheets (tavole) of the booklet: "automatico" = when the edition has more entries than one
    # map holds legibly (voci_per_mappa); "sì" = always; "no" = never (one map, as the leaflet).
    tavole: str = _f("automatico", choices=("automatico", "sì", "no"))
    voci_per_mappa: int = _f(250, min=1, max=100000)  # above this the booklet splits the map into tavole
    anteprime_pagine: int = _f(12, min=0, max=100000)  # booklet pages previewed as PNG (the first N)
    # Mark «Novità» the entries not in the last archived edition (index and web page).
    segna_novita: bool = _f(False)


@dataclass(frozen=True, kw_only=True)
class Manifesto:
    formati: tuple[str, ...] = _f(("A3",), choices=("A4", "A3", "A2", "50x70", "70x100"))
    distanza_lettura_cm: float = _f(100.0, min=10.0, max=1000.0)
    per_laboratorio: bool = _f(False)
    un_file: bool = _f(True)  # per-lab posters: one multi-page PDF (true) or one PDF per lab
    carattere_titoli: str = _f("")  # empty → the same as [mappa] carattere_titoli
    carattere_testo: str = _f("")  # empty → the same as [mappa] carattere_testo
    anteprime_laboratori: int = _f(20, min=0, max=100000)  # per-lab posters previewed as PNG (the first N)


@dataclass(frozen=True, kw_only=True)
class Bozze:
    """The proofs sent to each organisation (`stampa bozze`)."""

    entro: str = _f("")  # the date to answer by, "AAAA-MM-GG"; empty → «al più presto»


@dataclass(frozen=True, kw_only=True)
class Uscita:
    cartella: Path = _f(Path("out"), path=True)
    anteprime_dpi: int = _f(100, min=36, max=600)
    verifica: bool = _f(True)  # run `stampa verifica` at the end of `stampa edizione`


@dataclass(frozen=True, kw_only=True)
class Config:
    edizione: Edizione
    distretto: Distretto
    dati: Dati
    collegamenti: Collegamenti
    contatti: Contatti
    sfondo: Sfondo = _f(Sfondo())
    geocodifica: Geocodifica = _f(Geocodifica())
    mappa: Mappa = _f(Mappa())
    manifesto: Manifesto = _f(Manifesto())
    bozze: Bozze = _f(Bozze())
    uscita: Uscita = _f(Uscita())
    # Not from the file: where it was read from, for messages and relative paths.
    file: Path = field(default=Path("stampa.toml"), metadata={"internal": True})

    @property
    def root(self) -> Path:
        return self.file.parent


_TYPE_NAMES = {str: "un testo", int: "un numero intero", float: "un numero", bool: "vero/falso (true o false)"}


def _suggest(word: str, options: typing.Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" Forse intendevi «{close[0]}»?" if close else ""


class _Loader:
    def __init__(self, file: Path):
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, key: str, message: str, value: Any = None) -> None:
        self.problems.append(
            error(
                message,
                file=str(self.file),
                where=f"chiave «{key}»",
                value=None if value is None else _show(value),
            )
        )

    def section(self, cls: type, data: Any, prefix: str) -> Any:
        if not isinstance(data, dict):
            self.problem(prefix, f"deve essere una sezione [{prefix}].", data)
            return None
        known = {f.name: f for f in fields(cls) if not f.metadata.get("internal")}
        for key in data:
            if key not in known:
                dotted = f"{prefix}.{key}" if prefix else key
                self.problem(
                    dotted,
                    "chiave sconosciuta: toglila o correggi il nome." + _suggest(key, known),
                )
        values: dict[str, Any] = {}
        hints = typing.get_type_hints(cls)
        for name, f in known.items():
            dotted = f"{prefix}.{name}" if prefix else name
            if name not in data:
                has_default = not (f.default is MISSING and f.default_factory is MISSING)
                # Defaults that hold paths must still be resolved against the project folder.
                if has_default and is_dataclass(hints[name]):
                    values[name] = self.section(hints[name], {}, dotted)
                    continue
                if has_default and hints[name] is Path:
                    values[name] = self.path(str(f.default), dotted)
                    continue
                if not has_default:
                    if is_dataclass(hints[name]):
                        self.problem(dotted, f"manca la sezione [{dotted}]: aggiungila.")
                    else:
                        self.problem(dotted, "valore obbligatorio mancante: aggiungilo.")
                continue
            value = self.value(hints[name], f.metadata, data[name], dotted)
            if value is not _BAD:
                values[name] = value
        try:
            return cls(**values)
        except TypeError:  # a required value was missing or bad: already reported
            return None

    def value(self, hint: Any, meta: typing.Mapping[str, Any], raw: Any, key: str) -> Any:
        if is_dataclass(hint):
            result = self.section(hint, raw, key)
            return _BAD if result is None else result
        origin = typing.get_origin(hint)
        if origin is tuple:
            if not isinstance(raw, list):
                self.problem(key, "deve essere un elenco tra parentesi quadre, es. [\"…\", \"…\"].", raw)
                return _BAD
            item_type = typing.get_args(hint)[0]
            items = [self.value(item_type, meta, item, f"{key}[{i + 1}]") for i, item in enumerate(raw)]
            return _BAD if any(i is _BAD for i in items) else tuple(items)
        if hint is Path:
            if not isinstance(raw, str) or not raw.strip():
                self.problem(key, "deve essere un percorso di file tra virgolette.", raw)
                return _BAD
            return self.path(raw, key)
        if hint is float and isinstance(raw, int) and not isinstance(raw, bool):
            raw = float(raw)
        if hint in _TYPE_NAMES and (type(raw) is not hint):
            self.problem(key, f"deve essere {_TYPE_NAMES[hint]}.", raw)
            return _BAD
        if "min" in meta and raw < meta["min"]:
            self.problem(key, f"troppo piccolo: il minimo è {meta['min']}.", raw)
            return _BAD
        if "max" in meta and raw > meta["max"]:
            self.problem(key, f"troppo grande: il massimo è {meta['max']}.", raw)
            return _BAD
        if "choices" in meta and raw not in meta["choices"]:
            choices = ", ".join(str(c) for c in meta["choices"])
            self.problem(key, f"valore non ammesso: scegli tra {choices}." + _suggest(str(raw), map(str, meta["choices"])), raw)
            return _BAD
        if "url" in meta and raw:
            why = url_problem(raw, meta["url"])
            if why:
                self.problem(key, why, raw)
                return _BAD
        return raw

    def path(self, raw: str, key: str) -> Path | object:
        written = Path(raw).expanduser()
        if written.is_absolute():
            return written
        resolved = (self.file.parent / written).resolve()
        root = self.file.parent.resolve()
        if root != resolved and root not in resolved.parents:
            self.problem(
                key,
                "il percorso esce dalla cartella del progetto: se è voluto scrivilo per intero (percorso assoluto).",
                raw,
            )
            return _BAD
        return resolved


_BAD = object()


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{…}"
    return str(value)


def _check_cross(cfg: Config, file: Path) -> list[Problem]:
    problems = []
    for i, code in enumerate(cfg.distretto.comuni):
        if not (len(code) == 6 and code.isdigit()):
            problems.append(
                error(
                    "un codice ISTAT di comune ha 6 cifre tra virgolette, es. \"018110\" per Pavia.",
                    file=str(file),
                    where=f"chiave «distretto.comuni[{i + 1}]»",
                    value=code,
                )
            )
    if len(set(cfg.distretto.comuni)) != len(cfg.distretto.comuni):
        problems.append(error("un comune è ripetuto: toglilo.", file=str(file), where="chiave «distretto.comuni»"))
    if not cfg.distretto.comuni:
        problems.append(error("l'elenco dei comuni è vuoto.", file=str(file), where="chiave «distretto.comuni»"))
    problems += _outside_project(cfg, file)
    if cfg.bozze.entro and _iso_date(cfg.bozze.entro) is None:
        problems.append(error("scrivi la data come AAAA-MM-GG tra virgolette, es. \"2027-01-31\".", file=str(file),
                              where="chiave «bozze.entro»", value=cfg.bozze.entro))
    return problems


def _iso_date(text: str):  # noqa: ANN202 - datetime.date or None
    import datetime

    try:
        return datetime.date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        return None


def _looks_like_file(fonte: str) -> bool:
    """`sfondo.fonte` names a local GeoTIFF (the rule of stampa.basemap.sources), not a style or URL."""
    name = fonte.strip()
    return "://" not in name and (name.lower().endswith((".tif", ".tiff")) or "/" in name or "\\" in name)


def _outside_project(cfg: Config, file: Path) -> list[Problem]:
    """Paths written as text settings obey the rule of Path settings: a relative path may not leave
    the project folder (``../../etc``); an absolute one is an explicit choice and is allowed."""
    s = cfg.sfondo
    settings = {"sfondo.congelato": s.congelato, "sfondo.cache": s.cache}
    if _looks_like_file(s.fonte):
        settings["sfondo.fonte"] = s.fonte
    root = file.parent.resolve()
    problems = []
    for key, raw in settings.items():
        if not raw.strip():
            continue
        written = Path(raw.strip()).expanduser()
        if written.is_absolute():
            continue
        resolved = (root / written).resolve()
        if root != resolved and root not in resolved.parents:
            problems.append(
                error(
                    "il percorso esce dalla cartella del progetto: se è voluto scrivilo per intero (percorso assoluto).",
                    file=str(file),
                    where=f"chiave «{key}»",
                    value=raw,
                )
            )
    return problems


def load_config(path: Path | str) -> Config:
    """Read and check `stampa.toml`; raise :class:`StampaError` listing every problem."""
    file = Path(path)
    if file.exists() and not file.is_file():  # a folder, a pipe, a device: never opened
        raise StampaError(error("non è un file di configurazione: indica il file stampa.toml con --config.", file=str(file)))
    data = read_toml(
        file,
        missing="file di configurazione non trovato: lancia il comando dalla cartella del progetto "
        "o indica il file con --config.",
    )
    return config_from_data(data, file)


def config_from_data(data: dict[str, Any], file: Path) -> Config:
    """Check parsed TOML as if read from ``file`` (paths relative to its folder, messages naming
    it); raise :class:`StampaError` listing every problem. The web app checks an edited
    configuration with it before writing anything."""
    file = Path(file)
    loader = _Loader(file)
    cfg = loader.section(Config, data, "")
    problems = loader.problems
    if cfg is not None:
        cfg = _replace_file(cfg, file)
        problems += _check_cross(cfg, file)
    if problems or cfg is None:
        raise StampaError(problems or [error("configurazione non valida.", file=str(file))])
    return cfg


def _replace_file(cfg: Config, file: Path) -> Config:
    from dataclasses import replace

    return replace(cfg, file=file.resolve())


# Kept for type checkers: the module's public names.
__all__ = [
    "Config",
    "Edizione",
    "Distretto",
    "Dati",
    "Collegamenti",
    "Contatti",
    "Sfondo",
    "Geocodifica",
    "Mappa",
    "Manifesto",
    "Uscita",
    "Bozze",
    "load_config",
    "config_from_data",
]
