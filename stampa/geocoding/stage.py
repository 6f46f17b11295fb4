"""The geocoding stage: entries with an address and no position get one, from the record
(``dati/geocodifica.csv``) or, when allowed, from the service; or a problem that says what to do.

A position written in the entries file always wins: only records with no coordinates, no geometry
and an ``indirizzo`` are looked at. Every point is checked here, whether it comes from the service
or from a hand correction: inside the district and inside the declared comune (within
:data:`~stampa.entries.validate.BOUNDARY_TOLERANCE_M`), so the messages can name the address and
the record's row. Records left without a position are marked ``da geocodificare`` and the
validation skips them silently (this stage reported them, or they wait for ``stampa geocodifica``).

API:
- :func:`place_records` (no network): records → records with positions from the record + problems;
- :func:`ask_service` (network): the addresses still missing → answers added to the record.
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Literal, Sequence

import numpy as np
import shapely
from pyproj import Transformer

from ..district import METRIC_CRS, District
from ..entries.model import POSITION_FILE, POSITION_GEOCODED, POSITION_HAND, POSITION_PENDING, RawRecord
from ..entries.validate import BOUNDARY_TOLERANCE_M, parse_active
from ..problems import Problem, error, warning
from .answers import AMBIGUOUS, NOT_FOUND, RANK, choose
from .client import NominatimClient, ServiceError, public_server
from .query import Address, parse_address, split_comune
from .record import SOURCE_SERVICE, Record, Row, read_record

SERVER_ENV = "STAMPA_SERVER_GEOCODIFICA"
Mode = Literal["registro", "controlla", "attesa"]
# registro: addresses not in the record are errors (commands that never ask: `stampa sfondo`);
# controlla: they are listed in one warning (`stampa controlla`);
# attesa: they are left for ask_service (`stampa geocodifica`, `stampa edizione`).

_LESS_THAN_NUMBER = {"via": "solo la via", "frazione": "solo la frazione o la località", "comune": "solo il comune"}


def geocoding_server(cfg) -> str:  # noqa: ANN001 - stampa.config.Config
    """The service: the environment variable wins over ``[geocodifica] server`` (tests, a self-hosted one)."""
    return os.environ.get(SERVER_ENV, "").strip() or cfg.geocodifica.server


def shown_path(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Wanted:
    """One record that needs geocoding, and what to ask."""

    index: int  # in the records
    record: RawRecord
    address: Address
    istat: str  # the declared comune


@dataclass
class Placed:
    records: list[RawRecord]
    problems: list[Problem]
    pending: list[Wanted] = field(default_factory=list)
    geocoded: int = 0  # placed from the record (service answers, samples)
    by_hand: int = 0  # placed from hand corrections


def _entries(n: int, singular: str, plural: str) -> str:
    return f"1 voce {singular}" if n == 1 else f"{n} voci {plural}"


def _name(rec: RawRecord) -> str:
    return rec.fields.get("nome", "").strip() or "(senza nome)"


def _label(w: Wanted) -> str:
    where = w.record.origin.label()
    return f"{where + ' ' if where else ''}«{_name(w.record)}» ({w.address.typed}, {w.address.comune})"


def wanted_records(records: Sequence[RawRecord], district: District) -> tuple[list[Wanted], list[Problem], list[int]]:
    """The records to geocode (active, no position, an address), the problems of their comune and
    the indexes of the records those problems concern."""
    wanted, problems, refused = [], [], []
    for i, rec in enumerate(records):
        if rec.lon is not None or rec.lat is not None or rec.geometry_problem:
            continue
        typed = rec.fields.get("indirizzo", "").strip()
        if not typed or parse_active(rec.fields.get("attivo", "")) is False:
            continue
        declared = rec.fields.get("comune", "").strip()
        street, in_address = split_comune(typed, district.match_name)
        code = district.match_name(declared) if declared else in_address
        where = dict(file=rec.origin.file, where=rec.origin.label(), field="comune")
        if code is None:
            foreign = district.describe_foreign(declared) if declared else None
            if not declared:
                message = (f"per cercare l'indirizzo serve il comune: scrivilo nella colonna «comune» (uno dei comuni "
                           f"del {district.name}), oppure scrivi latitudine e longitudine.")
            elif foreign:
                message = f"il comune {foreign} non fa parte del {district.name}: togli la voce o correggi il comune."
            else:
                message = ("per cercare l'indirizzo serve un comune del "
                           f"{district.name}: controlla come è scritto il comune, oppure scrivi latitudine e longitudine.")
            problems.append(error(message, **where, value=declared))
            refused.append(i)
            continue
        wanted.append(Wanted(i, rec, parse_address(typed, district.nome(code), street), code))
    return wanted, problems, refused


def place_records(
    records: Sequence[RawRecord],
    district: District,
    record_path: Path,
    *,
    mode: Mode = "registro",
    root: Path = Path("."),
    failure: str | None = None,
    server: str = "",
) -> Placed:
    """Positions from the record for the records that need them (no network, nothing written).
    ``failure``: why the service could not be asked (the addresses still missing then say so)."""
    records = list(records)
    wanted, problems, refused = wanted_records(records, district)
    for i in refused:  # reported here: the validation must not say «manca la posizione» again
        records[i] = replace(records[i], position_from=POSITION_PENDING)
    out = Placed(records, problems)
    if not wanted:
        return out
    record = read_record(record_path)
    problems += record.problems
    shown = shown_path(record_path, root)
    imprecise: list[tuple[Wanted, str]] = []
    checks: list[tuple[Wanted, Row]] = []
    for w in wanted:
        out.records[w.index] = replace(w.record, position_from=POSITION_PENDING)
        row = record.find(w.address.key)
        if row is None:
            out.pending.append(w)
        elif not row.placed:
            problems.append(_unplaced(w, row, shown))
        else:
            checks.append((w, row))
    if checks:
        lon = np.array([r.lon for _, r in checks], dtype=float)
        lat = np.array([r.lat for _, r in checks], dtype=float)
        found = district.locate(lon, lat)
        outside = [k for k, code in enumerate(found) if not code]
        italy = dict(zip(outside, district.comune_in_italy(lon[outside], lat[outside]) if outside else []))
        for k, ((w, row), code) in enumerate(zip(checks, found)):
            why = _misplaced(w, row, str(code), italy.get(k, ""), district, shown)
            if why is not None:
                problems.append(why)
                continue
            by_hand = row.by_hand
            out.records[w.index] = replace(
                w.record, lon=float(row.lon), lat=float(row.lat),
                position_from=POSITION_HAND if by_hand else POSITION_GEOCODED,
                precision="" if by_hand else (row.precisione or "civico"), position_osm=row.from_service,
            )
            if by_hand:
                out.by_hand += 1
            else:
                out.geocoded += 1
                if RANK.get(row.precisione, 0) > 0:
                    imprecise.append((w, row.precisione))
    if imprecise:
        listed = "; ".join(f"{_label(w)}: {_LESS_THAN_NUMBER.get(p, p)}" for w, p in imprecise)
        first = imprecise[0][0].record
        problems.append(
            warning(
                f"{_entries(len(imprecise), 'è collocata', 'sono collocate')} con meno precisione del numero civico: {listed}. Controlla i "
                "punti sulla mappa: per spostarne uno aggiungi il numero civico, oppure scrivi latitudine e longitudine "
                f"nel file, oppure correggi la riga nel registro {shown} (lat, lon e «sì» in «corretto»).",
                file=first.origin.file,
            )
        )
    if out.pending:
        problems += _pending_problems(out.pending, mode, shown, failure, server)
    return out


def _unplaced(w: Wanted, row: Row, shown: str) -> Problem:
    where = dict(file=w.record.origin.file, where=w.record.origin.label(), field="indirizzo", value=w.address.typed)
    fix = (f"oppure scrivi latitudine e longitudine nel file, oppure correggi la riga {row.line} del registro {shown} "
           "(lat, lon e «sì» in «corretto»).")
    query = row.ricerca or w.address.text
    if row.precisione == AMBIGUOUS:
        places = f" ({row.luogo})" if row.luogo else ""
        return error(f"indirizzo ambiguo: il servizio di geocodifica ha trovato più luoghi per «{query}»{places}: "
                     f"aggiungi il numero civico, {fix}", **where)
    # An address with its house number: adding one is no advice; the street's name is what to check.
    check = ("controlla come sono scritti via e numero civico" if w.address.number
             else "aggiungi il numero civico o correggi l'indirizzo")
    return error(f"indirizzo non trovato dal servizio di geocodifica (cercato «{query}»): {check}, {fix}", **where)


_UTM: list[Transformer] = []


def _to_utm(lon: float, lat: float) -> tuple[float, float]:
    if not _UTM:
        _UTM.append(Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True))
    return _UTM[0].transform(lon, lat)


def _misplaced(w: Wanted, row: Row, code: str, italy: str, district: District, shown: str) -> Problem | None:
    where = dict(file=w.record.origin.file, where=w.record.origin.label(), field="indirizzo", value=w.address.typed)
    place = f" («{row.luogo}»)" if row.luogo else ""
    if row.by_hand:
        subject = f"il punto corretto a mano nella riga {row.line} del registro {shown}"
        fix = "correggi lat e lon in quella riga, oppure il comune nel file."
    else:
        subject = "l'indirizzo trovato dal servizio di geocodifica" + place
        fix = (f"controlla via e comune nel file, oppure scrivi latitudine e longitudine, oppure correggi la riga "
               f"{row.line} del registro {shown} (lat, lon e «sì» in «corretto»).")
    if not code:
        fell = f"nel comune di {italy}" if italy else "fuori da ogni comune italiano"
        return error(f"{subject} cade {fell}, fuori dal {district.name}: {fix}", **where)
    if code == w.istat:
        return None
    point = shapely.points(*_to_utm(float(row.lon), float(row.lat)))
    distance = float(shapely.distance(district.comuni_utm.geometry[w.istat], point))
    if distance <= BOUNDARY_TOLERANCE_M:
        return None  # the validation warns about points this close to the line
    return error(f"{subject} è a {district.nome(code)}, non a {w.address.comune}: {fix}", **where)


def _pending_problems(pending: list[Wanted], mode: Mode, shown: str, failure: str | None, server: str) -> list[Problem]:
    if failure is not None:
        return [
            error(f"posizione non trovata: il servizio di geocodifica {public_server(server)} non ha risposto ({failure}). "
                  "Scrivi latitudine e longitudine nel file, oppure rilancia «stampa geocodifica» quando il servizio "
                  "risponde.",
                  file=w.record.origin.file, where=w.record.origin.label(), field="indirizzo", value=w.address.typed)
            for w in pending
        ]
    if mode == "registro":
        return [
            error(f"manca la posizione: l'indirizzo non è ancora nel registro delle posizioni ({shown}). Lancia "
                  "«stampa geocodifica» (serve la rete) oppure scrivi latitudine e longitudine nel file.",
                  file=w.record.origin.file, where=w.record.origin.label(), field="indirizzo", value=w.address.typed)
            for w in pending
        ]
    if mode == "controlla":
        listed = "; ".join(_label(w) for w in pending)
        return [
            warning(f"{_entries(len(pending), 'ha', 'hanno')} l'indirizzo ma non ancora la posizione: {listed}. «stampa geocodifica» "
                    "(o «stampa edizione») le cercherà con il servizio di geocodifica (serve la rete); oppure scrivi "
                    "latitudine e longitudine nel file.",
                    file=pending[0].record.origin.file)
        ]
    return []


# -- asking the service ---------------------------------------------------------------------------

@dataclass
class Asked:
    answers: int = 0  # addresses answered (found or not) and added to the record
    requests: int = 0
    failure: str | None = None  # why the run stopped early (Italian)
    seconds: float = 0.0
    written: bool = False  # the record was written (not when some of its rows could not be read)


def district_viewbox(district: District, margin: float = 0.01) -> tuple[float, float, float, float]:
    west, south, east, north = district.outline.bounds
    return west - margin, south - margin, east + margin, north + margin


def ask_service(
    pending: Sequence[Wanted],
    district: District,
    record: Record,
    *,
    server: str,
    contact: str,
    timeout_s: float,
    deadline_s: float,
    retries: int,
    progress: Callable[[int, int], None] | None = None,
    today: str | None = None,
) -> Asked:
    """Ask the service for each distinct address once, in order, and add the answers to ``record``.
    Stops at the first failure of the service (all later addresses stay missing)."""
    start = time.monotonic()
    todo: dict[tuple[str, str], Wanted] = {}
    for w in pending:
        todo.setdefault(w.address.key, w)
    out = Asked()
    date = today or _dt.date.today().isoformat()
    viewbox = district_viewbox(district)
    client = NominatimClient(server, contact=contact, timeout_s=timeout_s, deadline_s=deadline_s, retries=retries)
    try:
        for n, w in enumerate(todo.values(), start=1):
            try:
                results = client.search(w.address.params(viewbox))
            except ServiceError as exc:
                out.failure = exc.reason
                break
            choice = choose(results, w.address.comune, lambda lon, lat, code=w.istat: district.locate(lon, lat)[0] == code,
                            w.address.locality)
            record.add(
                Row(
                    indirizzo=w.address.typed, comune=w.address.comune, ricerca=w.address.text,
                    lat=choice.lat, lon=choice.lon, precisione=choice.precision, luogo=choice.place,
                    data=date, fonte=SOURCE_SERVICE,
                )
            )
            out.answers += 1
            if progress is not None:
                progress(n, len(todo))
    finally:
        out.requests = client.stats.requests
        client.close()
        out.seconds = time.monotonic() - start
    return out


__all__ = [
    "Mode", "Placed", "Wanted", "Asked", "place_records", "ask_service", "wanted_records", "geocoding_server",
    "NOT_FOUND", "AMBIGUOUS", "POSITION_FILE",
]
