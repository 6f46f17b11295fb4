"""A marker dragged on the Dati map: the point goes into dati/geocodifica.csv as a hand
correction, never into the entries file; points outside the comune and entries whose coordinates
are in the file are refused."""

from __future__ import annotations

import json
import shutil

import pytest
from app_support import running_app
from robusto_support import SAMPLE_CSV, make_project


@pytest.fixture
def project(tmp_path):
    toml = make_project(tmp_path / "progetto")
    shutil.copy(SAMPLE_CSV, toml.parent / "dati" / "voci.csv")  # four entries have only an address
    return toml


def _entry(client, row: str) -> dict:
    return next(v for v in json.loads(client.get("/dati/voci.json").body)["voci"] if v["riga"] == row)


def test_a_dragged_point_becomes_a_hand_correction_in_the_record(project):
    data = project.parent / "dati"
    entries_before = (data / "voci.csv").read_bytes()
    with running_app(project) as (client, _):
        client.login()
        entry = _entry(client, "riga 38")  # «Il Tavolo di Piazza Vittoria», P.zza della Vittoria 15, Pavia
        assert entry["posizione"] == "geocodificata"
        lat, lon = entry["lat"] + 0.0004, entry["lon"] - 0.0003
        answer = client.post("/dati/posizione", {"riga": "riga 38", "lat": f"{lat:.6f}", "lon": f"{lon:.6f}"})
        assert answer.status == 200, answer.text
        assert json.loads(answer.body)["messaggio"].startswith("Posizione di «Il Tavolo di Piazza Vittoria» corretta")
        moved = _entry(client, "riga 38")
        assert moved["posizione"] == "corretta a mano"
        assert (round(moved["lat"], 6), round(moved["lon"], 6)) == (round(lat, 6), round(lon, 6))
    assert (data / "voci.csv").read_bytes() == entries_before
    record = (data / "geocodifica.csv").read_text(encoding="utf-8-sig").splitlines()
    row = next(line for line in record if line.startswith("P.zza della Vittoria 15;"))
    cells = row.split(";")
    assert cells[3] == f"{lat:.6f}".replace(".", ",") and cells[4] == f"{lon:.6f}".replace(".", ",")
    assert cells[8:10] == ["corretto a mano", "sì"]
    assert "Piazza della Vittoria 15, Pavia" in row  # the rest of the row as it was
    assert len(record) == len((SAMPLE_CSV.parent / "geocodifica.csv").read_text(encoding="utf-8-sig").splitlines())


def test_a_point_outside_its_comune_or_from_the_file_is_refused(project):
    record = project.parent / "dati" / "geocodifica.csv"
    before = record.read_bytes()
    with running_app(project) as (client, _):
        client.login()
        answer = client.post("/dati/posizione", {"riga": "riga 38", "lat": "45.30", "lon": "9.40"})
        assert answer.status == 400
        assert json.loads(answer.body)["messaggio"] == (
            "riga 38 «Il Tavolo di Piazza Vittoria», valore «45.300000, 9.400000»: il punto è fuori dal comune di Pavia: "
            "spostalo dentro i suoi confini.")
        answer = client.post("/dati/posizione", {"riga": "riga 8", "lat": "45.19", "lon": "9.142"})
        assert answer.status == 400
        assert "questa voce ha la posizione scritta nel file delle voci" in json.loads(answer.body)["messaggio"]
        answer = client.post("/dati/posizione", {"riga": "riga 38", "lat": "nord", "lon": "9"})
        assert answer.status == 400
        answer = client.post("/dati/posizione", {"riga": "riga 38", "lat": "45.18", "lon": "9.15"}, csrf="no")
        assert answer.status == 403
    assert record.read_bytes() == before
