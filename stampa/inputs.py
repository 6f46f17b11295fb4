"""The first stage of every command: configuration, district and entries, all checked."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from .config import Config, load_config
from .district import District, load_district
from .entries.model import Edition, RawRecord
from .entries.read import read_records
from .entries.validate import validate
from .glyphs import check_glyphs
from .printing.fonts import FontSet, register_family
from .problems import Problem


@dataclass(frozen=True)
class Inputs:
    config: Config
    district: District
    edition: Edition
    problems: tuple[Problem, ...]  # errors and warnings of the entries (config errors raise)
    entries_file: Path
    geocoding: Geocoding | None = None  # what the geocoding stage needs to ask and check again


@dataclass(frozen=True)
class Geocoding:
    """The records as read and what the geocoding stage left to ask (stampa.geocoding)."""

    records: tuple[RawRecord, ...]
    read_problems: tuple[Problem, ...]
    pending: int  # addresses not yet in the record
    geocoded: int  # positions from the record (service answers)
    by_hand: int  # positions corrected by hand in the record


def entries_path(cfg: Config, override: Path | None) -> Path:
    return Path(override) if override is not None else cfg.dati.voci


def load_inputs(config_path: Path, *, dati: Path | None = None, geocodifica: str = "registro") -> Inputs:
    """Read and check everything; raise StampaError only when nothing can be checked further
    (bad configuration, unreadable file). Problems with single entries come back in ``problems``.

    ``geocodifica``: what to do with addresses not yet in the geocoding record (no network here):
    ``registro`` errors, ``controlla`` one warning listing them, ``attesa`` nothing (the caller
    asks the service next with :func:`geocode_inputs`)."""
    cfg = load_config(config_path)
    district = load_district(cfg.distretto)
    path = entries_path(cfg, dati)
    records, read_problems = read_records(path, sheet=cfg.dati.foglio, crs=cfg.dati.crs)
    return _checked(cfg, district, path, records, read_problems, mode=geocodifica)


def _checked(cfg: Config, district: District, path: Path, records, read_problems, *, mode: str,  # noqa: ANN001
             failure: str | None = None) -> Inputs:
    from .geocoding.stage import geocoding_server, place_records

    placed = place_records(records, district, cfg.geocodifica.registro, mode=mode, root=cfg.root, failure=failure,
                           server=geocoding_server(cfg))
    edition, problems = validate(placed.records, district, source=str(path), read_problems=read_problems)
    problems = placed.problems + list(problems) + check_glyphs(edition.entries, entry_fonts(cfg))
    geocoding = Geocoding(tuple(records), tuple(read_problems), len(placed.pending), placed.geocoded, placed.by_hand)
    return Inputs(cfg, district, edition, tuple(read_problems) + tuple(problems), path, geocoding)


def geocode_inputs(inputs: Inputs, *, progress: Callable[[int, int], None] | None = None):  # noqa: ANN201
    """Ask the geocoding service for the addresses still missing (the network is used only here
    and in the basemap stage), add the answers to the record (written atomically), and check the
    entries again. Returns (Inputs, stampa.geocoding.stage.Asked or None when nothing was asked)."""
    from .geocoding import stage
    from .geocoding.record import read_record, save_answers

    geo, cfg = inputs.geocoding, inputs.config
    if geo is None or not geo.pending:
        return inputs, None
    placed = stage.place_records(geo.records, inputs.district, cfg.geocodifica.registro, mode="attesa", root=cfg.root)
    record = read_record(cfg.geocodifica.registro)
    g = cfg.geocodifica
    unique = len({w.address.key for w in placed.pending})
    asked = None
    try:
        asked = stage.ask_service(
            placed.pending, inputs.district, record,
            server=stage.geocoding_server(cfg), contact=cfg.sfondo.contatto or cfg.contatti.email or cfg.contatti.sito,
            timeout_s=g.timeout_s, deadline_s=g.tempo_massimo_s or (60.0 + 3.0 * unique), retries=g.tentativi,
            progress=progress,
        )
    finally:
        # Also on Ctrl-C: the answers already received are kept (the service must not be asked twice),
        # added to the record as it is now (a point corrected meanwhile stays). Not when rows of the
        # record could not be read: rewriting would drop them.
        if record.added and not record.problems and save_answers(record.path, record.added) and asked is not None:
            asked.written = True
    redone = _checked(cfg, inputs.district, inputs.entries_file, list(geo.records), list(geo.read_problems),
                      mode="registro", failure=asked.failure)
    return redone, asked


def entry_fonts(cfg: Config) -> list[FontSet]:
    """The font families that print the entries' texts: the Mappa's, and the per-lab posters'."""
    fonts_dir = cfg.root / "fonts"
    fonts_dir = fonts_dir if fonts_dir.is_dir() else None
    m = cfg.manifesto
    keyed = {cfg.mappa.carattere_titoli: "mappa.carattere_titoli"}
    keyed.setdefault(cfg.mappa.carattere_testo, "mappa.carattere_testo")
    if m.per_laboratorio:
        keyed.setdefault(m.carattere_titoli or cfg.mappa.carattere_titoli, "manifesto.carattere_titoli")
        keyed.setdefault(m.carattere_testo or cfg.mappa.carattere_testo, "manifesto.carattere_testo")
    return [register_family(family, fonts_dir, key) for family, key in keyed.items()]


def with_basemap(cfg: Config, source: str | None) -> Config:
    """The configuration with `--sfondo` applied and the tile servers' contact filled in: the
    User-Agent names who to write to (`[sfondo] contatto`, else the contacts' email)."""
    sfondo = cfg.sfondo
    if source:
        sfondo = replace(sfondo, fonte=source)
    if not sfondo.contatto:
        sfondo = replace(sfondo, contatto=cfg.contatti.email or cfg.contatti.sito)
    return replace(cfg, sfondo=sfondo)
