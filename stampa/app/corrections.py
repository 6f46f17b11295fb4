"""A point moved on the Dati page's map: written as a hand correction into the geocoding record
(``dati/geocodifica.csv``, stampa.geocoding.record), never into staff's entries file.

Only entries placed by geocoding can be moved (their point comes from the record); an entry whose
coordinates are in the entries file is corrected there. The new point must fall inside the entry's
comune, the check the next build would make anyway; it is refused here, before writing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ..geocoding.record import (
    SOURCE_HAND,
    _cells,
    _column,
    new_row,
    read_record,
    write_record,
)
from ..geocoding.stage import wanted_records
from ..inputs import Inputs
from ..problems import StampaError, error

UPDATED = ("lat", "lon", "data", "fonte", "corretto")


def correct_point(inputs: Inputs, where: str, lat: float, lon: float) -> str:
    """Record the point (lat, lon) for the entry at ``where`` («riga 5»); returns the entry's name."""
    geo, district, cfg = inputs.geocoding, inputs.district, inputs.config
    wanted = wanted_records(geo.records, district)[0] if geo is not None else []
    w = next((w for w in wanted if w.record.origin.label() == where), None)
    if w is None:
        raise StampaError(error(
            "questa voce ha la posizione scritta nel file delle voci: correggi lì latitudine e longitudine "
            "(dall'app si spostano solo i punti trovati dalla geocodifica).", where=where))
    name = w.record.fields.get("nome", "")
    code = str(district.locate(lon, lat)[0])
    if code != w.istat:
        raise StampaError(error(
            f"il punto è fuori dal comune di {w.address.comune}: spostalo dentro i suoi confini.",
            where=f"{where} «{name}»", value=f"{lat:.6f}, {lon:.6f}"))
    record = read_record(cfg.geocodifica.registro)
    if record.problems:  # rewriting would drop the rows that could not be read
        raise StampaError(record.problems)
    values = {"lat": lat, "lon": lon, "fonte": SOURCE_HAND, "corretto": True, "data": date.today().isoformat()}
    old = record.find(w.address.key)
    if old is None:
        record.rows.append(new_row(indirizzo=w.address.typed, comune=w.address.comune, **values))
    else:
        row = replace(old, **values)
        if old.cells:  # the row as staff wrote it: only the point and its source change
            fresh = _cells(row)
            cells = {h: (fresh[_column(h)] if _column(h) in UPDATED else v) for h, v in old.cells.items()}
            for c in UPDATED:
                if c not in {_column(h) for h in cells}:
                    cells[c] = fresh[c]
            row = replace(row, cells=cells)
        record.rows = [row if r is old else r for r in record.rows]
    record.changed = True
    write_record(record)
    return name
