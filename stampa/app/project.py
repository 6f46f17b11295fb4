"""What the browser may name on disk: files inside the project, checked here and nowhere else.

The browser never sends a path that is opened as given. An entries file is chosen by its name
among those listed in the project's ``dati/`` folder; an upload's name is reduced to safe
characters and stored in ``dati/``; an output file is served only when ``rapporto.json`` lists it
and it resolves inside the output folder.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..entries.read import EXTENSIONS
from ..outputs import write_bytes
from ..problems import StampaError, error

MAX_UPLOAD_MB = 20
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
# A shapefile is several files side by side (.shp, .shx, .dbf): put it in dati/ by hand, then choose it.
UPLOAD_SUFFIXES = tuple(sorted(s for s in EXTENSIONS if s != ".shp"))
DATA_FOLDER = "dati"
# Files of dati/ that are not entries files (the geocoding record, the frozen basemap).
NOT_ENTRIES = ("geocodifica.csv",)


@dataclass(frozen=True)
class Project:
    config: Path  # stampa.toml, absolute

    @property
    def root(self) -> Path:
        return self.config.parent

    @property
    def data_dir(self) -> Path:
        return self.root / DATA_FOLDER


def inside(folder: Path, candidate: Path) -> bool:
    """Whether ``candidate`` (symlinks followed) is ``folder`` or below it."""
    folder, candidate = folder.resolve(), candidate.resolve()
    return candidate == folder or folder in candidate.parents


def entries_files(project: Project) -> list[str]:
    """The names of the files in ``dati/`` that stampa can read as entries."""
    folder = project.data_dir
    if not folder.is_dir():
        return []
    return sorted(
        p.name for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in EXTENSIONS and p.name not in NOT_ENTRIES and not p.name.startswith(".")
        and inside(folder, p)
    )


def chosen_entries_file(project: Project, name: str) -> Path:
    """The file of ``dati/`` the browser named; anything not in the list is refused."""
    if name not in entries_files(project):
        raise StampaError(error(
            "il file scelto non è tra i file di voci della cartella dati/ del progetto: sceglilo dall'elenco.",
            file=str(project.data_dir), value=name,
        ))
    return project.data_dir / name


def safe_name(raw: str) -> str:
    """An upload's name as stored: letters, digits, «-», «_» and one extension; no folders, no
    leading dot. Refuses names that try to reach a folder («../», «/», «\\»)."""
    if not raw or "/" in raw or "\\" in raw or raw.startswith(".") or ".." in raw or "\x00" in raw:
        raise StampaError(error(
            "nome di file non ammesso (contiene cartelle o «..»): rinomina il file, es. «voci-2026.csv».",
            value=raw,
        ))
    stem, dot, suffix = raw.rpartition(".")
    if not dot or f".{suffix.lower()}" not in UPLOAD_SUFFIXES:
        allowed = ", ".join(UPLOAD_SUFFIXES)
        raise StampaError(error(
            f"tipo di file non letto da stampa: carica un file {allowed} (lo Shapefile va copiato a mano in dati/).",
            value=raw,
        ))
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"[^A-Za-z0-9_-]+", "-", plain).strip("-_")[:80] or "voci"
    return f"{plain}.{suffix.lower()}"


def store_upload(project: Project, raw_name: str, data: bytes) -> Path:
    """Write an uploaded entries file into ``dati/`` under its safe name; an existing file with
    other contents is never replaced (staff's files are inputs): the new one gets «-2», «-3»…"""
    if len(data) > MAX_UPLOAD_BYTES:
        raise StampaError(error(f"file troppo grande: il limite è {MAX_UPLOAD_MB} MB.", value=raw_name))
    if not data:
        raise StampaError(error("il file caricato è vuoto: scegli il file delle voci.", value=raw_name))
    name = safe_name(raw_name)
    folder = project.data_dir
    target = folder / name
    stem, suffix = target.stem, target.suffix
    n = 1
    while target.exists() and target.read_bytes() != data:
        n += 1
        target = folder / f"{stem}-{n}{suffix}"
    if not inside(project.root, target.parent if target.parent.exists() else project.root):
        raise StampaError(error("la cartella dati/ esce dal progetto: controllala.", file=str(folder)))
    write_bytes(target, data)
    return target


def output_file(out_dir: Path, listed: set[str], rel: str) -> Path:
    """A file of the last build, by its path in rapporto.json; anything else is refused."""
    path = out_dir / rel
    if rel not in listed or not inside(out_dir, path) or not path.is_file():
        raise StampaError(error("file non trovato tra quelli dell'ultima costruzione.", value=rel))
    return path
