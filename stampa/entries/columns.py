"""Lenient matching of column (or property, or KML data) names onto the canonical fields.

Staff name their columns as they like: "NOME ", "E-mail", "Sito web", "Attivita'", "Chi lo gestisce".
A name is normalised (case, accents, punctuation, spaces, underscores and anything in brackets
removed) and looked up in a table of synonyms. Besides the canonical fields of
:data:`stampa.entries.model.FIELDS`, three position helpers are recognised: ``coordinate`` (one
column "lat, lon" as Google Maps copies it) and ``x`` / ``y`` (easting/northing, for
``dati.crs``); they are read by :mod:`stampa.entries.coords` and never reach ``RawRecord.fields``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from ..problems import Problem, error, warning
from .model import FIELDS

# Position helpers: recognised columns that are not canonical fields.
COORD_FIELDS = ("coordinate", "x", "y")

# Synonyms as staff type them; normalised when the table is built, so write them naturally.
# Names that often sit NEXT TO the main one in the same sheet ("Giorni" beside "Orari", "Pagina
# Facebook" beside "Sito") are left out on purpose: two columns for one field is an error.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "codice", "cod", "identificativo", "codice voce", "id voce"),
    "nome": (
        "nome", "denominazione", "nome laboratorio", "nome gruppo", "nome del laboratorio",
        "nome del gruppo", "titolo", "name", "nome voce",
    ),
    "tipo": ("tipo", "tipologia", "categoria", "tipo voce", "type"),
    "comune": ("comune", "città", "citta", "paese", "comune di"),
    "quartiere": ("quartiere", "rione", "zona", "quartiere rione", "quartiere o rione"),
    "indirizzo": ("indirizzo", "via", "sede", "indirizzo sede", "luogo", "dove", "address"),
    "ente": (
        "ente", "ente gestore", "gestore", "chi lo gestisce", "chi la gestisce", "gestito da",
        "organizzazione", "associazione", "ente promotore", "promotore", "ente di riferimento",
    ),
    "attivita": (
        "attività", "attivita'", "attività svolte", "attivita svolte", "cosa si fa", "cosa fa",
        "cosa facciamo", "descrizione", "description", "attività proposte",
    ),
    "orari": (
        "orari", "orario", "giorni e orari", "orari di apertura", "apertura", "quando",
        "orari e giorni",
    ),
    "telefono": (
        "telefono", "tel", "tel.", "cellulare", "cell", "numero di telefono", "recapito telefonico",
        "telefono cellulare", "phone", "telefono fisso",
    ),
    "email": (
        "email", "e-mail", "e_mail", "mail", "posta elettronica", "indirizzo email",
        "indirizzo e-mail",
    ),
    "sito": (
        "sito", "sito web", "sito internet", "website", "web", "url", "link", "pagina web",
    ),
    "attivo": (
        "attivo", "attiva", "pubblicato", "pubblicata", "pubblicare", "da pubblicare", "pubblica",
        "in mappa", "visibile", "in edizione",
    ),
    "lat": ("lat", "latitudine", "latitude", "lat wgs84", "latitudine wgs84"),
    "lon": (
        "lon", "lng", "long", "longitudine", "longitude", "lon wgs84", "longitudine wgs84",
    ),
    "coordinate": (
        "coordinate", "posizione", "coordinate gps", "gps", "lat lon", "lat long", "lat lng",
        "latlon", "latlng", "latitudine longitudine", "coordinate google maps",
    ),
    "x": ("x", "est", "easting", "coord x", "coordinata x", "x utm", "est utm"),
    "y": ("y", "nord", "northing", "coord y", "coordinata y", "y utm", "nord utm"),
}

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def normalise(name: str) -> str:
    """The comparison key of a column name: lower case, no accents, no bracketed notes, only
    letters and digits ("E-mail (ufficio)" → "email", "Attivita'" → "attivita")."""
    text = _BRACKETS.sub(" ", str(name))
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


SYNONYMS: dict[str, str] = {}
for _field, _names in _SYNONYMS.items():
    for _name in (_field, *_names):
        SYNONYMS.setdefault(normalise(_name), _field)

assert set(FIELDS) <= set(SYNONYMS.values())


def field_for(name: str) -> str | None:
    """The canonical field (or position helper) a column name stands for, or None."""
    key = normalise(name)
    return SYNONYMS.get(key) if key else None


def count_known(names: Iterable[object]) -> int:
    """How many distinct fields the names stand for: used to find the header row."""
    return len({f for n in names if n is not None and (f := field_for(str(n)))})


@dataclass(frozen=True)
class ColumnMap:
    """The columns of one file: position (0-based) → field, plus what was not recognised."""

    fields: dict[int, str]
    unknown: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    def has(self, name: str) -> bool:
        return name in self.fields.values()


_ARTICLE = {"colonne": "le ", "campi": "i ", "proprietà": "le "}


def _shown(name: str, index: int) -> str:
    return f"«{name.strip()}»" if name.strip() else f"(colonna {index + 1} senza nome)"


def map_columns(
    names: Sequence[object], file: str, *, what: str = "colonne", where: str | None = None
) -> ColumnMap:
    """Map header names onto fields.

    Unknown names give ONE warning listing them all (with a suggestion when a name is close to a
    known one); two names for the same field give an error naming both. ``what`` is the Italian
    plural for the names ("colonne", "campi", "proprietà") used in the messages.
    """
    mapped: dict[int, str] = {}
    seen: dict[str, int] = {}
    unknown: list[str] = []
    hints: list[str] = []
    problems: list[Problem] = []
    texts = ["" if n is None else str(n) for n in names]
    for index, name in enumerate(texts):
        target = field_for(name)
        if target is None:
            if name.strip():
                unknown.append(name.strip())
                close = difflib.get_close_matches(normalise(name), SYNONYMS, n=1, cutoff=0.8)
                if close:
                    hints.append(f"«{name.strip()}» → forse «{SYNONYMS[close[0]]}»")
            continue
        if target in seen:
            first = seen[target]
            problems.append(
                error(
                    f"due {what} indicano lo stesso campo «{target}»: {_shown(texts[first], first)} "
                    f"e {_shown(name, index)}. Tienine una sola (rinomina o cancella l'altra).",
                    file=file,
                    where=where,
                )
            )
            continue
        seen[target] = index
        mapped[index] = target
    if unknown:
        listed = ", ".join(f"«{n}»" for n in unknown)
        hint = f" ({'; '.join(hints)})" if hints else ""
        problems.append(
            warning(
                f"ignoro {_ARTICLE[what]}{what} che non riconosco: {listed}{hint}. Se contengono "
                "dati da stampare, cambia il nome con uno previsto (vedi «Formati dei dati» nel "
                "README).",
                file=file,
                where=where,
            )
        )
    return ColumnMap(mapped, tuple(unknown), tuple(problems))
