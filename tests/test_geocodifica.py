"""Geocoding end to end against a Nominatim-compatible server on 127.0.0.1 (tests/nominatim_server.py):
the service's rules (one request a second, one at a time, identified), every fault, the record
(cache and hand corrections), the commands, and offline rebuilds that give the same PDFs."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from stampa.cli import main
from stampa.geocoding import client as geoclient
from stampa.inputs import geocode_inputs, load_inputs

from nominatim_server import NominatimServer, nominatim_server  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[1]
HEADER = "id;nome;tipo;comune;indirizzo;latitudine;longitudine"
RECORD = "dati/geocodifica.csv"


def make_project(where: Path, rows: list[str], *, geocodifica: str = "") -> Path:
    shutil.copytree(ROOT / "layout", where / "layout")
    (where / "dati").mkdir()
    text = "\r\n".join([HEADER, *rows]) + "\r\n"
    (where / "dati" / "voci.csv").write_bytes(("\ufeff" + text).encode("utf-8"))
    toml = (ROOT / "stampa.toml").read_text(encoding="utf-8")
    toml = re.sub(r'(?m)^fonte = ".*"$', 'fonte = "vettoriale"', toml)
    toml = toml.replace('voci = "dati/voci-esempio.csv"', 'voci = "dati/voci.csv"')
    toml = toml.replace('formati = ["A3"]', "formati = []")
    if geocodifica:
        toml += "\n[geocodifica]\n" + geocodifica + "\n"
    (where / "stampa.toml").write_text(toml, encoding="utf-8")
    return where / "stampa.toml"


def use(monkeypatch, server: NominatimServer) -> None:
    monkeypatch.setenv("STAMPA_SERVER_GEOCODIFICA", server.url)


def geocode(config: Path):
    """load (record only) + ask the service: what `stampa geocodifica` does, without printing."""
    inputs = load_inputs(config, geocodifica="attesa")
    return geocode_inputs(inputs)


def messages(inputs, level: str = "errore") -> list[str]:
    return [p.format() for p in inputs.problems if p.level == level]


@pytest.fixture(autouse=True)
def _short_spacing(request, monkeypatch):
    """One request a second stays the code's default, and the ``lento`` tests check it for real;
    the others space requests by 20 ms and back off for 50 ms, so the quick run does not wait a
    second per test. The spacing is process-wide: each test starts as a fresh process would, without
    waiting for the previous test's last answer."""
    monkeypatch.setattr(geoclient, "_last_end", [float("-inf")])
    if request.node.get_closest_marker("lento") is None:
        monkeypatch.setattr(geoclient, "MIN_INTERVAL_S", 0.02)
        monkeypatch.setattr(geoclient, "BACKOFF_S", 0.05)


# -- the service's rules ---------------------------------------------------------------------------

@pytest.mark.lento  # three real seconds: the public service's rule, not lowered
def test_one_request_a_second_one_at_a_time_identified(tmp_path, monkeypatch, nominatim_server):
    use(monkeypatch, nominatim_server)
    config = make_project(tmp_path, [
        "A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;",
        "A2;Gioco;gruppo;Pavia;Corso Mazzini 14;;",
        "A3;Vittoria;gruppo;Pavia;P.zza della Vittoria 15;;",
    ])
    start = time.monotonic()
    inputs, asked = geocode(config)
    elapsed = time.monotonic() - start
    assert messages(inputs) == []
    reqs = nominatim_server.requests
    assert len(reqs) == 3 and asked.requests == 3
    assert min(nominatim_server.gaps()) >= 0.95
    assert nominatim_server.max_active == 1
    assert elapsed < 30
    assert all(r.user_agent.startswith("stampa/") and "m.piccio@csvlombardia.it" in r.user_agent for r in reqs)
    first = reqs[0].params
    assert (first["street"], first["city"], first["country"], first["countrycodes"]) == ("40 Piazzale Torino", "Pavia", "Italia", "it")
    assert (first["format"], first["addressdetails"], first["bounded"]) == ("jsonv2", "1", "0")
    west, north, east, south = map(float, first["viewbox"].split(","))
    assert west < 8.96 and east > 9.24 and south < 45.08 and north > 45.25
    by_id = {e.id: e for e in inputs.edition.entries}
    assert (by_id["A1"].lat, by_id["A1"].lon) == (45.1905, 9.142)
    assert {e.position_from for e in by_id.values()} == {"geocodificata"}
    assert {e.precision for e in by_id.values()} == {"civico"}


@pytest.mark.parametrize("retry_after", ["0", pytest.param("1", marks=pytest.mark.lento)])
@pytest.mark.parametrize("status", ["429", "503"])
def test_busy_waits_retry_after_then_answers(tmp_path, monkeypatch, status, retry_after):
    """Retry-After is whole seconds: "0" checks the retry in the quick run, "1" the real wait."""
    server = NominatimServer(mode=status, fail_times=1, retry_after=retry_after)
    try:
        use(monkeypatch, server)
        config = make_project(tmp_path, ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;"])
        inputs, asked = geocode(config)
        assert messages(inputs) == []
        (gap,) = server.gaps()
        assert len(server.requests) == 2 and gap >= max(int(retry_after), geoclient.MIN_INTERVAL_S) - 0.05
        assert server.max_active == 1
        assert inputs.edition.entries[0].position_from == "geocodificata"
    finally:
        server.stop()


def _failure_messages(tmp_path, monkeypatch, server, *, geocodifica: str = "", rows=None):
    use(monkeypatch, server)
    rows = rows or ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;", "A2;Gioco;gruppo;Pavia;Corso Mazzini 14;;"]
    config = make_project(tmp_path, rows, geocodifica=geocodifica)
    start = time.monotonic()
    inputs, asked = geocode(config)
    return messages(inputs), time.monotonic() - start, asked, config


def _no_answer(server: str, why: str, row: int, typed: str) -> str:
    return (
        f"{{voci}}, riga {row}, campo «indirizzo», valore «{typed}»: posizione non trovata: il servizio di geocodifica "
        f"{server} non ha risposto ({why}). Scrivi latitudine e longitudine nel file, oppure rilancia «stampa "
        "geocodifica» quando il servizio risponde."
    )


def _expected(config: Path, server: str, why: str) -> list[str]:
    voci = str(config.parent / "dati" / "voci.csv")
    return [_no_answer(server, why, 2, "P.le Torino 40").format(voci=voci),
            _no_answer(server, why, 3, "Corso Mazzini 14").format(voci=voci)]


def test_retry_after_beyond_the_deadline_fails_at_once(tmp_path, monkeypatch):
    server = NominatimServer(mode="429", retry_after="120")
    try:
        errors, elapsed, asked, config = _failure_messages(tmp_path, monkeypatch, server, geocodifica="tempo_massimo_s = 20")
        assert errors == _expected(config, server.url, "servizio occupato (HTTP 429): chiede di riprovare tra 120 s, oltre il tempo massimo di 20 s")
        assert elapsed < 10 and len(server.requests) == 1
    finally:
        server.stop()


@pytest.mark.parametrize("timeout_s", ["0.5", pytest.param("1", marks=pytest.mark.lento)])
@pytest.mark.parametrize("mode", ["blocca", "goccia"])
def test_hanging_or_dripping_server_ends_by_the_timeout(tmp_path, monkeypatch, mode, timeout_s):
    """0.5 s is the shortest timeout the configuration accepts; whole seconds in the full run."""
    server = NominatimServer(mode=mode, drip_s=float(timeout_s) / 5)  # bytes keep coming, the answer never ends
    try:
        errors, elapsed, asked, config = _failure_messages(tmp_path, monkeypatch, server,
                                                           geocodifica=f"timeout_s = {timeout_s}")
        assert errors == _expected(config, server.url, f"nessuna risposta completa entro {timeout_s} s")
        assert len(server.requests) == 1  # the second address is not asked: the service is not answering
        assert elapsed < 10
    finally:
        server.stop()


def test_malformed_answer(tmp_path, monkeypatch):
    server = NominatimServer(mode="malformata")
    try:
        errors, elapsed, asked, config = _failure_messages(tmp_path, monkeypatch, server)
        assert errors == _expected(config, server.url, "risposta non valida (JSON malformato)")
    finally:
        server.stop()


def test_server_errors_retry_then_fail(tmp_path, monkeypatch):
    server = NominatimServer(mode="500")
    try:
        errors, elapsed, asked, config = _failure_messages(tmp_path, monkeypatch, server, geocodifica="tentativi = 1")
        assert errors == _expected(config, server.url, "errore del servizio (HTTP 500) anche dopo 2 tentativi")
        assert len(server.requests) == 2
    finally:
        server.stop()


def test_without_network_every_address_is_an_error_at_once(tmp_path, monkeypatch):
    server = NominatimServer()
    server.stop()  # nothing listens on its port any more
    errors, elapsed, asked, config = _failure_messages(tmp_path, monkeypatch, server)
    assert errors == _expected(config, server.url, "connessione rifiutata dal server")
    assert elapsed < 5


def test_a_service_address_that_is_not_http_is_refused_without_a_request(tmp_path, monkeypatch):
    monkeypatch.setenv("STAMPA_SERVER_GEOCODIFICA", "ftp://nominatim.example.org")
    config = make_project(tmp_path, ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;", "A2;Gioco;gruppo;Pavia;Corso Mazzini 14;;"])
    inputs, asked = geocode(config)
    assert messages(inputs) == _expected(
        config, "ftp://nominatim.example.org",
        "indirizzo del servizio non valido: scrivi un indirizzo http(s) in «geocodifica.server» o nella variabile "
        "d'ambiente STAMPA_SERVER_GEOCODIFICA")
    assert asked.requests == 0


# -- checks on each answer -------------------------------------------------------------------------

def _one(tmp_path, monkeypatch, mode: str, row: str = "A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;"):
    server = NominatimServer(mode=mode)
    try:
        use(monkeypatch, server)
        config = make_project(tmp_path, [row])
        inputs, asked = geocode(config)
        return inputs, config, server
    finally:
        server.stop()


def test_not_found_is_an_error_saying_what_to_do_and_is_cached(tmp_path, monkeypatch):
    inputs, config, server = _one(tmp_path, monkeypatch, "vuota")
    voci = config.parent / "dati" / "voci.csv"
    assert messages(inputs) == [
        f"{voci}, riga 2, campo «indirizzo», valore «P.le Torino 40»: indirizzo non trovato dal servizio di "
        "geocodifica (cercato «Piazzale Torino 40, Pavia»): controlla come sono scritti via e numero civico, oppure "
        "scrivi latitudine e longitudine nel file, oppure correggi la riga 2 del registro dati/geocodifica.csv (lat, "
        "lon e «sì» in «corretto»)."
    ]
    record = (config.parent / RECORD).read_text(encoding="utf-8-sig").splitlines()
    assert record[1].startswith("P.le Torino 40;Pavia;Piazzale Torino 40, Pavia;;;non trovato;;")
    # The answer is cached: asking again sends nothing.
    again = NominatimServer()
    try:
        use(monkeypatch, again)
        inputs, asked = geocode(config)
        assert asked is None and again.requests == []
        assert len(messages(inputs)) == 1
    finally:
        again.stop()


def test_not_found_without_a_house_number_says_to_add_it(tmp_path, monkeypatch):
    inputs, config, server = _one(tmp_path, monkeypatch, "vuota", "A1;Cascina;gruppo;Pavia;Via Riviera snc;;")
    (message,) = messages(inputs)
    assert ": indirizzo non trovato dal servizio di geocodifica (cercato «Via Riviera, Pavia»): aggiungi il numero " \
           "civico o correggi l'indirizzo, oppure scrivi latitudine e longitudine nel file" in message
    assert server.requests[0].params["street"] == "Via Riviera"


def test_several_places_is_ambiguous(tmp_path, monkeypatch):
    inputs, config, server = _one(tmp_path, monkeypatch, "molti", "A1;Roma;gruppo;Pavia;Via Roma;;")
    voci = config.parent / "dati" / "voci.csv"
    assert messages(inputs) == [
        f"{voci}, riga 2, campo «indirizzo», valore «Via Roma»: indirizzo ambiguo: il servizio di geocodifica ha "
        "trovato più luoghi per «Via Roma, Pavia» (Via Roma, Centro, Pavia, Lombardia, Italia | Via Roma, Fossarmato, "
        "Pavia, Lombardia, Italia): aggiungi il numero civico, oppure scrivi latitudine e longitudine nel file, oppure "
        "correggi la riga 2 del registro dati/geocodifica.csv (lat, lon e «sì» in «corretto»)."
    ]


def test_found_in_another_comune(tmp_path, monkeypatch):
    inputs, config, server = _one(tmp_path, monkeypatch, "altro-comune")
    voci = config.parent / "dati" / "voci.csv"
    assert messages(inputs) == [
        f"{voci}, riga 2, campo «indirizzo», valore «P.le Torino 40»: l'indirizzo trovato dal servizio di geocodifica "
        "(«40, Piazzale Torino, San Martino Siccomario, Lombardia, Italia») è a San Martino Siccomario, non a Pavia: "
        "controlla via e comune nel file, oppure scrivi latitudine e longitudine, oppure correggi la riga 2 del "
        "registro dati/geocodifica.csv (lat, lon e «sì» in «corretto»)."
    ]


def test_found_outside_the_district(tmp_path, monkeypatch):
    inputs, config, server = _one(tmp_path, monkeypatch, "fuori")
    voci = config.parent / "dati" / "voci.csv"
    assert messages(inputs) == [
        f"{voci}, riga 2, campo «indirizzo», valore «P.le Torino 40»: l'indirizzo trovato dal servizio di geocodifica "
        "(«40, Piazzale Torino, Milano, Lombardia, Italia») cade nel comune di Milano (MI), fuori dal Distretto sociale "
        "pavese: controlla via e comune nel file, oppure scrivi latitudine e longitudine, oppure correggi la riga 2 "
        "del registro dati/geocodifica.csv (lat, lon e «sì» in «corretto»)."
    ]


def test_less_than_the_house_number_is_a_warning_listing_the_entries(tmp_path, monkeypatch):
    inputs, config, server = _one(tmp_path, monkeypatch, "via", "A1;Roma;gruppo;Pavia;Via Roma 3;;")
    voci = config.parent / "dati" / "voci.csv"
    assert messages(inputs) == []
    assert messages(inputs, "avviso") == [
        f"{voci}: 1 voce è collocata con meno precisione del numero civico: riga 2 «Roma» (Via Roma 3, Pavia): "
        "solo la via. Controlla i punti sulla mappa: per spostarne uno aggiungi il numero civico, oppure scrivi "
        "latitudine e longitudine nel file, oppure correggi la riga nel registro dati/geocodifica.csv (lat, lon e "
        "«sì» in «corretto»)."
    ]
    assert inputs.edition.entries[0].precision == "via"


def test_comune_missing_or_unknown(tmp_path, monkeypatch, nominatim_server):
    use(monkeypatch, nominatim_server)
    config = make_project(tmp_path, [
        "A1;Senza;gruppo;;Via Roma 3;;",
        "A2;Fuori;gruppo;Certosa di Pavia;Via Roma 3;;",
        "A3;Scritto;gruppo;;Piazzale Torino 40, 27100 Pavia;;",
    ])
    inputs, asked = geocode(config)
    voci = config.parent / "dati" / "voci.csv"
    assert messages(inputs) == [
        f"{voci}, riga 2, campo «comune», valore «»: per cercare l'indirizzo serve il comune: scrivilo nella colonna "
        "«comune» (uno dei comuni del Distretto sociale pavese), oppure scrivi latitudine e longitudine.",
        f"{voci}, riga 3, campo «comune», valore «Certosa di Pavia»: il comune Certosa di Pavia (PV) non fa parte del "
        "Distretto sociale pavese: togli la voce o correggi il comune.",
    ]
    assert [e.id for e in inputs.edition.entries] == ["A3"]  # the comune written in the address is used
    assert nominatim_server.requests[0].params["street"] == "40 Piazzale Torino"


# -- the record ------------------------------------------------------------------------------------

def test_record_is_an_excel_csv_and_the_entries_file_is_never_modified(tmp_path, monkeypatch, nominatim_server):
    use(monkeypatch, nominatim_server)
    config = make_project(tmp_path, ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;", "A2;Sant;gruppo;Pavia;Via Sant'Ennodio 2;;"])
    voci = config.parent / "dati" / "voci.csv"
    before = voci.read_bytes()
    assert main(["geocodifica", "--config", str(config)]) == 0
    assert voci.read_bytes() == before
    raw = (config.parent / RECORD).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfindirizzo;comune;ricerca;lat;lon;precisione;luogo trovato;data;fonte;corretto\r\n")
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert re.fullmatch(
        r"P\.le Torino 40;Pavia;Piazzale Torino 40, Pavia;45,190500;9,142000;civico;40, Piazzale Torino, Vallone, "
        r"Pavia, Lombardia, Italia;\d{4}-\d\d-\d\d;servizio;", lines[1])
    assert lines[2].startswith("Via Sant'Ennodio 2;Pavia;Via Sant'Ennodio 2, Pavia;45,187200;9,153000;civico;")
    assert not list((config.parent / "dati").glob(".*.tmp"))  # written atomically, nothing left over
    # Nothing new to ask: the record is not rewritten.
    stamp = (config.parent / RECORD).stat().st_mtime_ns
    assert main(["geocodifica", "--config", str(config)]) == 0
    assert (config.parent / RECORD).stat().st_mtime_ns == stamp and len(nominatim_server.requests) == 2


def test_hand_correction_wins_and_is_never_overwritten(tmp_path, monkeypatch, nominatim_server):
    use(monkeypatch, nominatim_server)
    config = make_project(tmp_path, ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;", "A2;Gioco;gruppo;Pavia;Corso Mazzini 14;;"])
    hand = "P.le Torino 40;Pavia;Piazzale Torino 40, Pavia;45,1910;9,1430;civico;ingresso dal cortile;2026-11-01;corretto a mano;sì"
    (config.parent / RECORD).write_bytes(
        ("\ufeffindirizzo;comune;ricerca;lat;lon;precisione;luogo trovato;data;fonte;corretto;note\r\n" + hand + ";citofono 3\r\n").encode()
    )
    inputs, asked = geocode(config)
    assert messages(inputs) == []
    assert [r.params["street"] for r in nominatim_server.requests] == ["14 Corso Mazzini"]
    a1 = next(e for e in inputs.edition.entries if e.id == "A1")
    assert (a1.lat, a1.lon, a1.position_from, a1.precision) == (45.191, 9.143, "corretta a mano", "")
    lines = (config.parent / RECORD).read_bytes().decode("utf-8-sig").split("\r\n")
    assert lines[1] == hand + ";citofono 3"  # kept as staff wrote it, their extra column too
    assert lines[2].startswith("Corso Mazzini 14;Pavia;")


def test_corretto_si_marks_an_edited_service_row(tmp_path, monkeypatch, nominatim_server):
    use(monkeypatch, nominatim_server)
    config = make_project(tmp_path, ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;"])
    (config.parent / RECORD).write_bytes(
        "\ufeffindirizzo;comune;ricerca;lat;lon;precisione;luogo trovato;data;fonte;corretto\r\n"
        "p.le torino 40;PAVIA;;45.1911;9.1431;non trovato;;;servizio;SI\r\n".encode()
    )
    inputs = load_inputs(config, geocodifica="controlla")
    assert messages(inputs) == [] and nominatim_server.requests == []
    e = inputs.edition.entries[0]
    assert (e.lat, e.lon, e.position_from) == (45.1911, 9.1431, "corretta a mano")


def test_coordinates_written_on_a_not_found_row_count_as_a_correction(tmp_path, monkeypatch, nominatim_server):
    use(monkeypatch, nominatim_server)
    config = make_project(tmp_path, ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;"])
    (config.parent / RECORD).write_bytes(
        "\ufeffindirizzo;comune;ricerca;lat;lon;precisione;luogo trovato;data;fonte;corretto\r\n"
        "P.le Torino 40;Pavia;Piazzale Torino 40, Pavia;45,1906;9,1421;non trovato;;2026-11-01;servizio;\r\n".encode()
    )
    inputs, asked = geocode(config)
    assert asked is None and nominatim_server.requests == [] and messages(inputs) == []
    assert inputs.edition.entries[0].position_from == "corretta a mano"


def test_a_record_with_unreadable_rows_is_not_rewritten(tmp_path, monkeypatch, nominatim_server, capsys):
    use(monkeypatch, nominatim_server)
    config = make_project(tmp_path, ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;"])
    bad = ("\ufeffindirizzo;comune;ricerca;lat;lon;precisione;luogo trovato;data;fonte;corretto\r\n"
           "Via Roma 1;Pavia;;45,19x;9,14;civico;;;servizio;\r\n").encode()
    (config.parent / RECORD).write_bytes(bad)
    assert main(["geocodifica", "--config", str(config)]) == 1
    assert (config.parent / RECORD).read_bytes() == bad  # the unreadable row is not lost
    assert "Registro NON aggiornato (dati/geocodifica.csv): correggi prima le sue righe segnalate" in capsys.readouterr().out


def test_bad_rows_of_the_record(tmp_path, monkeypatch):
    config = make_project(tmp_path, ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;"])
    (config.parent / RECORD).write_bytes(
        "\ufeffindirizzo;comune;ricerca;lat;lon;precisione;luogo trovato;data;fonte;corretto\r\n"
        "P.le Torino 40;Pavia;;45,19x;9,14;civico;;;servizio;\r\n"
        "Corso Mazzini 14;Pavia;;;;;;;corretto a mano;sì\r\n"
        "Via Roma 1;Pavia;;45,1911;9,30;;;;corretto a mano;\r\n".encode()
    )
    config.parent.joinpath("dati", "voci.csv").write_bytes(
        ("\ufeff" + HEADER + "\r\nA1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;\r\nA2;Roma;gruppo;Pavia;Via Roma 1;;\r\n").encode())
    inputs = load_inputs(config, geocodifica="controlla")
    record = config.parent / RECORD
    voci = config.parent / "dati" / "voci.csv"
    assert messages(inputs) == [
        f"{record}, riga 2, campo «lat», valore «45,19x»: coordinata non valida nel registro delle posizioni: scrivi "
        "un numero in gradi, con la virgola o il punto (es. 45,18610 e 9,16080).",
        f"{record}, riga 3, campo «lat», valore «Corso Mazzini 14»: la riga è segnata come corretta a mano ma mancano "
        "lat e lon: scrivi le coordinate del punto (es. 45,18610 e 9,16080), oppure togli «sì» da «corretto» per "
        "chiedere di nuovo al servizio.",
        f"{voci}, riga 3, campo «indirizzo», valore «Via Roma 1»: il punto corretto a mano nella riga 4 del registro "
        "dati/geocodifica.csv cade nel comune di Filighera (PV), fuori dal Distretto sociale pavese: correggi "
        "lat e lon in quella riga, oppure il comune nel file.",
    ]


def test_interrupted_run_keeps_the_answers_already_received(tmp_path, monkeypatch, nominatim_server):
    use(monkeypatch, nominatim_server)
    config = make_project(tmp_path, ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;", "A2;Gioco;gruppo;Pavia;Corso Mazzini 14;;"])
    inputs = load_inputs(config, geocodifica="attesa")

    def ctrl_c(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        geocode_inputs(inputs, progress=ctrl_c)
    lines = (config.parent / RECORD).read_bytes().decode("utf-8-sig").split("\r\n")
    assert lines[1].startswith("P.le Torino 40;Pavia;") and lines[2] == ""
    inputs, asked = geocode(config)  # the next run asks only for the rest
    assert [r.params["street"] for r in nominatim_server.requests] == ["40 Piazzale Torino", "14 Corso Mazzini"]
    assert messages(inputs) == []


def test_a_point_corrected_while_the_service_is_asked_is_kept(tmp_path, monkeypatch, nominatim_server):
    """300 addresses take 5 minutes: meanwhile staff may move a point from the app (or edit the
    record). The answers are added to the record as it is when they are written: the correction stays."""
    from stampa.app.corrections import correct_point

    use(monkeypatch, nominatim_server)
    config = make_project(tmp_path, ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;", "A2;Gioco;gruppo;Pavia;Corso Mazzini 14;;"])
    assert main(["geocodifica", "--config", str(config)]) == 0  # both answered once
    record = config.parent / RECORD
    record.write_bytes(record.read_bytes() + b"Via Nuova 1;Pavia;;;;;;;;\r\n")  # a row staff added
    (config.parent / "dati" / "voci.csv").write_bytes((
        "\ufeff" + HEADER + "\r\nA1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;\r\nA2;Gioco;gruppo;Pavia;Corso Mazzini 14;;\r\n"
        "A3;Terzo;gruppo;Pavia;Piazza della Vittoria 15;;\r\nA4;Quarto;gruppo;Pavia;Strada Nuova 65;;\r\n").encode())
    inputs = load_inputs(config, geocodifica="attesa")
    assert inputs.geocoding.pending == 2

    def moved_meanwhile(done, total):  # after the first answer, before the second
        if done == 1:
            correct_point(load_inputs(config, geocodifica="controlla"), "riga 2", 45.1911, 9.1431)

    placed, asked = geocode_inputs(inputs, progress=moved_meanwhile)
    assert messages(placed) == [] and asked.written and asked.answers == 2
    lines = record.read_bytes().decode("utf-8-sig").split("\r\n")
    assert re.fullmatch(r"P\.le Torino 40;Pavia;Piazzale Torino 40, Pavia;45,191100;9,143100;civico;.*;corretto a mano;sì",
                        lines[1])
    assert [line.split(";")[0] for line in lines[1:-1]] == [
        "P.le Torino 40", "Corso Mazzini 14", "Via Nuova 1", "Piazza della Vittoria 15", "Strada Nuova 65"]
    by_id = {e.id: e for e in placed.edition.entries}
    assert (by_id["A1"].lat, by_id["A1"].lon, by_id["A1"].position_from) == (45.1911, 9.1431, "corretta a mano")
    assert {by_id[k].position_from for k in ("A2", "A3", "A4")} == {"geocodificata"}


def test_a_position_in_the_file_always_wins(tmp_path, monkeypatch, nominatim_server):
    use(monkeypatch, nominatim_server)
    config = make_project(tmp_path, ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;45,1900;9,1400"])
    inputs, asked = geocode(config)
    assert asked is None and nominatim_server.requests == []
    assert inputs.edition.entries[0].position_from == "file"
    assert not (config.parent / RECORD).exists()


def test_many_addresses_in_bulk(tmp_path, monkeypatch, nominatim_server):
    use(monkeypatch, nominatim_server)
    rows = [f"S{i:03d};Voce {i};gruppo;{c};Via Sintetica {i};;" for i, c in
            zip(range(40), ["Pavia", "Sommo", "Zinasco", "Cava Manara", "Torre d'Isola"] * 8)]
    rows.append("S999;Doppia;gruppo;Pavia;via  sintetica 0;;")  # the same address: asked once
    config = make_project(tmp_path, rows)
    inputs, asked = geocode(config)
    assert messages(inputs) == []
    assert len(inputs.edition.entries) == 41 and len(nominatim_server.requests) == 40
    assert min(nominatim_server.gaps()) >= 0.01 and nominatim_server.max_active == 1


# -- the commands ----------------------------------------------------------------------------------

def test_controlla_uses_the_record_only_and_lists_what_is_missing(tmp_path, monkeypatch, nominatim_server, capsys):
    use(monkeypatch, nominatim_server)
    config = make_project(tmp_path, ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;", "A2;Gioco;gruppo;Pavia;;45,1861;9,1608"])
    assert main(["controlla", "--config", str(config)]) == 0
    assert nominatim_server.requests == [] and not (config.parent / RECORD).exists()
    err = capsys.readouterr().err
    voci = config.parent / "dati" / "voci.csv"
    assert (
        f"AVVISO {voci}: 1 voce ha l'indirizzo ma non ancora la posizione: riga 2 «Spazio Q» (P.le Torino 40, "
        "Pavia). «stampa geocodifica» (o «stampa edizione») le cercherà con il servizio di geocodifica (serve la "
        "rete); oppure scrivi latitudine e longitudine nel file."
    ) in err


def test_geocodifica_command_prints_where_positions_come_from(tmp_path, monkeypatch, nominatim_server, capsys):
    monkeypatch.setattr(geoclient, "MIN_INTERVAL_S", 1.0)  # the estimate printed; one request: no wait
    use(monkeypatch, nominatim_server)
    config = make_project(tmp_path, ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;", "A2;Gioco;gruppo;Pavia;;45,1861;9,1608"])
    assert main(["geocodifica", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert f"Geocodifica: 1 indirizzo da cercare con il servizio {nominatim_server.url} (uno al secondo, circa 1 s)." in out
    assert "Geocodifica ━" in out and "1/1 · tempo rimasto 0:00" in out  # the progress bar, with the time left
    assert "Registro aggiornato: dati/geocodifica.csv — 1 indirizzo cercato (1 richiesta, " in out
    assert "Posizioni: 1 dal file, 1 geocodificate (1 al numero civico)." in out
    assert "  riga 2 «Spazio Q»: geocodificata (civico) — P.le Torino 40, Pavia" in out
    assert main(["controlla", "--config", str(config)]) == 0
    assert "Posizioni: 1 dal file, 1 geocodificate (1 al numero civico)." in capsys.readouterr().out


def _pdfs(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.glob("*.pdf"))}


@pytest.mark.lento  # two whole builds
def test_edizione_geocodes_then_rebuilds_offline_byte_identical(tmp_path, monkeypatch):
    server = NominatimServer()
    use(monkeypatch, server)
    config = make_project(tmp_path, [
        "A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;",
        "A2;Gioco;gruppo;Pavia;;45,1861;9,1608",
        "A3;Roma;gruppo;San Martino Siccomario;V. Roma 35;;",
    ])
    try:
        assert main(["edizione", "--config", str(config), "--out", str(tmp_path / "a"), "--sfondo", "vettoriale", "--senza-verifica"]) == 0
        assert len(server.requests) == 2
    finally:
        server.stop()
    # The server is gone: the record alone places the same entries, the PDFs are the same bytes.
    assert main(["edizione", "--config", str(config), "--out", str(tmp_path / "b"), "--sfondo", "vettoriale", "--senza-verifica"]) == 0
    a, b = _pdfs(tmp_path / "a"), _pdfs(tmp_path / "b")
    assert a and a == b
    report = json.loads((tmp_path / "b" / "rapporto.json").read_text(encoding="utf-8"))
    where = {v["id"]: (v.get("posizione"), v.get("precisione")) for v in report["voci"]}
    assert where == {"A1": ("geocodificata", "civico"), "A2": ("file", None), "A3": ("geocodificata", "civico")}
    assert "geocodifica" in json.loads((tmp_path / "a" / "rapporto.json").read_text(encoding="utf-8"))["tempi_s"]
    page = (tmp_path / "b" / "web" / "index.html").read_text(encoding="utf-8")
    assert '"posizione":"geocodificata","precisione":"civico"' in page.replace(" ", "")


def test_the_apps_build_shows_the_geocoding_with_the_time_left(tmp_path, monkeypatch, nominatim_server):
    """`stampa edizione` shows a progress bar; the app's build (no terminal) shows a stage that says
    how many addresses are done and the time left, then how many were looked up."""
    import stampa.inputs as inputs_module
    from stampa.app.jobs import Builder

    monkeypatch.setattr(geoclient, "MIN_INTERVAL_S", 1.0)  # the estimate shown: one a second
    monkeypatch.setattr(geoclient, "_last_end", [time.monotonic() - 2.0])  # no real wait before the first
    use(monkeypatch, nominatim_server)
    config = make_project(tmp_path, ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;", "A2;Gioco;gruppo;Pavia;;45,1861;9,1608"])
    builder = Builder(config)
    seen: list[dict] = []
    real = inputs_module.geocode_inputs

    def watched(inputs, progress=None):  # the stage as the page polls it, before and after the answer
        seen.append(dict(builder.job.as_dict()["fasi"][-1]))

        def step(done, total):
            progress(done, total)
            seen.append(dict(builder.job.as_dict()["fasi"][-1]))
        return real(inputs, progress=step)

    monkeypatch.setattr(inputs_module, "geocode_inputs", watched)
    job = builder.start(config.parent / "out")
    builder.wait(120)
    assert job.state == "fatto", job.problems
    assert seen == [
        {"chiave": "geocodifica", "etichetta": "Geocodifica degli indirizzi nuovi: 0 di 1, uno al secondo (tempo rimasto 0:01)",
         "secondi": None},
        {"chiave": "geocodifica", "etichetta": "Geocodifica degli indirizzi nuovi: 1 di 1, uno al secondo (tempo rimasto 0:00)",
         "secondi": None},
    ]
    stages = job.as_dict()["fasi"]
    assert [f["chiave"] for f in stages] == ["dati", "geocodifica", "mappa", "web", "verifica"]
    assert stages[1]["etichetta"] == "Geocodifica degli indirizzi nuovi: 1 cercato" and stages[1]["secondi"] is not None


def test_edizione_offline_names_every_address_at_once(tmp_path, capsys):
    config = make_project(tmp_path, ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;", "A2;Gioco;gruppo;Pavia;Corso Mazzini 14;;"])
    start = time.monotonic()
    assert main(["edizione", "--config", str(config), "--out", str(tmp_path / "out"), "--sfondo", "vettoriale"]) == 1
    assert time.monotonic() - start < 20
    err = capsys.readouterr().err
    assert err.count("posizione non trovata: il servizio di geocodifica http://127.0.0.1:") == 2
    assert "(connessione rifiutata dal server)" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "rapporto.json").exists()


def test_sfondo_and_other_record_only_commands_name_missing_addresses(tmp_path):
    config = make_project(tmp_path, ["A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;"])
    inputs = load_inputs(config)  # the default: the record only, what is missing is an error
    voci = config.parent / "dati" / "voci.csv"
    assert messages(inputs) == [
        f"{voci}, riga 2, campo «indirizzo», valore «P.le Torino 40»: manca la posizione: l'indirizzo non è ancora "
        "nel registro delle posizioni (dati/geocodifica.csv). Lancia «stampa geocodifica» (serve la rete) oppure "
        "scrivi latitudine e longitudine nel file."
    ]


# -- frazioni and the spelling of comuni ------------------------------------------------------------

def test_a_frazione_in_the_address_picks_the_street_in_it(tmp_path, monkeypatch, nominatim_server):
    """«Via Roma» is in the capoluogo and in Fossarmato: the address that names the frazione is not ambiguous."""
    nominatim_server.street_modes["via roma"] = "molti"
    use(monkeypatch, nominatim_server)
    config = make_project(tmp_path, ["A1;Roma;gruppo;Pavia;Fraz. Fossarmato, Via Roma;;"])
    inputs, asked = geocode(config)
    assert messages(inputs) == []
    (request,) = nominatim_server.requests
    assert (request.params["street"], request.params["city"]) == ("Via Roma", "Pavia")
    (entry,) = inputs.edition.entries
    assert (entry.lat, entry.precision) == (pytest.approx(45.1942 + 0.018), "via")
    record = (config.parent / RECORD).read_text(encoding="utf-8-sig").splitlines()
    assert record[1].startswith("Fraz. Fossarmato, Via Roma;Pavia;Via Roma, Fossarmato, Pavia;")


def test_a_comune_spelt_without_its_accent_matches_the_record(tmp_path, monkeypatch):
    """«Travaco' Siccomario», «TRAVACO SICCOMARIO», «TRAVACÒ SICCOMARIO»: one comune, in the entries
    file as in the record (no request: the conftest's service is nowhere)."""
    config = make_project(tmp_path, [
        "T1;Uno;gruppo;TRAVACÒ SICCOMARIO;Via Marconi 3;;",
        "T2;Due;gruppo;Travaco Siccomario;Via Marconi 3;;",
    ])
    (tmp_path / RECORD).write_bytes((
        "\ufeffindirizzo;comune;ricerca;lat;lon;precisione;luogo trovato;data;fonte;corretto\r\n"
        "Via Marconi 3;Travaco' Siccomario;;45,147500;9,179700;civico;;2026-11-30;corretto a mano;sì\r\n"
    ).encode("utf-8"))
    inputs, asked = geocode(config)
    assert messages(inputs) == [] and asked is None
    assert {(e.id, e.comune, e.lat, e.position_from) for e in inputs.edition.entries} == {
        ("T1", "Travacò Siccomario", 45.1475, "corretta a mano"),
        ("T2", "Travacò Siccomario", 45.1475, "corretta a mano"),
    }


def test_counts_of_one_are_singular(tmp_path, capsys):
    from stampa.problems import error, how_many
    from stampa.terminal import print_problems

    print_problems([error("qualcosa non va.")])
    assert "1 errore, 0 avvisi: correggi gli errori" in capsys.readouterr().err
    assert (how_many(1, "voce pronta", "voci pronte"), how_many(2, "vista", "viste")) == ("1 voce pronta", "2 viste")
    config = make_project(tmp_path, ["A2;Gioco;gruppo;Pavia;;45,1861;9,1608"])
    assert main(["controlla", "--config", str(config)]) == 0
    assert "Tutto a posto: 1 voce pronta per l'edizione." in capsys.readouterr().out
