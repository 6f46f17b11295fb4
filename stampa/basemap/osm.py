"""The OpenStreetMap basemap stage: the edition's frozen data, fetched from Overpass when missing.

:func:`osm_data_for_views` is what a build calls. It never fails the build and never touches the
network when the frozen file (``dati/sfondo-osm-<anno>.gpkg``) already covers every view at the
detail its scale needs. Otherwise it fetches every view again (simpler than patching a partial file
and keeps one data date per file), freezes the result atomically and returns it. When the server
fails, the map falls back to the comune outlines with an Italian warning, or, if an older frozen
file covers part of the views, uses that with a warning. The whole call ends within
``sfondo.tempo_massimo_s`` whatever the server does.

:func:`freeze_osm_data` is ``stampa sfondo``: the same, but a failure is a :class:`StampaError`
naming the server and the cause (the user asked for exactly this download).

A trial build (``trial=True``: other entries or another basemap than ``stampa.toml`` names)
never replaces the edition's frozen file: what it has to fetch goes to a file of its own in
the user's cache folder (:func:`~.osm_store.trial_osm_path`), which later trials reuse.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..problems import Problem, StampaError, error, warning
from .osm_model import OsmData
from .osm_parse import osm_features
from .osm_store import OsmStoreError, frozen_osm_path, public_server, read_osm_gpkg, trial_osm_path, write_osm_gpkg
from .overpass import OverpassError, fetch_overpass
from .overpass_query import DEFAULT_TIMEOUT_S, Extent, overpass_queries
from .sources import OSM_SERVER_ENV, osm_server

WHERE = "chiave «sfondo.server_osm»"
# Time kept back from the deadline for parsing and writing what arrived (bounded by the answer size).
RESERVE_FRACTION = 0.15
RESERVE_MAX_S = 30.0


@dataclass
class OsmOutcome:
    data: OsmData | None  # None: draw the comune outlines (the vector fallback)
    file: str | None  # the frozen GeoPackage the data is in (None when it could not be saved)
    fetched: bool  # True when the data came from the server in this call
    problems: list[Problem] = field(default_factory=list)
    requests: int = 0  # HTTP requests made to the server


def _shown(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def fallback_warning(server: str, reason: str) -> Problem:
    return warning(
        f"Sfondo OpenStreetMap non disponibile dal server {public_server(server)}: {reason}. La mappa usa lo "
        "sfondo vettoriale (confini dei comuni). Controlla la connessione e «sfondo.server_osm», oppure "
        "congela lo sfondo con «stampa sfondo» quando la rete funziona."
    )


def stale_warning(server: str, reason: str, shown: str, data: OsmData, *, partial: bool) -> Problem:
    text = (
        f"Sfondo OpenStreetMap non aggiornato dal server {public_server(server)}: {reason}. La mappa usa i dati "
        f"congelati in «{shown}» (dati OpenStreetMap del {data.data_osm[:10] or 'data sconosciuta'})"
    )
    if partial:
        text += (
            ", che non coprono tutte le viste: dove mancano restano solo i confini dei comuni. Rifai "
            "«stampa sfondo» quando la rete funziona."
        )
    else:
        text += "."
    return warning(text)


def trial_saved_note(saved: Path, shown: str) -> Problem:
    return warning(
        f"Edizione di prova: i dati OpenStreetMap scaricati per le sue viste sono salvati in «{saved}» e non in "
        f"«{shown}», che resta quello dell'edizione. Se queste viste sono quelle dell'edizione, congelale con "
        "«stampa sfondo»."
    )


def _needs(needs) -> list[tuple[Extent, float]]:
    return [(tuple(float(v) for v in extent), float(scale)) for extent, scale in needs]


def _fetch(cfg_sfondo, needs, server: str, contact: str, deadline: float) -> tuple[OsmData, int]:
    """Fetch and parse; OverpassError on any failure of the server or of its answer."""
    parts = urlsplit(server)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OverpassError(f"indirizzo del server non valido (controlla «sfondo.server_osm» o {OSM_SERVER_ENV})")
    budget = deadline - time.monotonic()
    reserve = min(RESERVE_MAX_S, budget * RESERVE_FRACTION)
    fetch_s = max(0.1, budget - reserve)
    # The server may work this long on one query; never longer than we would wait for it.
    query_timeout = int(max(5, min(DEFAULT_TIMEOUT_S, fetch_s - 5)))
    queries = overpass_queries(needs, timeout_s=query_timeout)
    result = fetch_overpass(
        server,
        queries,
        contact=contact,
        timeout_s=cfg_sfondo.timeout_s,
        deadline_s=fetch_s,
        shown_deadline_s=float(cfg_sfondo.tempo_massimo_s),
    )
    features = osm_features(result.elements)
    if len(features) == 0:
        raise OverpassError("la risposta non contiene oggetti da disegnare")
    coverage = tuple(c for q in queries for c in q.coverage())
    data = OsmData(
        features=features,
        data_osm=result.timestamp,
        copertura=coverage,
        server=public_server(server),
    )
    return data, result.requests


def osm_data_for_views(
    cfg_sfondo,
    needs: list[tuple[Extent, float]],
    *,
    root: Path,
    year: int,
    refresh: bool = False,
    contact: str = "",
    trial: bool = False,
) -> OsmOutcome:
    """The OpenStreetMap data for the views ``needs`` (``(extent EPSG:32632, scale)`` each); never
    raises for the network. ``contact`` overrides ``sfondo.contatto`` (e.g. contatti.email).
    ``trial``: a trial build, which reads the edition's frozen file but never writes it."""
    return _stage(cfg_sfondo, needs, root=root, year=year, refresh=refresh, contact=contact, strict=False, trial=trial)


def freeze_osm_data(
    cfg_sfondo,
    needs: list[tuple[Extent, float]],
    *,
    root: Path,
    year: int,
    refresh: bool = True,
    contact: str = "",
) -> OsmOutcome:
    """``stampa sfondo``: fetch (unless ``refresh`` is False and the frozen file covers the views)
    and freeze; a failure raises :class:`StampaError` instead of falling back."""
    return _stage(cfg_sfondo, needs, root=root, year=year, refresh=refresh, contact=contact, strict=True)


def _read_quietly(path: Path) -> OsmData | None:
    """A trial's own file, or None when it is missing or unusable (it is simply fetched again)."""
    try:
        return read_osm_gpkg(path) if path.exists() else None
    except OsmStoreError:
        return None


def _stage(cfg_sfondo, needs, *, root, year, refresh, contact, strict, trial=False) -> OsmOutcome:
    deadline = time.monotonic() + float(cfg_sfondo.tempo_massimo_s)
    needs = _needs(needs)
    root = Path(root)
    server = osm_server(cfg_sfondo)
    contact = (contact or cfg_sfondo.contatto or "").strip()
    path = frozen_osm_path(cfg_sfondo, root, year)
    shown = _shown(path, root)
    problems: list[Problem] = []
    old: OsmData | None = None
    old_file = path
    if path.exists():
        try:
            old = read_osm_gpkg(path)
        except OsmStoreError as exc:
            if strict and not refresh:
                raise
            p = exc.problems[0]
            problems.append(warning(p.message + " I dati vengono scaricati di nuovo.", file=p.file))
    if not needs:
        return OsmOutcome(old, str(path) if old else None, False, problems)
    covered = old is not None and all(old.covers(e, s) for e, s in needs)
    if covered and not refresh:
        return OsmOutcome(old, str(path), False, problems)
    save_to = path
    if trial:  # the edition's file stays as it is; the trial keeps its data in the cache
        save_to = trial_osm_path(cfg_sfondo, root, year)
        kept = _read_quietly(save_to)
        if kept is not None and all(kept.covers(e, s) for e, s in needs):
            return OsmOutcome(kept, str(save_to), False, problems)
        if old is None and kept is not None:
            old, old_file, shown = kept, save_to, str(save_to)

    try:
        data, requests = _fetch(cfg_sfondo, needs, server, contact, deadline)
    except OverpassError as exc:
        if strict:
            raise StampaError(
                error(
                    f"dati OpenStreetMap non scaricati dal server {public_server(server)}: {exc.reason}. Controlla "
                    f"la connessione e «sfondo.server_osm» (o la variabile d'ambiente {OSM_SERVER_ENV}), poi "
                    "riprova più tardi.",
                    where=WHERE,
                    value=public_server(server),
                )
            ) from None
        if old is not None:  # older data, even partial, beats the bare comune outlines
            problems.append(stale_warning(server, exc.reason, shown, old, partial=not covered))
            return OsmOutcome(old, str(old_file), False, problems)
        problems.append(fallback_warning(server, exc.reason))
        return OsmOutcome(None, None, False, problems)

    try:
        write_osm_gpkg(save_to, data)
    except StampaError as exc:
        if strict:
            raise
        reason = exc.problems[0].message if exc.problems else str(exc)
        problems.append(
            warning(
                f"I dati OpenStreetMap scaricati non sono stati salvati in «{_shown(save_to, root)}» ({reason}): la mappa li "
                "usa lo stesso, ma la prossima volta verranno scaricati di nuovo."
            )
        )
        return OsmOutcome(data, None, True, problems, requests)
    if save_to != path:
        problems.append(trial_saved_note(save_to, _shown(path, root)))
    return OsmOutcome(data, str(save_to), True, problems, requests)
