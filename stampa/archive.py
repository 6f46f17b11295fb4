"""The edition archive: a small text snapshot of what made an edition, in `dati/edizioni/<anno>/`.

Written at the end of every successful `stampa edizione`, meant to be committed with the data:
- `voci.csv`: the entries as the edition printed them (normalised: official comune names, full
  web addresses, positions from the geocoding record), one row each, sorted by id so that a
  `git diff` between two editions reads as the list of changes;
- `stampa.toml` and `layout/*.toml`: the configuration and the texts, verbatim;
- `edizione.json`: the stampa version, the printed number of each entry, the digests of the
  frozen basemap files and of the fonts used, and the digests of the products built.

What it is for: `stampa confronta` (what changed since), and `stampa edizione --anno N` (rebuild
edition N from it, byte-identical with the same stampa version: stampa.rebuild).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .numbering import Numbered
from .outputs import sha256, write_text
from .problems import StampaError, error

ARCHIVE_FOLDER = Path("dati") / "edizioni"
ENTRIES_FILE = "voci.csv"
CONFIG_FILE = "stampa.toml"
META_FILE = "edizione.json"
LAYOUT_FOLDER = "layout"
# The columns of voci.csv: canonical names stampa's readers know, so the file reads back as it is.
COLUMNS = ("id", "nome", "tipo", "comune", "quartiere", "indirizzo", "ente", "attivita", "orari",
           "telefono", "email", "sito", "lat", "lon")
TEXT_FIELDS = COLUMNS[1:12]  # what staff write, compared field by field by `stampa confronta`


def archive_root(project: Path) -> Path:
    return Path(project) / ARCHIVE_FOLDER


def archive_dir(project: Path, year: int) -> Path:
    return archive_root(project) / str(year)


def archived_years(project: Path) -> list[int]:
    root = archive_root(project)
    if not root.is_dir():
        return []
    return sorted(int(p.name) for p in root.iterdir() if p.name.isdigit() and (p / META_FILE).is_file())


def entry_row(n: Numbered) -> dict[str, str]:
    """One entry as a row of voci.csv. Positions in ``repr``: they read back to the same float."""
    e = n.entry
    row = {k: str(getattr(e, k)) for k in COLUMNS[:12]}
    row["lat"], row["lon"] = repr(float(e.lat)), repr(float(e.lon))
    return row


def entries_csv(numbered: Sequence[Numbered]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, delimiter=";", lineterminator="\n")
    w.writeheader()
    for n in sorted(numbered, key=lambda n: n.entry.id):
        w.writerow(entry_row(n))
    return buf.getvalue()


def file_digests(paths: Mapping[str, Path]) -> dict[str, str | None]:
    """name → sha256 of the file (None when it is missing)."""
    return {name: sha256(p) if Path(p).is_file() else None for name, p in sorted(paths.items())}


def fonts_in_use() -> dict[str, Path]:
    """The TrueType files registered with ReportLab in this process (by file name): the fonts a
    build embedded. A name rather than a path, since the folder differs from machine to machine."""
    from reportlab.pdfbase import pdfmetrics

    found: dict[str, Path] = {}
    for font in list(pdfmetrics._fonts.values()):  # ReportLab keeps no public list
        filename = getattr(getattr(font, "face", None), "filename", None)
        if isinstance(filename, str) and Path(filename).is_file():
            found[Path(filename).name] = Path(filename)
    return found


def basemap_files(report: Mapping[str, Any], project: Path) -> dict[str, Path]:
    """The frozen basemap files the build read (rapporto.json, "sfondo"), relative to the project."""
    files = {}
    for b in report.get("sfondo", []):
        name = b.get("file")
        if name:
            files[str(name)] = Path(name) if Path(name).is_absolute() else Path(project) / name
    return files


def product_digests(report: Mapping[str, Any]) -> dict[str, str]:
    """The PDFs built (print and digital versions), path → sha256, as rapporto.json lists them."""
    return {f["path"]: f["sha256"] for f in report.get("file", [])
            if f.get("versione") in ("stampa", "digitale") and f.get("sha256") and str(f["path"]).endswith(".pdf")}


@dataclass(frozen=True)
class Snapshot:
    """What an archived edition holds, as read back."""

    year: int
    folder: Path
    meta: dict[str, Any]
    rows: tuple[dict[str, str], ...]  # voci.csv

    @property
    def numbers(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.meta.get("numeri", {}).items()}


def write_archive(cfg, numbered: Sequence[Numbered], report: Mapping[str, Any], entries_file: Path,
                  new_ids: frozenset[str] = frozenset()) -> Path:
    """Write the snapshot of the edition just built into dati/edizioni/<anno>/, file by file
    atomically. Layout files other than TOML (images) are kept as digests only."""
    project = cfg.root
    folder = archive_dir(project, cfg.edizione.anno)
    layout = project / LAYOUT_FOLDER
    texts = sorted(p for p in layout.glob("*.toml") if p.is_file()) if layout.is_dir() else []
    others = sorted(p for p in layout.rglob("*") if p.is_file() and p.suffix != ".toml") if layout.is_dir() else []
    meta = {
        "anno": cfg.edizione.anno,
        "stampa": __version__,
        "file_voci": _shown(Path(entries_file), project),
        "voci": len(numbered),
        "numeri": {n.entry.id: n.number for n in sorted(numbered, key=lambda n: n.entry.id)},
        "novita": sorted(new_ids),  # marked «Novità» in print: a rebuild marks the same ones
        "sfondo": file_digests(basemap_files(report, project)),
        "fonti_sfondo": [{"vista": b.get("vista"), "fonte": b.get("fonte"), "tipo": b.get("tipo"),
                          "ripiego_vettoriale": b.get("ripiego_vettoriale")} for b in report.get("sfondo", [])],
        "caratteri": file_digests(fonts_in_use()),
        "layout_altri_file": file_digests({p.relative_to(layout).as_posix(): p for p in others}),
        "prodotti": product_digests(report),
    }
    write_text(folder / ENTRIES_FILE, entries_csv(numbered))
    write_text(folder / CONFIG_FILE, Path(cfg.file).read_text(encoding="utf-8"))
    kept = {p.name for p in texts}
    for p in texts:
        write_text(folder / LAYOUT_FOLDER / p.name, p.read_text(encoding="utf-8"))
    for stale in (folder / LAYOUT_FOLDER).glob("*.toml") if (folder / LAYOUT_FOLDER).is_dir() else []:
        if stale.name not in kept:  # a text removed from layout/ since the last build of this year
            stale.unlink()
    write_text(folder / META_FILE, json.dumps(meta, ensure_ascii=False, indent=2) + "\n")  # last: marks it complete
    return folder


def read_archive(project: Path, year: int | None = None) -> Snapshot:
    """The archived edition ``year`` (None: the latest). Raises StampaError naming what is there."""
    years = archived_years(project)
    root = archive_root(project)
    if year is None:
        if not years:
            raise StampaError(error(
                "non c'è nessuna edizione archiviata: l'archivio si scrive alla fine di ogni «stampa edizione» riuscita.",
                file=str(root)))
        year = years[-1]
    folder = archive_dir(project, year)
    if year not in years:
        there = ", ".join(map(str, years)) or "nessuna"
        raise StampaError(error(
            f"l'edizione {year} non è archiviata (edizioni archiviate: {there}).", file=str(folder)))
    meta_path = folder / META_FILE
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StampaError(error(f"file dell'archivio illeggibile ({exc}): ripristinalo da git.", file=str(meta_path))) from None
    try:
        text = (folder / ENTRIES_FILE).read_text(encoding="utf-8")
    except OSError as exc:
        raise StampaError(error(f"file dell'archivio illeggibile ({exc.strerror}): ripristinalo da git.",
                                file=str(folder / ENTRIES_FILE))) from None
    rows = tuple(dict(r) for r in csv.DictReader(io.StringIO(text), delimiter=";"))
    return Snapshot(year, folder, meta, rows)


def _shown(path: Path, project: Path) -> str:
    try:
        return path.resolve().relative_to(Path(project).resolve()).as_posix()
    except ValueError:
        return str(path)
