"""`stampa confronta [--con ANNO]`: the comparison as an Italian table and out/confronto.json."""

from __future__ import annotations

import json
from pathlib import Path

from rich.table import Table

from .compare import Comparison
from .outputs import write_text
from .problems import StampaError, error, raise_if_errors
from .terminal import console, print_problems

COMPARISON_FILE = "confronto.json"
COMPARISON_KEYS = frozenset({"edizione", "confrontata_con", "nuove", "tolte"})  # what marks the file as stampa's
FIELD_LABELS = {"nome": "nome", "tipo": "tipo", "comune": "comune", "quartiere": "quartiere",
                "indirizzo": "indirizzo", "ente": "ente", "attivita": "attività", "orari": "orari",
                "telefono": "telefono", "email": "email", "sito": "sito"}


def write_comparison(folder: Path, cmp: Comparison) -> Path:
    return write_text(Path(folder) / COMPARISON_FILE, json.dumps(cmp.as_dict(), ensure_ascii=False, indent=2) + "\n")


def _table(title: str, *columns: str) -> Table:
    t = Table(title=title, title_justify="left", title_style="bold", show_lines=False, header_style="bold")
    for c in columns:
        t.add_column(c, overflow="fold")
    return t


def _shown(text: str) -> str:
    return text if text else "(vuoto)"


def comparison_tables(cmp: Comparison) -> list[Table]:
    """The tables `stampa confronta` prints, one per kind of change that happened."""
    tables = []
    if cmp.new:
        t = _table(f"Voci nuove ({len(cmp.new)})", "n.", "id", "nome")
        for e in cmp.new:
            t.add_row(str(e.numero), e.id, e.nome)
        tables.append(t)
    if cmp.removed:
        t = _table(f"Voci tolte ({len(cmp.removed)})", f"n. {cmp.year}", "id", "nome")
        for e in cmp.removed:
            t.add_row("" if e.numero is None else str(e.numero), e.id, e.nome)
        tables.append(t)
    if cmp.changed:
        t = _table(f"Voci cambiate ({len({c.id for c in cmp.changed})})", "id", "nome", "campo", f"{cmp.year}", "ora")
        for c in cmp.changed:
            t.add_row(c.id, c.nome, FIELD_LABELS.get(c.campo, c.campo), _shown(c.prima), _shown(c.dopo))
        tables.append(t)
    if cmp.moved:
        t = _table(f"Voci spostate di più di 50 m ({len(cmp.moved)})", "id", "nome", "metri")
        for m in cmp.moved:
            t.add_row(m.id, m.nome, f"{m.metri:.0f}")
        tables.append(t)
    if cmp.renumbered:
        t = _table(f"Numeri cambiati sulla mappa ({len(cmp.renumbered)})", "id", "nome", f"n. {cmp.year}", "n. ora")
        for r in cmp.renumbered:
            t.add_row(r.id, r.nome, str(r.prima), str(r.dopo))
        tables.append(t)
    return tables


def print_comparison(cmp: Comparison) -> None:
    out = console()
    out.print(f"Confronto tra le voci di oggi e l'edizione {cmp.year} archiviata:", markup=False)
    for table in comparison_tables(cmp):
        out.print(table)
    out.print(cmp.summary().replace(" (dettagli: «stampa confronta»)", ""), markup=False)


def run_confronta(config: Path, *, dati: Path | None = None, con: int | None = None, out: Path | None = None) -> int:
    from .archive import archived_years, read_archive
    from .compare import compare, reference_year
    from .inputs import load_inputs
    from .numbering import number_entries

    inputs = load_inputs(config, dati=dati, geocodifica="controlla")
    raise_if_errors(inputs.problems)  # a list with errors would compare wrongly: fix it first
    cfg = inputs.config
    year = con if con is not None else reference_year(archived_years(cfg.root), cfg.edizione.anno)
    if year is None:
        raise StampaError(error(
            "non c'è nessuna edizione archiviata con cui confrontare: l'archivio si scrive alla fine di ogni "
            "«stampa edizione» riuscita (o indica l'anno con --con).", file=str(cfg.root / "dati" / "edizioni")))
    cmp = compare(read_archive(cfg.root, year), number_entries(inputs.edition.entries), cfg.edizione.anno)
    warnings = [p for p in inputs.problems]
    if warnings:
        print_problems(warnings)
    print_comparison(cmp)
    target = write_comparison(Path(out).resolve() if out else cfg.uscita.cartella, cmp)
    console().print(f"Scritto {target}", markup=False)
    return 0
