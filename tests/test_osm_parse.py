"""Overpass elements → basemap features: classes, names, whole ways, multipolygons, speed."""

from __future__ import annotations

import copy
import time

import pytest
import shapely

from stampa.basemap.osm_model import CLASSES, LAYERS
from stampa.basemap.osm_parse import COLUMNS, classify, osm_features
from stampa.basemap.overpass import fetch_overpass
from stampa.basemap.overpass_query import level_boxes, merge_boxes, overpass_queries

from overpass_server import generate_osm, overpass_server  # noqa: F401 - fixture

X0, Y0 = 512177.0, 5003514.0


@pytest.fixture(scope="module")
def features():
    return osm_features(generate_osm())


def row(gdf, osm_id):
    (r,) = gdf[gdf["osm_id"] == osm_id].itertuples()
    return r


def test_columns_crs_and_vocabulary(features):
    assert list(features.columns) == COLUMNS
    assert features.crs.to_epsg() == 32632
    for strato, classe in zip(features["strato"], features["classe"]):
        assert classe in CLASSES[strato]
    assert features["osm_id"].is_unique
    assert features.geometry.is_valid.all()


def test_every_layer_of_the_sample_is_there(features):
    assert set(features["strato"]) == set(LAYERS)


def test_classes_from_tags():
    assert classify("way", {"highway": "trunk_link"}) == ("strade", "autostrada", "line")
    assert classify("way", {"highway": "living_street"}) == ("strade", "locale", "line")
    assert classify("way", {"highway": "footway"}) is None
    assert classify("way", {"waterway": "drain"}) == ("corsi_acqua", "fosso", "line")
    assert classify("relation", {"type": "multipolygon", "natural": "water", "water": "river"}) == ("acqua", "fiume", "area")
    assert classify("way", {"natural": "water", "water": "pond"}) == ("acqua", "lago", "area")
    assert classify("way", {"landuse": "basin"}) == ("acqua", "bacino", "area")
    assert classify("way", {"landuse": "retail"}) == ("abitato", "produttivo", "area")
    assert classify("way", {"amenity": "grave_yard"}) == ("verde", "cimitero", "area")
    assert classify("way", {"railway": "abandoned"}) is None
    assert classify("node", {"railway": "halt", "name": "Cava Manara"}) == ("stazioni", "stazione", "point")
    assert classify("node", {"place": "isolated_dwelling", "name": "Cascina"}) == ("luoghi", "cascina", "point")
    assert classify("relation", {"type": "route", "natural": "water"}) is None
    assert classify("way", {"building": "no", "highway": "service"}) == ("strade", "servizio", "line")


def test_names_prefer_italian_and_unnamed_places_are_dropped(features):
    names = dict(zip(features["osm_id"], features["nome"]))
    assert "Strada Nuova (it)" in names.values()
    places = features[features["strato"] == "luoghi"]
    assert sorted(places["nome"]) == ["Borgo Ticino", "Cà della Terra", "Fossarmato", "Pavia", "San Martino Siccomario"]
    assert dict(zip(places["nome"], places["classe"]))["Fossarmato"] == "frazione"
    assert (features[features["strato"] == "edifici"]["nome"] == "").all()


def test_duplicates_from_overlapping_queries_are_merged():
    elements = generate_osm()
    doubled = elements + copy.deepcopy(elements)
    assert osm_features(doubled).equals(osm_features(elements))


def test_multipolygon_is_assembled_from_several_ways_with_its_hole(features):
    ticino = row(features, "relation/7001")
    geom = ticino.geometry
    assert ticino.strato == "acqua" and ticino.classe == "fiume" and ticino.nome == "Ticino"
    assert geom.geom_type == "Polygon" and len(geom.interiors) == 1
    assert geom.area == pytest.approx(12000 * 400 - 1000 * 200, rel=0.01)


def test_out_body_skel_style_is_understood_too():
    """`out body; >; out skel` gives node ids and separate nodes instead of coordinates."""
    elements = []
    for el in generate_osm():
        if el["type"] == "way":
            nodes = [{"type": "node", "id": n, **p} for n, p in zip(el["nodes"], el["geometry"])]
            elements += nodes + [{k: v for k, v in el.items() if k != "geometry"}]
        elif el["type"] == "relation":
            elements.append({**el, "members": [{k: v for k, v in m.items() if k != "geometry"} for m in el["members"]]})
        else:
            elements.append(el)
    skel = osm_features(elements)
    geom = osm_features(generate_osm())
    assert list(skel["osm_id"]) == list(geom["osm_id"])
    assert skel.geometry.geom_equals_exact(geom.geometry, tolerance=1e-6).all()


def test_invalid_areas_are_made_valid_and_broken_ways_dropped():
    bowtie = [{"lat": 45.0, "lon": 9.0}, {"lat": 45.01, "lon": 9.01}, {"lat": 45.0, "lon": 9.01},
              {"lat": 45.01, "lon": 9.0}, {"lat": 45.0, "lon": 9.0}]  # fmt: skip
    open_area = bowtie[:3]
    elements = [
        {"type": "way", "id": 1, "geometry": bowtie, "tags": {"leisure": "park"}},
        {"type": "way", "id": 2, "geometry": open_area, "tags": {"landuse": "residential"}},
        {"type": "way", "id": 3, "geometry": bowtie[:1], "tags": {"highway": "primary"}},
        {"type": "way", "id": 4, "geometry": [bowtie[0], bowtie[0]], "tags": {"highway": "primary"}},
        {"type": "way", "id": 5, "nodes": [1, 2], "tags": {"highway": "primary"}},  # nodes never came
        {"type": "node", "id": 6, "lat": 45.0, "lon": 9.0, "tags": {"place": "hamlet"}},  # no name
        {"type": "node", "id": 7, "tags": {"place": "hamlet", "name": "X"}},  # no position
        {"id": 8},  # no type
    ]
    gdf = osm_features(elements)
    assert list(gdf["osm_id"]) == ["way/1"]
    assert gdf.geometry.iloc[0].is_valid and gdf.geometry.iloc[0].geom_type == "MultiPolygon"


def test_nothing_to_draw_gives_an_empty_frame():
    gdf = osm_features([{"type": "node", "id": 1, "lat": 45, "lon": 9, "tags": {"amenity": "bench"}}])
    assert len(gdf) == 0 and list(gdf.columns) == COLUMNS and gdf.crs.to_epsg() == 32632


def test_a_way_crossing_the_query_box_comes_whole(overpass_server):
    """A small box in the centre still gets the whole railway and motorway, not their cut pieces."""
    small = ((X0 - 1000, Y0 - 1000, X0 + 1000, Y0 + 1000), 90_000.0)
    result = fetch_overpass(overpass_server.url, overpass_queries([small], timeout_s=25), deadline_s=3)
    gdf = osm_features(result.elements)
    rail = gdf[gdf["strato"] == "ferrovia"].geometry.iloc[0]
    assert rail.length > 30_000  # the generated line is ~30 km long, the box 2 km wide
    assert not shapely.box(X0 - 1000, Y0 - 1000, X0 + 1000, Y0 + 1000).contains(rail)


@pytest.mark.lento  # 30,000 generated ways: volume and speed
def test_parse_is_fast_for_30000_ways():
    elements = generate_osm(streets=15_000, buildings=15_000)
    start = time.perf_counter()
    gdf = osm_features(elements)
    elapsed = time.perf_counter() - start
    assert len(gdf) > 30_000
    assert elapsed < 15  # about 1-2 s on the project's 2-core machine; generous for a shared CPU


# -- the queries ---------------------------------------------------------------------------------


def test_queries_per_level_and_deterministic():
    district = ((X0 - 10000, Y0 - 12000, X0 + 10000, Y0 + 12000), 90_000.0)
    inset = ((X0 - 1500, Y0 - 1500, X0 + 1500, Y0 + 1500), 30_000.0)
    sheets = [((X0 - 3000 + 1500 * i, Y0, X0 - 1500 + 1500 * i, Y0 + 1500), 12_500.0) for i in range(4)]
    qs = overpass_queries([district, inset, *sheets], timeout_s=60)
    assert [q.level for q in qs] == ["distretto", "strade", "edifici"]
    assert qs == overpass_queries([district, inset, *sheets], timeout_s=60)
    assert qs[2].boxes == ((X0 - 3000, Y0, X0 + 3000, Y0 + 1500),)  # four side-by-side sheets → one box
    assert qs[1].boxes == qs[2].boxes  # the inset at 1:30,000 needs no minor streets
    for q in qs:
        assert q.text.startswith("[out:json][timeout:60];\n")
        assert q.text.endswith(");\nout geom;\n")
        assert "(bbox)" not in q.text
    assert 'way["building"]' in qs[2].text and "highway" not in qs[2].text
    assert 'relation["natural"="water"]' in qs[0].text and '"building"' not in qs[0].text
    s, w, n, e = map(float, qs[0].text.split('way["natural"="water"](')[1].split(")")[0].split(","))
    assert 45.06 < s < 45.08 and 9.01 < w < 9.03 and 45.29 < n < 45.31 and 9.28 < e < 9.30


def test_only_the_district_query_for_a_district_map():
    qs = overpass_queries([((X0 - 10000, Y0 - 12000, X0 + 10000, Y0 + 12000), 90_000.0)])
    assert [q.level for q in qs] == ["distretto"]


def test_box_merging_keeps_far_boxes_apart_and_caps_the_count():
    a, b = (0.0, 0.0, 1000.0, 1000.0), (50_000.0, 0.0, 51_000.0, 1000.0)
    assert merge_boxes([a, b]) == [a, b]
    many = [(i * 10_000.0, 0.0, i * 10_000.0 + 100.0, 100.0) for i in range(20)]
    merged = merge_boxes(many)
    assert len(merged) <= 8
    for box in many:
        assert any(m[0] <= box[0] and m[1] <= box[1] and box[2] <= m[2] and box[3] <= m[3] for m in merged)
    levels = level_boxes([(a, 10_000.0), (b, 90_000.0)])
    assert levels["distretto"] == [a, b] and levels["edifici"] == [a]
