"""GeoJSON, GeoPackage, Shapefile through pyogrio: CRS, layers, encodings, geometry problems."""

import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, MultiPoint, Point, Polygon

from stampa.entries.read import read_records
from stampa.problems import StampaError

NAME = 'Caffè & <Bistrot> "Il Naviglio"'


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def frame(crs="EPSG:4326"):
    return gpd.GeoDataFrame(
        {
            "Nome": [NAME, "Zerbolò insieme", "Parco"],
            "Tipologia": ["laboratorio", "gruppo", "gruppo"],
            "Telefono": ["0382 123456", None, "0382"],
            "Numero": [1.5, None, 3.0],
        },
        geometry=[Point(9.1671, 45.1942), Point(9.0195, 45.2123), Polygon([(9.17, 45.2), (9.18, 45.2), (9.18, 45.21)])],
        crs="EPSG:4326",
    ).to_crs(crs)


def test_geojson_in_utm_with_crs_member():
    features = []
    for f, (x, y) in zip(["A", "B"], [(514730.0, 5004570.0), (500000.0, 5000000.0)]):
        features.append({"type": "Feature", "properties": {"nome": f, "sito web": "https://x.it"},
                         "geometry": {"type": "Point", "coordinates": [x, y]}})
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32632"}},
           "features": features}
    Path("voci.geojson").write_text(json.dumps(doc))
    records, problems = read_records(Path("voci.geojson"))
    assert problems == []
    assert records[0].fields == {"nome": "A", "sito": "https://x.it"}
    assert records[0].lon == pytest.approx(9.1876, abs=1e-3) and records[0].lat == pytest.approx(45.1942, abs=1e-3)
    assert records[1].lon == pytest.approx(9.0, abs=1e-6)
    assert records[0].origin.feature == 1 and records[0].origin.name == "A"


def test_geojson_utm_numbers_without_crs_member():
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nome": "A", "tipo": "gruppo"},
         "geometry": {"type": "Point", "coordinates": [514730.0, 5004570.0]}}]}
    Path("voci.geojson").write_text(json.dumps(doc))
    with pytest.raises(StampaError) as e:
        read_records(Path("voci.geojson"))
    assert e.value.problems[0].format() == (
        "voci.geojson: il file GeoJSON dichiara coordinate in gradi (WGS84) ma contiene numeri come "
        "514730, 5004570: probabilmente sono metri (UTM). Esportalo di nuovo scegliendo il sistema EPSG:4326."
    )


def test_geojson_geometry_kinds_and_latlon_properties():
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nome": NAME, "lat": "45,1942", "lon": "9,1671", "orari": "2026-03-05",
                                           "telefono": "0382 1"}, "geometry": None},
        {"type": "Feature", "properties": {"nome": "Linea", "lat": None, "lon": None},
         "geometry": LineString([(9.1, 45.1), (9.2, 45.2)]).__geo_interface__},
        {"type": "Feature", "properties": {"nome": "Due punti", "lat": None, "lon": None},
         "geometry": MultiPoint([(9.1, 45.1), (9.2, 45.2)]).__geo_interface__},
        {"type": "Feature", "properties": {"nome": "Uno", "lat": None, "lon": None},
         "geometry": MultiPoint([(9.1, 45.1)]).__geo_interface__},
        {"type": "Feature", "properties": {"nome": "Male", "lat": "quarantacinque", "lon": "9"}, "geometry": None},
    ]}
    Path("voci.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    records, problems = read_records(Path("voci.json"))
    assert records[0].fields == {"nome": NAME, "lat": "45,1942", "lon": "9,1671", "orari": "2026-03-05",
                                 "telefono": "0382 1"}  # as typed: GDAL does not turn it into a date
    assert (records[0].lon, records[0].lat) == (9.1671, 45.1942)
    assert records[1].geometry_problem == "geometria non puntuale (LineString): serve un punto"
    assert records[2].geometry_problem == "geometria con più punti (MultiPoint, 2): serve un solo punto"
    assert (records[3].lon, records[3].lat, records[3].geometry_problem) == (9.1, 45.1, None)
    assert [p.format() for p in problems] == [
        "voci.json, elemento 5 «Male», campo «lat», valore «quarantacinque»: coordinata non leggibile: "
        "scrivi un numero come 45,1942 o 45.1942."
    ]


def test_geopackage_all_layers():
    frame().iloc[:2].to_file("voci.gpkg", layer="laboratori")
    frame(crs="EPSG:32632").iloc[2:].to_file("voci.gpkg", layer="gruppi", mode="a")
    records, problems = read_records(Path("voci.gpkg"))
    assert [(r.layer, r.origin.feature) for r in records] == [("laboratori", 1), ("laboratori", 2), ("gruppi", 3)]
    assert records[0].fields == {"nome": NAME, "tipo": "laboratorio", "telefono": "0382 123456"}
    assert records[1].fields["telefono"] == ""
    assert (records[0].lon, records[0].lat) == (pytest.approx(9.1671), pytest.approx(45.1942))
    assert records[2].geometry_problem == "geometria non puntuale (Polygon): serve un punto"
    assert [p.message for p in problems] == [
        "ignoro i campi che non riconosco: «Numero». Se contengono dati da stampare, cambia il nome "
        "con uno previsto (vedi «Formati dei dati» nel README)."
    ]


def test_shapefile_utf8_without_cpg_and_projected():
    df = frame(crs="EPSG:32632").iloc[:2]
    df.to_file("voci.shp", encoding="UTF-8")
    Path("voci.cpg").unlink()
    records, _ = read_records(Path("voci.shp"))
    assert [r.fields["nome"] for r in records] == [NAME, "Zerbolò insieme"]
    assert records[1].lon == pytest.approx(9.0195) and records[1].lat == pytest.approx(45.2123)


def test_shapefile_cp1252_without_cpg_and_without_prj():
    df = frame().iloc[:2]
    df.to_file("voci.shp", encoding="cp1252")
    Path("voci.cpg").unlink()
    Path("voci.prj").unlink()
    records, problems = read_records(Path("voci.shp"))
    assert [r.fields["nome"] for r in records] == [NAME, "Zerbolò insieme"]
    assert "(manca il file .prj): le leggo come gradi WGS84 (EPSG:4326)." in problems[0].message


def test_shapefile_metres_without_prj_is_an_error():
    frame(crs="EPSG:32632").iloc[:2].to_file("voci.shp")
    Path("voci.prj").unlink()
    with pytest.raises(StampaError) as e:
        read_records(Path("voci.shp"))
    assert e.value.problems[0].format() == (
        "voci.shp: il file Shapefile non dice in che sistema di riferimento sono le coordinate (manca "
        "il file .prj) e non sono gradi: esportalo di nuovo con il suo .prj, o in EPSG:4326."
    )


def test_shapefile_missing_dbf():
    frame().iloc[:2].to_file("voci.shp")
    Path("voci.dbf").unlink()
    with pytest.raises(StampaError) as e:
        read_records(Path("voci.shp"))
    assert e.value.problems[0].format() == (
        "voci.shp: manca il file .dbf accanto al .shp: uno Shapefile è fatto di più file con lo stesso "
        "nome (.shp, .shx, .dbf, .prj, .cpg); copiali tutti nella stessa cartella."
    )


def test_geojson_not_json():
    Path("voci.geojson").write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(StampaError) as e:
        read_records(Path("voci.geojson"))
    msg = e.value.problems[0].format()
    assert msg.startswith("voci.geojson: il file GeoJSON è danneggiato o incompleto: GDAL non riesce a leggerlo (")
