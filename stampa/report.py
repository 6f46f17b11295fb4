"""`rapporto.json`: what a build wrote and why, for staff, the preflight and other tools.

Keys are Italian (the report is read by people); the shape is documented in the README:
- ``file``: every file written (path relative to the output folder, prodotto, versione, pagine,
  rifilo_mm, abbondanza_mm, sha256, and for PDFs what the preflight must find: ``verifica``, written
  and read by :mod:`stampa.printspec`);
- ``voci``: every entry of the file (id, numero, nome, collocata + vista, or motivo when left out;
  ``posizione``: where its point came from, and ``precisione`` for geocoded ones);
- ``sfondo``: the basemap of each map view (fonte, zoom, ppi, attribuzione, ripiego);
- ``avvisi``: warnings; ``tempi_s``: seconds per stage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from . import __version__
from .entries.model import Entry, RawRecord
from .numbering import Numbered
from .outputs import sha256, write_text
from .problems import Problem, warning

REPORT_NAME = "rapporto.json"


def entries_section(
    numbered: Sequence[Numbered],
    placed: Mapping[str, str],
    inactive: Iterable[Entry | RawRecord],
) -> list[dict[str, Any]]:
    """One record per entry: placed ones with their number and map view; left-out ones with why."""
    rows: list[dict[str, Any]] = []
    for n in numbered:
        e = n.entry
        row: dict[str, Any] = {"id": e.id, "numero": n.number, "nome": e.nome, "tipo": e.tipo, "comune": e.comune}
        row.update(position_fields(e))
        view = placed.get(e.id)
        if view:
            row.update(collocata=True, vista=view)
        else:
            row.update(collocata=False, motivo="non disegnata sulla mappa")
        rows.append(row)
    for item in inactive:
        if isinstance(item, RawRecord):
            ident, name = item.fields.get("id", ""), item.fields.get("nome", "")
        else:
            ident, name = item.id, item.nome
        rows.append({"id": ident, "numero": None, "nome": name, "collocata": False, "motivo": "attivo = no"})
    return rows


def position_fields(e: Entry) -> dict[str, str]:
    """Where the position came from: ``posizione`` = ``file``, ``geocodificata`` (with
    ``precisione``: civico, via, frazione, comune) or ``corretta a mano``; ``dati_posizione`` for
    the service's answers (OpenStreetMap data: the reason its credit is printed)."""
    out = {"posizione": e.position_from}
    if e.precision:
        out["precisione"] = e.precision
    if e.position_osm:  # why the OpenStreetMap credit is printed under the maps
        out["dati_posizione"] = "OpenStreetMap (ODbL), dal servizio di geocodifica"
    return out


# Where and what the products write: the output folder itself, its previews and its web page.
_PRODUCT_FOLDERS = ("", "anteprime", "web")
_PRODUCT_SUFFIXES = (".pdf", ".png", ".html")


def files_left_from_before(out_dir: Path, written: Iterable[str]) -> list[Problem]:
    """A warning when the output folder holds product files this build did not write: the
    previews of a page that no longer exists, the poster of a lab taken out. Sent to the print
    shop or published with web/, they would show an old edition; stampa never deletes them itself
    (they may be someone's), it says so."""
    out_dir = Path(out_dir)
    written = set(written)
    old = []
    for sub in _PRODUCT_FOLDERS:
        folder = out_dir / sub
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            rel = path.relative_to(out_dir).as_posix()
            if (path.is_file() and path.suffix.lower() in _PRODUCT_SUFFIXES and not path.name.startswith(".")
                    and rel not in written):
                old.append(rel)
    if not old:
        return []
    shown = ", ".join(old[:3]) + (f" e altri {len(old) - 3}" if len(old) > 3 else "")
    return [
        warning(
            f"nella cartella di uscita ci sono {len(old)} file che questa edizione non ha scritto ({shown}): "
            "forse sono di un'edizione precedente. Toglili prima di consegnare la cartella alla tipografia "
            "o di pubblicare web/.",
            file=str(out_dir),
        )
    ]


def build_report(
    *,
    edition_name: str,
    entries_file: str,
    files: Sequence[Mapping[str, Any]],
    entries: list[dict[str, Any]],
    basemaps: Sequence[Mapping[str, Any]],
    problems: Iterable[Problem],
    timings: Mapping[str, float],
) -> dict[str, Any]:
    return {
        "stampa": __version__,
        "edizione": edition_name,
        "dati": entries_file,
        "file": sorted((dict(f) for f in files), key=lambda f: f["path"]),
        "voci": entries,
        "sfondo": list(basemaps),
        "avvisi": [p.as_dict() for p in problems if p.level == "avviso"],
        "tempi_s": dict(timings),
    }


def write_report(out_dir: Path, report: Mapping[str, Any]) -> Path:
    return write_text(Path(out_dir) / REPORT_NAME, json.dumps(report, ensure_ascii=False, indent=2) + "\n")


def read_report(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def files_not_as_reported(out_dir: Path, report: Mapping[str, Any]) -> list[Problem]:
    """One warning per file listed in the report that is missing or has other bytes than it says.

    A build interrupted halfway leaves every file whole, but some from the new edition and the
    rest, with rapporto.json, from the previous one: this is how `stampa verifica` notices, before
    a mixed set reaches the print shop. A warning, not an error: staff may also have retouched a
    file on purpose, and the preflight still judges each file as it is.
    """
    problems = []
    for record in report.get("file", []):
        path = Path(out_dir) / str(record.get("path", ""))
        expected = record.get("sha256")
        if not expected:
            continue
        if not path.is_file():
            why = "il file elencato in rapporto.json non c'è più"
        elif sha256(path) != expected:
            why = "il file non è quello descritto in rapporto.json (cambiato dopo la costruzione)"
        else:
            continue
        problems.append(
            warning(
                f"{why}: se l'ultima «stampa edizione» è stata interrotta, rilanciala prima di mandare i "
                "file in tipografia.",
                file=str(path),
            )
        )
    return problems
