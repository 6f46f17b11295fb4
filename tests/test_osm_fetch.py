"""The Overpass client and the OpenStreetMap stage against a real local server that misbehaves."""

from __future__ import annotations

import dataclasses
import socket
import time

import pytest

from stampa import __version__
from stampa.basemap.osm import freeze_osm_data, osm_data_for_views
from stampa.basemap.osm_store import frozen_osm_path, read_osm_gpkg, trial_osm_path
from stampa.basemap.overpass import OverpassError, _retry_after, fetch_overpass
from stampa.basemap.overpass_query import overpass_queries
from stampa.config import Sfondo
from stampa.problems import StampaError

from overpass_server import overpass_server  # noqa: F401 - fixture

X0, Y0 = 512177.0, 5003514.0  # Pavia's centre in EPSG:32632
DISTRICT = ((X0 - 10000, Y0 - 12000, X0 + 10000, Y0 + 12000), 90_000.0)
INSET = ((X0 - 1500, Y0 - 1500, X0 + 1500, Y0 + 1500), 25_000.0)
SHEET = ((X0 - 800, Y0 - 800, X0 + 800, Y0 + 800), 10_000.0)
VIEWS = [DISTRICT, INSET]


def queries():
    return overpass_queries(VIEWS, timeout_s=25)


def fetch(server, deadline_s=3.0, **kw):
    return fetch_overpass(server.url, queries(), contact="laboratori@csv.example", deadline_s=deadline_s, **kw)


def refused_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/api/interpreter"


# -- the client ----------------------------------------------------------------------------------


def test_user_agent_names_stampa_version_and_contact(overpass_server):
    fetch(overpass_server)
    agents = {r.user_agent for r in overpass_server.requests}
    assert agents == {f"stampa/{__version__} (+mappa laboratori sociali; laboratori@csv.example)"}


def test_queries_are_form_posts_with_a_timeout(overpass_server):
    result = fetch(overpass_server)
    assert [r.method for r in overpass_server.requests] == ["POST", "POST"]  # district + streets
    for r in overpass_server.requests:
        assert r.query.startswith("[out:json][timeout:25];")
        assert "out geom;" in r.query
    assert result.timestamp == "2026-11-28T10:00:00Z"
    assert result.requests == 2


def test_answers_come_gzipped_when_the_server_can(overpass_server):
    result = fetch(overpass_server)
    plain = sum(len(overpass_server.answer(r.query)) for r in overpass_server.requests)
    assert result.bytes_received < plain / 3
    overpass_server.gzip = False
    again = fetch(overpass_server)
    assert again.bytes_received == plain
    assert again.elements == result.elements


def test_one_request_at_a_time(overpass_server):
    overpass_server.delay_s = 0.1  # long enough for a second request to overlap, if one were sent
    fetch_overpass(overpass_server.url, overpass_queries([DISTRICT, INSET, SHEET], timeout_s=25), deadline_s=5)
    assert len(overpass_server.requests) == 3
    assert overpass_server.max_active == 1


# Retry-After is whole seconds: "0" checks the retry in the quick run, "1" the real wait.
@pytest.mark.parametrize("retry_after", ["0", pytest.param("1", marks=pytest.mark.lento)])
def test_429_retry_after_is_honoured_then_success(overpass_server, retry_after):
    overpass_server.mode, overpass_server.fail_times, overpass_server.retry_after = "429", 1, retry_after
    start = time.monotonic()
    result = fetch(overpass_server, deadline_s=5)
    elapsed = time.monotonic() - start
    assert len(overpass_server.requests) == 3  # 429, then the two queries
    assert overpass_server.requests[0].query == overpass_server.requests[1].query
    assert int(retry_after) - 0.1 <= elapsed < 4
    assert result.elements


def test_504_without_retry_after_backs_off_then_success(overpass_server):
    overpass_server.mode, overpass_server.fail_times, overpass_server.retry_after = "504", 2, None
    result = fetch(overpass_server, deadline_s=5, backoff_s=0.1)
    assert len(overpass_server.requests) == 4
    assert result.elements


def test_retry_after_forms():
    assert _retry_after("7") == 7.0
    assert _retry_after(None) is None and _retry_after("presto") is None
    assert _retry_after("Mon, 01 Jan 2001 00:00:00 GMT") == 0.0  # a date in the past: at once


def test_retry_after_longer_than_the_deadline_fails_at_once(overpass_server):
    overpass_server.mode, overpass_server.retry_after = "429", "60"
    start = time.monotonic()
    with pytest.raises(OverpassError) as info:
        fetch(overpass_server, deadline_s=3)
    assert time.monotonic() - start < 2.9  # at once: not after the 60 s asked, nor the 3 s deadline
    assert info.value.reason == "server occupato (HTTP 429): chiede di riprovare tra 60 s, oltre il tempo massimo di 3 s"
    assert len(overpass_server.requests) == 1


def test_500_is_retried_a_bounded_number_of_times(overpass_server):
    overpass_server.mode = "500"
    with pytest.raises(OverpassError) as info:
        fetch(overpass_server, deadline_s=5, backoff_s=0.05, retries=2)
    assert info.value.reason == "errore del server (HTTP 500) dopo 3 tentativi"
    assert len(overpass_server.requests) == 3


def test_400_is_not_retried(overpass_server):
    overpass_server.mode = "400"
    with pytest.raises(OverpassError) as info:
        fetch(overpass_server)
    assert info.value.reason == (
        'interrogazione rifiutata dal server (HTTP 400): «line 2: parse error: Unknown type "wy"»'
    )
    assert len(overpass_server.requests) == 1


FAULTS = {
    "blocca": "nessuna risposta completa entro il tempo massimo di {deadline_s:g} s",
    "goccia": "nessuna risposta completa entro il tempo massimo di {deadline_s:g} s",
    "troncata": "risposta incompleta (JSON troncato)",
    "troncata-gz": "risposta incompleta (JSON troncato)",
    "malformata": "risposta non valida (JSON malformato)",
    "html": (
        "il server ha risposto con una pagina HTML invece dei dati («runtime error: open64: 0 Success "
        "/osm3s_osm_base Dispatcher_Client::request_read_and_idx::timeout.»)"
    ),
    "vuota": "risposta vuota: nessun dato OpenStreetMap nell'area del distretto",
    "senza-elements": "risposta senza dati (manca «elements»)",
    "remark": (
        "il server non ha completato l'interrogazione («runtime error: Query timed out in \"query\" at line 3 "
        "after 25 seconds.»)"
    ),
}


# A hanging or dripping server costs the whole deadline: half a second in the quick run, whole
# seconds once in the full run.
SLOW_FAULTS = [pytest.param(m, 2.0, marks=pytest.mark.lento, id=f"{m}-2s") for m in ("blocca", "goccia")]


@pytest.mark.parametrize(("mode", "deadline_s"), [(m, 0.5) for m in sorted(FAULTS)] + SLOW_FAULTS)
def test_each_fault_gives_its_reason_within_the_deadline(overpass_server, mode, deadline_s):
    overpass_server.mode = mode
    overpass_server.drip_s = deadline_s / 5  # bytes keep coming, the answer never ends
    start = time.monotonic()
    with pytest.raises(OverpassError) as info:
        fetch(overpass_server, deadline_s=deadline_s)
    assert time.monotonic() - start < deadline_s + 1
    assert info.value.reason == FAULTS[mode].format(deadline_s=deadline_s)


def test_refused_connection():
    start = time.monotonic()
    with pytest.raises(OverpassError) as info:
        fetch_overpass(refused_url(), queries(), deadline_s=2)
    assert info.value.reason == "connessione rifiutata dal server"
    assert time.monotonic() - start < 1.9  # at once, before the 2 s deadline


def test_empty_answer_is_fine_for_buildings(overpass_server):
    """Only the district query must have data: a sheet over fields may have no buildings."""
    far = ((X0 + 9000, Y0 + 9000, X0 + 9500, Y0 + 9500), 10_000.0)
    result = fetch_overpass(overpass_server.url, overpass_queries([DISTRICT, far], timeout_s=25), deadline_s=3)
    assert len(overpass_server.requests) == 3
    assert not any(el.get("tags", {}).get("building") for el in result.elements)


# -- the stage -----------------------------------------------------------------------------------


def sfondo(server, **kw) -> Sfondo:
    return dataclasses.replace(Sfondo(), server_osm=server.url if hasattr(server, "url") else server, **kw)


@pytest.fixture(autouse=True)
def _no_env_server(monkeypatch):
    monkeypatch.delenv("STAMPA_SERVER_OSM", raising=False)


def test_stage_fetches_freezes_then_reads_without_requests(overpass_server, tmp_path):
    cfg = sfondo(overpass_server, tempo_massimo_s=10, contatto="csv@example.org")
    first = osm_data_for_views(cfg, VIEWS, root=tmp_path, year=2026)
    assert first.fetched and first.problems == []
    assert first.file == str(tmp_path / "dati" / "sfondo-osm-2026.gpkg")
    assert first.data.data_osm == "2026-11-28T10:00:00Z"
    assert all(first.data.covers(e, s) for e, s in VIEWS)
    assert set(first.data.features["strato"]) >= {"acqua", "strade", "luoghi", "ferrovia", "stazioni"}
    n = len(overpass_server.requests)
    assert n == 2

    again = osm_data_for_views(cfg, VIEWS, root=tmp_path, year=2026)
    assert not again.fetched and again.problems == []
    assert len(overpass_server.requests) == n  # zero requests
    assert again.data.features.equals(first.data.features)
    assert list((tmp_path / "dati").iterdir()) == [tmp_path / "dati" / "sfondo-osm-2026.gpkg"]


def test_stage_refresh_fetches_again(overpass_server, tmp_path):
    cfg = sfondo(overpass_server, tempo_massimo_s=10)
    osm_data_for_views(cfg, VIEWS, root=tmp_path, year=2026)
    out = osm_data_for_views(cfg, VIEWS, root=tmp_path, year=2026, refresh=True)
    assert out.fetched
    assert len(overpass_server.requests) == 4


def test_stage_fetches_again_when_a_view_is_not_covered(overpass_server, tmp_path):
    cfg = sfondo(overpass_server, tempo_massimo_s=10)
    osm_data_for_views(cfg, [DISTRICT], root=tmp_path, year=2026)
    assert len(overpass_server.requests) == 1
    out = osm_data_for_views(cfg, [DISTRICT, SHEET], root=tmp_path, year=2026)
    assert out.fetched and len(overpass_server.requests) == 4  # all needs again: district, streets, buildings
    assert "edifici" in set(out.data.features["strato"])
    assert read_osm_gpkg(out.file).covers(*SHEET)


def test_stage_env_variable_overrides_the_configured_server(overpass_server, tmp_path, monkeypatch):
    monkeypatch.setenv("STAMPA_SERVER_OSM", overpass_server.url)
    out = osm_data_for_views(sfondo(refused_url(), tempo_massimo_s=10), VIEWS, root=tmp_path, year=2026)
    assert out.fetched


def test_stage_falls_back_to_the_comune_outlines(tmp_path):
    url = refused_url()
    out = osm_data_for_views(sfondo(url, tempo_massimo_s=5), VIEWS, root=tmp_path, year=2026)
    assert out.data is None and out.file is None and not out.fetched
    assert [p.level for p in out.problems] == ["avviso"]
    assert out.problems[0].message == (
        f"Sfondo OpenStreetMap non disponibile dal server {url}: connessione rifiutata dal server. La mappa usa "
        "lo sfondo vettoriale (confini dei comuni). Controlla la connessione e «sfondo.server_osm», oppure "
        "congela lo sfondo con «stampa sfondo» quando la rete funziona."
    )
    assert not (tmp_path / "dati").exists() or not list((tmp_path / "dati").iterdir())


@pytest.mark.parametrize("tempo_massimo_s", [0.5, pytest.param(3.0, marks=pytest.mark.lento)])
@pytest.mark.parametrize("mode", ["blocca", "goccia"])
def test_stage_ends_within_tempo_massimo_whatever_the_server_does(overpass_server, tmp_path, mode, tempo_massimo_s):
    overpass_server.mode = mode
    overpass_server.drip_s = tempo_massimo_s / 5
    start = time.monotonic()
    out = osm_data_for_views(sfondo(overpass_server, tempo_massimo_s=tempo_massimo_s), VIEWS, root=tmp_path, year=2026)
    assert time.monotonic() - start < tempo_massimo_s + 1
    assert out.data is None
    assert out.problems[0].message.startswith(
        f"Sfondo OpenStreetMap non disponibile dal server {overpass_server.url}: nessuna risposta completa entro "
        f"il tempo massimo di {tempo_massimo_s:g} s. La mappa usa lo sfondo vettoriale"
    )


def test_stage_uses_an_older_partial_file_when_the_server_fails(overpass_server, tmp_path):
    cfg = sfondo(overpass_server, tempo_massimo_s=5)
    osm_data_for_views(cfg, [DISTRICT], root=tmp_path, year=2026)
    overpass_server.mode = "500"
    # A deadline shorter than the first back-off (2 s): the stage gives up after the first 500 at once.
    cfg = sfondo(overpass_server, tempo_massimo_s=1.5)
    out = osm_data_for_views(cfg, [DISTRICT, SHEET], root=tmp_path, year=2026)
    assert out.data is not None and not out.fetched
    assert out.file == str(tmp_path / "dati" / "sfondo-osm-2026.gpkg")
    assert out.problems[0].message == (
        f"Sfondo OpenStreetMap non aggiornato dal server {overpass_server.url}: errore del server (HTTP 500): "
        "nessuna risposta utile entro il tempo massimo di 1.5 s. La mappa usa i dati congelati in «dati/sfondo-osm-2026.gpkg» (dati OpenStreetMap del "
        "2026-11-28), che non coprono tutte le viste: dove mancano restano solo i confini dei comuni. Rifai "
        "«stampa sfondo» quando la rete funziona."
    )


def test_stage_refetches_over_a_damaged_frozen_file(overpass_server, tmp_path):
    path = frozen_osm_path(Sfondo(), tmp_path, 2026)
    path.parent.mkdir()
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    out = osm_data_for_views(sfondo(overpass_server, tempo_massimo_s=10), VIEWS, root=tmp_path, year=2026)
    assert out.fetched and out.data is not None
    assert out.problems[0].message.startswith("il file dello sfondo OpenStreetMap congelato non si può usare")
    assert out.problems[0].message.endswith("I dati vengono scaricati di nuovo.")
    read_osm_gpkg(path)  # replaced by a good one


def test_sfondo_command_raises_instead_of_falling_back(overpass_server, tmp_path):
    overpass_server.mode = "vuota"
    with pytest.raises(StampaError) as info:
        freeze_osm_data(sfondo(overpass_server, tempo_massimo_s=5), VIEWS, root=tmp_path, year=2026)
    (problem,) = info.value.problems
    assert problem.level == "errore"
    assert problem.where == "chiave «sfondo.server_osm»" and problem.value == overpass_server.url
    assert problem.message == (
        f"dati OpenStreetMap non scaricati dal server {overpass_server.url}: risposta vuota: nessun dato "
        "OpenStreetMap nell'area del distretto. Controlla la connessione e «sfondo.server_osm» (o la variabile "
        "d'ambiente STAMPA_SERVER_OSM), poi riprova più tardi."
    )


def test_sfondo_command_freezes(overpass_server, tmp_path):
    out = freeze_osm_data(sfondo(overpass_server, tempo_massimo_s=10), VIEWS, root=tmp_path, year=2026)
    assert out.fetched and out.file and read_osm_gpkg(out.file).data_osm == "2026-11-28T10:00:00Z"


def test_form_body_is_the_query(overpass_server):
    """The server saw exactly the text the query builder made (form-decoded)."""
    fetch(overpass_server)
    assert [r.query for r in overpass_server.requests] == [q.text for q in queries()]


def test_a_trial_never_replaces_the_editions_frozen_file(overpass_server, tmp_path, monkeypatch):
    """A trial build (other entries, folder or basemap) reads the edition's frozen data but keeps
    what it had to fetch in the cache: the edition's reprint stays the same."""
    monkeypatch.setenv("STAMPA_CACHE", str(tmp_path / "cache"))
    cfg = sfondo(overpass_server, tempo_massimo_s=10)
    edition = osm_data_for_views(cfg, [DISTRICT], root=tmp_path / "progetto", year=2026)
    frozen = frozen_osm_path(cfg, tmp_path / "progetto", 2026)
    before = frozen.read_bytes()
    asked = len(overpass_server.requests)

    # views the edition's file covers: read from it, no request, nothing to say
    same = osm_data_for_views(cfg, [DISTRICT], root=tmp_path / "progetto", year=2026, trial=True)
    assert same.file == edition.file and not same.fetched and same.problems == []
    assert len(overpass_server.requests) == asked

    # views it does not cover: fetched, kept in the cache, the edition's file untouched
    trial = osm_data_for_views(cfg, [DISTRICT, SHEET], root=tmp_path / "progetto", year=2026, trial=True)
    assert trial.fetched and trial.data.covers(*SHEET)
    assert trial.file == str(trial_osm_path(cfg, tmp_path / "progetto", 2026))
    assert trial.file.startswith(str(tmp_path / "cache"))
    assert frozen.read_bytes() == before
    (note,) = trial.problems
    assert note.message == (
        f"Edizione di prova: i dati OpenStreetMap scaricati per le sue viste sono salvati in «{trial.file}» e non "
        "in «dati/sfondo-osm-2026.gpkg», che resta quello dell'edizione. Se queste viste sono quelle "
        "dell'edizione, congelale con «stampa sfondo»."
    )
    asked = len(overpass_server.requests)

    # the same trial again: its own file, no request
    again = osm_data_for_views(cfg, [DISTRICT, SHEET], root=tmp_path / "progetto", year=2026, trial=True)
    assert again.file == trial.file and not again.fetched and again.problems == []
    assert len(overpass_server.requests) == asked

    # the real edition still finds only its own data (and fetches its new views into dati/)
    real = osm_data_for_views(cfg, [DISTRICT, SHEET], root=tmp_path / "progetto", year=2026)
    assert real.fetched and real.file == str(frozen)


def test_a_trial_without_a_server_uses_its_older_data(overpass_server, tmp_path, monkeypatch):
    monkeypatch.setenv("STAMPA_CACHE", str(tmp_path / "cache"))
    cfg = sfondo(overpass_server, tempo_massimo_s=10)
    osm_data_for_views(cfg, [DISTRICT], root=tmp_path, year=2026, trial=True)
    assert not frozen_osm_path(cfg, tmp_path, 2026).exists()
    gone = sfondo(refused_url(), tempo_massimo_s=5)
    out = osm_data_for_views(gone, [DISTRICT, SHEET], root=tmp_path, year=2026, trial=True)
    assert out.data is not None and not out.fetched
    assert out.file == str(trial_osm_path(cfg, tmp_path, 2026))
    assert out.problems[0].message.startswith("Sfondo OpenStreetMap non aggiornato dal server")
    assert "che non coprono tutte le viste" in out.problems[0].message
    assert not frozen_osm_path(cfg, tmp_path, 2026).exists()
