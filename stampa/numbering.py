"""Map numbers of the entries: one order, shared by the map, the index, the web page and the report.

The order is: Pavia first (most entries live there), then the other comuni alphabetically;
inside a comune by quartiere (alphabetically, entries without a quartiere last), then by name.
Names compare without accents or case, so "Èsse" sorts with "Esse". Ties (same name) fall back
to the id, so the numbering is deterministic whatever order the file lists the rows in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .district import CAPITAL, name_key
from .entries.model import Entry

FIRST_COMUNE = CAPITAL  # Pavia


@dataclass(frozen=True)
class Numbered:
    number: int
    entry: Entry
    novita: bool = False  # new since the archived edition, marked «Novità» ([mappa] segna_novita)


def sort_key(entry: Entry) -> tuple:
    return (
        entry.istat != FIRST_COMUNE,
        name_key(entry.comune),
        entry.quartiere == "",
        name_key(entry.quartiere),
        name_key(entry.nome),
        entry.id,
    )


def number_entries(entries: Sequence[Entry], new_ids: frozenset[str] = frozenset()) -> tuple[Numbered, ...]:
    """Entries with their map numbers, 1…N in index order; those in ``new_ids`` marked new."""
    return tuple(Numbered(i, e, e.id in new_ids) for i, e in enumerate(sorted(entries, key=sort_key), start=1))
