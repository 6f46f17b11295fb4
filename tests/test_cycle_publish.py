"""Publication: web/voci.geojson (RFC 7946), web/mappa.umap (uMap's import format) and web.zip."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace

import shapely.geometry
from mappa_support import ROOT, sample
from web_samples import entries

from stampa.numbering import number_entries
from stampa.printing.theme import load_theme
from stampa.web.publish import popup, publish

THEME = load_theme(ROOT / "layout" / "tema.toml")


def _publish(out, items=None):
    cfg, district, sample_entries = sample()
    numbered = number_entries(sample_entries if items is None else items)
    (out / "web").mkdir(parents=True, exist_ok=True)
    (out / "web" / "index.html").write_text("<html></html>", encoding="utf-8")
    records = publish(cfg, numbered, THEME, district, out)
    return numbered, records


def test_geojson_is_rfc7946_with_the_printed_numbers(tmp_path):
    numbered, records = _publish(tmp_path)
    assert [r["path"] for r in records] == ["web/voci.geojson", "web/mappa.umap", "web.zip"]
    doc = json.loads((tmp_path / "web" / "voci.geojson").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    assert len(doc["features"]) == len(numbered)
    _, district, _ = sample()
    area = district.outline
    for n, f in zip(numbered, doc["features"]):
        assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]
        assert (lon, lat) == (round(n.entry.lon, 6), round(n.entry.lat, 6))  # longitude first
        assert area.buffer(0.01).contains(shapely.geometry.shape(f["geometry"]))
        p = f["properties"]
        assert (p["numero"], p["id"], p["nome"], p["tipo"]) == (n.number, n.entry.id, n.entry.nome, n.entry.tipo)
        assert p["colore"] == p["marker-color"] == THEME.hex(n.entry.tipo)


def test_umap_has_one_layer_per_type_and_one_feature_per_entry(tmp_path):
    numbered, _ = _publish(tmp_path)
    doc = json.loads((tmp_path / "web" / "mappa.umap").read_text(encoding="utf-8"))
    assert doc["type"] == "umap" and doc["geometry"]["type"] == "Point"
    layers = {layer["_umap_options"]["name"]: layer for layer in doc["layers"]}
    assert sorted(layers) == ["Gruppi di cittadini", "Laboratori sociali"]
    for name, kind in (("Laboratori sociali", "laboratorio"), ("Gruppi di cittadini", "gruppo")):
        layer = layers[name]
        assert layer["type"] == "FeatureCollection" and layer["_umap_options"]["color"] == THEME.hex(kind)
        expected = [(n.number, f"{n.number}. {n.entry.nome}") for n in numbered if n.entry.tipo == kind]
        got = [(f["properties"]["numero"], f["properties"]["name"]) for f in layer["features"]]
        assert got == expected
        assert all(f["properties"]["_umap_options"]["iconUrl"] == str(f["properties"]["numero"]) for f in layer["features"])
    assert sum(len(layer["features"]) for layer in doc["layers"]) == len(numbered)


def test_popups_keep_user_text_as_typed_and_only_safe_links():
    by_id = {n.entry.id: n for n in number_entries(entries())}
    text = popup(by_id["grp-2"])
    assert '<b>grassetto</b> & "virgolette"' in text  # uMap escapes HTML itself; its own marks must not fire
    assert "javascript:" not in text and "[[" not in text
    assert "[[https://www.esempio.it/spazio-q|www.esempio.it/spazio-q]]" in popup(by_id["lab-1"])
    starred = popup(number_entries([replace(entries()[1], attivita="**forte** [[x]]")])[0])
    assert "**" not in starred and "[[x]]" not in starred


def test_the_zip_holds_the_web_folder_and_is_reproducible(tmp_path):
    _publish(tmp_path / "a")
    _publish(tmp_path / "b")
    first = (tmp_path / "a" / "web.zip").read_bytes()
    assert first == (tmp_path / "b" / "web.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert z.testzip() is None
        assert z.namelist() == ["web/index.html", "web/mappa.umap", "web/voci.geojson"]
        assert z.read("web/voci.geojson") == (tmp_path / "a" / "web" / "voci.geojson").read_bytes()
