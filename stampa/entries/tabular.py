"""Rows of text cells (from a CSV or a sheet) → RawRecords: finding the header row, mapping its
columns, reading each row's position.

The header is the first row (among the first :data:`HEADER_SEARCH_ROWS`) naming at least two
known fields, so title rows above the table ("Mappa dei laboratori 2026") are skipped. Rows whose
cells are all empty are skipped. Row numbers are the spreadsheet's (header = its own row number).
"""

from __future__ import annotations

from typing import Iterable, Sequence

from ..problems import Problem, StampaError, error, warning
from .columns import COORD_FIELDS, ColumnMap, count_known, map_columns
from .coords import position, transformer_for
from .model import FIELDS, Origin, RawRecord

HEADER_SEARCH_ROWS = 30


def find_header(rows: Sequence[tuple[int, Sequence[str]]], file: str) -> int:
    """Index in ``rows`` of the header row, or StampaError."""
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if count_known(cells) >= 2:
            return index
    first = next((cells for _, cells in rows if any(c.strip() for c in cells)), None)
    shown = ", ".join(f"«{c.strip()}»" for c in (first or [])[:8] if c.strip())
    raise StampaError(
        error(
            "non trovo la riga di intestazione: serve una riga con i nomi delle colonne, almeno due "
            "tra nome, tipo, comune, indirizzo, lat, lon… (vedi «Formati dei dati» nel README)."
            + (f" La prima riga piena contiene: {shown}." if shown else ""),
            file=file,
        )
    )


def records_from_rows(
    rows: Iterable[tuple[int, Sequence[str]]], file: str, crs: str = "", *, layer: str | None = None
) -> tuple[list[RawRecord], list[Problem]]:
    """``rows`` are (spreadsheet row number, cells as text) in order, empty rows included or not."""
    rows = list(rows)
    if not rows:
        raise StampaError(error("il file non contiene righe: esporta di nuovo le voci.", file=file))
    if crs:
        transformer_for(crs)  # a bad CRS is one clear error, not one per row
    h = find_header(rows, file)
    header_row, header = rows[h]
    columns = map_columns(header, file, where=f"riga {header_row}")
    problems = list(columns.problems)
    if any(p.level == "errore" for p in problems):
        raise StampaError(problems)
    records, more = build_records(rows[h + 1 :], columns, file, crs, layer=layer, width=len(header))
    problems += more
    if not records:
        raise StampaError(
            problems
            + [
                error(
                    f"c'è la riga di intestazione (riga {header_row}) ma nessuna voce sotto: "
                    "aggiungi le voci o esporta di nuovo il file.",
                    file=file,
                )
            ]
        )
    return records, problems


def build_records(
    rows: Iterable[tuple[int, Sequence[str]]],
    columns: ColumnMap,
    file: str,
    crs: str = "",
    *,
    layer: str | None = None,
    width: int | None = None,
) -> tuple[list[RawRecord], list[Problem]]:
    records: list[RawRecord] = []
    problems: list[Problem] = []
    overflow: list[int] = []
    items = sorted(columns.fields.items())
    coords = any(f in ("lat", "lon", *COORD_FIELDS) for _, f in items)
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        n = len(cells)
        values = {f: (cells[i].strip() if i < n else "") for i, f in items}
        if width is not None and n > width and any(c.strip() for c in cells[width:]):
            overflow.append(number)
        origin = Origin(file, row=number)
        lon = lat = None
        if coords:
            lon, lat, found = position(values, origin, crs)
            problems += found
        fields = {f: v for f, v in values.items() if f in FIELDS}
        records.append(RawRecord(origin, fields, lon=lon, lat=lat, layer=layer))
    if overflow:
        shown = ", ".join(str(r) for r in overflow[:10]) + (" …" if len(overflow) > 10 else "")
        problems.append(
            warning(
                f"alcune righe hanno celle piene oltre l'ultima colonna con un nome (righe {shown}): "
                "quelle celle sono ignorate; dai un nome alla colonna o sposta i dati.",
                file=file,
            )
        )
    return records, problems
