"""Plain data for entries: what the readers produce and what the rest of stampa uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["laboratorio", "gruppo"]

# Where an entry's position came from (rapporto.json, the web page, `stampa controlla`).
POSITION_FILE = "file"  # the entries file's coordinates or geometry
POSITION_GEOCODED = "geocodificata"  # the geocoding service's answer, kept in dati/geocodifica.csv
POSITION_HAND = "corretta a mano"  # a point corrected by staff in dati/geocodifica.csv
POSITION_PENDING = "da geocodificare"  # an address still without a point (stampa.geocoding reports it)

# Canonical field names, in the order the index prints them. Readers map whatever column names
# staff used onto these (see columns.py).
FIELDS = (
    "id",
    "nome",
    "tipo",
    "comune",
    "quartiere",
    "indirizzo",
    "ente",
    "attivita",
    "orari",
    "telefono",
    "email",
    "sito",
    "attivo",
    "lat",
    "lon",
)


@dataclass(frozen=True)
class Origin:
    """Where a record came from, for messages: the file and its row (spreadsheets, 1-based as the
    spreadsheet shows it, header included) or its feature (vector files, 1-based, plus its name)."""

    file: str
    row: int | None = None
    feature: int | None = None
    name: str | None = None

    def label(self) -> str:
        if self.row is not None:
            return f"riga {self.row}"
        if self.feature is not None:
            named = f" «{self.name}»" if self.name else ""
            return f"elemento {self.feature}{named}"
        return ""


@dataclass(frozen=True)
class RawRecord:
    """One record as read: canonical field name → text exactly as in the file (stripped), plus
    the position when the file has a geometry (already in WGS84 lon/lat)."""

    origin: Origin
    fields: dict[str, str]
    lon: float | None = None
    lat: float | None = None
    geometry_problem: str | None = None  # e.g. "geometria non puntuale (Polygon)"
    layer: str | None = None  # KML folder / GeoPackage layer, used as a hint for `tipo`
    position_from: str = POSITION_FILE  # set by stampa.geocoding for positions it supplies
    precision: str = ""  # geocoded positions: civico, via, frazione, comune
    position_osm: bool = False  # the point is the geocoding service's answer: OpenStreetMap data (credited)


@dataclass(frozen=True)
class Entry:
    """A checked entry of the edition. Positions are WGS84 degrees."""

    id: str
    nome: str
    tipo: Kind
    comune: str  # official ISTAT spelling, resolved from the point (or the declared name)
    istat: str  # six-digit ISTAT code of the comune containing the point
    lon: float
    lat: float
    quartiere: str = ""
    indirizzo: str = ""
    ente: str = ""
    attivita: str = ""
    orari: str = ""
    telefono: str = ""
    email: str = ""
    sito: str = ""
    origin: Origin = field(default_factory=lambda: Origin(""))
    position_from: str = POSITION_FILE  # POSITION_FILE, POSITION_GEOCODED or POSITION_HAND
    precision: str = ""  # geocoded positions: civico, via, frazione, comune
    position_osm: bool = False  # an answer of the geocoding service: OpenStreetMap data, whose credit is printed


@dataclass(frozen=True)
class Edition:
    """Entries of the edition, those left out (attivo = no) and every problem found."""

    entries: tuple[Entry, ...]
    inactive: tuple[Entry | RawRecord, ...] = ()
    source: str = ""
