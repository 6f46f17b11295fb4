"""``dati/geocodifica.csv``: the record of every address looked up, the cache of the service's
answers and the place where staff correct a point.

A spreadsheet file, as Italian Excel opens and saves it: UTF-8 with BOM (Windows-1252 read too,
when Excel saves it back that way), ``;`` separated, CRLF, decimal comma. Columns:
``indirizzo`` (as typed in the entries file), ``comune``, ``ricerca`` (what was asked),
``lat``, ``lon``, ``precisione`` (civico, via, frazione, comune, non trovato, ambiguo),
``luogo trovato``, ``data``, ``fonte`` (``servizio``, ``corretto a mano``, ``esempio``),
``corretto`` (``sì`` when staff moved the point). Other columns staff add are kept.

A row is matched to an entry by address and comune (case and spacing ignored). A corrected row
(``corretto`` = sì, or ``fonte`` = corretto a mano) is never replaced by the service. Rows of
addresses no longer in the entries file stay (the next edition may need them). The file is written
atomically, and only when something was added: reading it never changes it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from ..district import name_key
from ..outputs import write_bytes
from ..problems import Problem, error
from .query import address_key

COLUMNS = ("indirizzo", "comune", "ricerca", "lat", "lon", "precisione", "luogo trovato", "data", "fonte", "corretto")
SOURCE_SERVICE, SOURCE_HAND, SOURCE_SAMPLE = "servizio", "corretto a mano", "esempio"
_YES = {"si", "s", "yes", "y", "x", "1", "vero", "true"}
_REQUIRED = ("indirizzo", "comune", "lat", "lon")


@dataclass(frozen=True)
class Row:
    indirizzo: str
    comune: str
    ricerca: str = ""
    lat: float | None = None
    lon: float | None = None
    precisione: str = ""
    luogo: str = ""
    data: str = ""
    fonte: str = SOURCE_SERVICE
    corretto: bool = False
    line: int | None = None  # row in the file (header = 1), for messages
    cells: dict[str, str] = field(default_factory=dict)  # as read, written back unchanged

    @cached_property
    def key(self) -> tuple[str, str]:
        return address_key(self.indirizzo, self.comune)

    @property
    def by_hand(self) -> bool:
        """Corrected by staff: «sì» in ``corretto``, ``fonte`` = corretto a mano, or coordinates
        written where the service found none (a «non trovato» or «ambiguo» row with lat and lon)."""
        return (self.corretto or name_key(self.fonte).startswith("corrett")
                or (self.placed and self.precisione in ("non trovato", "ambiguo")))

    @property
    def from_service(self) -> bool:
        """An answer of the geocoding service (OpenStreetMap data, whose credit must be printed):
        not a hand correction, not a sample row of the project (``fonte`` = esempio)."""
        return not self.by_hand and name_key(self.fonte) != SOURCE_SAMPLE

    @property
    def placed(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass
class Record:
    path: Path
    rows: list[Row] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    changed: bool = False
    added: list[Row] = field(default_factory=list)  # the service's answers added since it was read
    _index: dict[tuple[str, str], Row] | None = field(default=None, repr=False)

    def find(self, key: tuple[str, str]) -> Row | None:
        if self._index is None:
            self._index = {}
            for row in self.rows:  # the last row wins, except that a hand correction always wins
                found = self._index.get(row.key)
                if found is None or row.by_hand or not found.by_hand:
                    self._index[row.key] = row
        return self._index.get(key)

    def add(self, row: Row) -> None:
        """A new answer of the service; never over a corrected row."""
        old = self.find(row.key)
        if old is not None and old.by_hand:
            return
        if old is not None:
            self.rows = [r for r in self.rows if r.key != row.key]
        self.rows.append(row)
        if self._index is not None:
            self._index[row.key] = row
        self.added.append(row)
        self.changed = True


def _number(text: str) -> float | None:
    text = text.strip().replace(" ", "")
    if not text:
        return None
    if re.fullmatch(r"[+-]?\d+,\d+", text):
        text = text.replace(",", ".")
    return float(text)  # ValueError for anything else


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _column(name: str) -> str:
    key = name_key(name).replace("_", " ")
    aliases = {"latitudine": "lat", "longitudine": "lon", "lng": "lon", "luogo": "luogo trovato",
               "corretta": "corretto", "query": "ricerca", "cercato": "ricerca"}
    return aliases.get(key, key)


def read_record(path: Path) -> Record:
    """The record, or an empty one when the file does not exist yet. Problems (a column missing, a
    coordinate that is not a number) are collected in ``Record.problems`` and their rows skipped."""
    record = Record(Path(path))
    if not record.path.is_file():
        return record
    shown = str(path)
    try:
        text = _decode(record.path.read_bytes())
    except OSError as exc:
        record.problems.append(error(f"il registro delle posizioni non si legge ({exc.strerror}): controlla il file.", file=shown))
        return record
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first else ("\t" if "\t" in first else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        return record
    names = [_column(h) for h in header]
    missing = [c for c in _REQUIRED if c not in names]
    if missing:
        record.problems.append(
            error(
                "nel registro delle posizioni mancano le colonne " + ", ".join(f"«{c}»" for c in missing)
                + ": ripristina la prima riga (" + ";".join(COLUMNS) + ") o cancella il file per rifarlo.",
                file=shown,
                where="riga 1",
            )
        )
        return record
    record.extra_columns = [h for h, n in zip(header, names) if n not in COLUMNS and h.strip()]
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        values = {n: (cells[i].strip() if i < len(cells) else "") for i, n in enumerate(names)}
        raw = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}
        coords: dict[str, float | None] = {}
        bad = False
        for axis in ("lat", "lon"):
            try:
                coords[axis] = _number(values.get(axis, ""))
            except ValueError:
                bad = True
                record.problems.append(
                    error(
                        "coordinata non valida nel registro delle posizioni: scrivi un numero in gradi, con la "
                        "virgola o il punto (es. 45,18610 e 9,16080).",
                        file=shown, where=f"riga {line}", field=axis, value=values.get(axis, ""),
                    )
                )
        if bad:
            continue
        row = Row(
            indirizzo=values.get("indirizzo", ""),
            comune=values.get("comune", ""),
            ricerca=values.get("ricerca", ""),
            lat=coords["lat"],
            lon=coords["lon"],
            precisione=values.get("precisione", "").strip().lower(),
            luogo=values.get("luogo trovato", ""),
            data=values.get("data", ""),
            fonte=values.get("fonte", "") or SOURCE_SERVICE,
            corretto=name_key(values.get("corretto", "")) in _YES,
            line=line,
            cells=raw,
        )
        if row.by_hand and not row.placed:
            record.problems.append(
                error(
                    "la riga è segnata come corretta a mano ma mancano lat e lon: scrivi le coordinate del punto "
                    "(es. 45,18610 e 9,16080), oppure togli «sì» da «corretto» per chiedere di nuovo al servizio.",
                    file=shown, where=f"riga {line}", field="lat", value=row.indirizzo,
                )
            )
            continue
        record.rows.append(row)
    return record


def _coord(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}".replace(".", ",")


def _cells(row: Row) -> dict[str, str]:
    return {
        "indirizzo": row.indirizzo,
        "comune": row.comune,
        "ricerca": row.ricerca,
        "lat": _coord(row.lat),
        "lon": _coord(row.lon),
        "precisione": row.precisione,
        "luogo trovato": row.luogo,
        "data": row.data,
        "fonte": row.fonte,
        "corretto": "sì" if row.corretto else "",
    }


def render_record(record: Record) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(COLUMNS) + record.extra_columns)
    for row in record.rows:
        if row.cells:  # as read: staff's own spelling of numbers and words stays
            by_name = {_column(h): v for h, v in row.cells.items()}
            cells = [by_name.get(c, "") for c in COLUMNS] + [row.cells.get(h, "") for h in record.extra_columns]
        else:
            new = _cells(row)
            cells = [new[c] for c in COLUMNS] + ["" for _ in record.extra_columns]
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_record(record: Record) -> Path:
    """Write the record atomically (a temp file, then a rename)."""
    path = write_bytes(record.path, render_record(record))
    record.changed = False
    return path


def save_answers(path: Path, answers: list[Row]) -> bool:
    """Add the service's answers to the record as it is on disk now, and write it.

    A run may ask the service for minutes (300 addresses: 5 minutes): meanwhile staff may correct a
    point in the file or from the app. Read again just before writing, those corrections stay, and
    an answer never replaces a row corrected by hand. False when the record has rows that cannot be
    read: it is not rewritten (they would be lost)."""
    fresh = read_record(path)
    if fresh.problems:
        return False
    for row in answers:
        fresh.add(row)
    if fresh.changed:
        write_record(fresh)
    return True


def new_row(**values) -> Row:  # noqa: ANN003
    return replace(Row(indirizzo="", comune=""), **values)
