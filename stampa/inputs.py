"""The first stage of every command: configuration, district and entries, all checked."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .config import Config, load_config
from .district import District, load_district
from .entries.model import Edition
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


def entries_path(cfg: Config, override: Path | None) -> Path:
    return Path(override) if override is not None else cfg.dati.voci


def load_inputs(config_path: Path, *, dati: Path | None = None) -> Inputs:
    """Read and check everything; raise StampaError only when nothing can be checked further
    (bad configuration, unreadable file). Problems with single entries come back in ``problems``."""
    cfg = load_config(config_path)
    district = load_district(cfg.distretto)
    path = entries_path(cfg, dati)
    records, read_problems = read_records(path, sheet=cfg.dati.foglio, crs=cfg.dati.crs)
    edition, problems = validate(records, district, source=str(path), read_problems=read_problems)
    problems = list(problems) + check_glyphs(edition.entries, entry_fonts(cfg))
    return Inputs(cfg, district, edition, tuple(read_problems) + tuple(problems), path)


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
