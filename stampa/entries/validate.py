"""Records as read → checked entries of the edition, with every problem found.

Each check names the file, row or feature, field and value, and says what to do. Errors stop a
build (exit 1); warnings are reported and the build goes on.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
import shapely
from pyproj import Transformer

from ..district import METRIC_CRS, District, name_key
from ..problems import Problem, error, warning
from ..urls import email_ok, normalise_website, phone_ok, url_problem
from .model import POSITION_PENDING, Edition, Entry, Kind, RawRecord

# Words staff use for the two kinds, compared after name_key(). A KML folder or GeoPackage layer
# named like one of these gives the kind when the `tipo` column is missing.
_KIND_WORDS: dict[str, Kind] = {}
for _word in ("laboratorio", "laboratori", "laboratorio sociale", "laboratori sociali", "lab", "lab sociale", "ls"):
    _KIND_WORDS[_word] = "laboratorio"
for _word in (
    "gruppo",
    "gruppi",
    "gruppo di cittadini",
    "gruppi di cittadini",
    "gruppo cittadini",
    "gruppo informale",
    "gruppi informali",
    "gruppo informale di cittadini",
    "cittadini",
    "gc",
):
    _KIND_WORDS[_word] = "gruppo"

_YES = {"si", "s", "yes", "y", "1", "vero", "true", "x", "attivo", "ok"}
_NO = {"no", "n", "0", "falso", "false", "non attivo", "inattivo", "sospeso"}

# A point whose declared comune is another one but lies within this distance of it is most
# likely right: ISTAT's generalised boundaries can be off by this much near the line.
BOUNDARY_TOLERANCE_M = 150.0

TEXT_FIELDS = ("nome", "quartiere", "indirizzo", "ente", "attivita", "orari")


def parse_kind(text: str) -> Kind | None:
    return _KIND_WORDS.get(name_key(text))


def parse_active(text: str) -> bool | None:
    key = name_key(text)
    if key == "" or key in _YES:
        return True
    if key in _NO:
        return False
    return None


# Bidirectional embeddings, overrides and isolates: invisible, dropped by the PDF, but in the web
# page they reverse how the text that follows reads ("Trojan source"), so print and screen differ.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _control_chars(text: str) -> list[str]:
    return [ch for ch in text if (unicodedata.category(ch) == "Cc" and ch not in "\n\t") or ch in _BIDI_CONTROLS]


def slug(text: str) -> str:
    return "-".join(name_key(text).split())[:40] or "voce"


@dataclass
class _Checked:
    record: RawRecord
    values: dict[str, str]
    kind: Kind | None = None
    istat: str = ""


class _Checker:
    def __init__(self, district: District, reported: set[tuple[str | None, str | None]]):
        self.district = district
        self.reported = reported
        self.problems: list[Problem] = []

    def report(self, rec: RawRecord, level: str, message: str, field: str | None = None, value: str | None = None):
        make = error if level == "errore" else warning
        self.problems.append(make(message, file=rec.origin.file, where=rec.origin.label(), field=field, value=value))

    # -- one record ------------------------------------------------------------------------------
    def text_fields(self, rec: RawRecord) -> dict[str, str]:
        values = {k: (v or "").strip() for k, v in rec.fields.items()}
        for name, text in values.items():
            bad = _control_chars(text)
            if bad:
                codes = ", ".join(sorted({f"U+{ord(ch):04X}" for ch in bad}))
                self.report(
                    rec,
                    "errore",
                    f"il testo contiene caratteri di controllo invisibili ({codes}): cancellali e riscrivi il testo.",
                    name,
                    text,
                )
        return values

    def kind(self, rec: RawRecord, values: dict[str, str]) -> Kind | None:
        text = values.get("tipo", "")
        if text:
            kind = parse_kind(text)
            if kind is None:
                self.report(
                    rec,
                    "errore",
                    "tipo non riconosciuto: scrivi «laboratorio» (Laboratorio Sociale) oppure «gruppo» (Gruppo di cittadini).",
                    "tipo",
                    text,
                )
            return kind
        if rec.layer and parse_kind(rec.layer):
            return parse_kind(rec.layer)
        self.report(
            rec,
            "errore",
            "manca il tipo: scrivi «laboratorio» oppure «gruppo».",
            "tipo",
        )
        return None

    def contacts(self, rec: RawRecord, values: dict[str, str]) -> None:
        email = values.get("email", "")
        if email.lower().startswith("mailto:"):
            email = values["email"] = email[7:].strip()
        if email and not email_ok(email):
            self.report(rec, "errore", "indirizzo email non valido: controlla che sia del tipo nome@dominio.it, senza spazi.", "email", email)
        phone = values.get("telefono", "")
        if phone.lower().startswith("tel:"):
            phone = values["telefono"] = phone[4:].strip()
        if phone and not phone_ok(phone):
            self.report(rec, "errore", "numero di telefono non valido: usa solo cifre, spazi e un + iniziale (es. 0382 123456).", "telefono", phone)
        site = values.get("sito", "")
        address = _email_in_site(site)
        if address and not email:
            # Staff often put the only contact they have in whichever column is free: move it.
            values["email"], values["sito"] = address, ""
            self.report(
                rec,
                "avviso",
                "indirizzo email spostato da «sito» a «email»: nel file scrivilo nella colonna «email».",
                "sito",
                site,
            )
            return
        if site:
            url = normalise_website(site)
            # Without this, "info@esempio.it" would pass as https://info@esempio.it (a user name at a host).
            why = url_problem(url, ("http", "https")) or ("è un indirizzo email, non un sito." if address else None)
            if why:
                hint = (
                    f" «{address}» è un indirizzo email, ma la colonna «email» ha già «{email}»: toglilo da «sito», "
                    "o mettilo in «email» al posto dell'altro se è quello giusto."
                    if address
                    else ""
                )
                self.report(rec, "errore", f"{why} Scrivi l'indirizzo del sito come https://www.esempio.it.{hint}", "sito", site)
            else:
                values["sito"] = url

    def position(self, rec: RawRecord) -> bool:
        if (rec.origin.file, rec.origin.label()) in self.reported:
            return False  # the reader already said what is wrong with this row's coordinates
        if rec.geometry_problem:
            self.report(rec, "errore", rec.geometry_problem, "posizione")
            return False
        if rec.position_from == POSITION_PENDING and (rec.lon is None or rec.lat is None):
            return False  # an address to geocode: stampa.geocoding reports it
        if rec.lon is None or rec.lat is None:
            self.report(
                rec,
                "errore",
                "manca la posizione: aggiungi latitudine e longitudine (es. 45,1855 e 9,1563) o un punto sulla mappa.",
                "posizione",
            )
            return False
        if not (np.isfinite(rec.lon) and np.isfinite(rec.lat)):
            self.report(rec, "errore", "posizione non valida: latitudine e longitudine devono essere numeri.", "posizione")
            return False
        return True

    # -- all records together (vectorised district checks) ----------------------------------------
    def locate(self, checked: Sequence[_Checked]) -> None:
        placed = [c for c in checked if c.istat == "?"]
        if not placed:
            return
        lon = np.array([c.record.lon for c in placed])
        lat = np.array([c.record.lat for c in placed])
        found = self.district.locate(lon, lat)
        swapped = self.district.locate(lat, lon)
        outside = found == ""
        # Where the points outside fall in Italy: loads all comuni, so only when there are some.
        italy = iter(self.district.comune_in_italy(lon[outside], lat[outside]) if outside.any() else [])
        for c, code, swap in zip(placed, found, swapped):
            if not code:
                self.outside(c, next(italy), swap)
                continue
            c.istat = str(code)
            self.declared_comune(c)

    def outside(self, c: _Checked, where: str, swap: str) -> None:
        rec, declared = c.record, c.values.get("comune", "")
        c.istat = ""
        name = self.district.name
        if where:
            message = f"la posizione cade nel comune di {where}, fuori dal {name}."
        else:
            message = f"la posizione è fuori dal {name}, e non cade in nessun comune italiano."
        foreign = self.district.describe_foreign(declared) if declared and self.district.match_name(declared) is None else None
        if foreign:
            message += f" Anche il comune indicato, {foreign}, non fa parte del {name}: togli la voce o correggi comune e posizione."
        if swap:
            message += f" Latitudine e longitudine scambiate? Scambiandole il punto cade a {self.district.nome(swap)}."
        elif not foreign:
            message += " Controlla le coordinate (latitudine intorno a 45,1 e longitudine intorno a 9,1 per Pavia)."
        self.report(rec, "errore", message, "posizione", f"{rec.lat:.6f}, {rec.lon:.6f}")

    def declared_comune(self, c: _Checked) -> None:
        rec, declared = c.record, c.values.get("comune", "")
        if not declared:
            return
        code = self.district.match_name(declared)
        where_point = self.district.nome(c.istat)
        if code is None:
            foreign = self.district.describe_foreign(declared)
            if foreign:
                self.report(
                    rec,
                    "errore",
                    f"il comune {foreign} non fa parte del {self.district.name}: togli la voce o correggi il comune "
                    f"(il punto cade a {where_point}).",
                    "comune",
                    declared,
                )
            else:
                self.report(
                    rec,
                    "errore",
                    f"comune sconosciuto: controlla come è scritto (il punto cade a {where_point}).",
                    "comune",
                    declared,
                )
            return
        if code == c.istat:
            return
        declared_geom = self.district.comuni_utm.geometry[code]
        point = shapely.points(*_to_utm(rec.lon, rec.lat))
        distance = float(shapely.distance(declared_geom, point))
        if distance <= BOUNDARY_TOLERANCE_M:
            self.report(
                rec,
                "avviso",
                f"il punto cade a {where_point}, a {distance:.0f} m dal confine di {self.district.nome(code)}: "
                "va bene se è proprio sul confine, altrimenti correggi la posizione.",
                "comune",
                declared,
            )
            c.istat = code  # trust the declared comune so close to the line
        else:
            self.report(
                rec,
                "errore",
                f"il punto cade a {where_point}, non a {self.district.nome(code)} ({distance / 1000:.1f} km dal confine): "
                "correggi la posizione o il comune.",
                "comune",
                declared,
            )


def _email_in_site(site: str) -> str:
    """The email address typed in «sito» («mailto:x@y.it» or a bare «x@y.it»), or ""."""
    text = site.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:].strip()
    elif "://" in text or "/" in text:
        return ""  # a web address, perhaps with an @ in its path
    return text if email_ok(text) else ""


@lru_cache(maxsize=1)
def _transformer() -> Transformer:
    return Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)


def _to_utm(lon: float, lat: float) -> tuple[float, float]:
    return _transformer().transform(lon, lat)


def validate(
    records: Iterable[RawRecord],
    district: District,
    *,
    source: str = "",
    read_problems: Iterable[Problem] = (),
) -> tuple[Edition, list[Problem]]:
    """Check every record; return the edition (active, valid entries) and the problems found here.

    Entries with errors (here or in ``read_problems``, the reader's) are left out of
    ``Edition.entries`` (the caller stops on errors anyway); ``attivo = no`` entries go to
    ``Edition.inactive`` and are listed in the report.
    """
    reported = {(p.file, p.where) for p in read_problems if p.level == "errore" and p.where}
    checker = _Checker(district, reported)
    checked: list[_Checked] = []
    inactive: list[RawRecord] = []
    for rec in records:
        values = checker.text_fields(rec)
        active = parse_active(values.get("attivo", ""))
        if active is None:
            checker.report(rec, "errore", "valore non riconosciuto: scrivi «sì» per includere la voce o «no» per lasciarla fuori.", "attivo", values["attivo"])
        elif not active:
            inactive.append(rec)
            continue
        c = _Checked(rec, values)
        if not values.get("nome"):
            checker.report(rec, "errore", "manca il nome: scrivi il nome del laboratorio o del gruppo.", "nome")
        c.kind = checker.kind(rec, values)
        checker.contacts(rec, values)
        c.istat = "?" if checker.position(rec) else ""
        checked.append(c)
    checker.locate(checked)
    _check_ids(checker, checked)

    failed = reported | {(p.file, p.where) for p in checker.problems if p.level == "errore"}
    entries = []
    for c in checked:
        rec = c.record
        if (rec.origin.file, rec.origin.label()) in failed or not c.istat or c.kind is None:
            continue
        v = c.values
        entries.append(
            Entry(
                id=v["id"],
                nome=v["nome"],
                tipo=c.kind,
                comune=district.nome(c.istat),
                istat=c.istat,
                lon=float(rec.lon),
                lat=float(rec.lat),
                quartiere=v.get("quartiere", ""),
                indirizzo=v.get("indirizzo", ""),
                ente=v.get("ente", ""),
                attivita=v.get("attivita", ""),
                orari=v.get("orari", ""),
                telefono=v.get("telefono", ""),
                email=v.get("email", ""),
                sito=v.get("sito", ""),
                origin=rec.origin,
                position_from=rec.position_from,
                precision=rec.precision,
                position_osm=rec.position_osm,
            )
        )
    return Edition(entries=tuple(entries), inactive=tuple(inactive), source=source), checker.problems


def _check_ids(checker: _Checker, checked: Sequence[_Checked]) -> None:
    seen: dict[str, RawRecord] = {}
    for c in checked:
        rec, ident = c.record, c.values.get("id", "")
        if not ident:
            base = slug(f"{c.values.get('nome', '')} {c.values.get('comune', '')}")
            ident, n = base, 2
            while ident in seen or any(o.values.get("id") == ident for o in checked if o is not c):
                ident, n = f"{base}-{n}", n + 1
            c.values["id"] = ident
            checker.report(
                rec,
                "avviso",
                f"manca l'id: uso «{ident}». Scrivilo nel file, così la voce resta la stessa nelle prossime edizioni.",
                "id",
            )
        elif ident in seen:
            first = seen[ident].origin.label()
            checker.report(rec, "errore", f"id ripetuto (è già usato in {first}): ogni voce deve avere un id diverso.", "id", ident)
            continue
        seen[ident] = rec

