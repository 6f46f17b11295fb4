"""Basemap sources: provider names, URL templates, GeoTIFF paths, «vettoriale»; attribution."""

from __future__ import annotations

from pathlib import Path

import pytest

from stampa.basemap import View, basemap_problems, basemap_report, get_basemap
from stampa.basemap.fetch import user_agent
from stampa.basemap.sources import OSM_LINE, RasterSource, TileSource, VectorSource, resolve_source
from stampa.config import Sfondo
from stampa.problems import StampaError


@pytest.fixture(autouse=True)
def no_key_in_env(monkeypatch):
    """Keys come only from what each test passes, never from the developer's environment."""
    monkeypatch.delenv("STAMPA_CHIAVE_API", raising=False)


def resolve(text, **cfg):
    return resolve_source(text, Sfondo(**cfg), Path("/progetto"))


def test_carto_with_a_key_uses_2x_tiles_and_italian_credits():
    src = resolve("CartoDB.Positron", chiave_api="K123")
    assert isinstance(src, TileSource)
    assert src.name == "CartoDB.Positron"
    assert src.url == "https://a.basemaps.cartocdn.com/light_all/{z}/{x}/{y}@2x.png?key=K123"
    assert src.tile_px == 512
    assert src.max_zoom == 20
    assert src.attribution == (
        "© OpenStreetMap contributors, dati ODbL (openstreetmap.org/copyright)",
        "stile © CARTO",
    )


def test_provider_name_is_case_insensitive():
    assert resolve("cartodb.positron", chiave_api="K").name == "CartoDB.Positron"


def test_osm_provider_has_256px_tiles_and_only_the_osm_line():
    src = resolve("OpenStreetMap.Mapnik")
    assert src.tile_px == 256 and src.max_zoom == 19
    assert src.attribution == (OSM_LINE,)


def test_unknown_provider_suggests_the_closest_name():
    with pytest.raises(StampaError) as exc:
        resolve("CartoDB.Positrn")
    (p,) = exc.value.problems
    assert p.level == "errore" and p.where == "chiave «sfondo.fonte»" and p.value == "CartoDB.Positrn"
    assert p.message == (
        "fonte dello sfondo sconosciuta: scrivi «osm» (i dati OpenStreetMap, consigliato), il nome di uno stile "
        "di tessere di xyzservices (es. «OpenTopoMap»), un indirizzo di tessere http(s) con {z}/{x}/{y}, il "
        "percorso di un GeoTIFF, oppure «vettoriale». Forse intendevi «CartoDB.Positron»?"
    )


@pytest.mark.parametrize("typed", ["openstreetmap", "OpenStreetMap", "Open Street Map", "OSM data", "osmm"])
def test_a_name_meaning_openstreetmap_points_to_osm(typed):
    """Not to a tile server with a similar name (OpenStreetMap.DE, CyclOSM): to the data."""
    with pytest.raises(StampaError) as exc:
        resolve(typed)
    (p,) = exc.value.problems
    assert p.message.endswith(" Forse intendevi «osm» (i dati OpenStreetMap disegnati da stampa)?"), p.message


def test_template_without_xyz_is_refused():
    with pytest.raises(StampaError) as exc:
        resolve("https://tiles.example.org/{z}/{x}.png")
    assert exc.value.problems[0].message == (
        "l'indirizzo delle tessere deve contenere {z}, {x} e {y} (es. https://tile.example.org/{z}/{x}/{y}.png); "
        "manca {y}."
    )


def test_template_with_unknown_placeholder_is_refused():
    with pytest.raises(StampaError) as exc:
        resolve("https://tiles.example.org/{z}/{x}/{-y}.png")
    assert "segnaposto sconosciuti ({-y})" in exc.value.problems[0].message


def test_template_takes_attribution_and_max_zoom_from_config_and_2x_from_r():
    src = resolve("https://{s}.tiles.example.org/{z}/{x}/{y}{r}.png", attribuzione="© Esempio\nstile © Prova", zoom_massimo=17)
    assert src.url == "https://a.tiles.example.org/{z}/{x}/{y}@2x.png"
    assert src.tile_px == 512 and src.max_zoom == 17
    assert src.attribution == ("© Esempio", "stile © Prova")
    plain = resolve("https://tiles.example.org/{z}/{x}/{y}.png")
    assert plain.tile_px == 256 and plain.attribution == ()


def test_secrets_never_reach_the_public_url():
    src = resolve("https://tiles.example.org/{z}/{x}/{y}.png?api_key=SEGRETO&style=chiaro")
    assert "SEGRETO" in src.url
    assert src.public_url == "https://tiles.example.org/{z}/{x}/{y}.png?api_key=***&style=chiaro"


def test_provider_key_from_config_is_filled_but_masked():
    src = resolve("CartoDB.Positron", chiave_api="K123")
    assert src.url.endswith("@2x.png?key=K123")
    assert "K123" not in src.public_url and src.public_url.endswith("?key=***")


def test_provider_key_from_the_environment(monkeypatch):
    monkeypatch.setenv("STAMPA_CHIAVE_API", "DALLAMBIENTE")
    src = resolve("Thunderforest.OpenCycleMap")
    assert src.url.endswith("?apikey=DALLAMBIENTE") and src.public_url.endswith("?apikey=***")


def test_provider_that_needs_a_key_is_refused_without_one():
    with pytest.raises(StampaError) as exc:
        resolve("Thunderforest.OpenCycleMap")
    (p,) = exc.value.problems
    assert p.level == "errore" and p.where == "chiave «sfondo.fonte»" and p.value == "Thunderforest.OpenCycleMap"
    assert p.message == (
        "lo stile «Thunderforest.OpenCycleMap» richiede una chiave di accesso: scrivila in «sfondo.chiave_api» o "
        "nella variabile d'ambiente STAMPA_CHIAVE_API (una chiave si ottiene sul sito del fornitore, "
        "https://www.thunderforest.com). Oppure scrivi «osm» in «sfondo.fonte»: i dati OpenStreetMap non "
        "chiedono chiavi."
    )


def test_geotiff_path_is_relative_to_the_project(tmp_path):
    (tmp_path / "dati").mkdir()
    (tmp_path / "dati" / "mio.tif").write_bytes(b"x")
    src = resolve_source("dati/mio.tif", Sfondo(attribuzione="© Io"), tmp_path)
    assert isinstance(src, RasterSource) and src.path == tmp_path / "dati" / "mio.tif"
    assert src.attribution == ("© Io",)


def test_missing_geotiff_is_an_error(tmp_path):
    problems = basemap_problems(Sfondo(fonte="dati/manca.tif"), root=tmp_path)
    assert [p.message for p in problems] == [
        "il file GeoTIFF indicato come sfondo non esiste: controlla il percorso (è relativo alla cartella del "
        "progetto), oppure usa «vettoriale»."
    ]


def test_file_scheme_is_refused():
    with pytest.raises(StampaError) as exc:
        resolve("file:///tmp/{z}/{x}/{y}.png")
    assert exc.value.problems[0].message.startswith("tipo di indirizzo non ammesso per le tessere (file:)")


def test_vettoriale_gives_no_image_and_no_network(tmp_path):
    assert isinstance(resolve("Vettoriale"), VectorSource)
    b = get_basemap(Sfondo(fonte="vettoriale"), View("v", (0, 0, 1000, 1000), (100, 100)), root=tmp_path, year=2026)
    assert b.image is None and b.kind == "vettoriale" and not b.fallback and b.attribution == () and b.tiles == 0
    report = basemap_report(b)
    assert report["tipo"] == "vettoriale" and report["ripiego_vettoriale"] is False and report["avvisi"] == []


def test_source_argument_overrides_config(tmp_path):
    b = get_basemap(Sfondo(fonte="CartoDB.Positron"), View("v", (0, 0, 1000, 1000), (100, 100)), root=tmp_path, year=2026, source="vettoriale")
    assert b.kind == "vettoriale" and b.source == "vettoriale"


def test_user_agent_identifies_stampa_and_the_contact():
    import stampa

    assert user_agent("m.piccio@example.org") == f"stampa/{stampa.__version__} (+mappa laboratori sociali; m.piccio@example.org)"
    assert user_agent("") == f"stampa/{stampa.__version__} (+mappa laboratori sociali)"


def test_view_normalises_to_float_tuples_and_refuses_empty_extents():
    import numpy as np

    v = View("v", [np.float64(1), 2, 3, 4], [100, 50])
    assert v.extent == (1.0, 2.0, 3.0, 4.0) and type(v.extent[0]) is float and v.frame_mm == (100.0, 50.0)
    with pytest.raises(ValueError):
        View("v", (3, 2, 1, 4), (100, 50))
