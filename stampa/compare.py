"""What changed between an archived edition and the current entries: plain data, no printing.

Entries are matched by `id` (stable across editions, DESIGN.md). New and removed entries, fields
changed (old → new), positions moved by more than 50 m (measured on the WGS84 ellipsoid), and
printed numbers that changed: what staff check before printing, and what the «Novità» mark uses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .archive import TEXT_FIELDS, Snapshot, entry_row
from .numbering import Numbered
from .problems import how_many

MOVED_M = 50.0  # below this a new position is a correction of the pin, not a move


@dataclass(frozen=True)
class Entered:
    """An entry only in one of the two editions."""

    id: str
    nome: str
    numero: int | None


@dataclass(frozen=True)
class FieldChange:
    id: str
    nome: str
    campo: str
    prima: str
    dopo: str


@dataclass(frozen=True)
class Moved:
    id: str
    nome: str
    metri: float
    prima: tuple[float, float]  # lat, lon
    dopo: tuple[float, float]


@dataclass(frozen=True)
class Renumbered:
    id: str
    nome: str
    prima: int
    dopo: int


@dataclass(frozen=True)
class Comparison:
    year: int  # the archived edition compared with
    current_year: int
    new: tuple[Entered, ...]
    removed: tuple[Entered, ...]
    changed: tuple[FieldChange, ...]
    moved: tuple[Moved, ...]
    renumbered: tuple[Renumbered, ...]

    @property
    def new_ids(self) -> frozenset[str]:
        return frozenset(e.id for e in self.new)

    @property
    def empty(self) -> bool:
        return not (self.new or self.removed or self.changed or self.moved or self.renumbered)

    def as_dict(self) -> dict[str, Any]:
        """The comparison as out/confronto.json writes it (Italian keys)."""
        return {
            "edizione": self.current_year,
            "confrontata_con": self.year,
            "nuove": [vars(e) for e in self.new],
            "tolte": [vars(e) for e in self.removed],
            "cambiate": [vars(c) for c in self.changed],
            "spostate": [{"id": m.id, "nome": m.nome, "metri": round(m.metri, 1), "prima": list(m.prima),
                          "dopo": list(m.dopo)} for m in self.moved],
            "numeri_cambiati": [vars(r) for r in self.renumbered],
        }

    def summary(self) -> str:
        """One line: the short version `stampa edizione` prints."""
        if self.empty:
            return f"Rispetto all'edizione {self.year}: nessuna differenza nelle voci."
        parts = [
            how_many(len(self.new), "voce nuova", "voci nuove"),
            how_many(len(self.removed), "tolta", "tolte"),
            how_many(len({c.id for c in self.changed}), "cambiata", "cambiate"),
            how_many(len(self.moved), "spostata", "spostate"),
            how_many(len(self.renumbered), "con un numero diverso", "con un numero diverso"),
        ]
        return f"Rispetto all'edizione {self.year}: " + ", ".join(parts) + " (dettagli: «stampa confronta»)."


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in metres between two (lat, lon) points in WGS84 degrees."""
    from pyproj import Geod

    _, _, metres = Geod(ellps="WGS84").inv(a[1], a[0], b[1], b[0])
    return float(metres)


def _position(row: Mapping[str, str]) -> tuple[float, float] | None:
    try:
        return float(row["lat"]), float(row["lon"])
    except (KeyError, TypeError, ValueError):
        return None


def compare(snap: Snapshot, numbered: Sequence[Numbered], current_year: int) -> Comparison:
    """The archived edition ``snap`` against the current entries (numbered as they will print)."""
    old = {r["id"]: r for r in snap.rows}
    old_numbers = snap.numbers
    now = {n.entry.id: (n, entry_row(n)) for n in numbered}
    new = tuple(Entered(i, now[i][1]["nome"], now[i][0].number) for i in sorted(now.keys() - old.keys(), key=_by_number(now)))
    removed = tuple(Entered(i, old[i].get("nome", ""), old_numbers.get(i))
                    for i in sorted(old.keys() - now.keys(), key=lambda i: (old_numbers.get(i, 0), i)))
    changed, moved, renumbered = [], [], []
    for i in sorted(old.keys() & now.keys(), key=_by_number(now)):
        n, row = now[i]
        before = old[i]
        for f in TEXT_FIELDS:
            if (before.get(f) or "") != row[f]:
                changed.append(FieldChange(i, row["nome"], f, before.get(f) or "", row[f]))
        a, b = _position(before), _position(row)
        if a is not None and b is not None:
            metres = distance_m(a, b)
            if metres > MOVED_M:
                moved.append(Moved(i, row["nome"], metres, a, b))
        if i in old_numbers and old_numbers[i] != n.number:
            renumbered.append(Renumbered(i, row["nome"], old_numbers[i], n.number))
    return Comparison(snap.year, current_year, new, removed, tuple(changed), tuple(moved), tuple(renumbered))


def _by_number(now):
    return lambda i: (now[i][0].number, i)


def reference_year(years: Sequence[int], current_year: int) -> int | None:
    """The edition to compare with: the latest archived before this one; else this year's own."""
    earlier = [y for y in years if y < current_year]
    if earlier:
        return max(earlier)
    return current_year if current_year in years else None
