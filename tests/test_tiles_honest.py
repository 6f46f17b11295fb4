"""Web tiles honest about their terms: keys checked before any request, placeholder images («Access
blocked», «API KEY REQUIRED») never printed, cached or frozen, OpenStreetMap's tile servers and
CARTO never frozen. Against the local tile server of tests/tileserver.py."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import xyzservices.providers as xyz

from stampa.basemap import View, basemap_problems, basemap_report, freeze_basemap, get_basemap
from stampa.basemap.cache import TileCache
from stampa.basemap.fetch import PlaceholderWatch
from stampa.basemap.providers import terms_for
from stampa.basemap.sources import resolve_source
from stampa.basemap.zoom import choose_zoom, needed_tiles
from stampa.config import Sfondo
from stampa.problems import StampaError
from tests.basemap_helpers import PAVIA, around, make_cfg
from tests.tileserver import cache_env, make_tile, placeholder_tile, tile_server, uniform_tile  # noqa: F401

VIEW = View("prova", around(*PAVIA, 1500), (100.0, 100.0))
SMALL = View("prova", around(*PAVIA, 1500), (50.0, 50.0))

PLACEHOLDER_ADVICE = (
    ". Queste immagini non vengono stampate né salvate nella cache. La mappa usa lo sfondo vettoriale "
    "(confini dei comuni). Se lo stile chiede una chiave di accesso, scrivila in «sfondo.chiave_api» (o nella "
    "variabile d'ambiente STAMPA_CHIAVE_API); altrimenti scegli un'altra fonte in «sfondo.fonte»: «osm» usa "
    "i dati OpenStreetMap e non chiede chiavi."
)
REPEATED = (
    "Sfondo a tessere rifiutato: il server ha mandato la stessa immagine per 3 tessere diverse: non è la "
    "mappa ma un avviso del server (come «Access blocked» o «API KEY REQUIRED»)" + PLACEHOLDER_ADVICE
)
KNOWN = (
    "Sfondo a tessere rifiutato: il server ha mandato un'immagine di avviso al posto della mappa (un'immagine "
    "già nota, come «Access blocked» o «API KEY REQUIRED»)" + PLACEHOLDER_ADVICE
)
CARTO_KEY = (
    "lo stile «CartoDB.Positron» richiede una chiave di accesso: scrivila in «sfondo.chiave_api» o nella "
    "variabile d'ambiente STAMPA_CHIAVE_API (una chiave si ottiene sul sito del fornitore, "
    "https://carto.com/basemaps). Oppure scrivi «osm» in «sfondo.fonte»: i dati OpenStreetMap non chiedono "
    "chiavi."
)
CARTO_FREEZE = (
    "lo sfondo non si può congelare con le tessere di CARTO: le condizioni di CARTO non permettono di "
    "conservarne copie. Scrivi «osm» in «sfondo.fonte»: i dati OpenStreetMap si possono conservare e stampare, "
    "e non chiedono chiavi. Con questa fonte, invece, «stampa edizione» scarica le tessere a ogni costruzione."
)
OSM_FREEZE = (
    "lo sfondo non si può congelare con le tessere dei server di OpenStreetMap (tile.openstreetmap.org): le "
    "regole di quei server vietano di scaricarle in blocco per conservarle e usarle senza rete. Scrivi «osm» in "
    "«sfondo.fonte»: i dati OpenStreetMap si possono conservare e stampare, e non chiedono chiavi."
)
OSM_PRINT = (
    "lo sfondo non si può stampare con le tessere dei server di OpenStreetMap (tile.openstreetmap.org): sono "
    "fatte per la mappa interattiva: le regole di quei server vietano di scaricarle in blocco per usarle fuori "
    "dallo schermo. Scrivi «osm» in «sfondo.fonte»: stampa scarica i dati OpenStreetMap, che si possono "
    "conservare e stampare, e li disegna da sé."
)


@pytest.fixture(autouse=True)
def no_key_in_env(monkeypatch):
    monkeypatch.delenv("STAMPA_CHIAVE_API", raising=False)


def build(cfg, view=VIEW, root=Path("/nessuna-cartella")):
    return get_basemap(cfg, view, root=root, year=2026)


def cached_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.name != "fonte.txt"] if folder.exists() else []


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------------------------
# Placeholder images


def test_the_same_image_for_every_tile_is_refused_and_nothing_is_cached(tile_server, cache_env):
    tile_server.mode = "segnaposto"
    b = build(make_cfg(tile_server.url))
    assert b.tiles >= 3
    assert b.image is None and b.fallback and b.kind == "vettoriale" and b.attribution == ()
    (p,) = b.problems
    assert p.level == "avviso" and p.where == "vista «prova»"
    assert p.message == REPEATED
    assert p.value.startswith(f"http://127.0.0.1:{tile_server.port}/16/")
    assert cached_files(cache_env) == []
    assert tile_server.requests < b.tiles  # stopped as soon as the repetition showed
    report = basemap_report(b)
    assert report["ripiego_vettoriale"] is True and report["avvisi"][0]["messaggio"] == REPEATED


def test_placeholders_among_real_tiles_are_never_kept(tile_server, cache_env):
    """A server that starts refusing mid-fetch: the real tiles may stay cached, the notice never."""
    tile_server.mode = "segnaposto"
    tile_server.bad = lambda z, x, y: (x + y) % 2 == 0
    b = build(make_cfg(tile_server.url))
    assert b.fallback and b.problems[0].message == REPEATED
    notice = placeholder_tile(256)
    assert all(f.read_bytes() != notice for f in cached_files(cache_env))


def test_plain_one_colour_tiles_may_repeat(tile_server, cache_env):
    tile_server.mode = "uniforme"
    b = build(make_cfg(tile_server.url))
    assert not b.fallback and b.kind == "tessere" and b.problems == ()
    assert b.tiles >= 3 and len(cached_files(cache_env)) == b.tiles


def test_a_known_placeholder_is_refused_at_its_first_copy(tile_server, cache_env, monkeypatch):
    from stampa.basemap import fetch

    tile_server.mode = "segnaposto"
    monkeypatch.setattr(fetch, "placeholder_digests", lambda: frozenset({sha(placeholder_tile(256))}))
    b = build(make_cfg(tile_server.url, connessioni=1))
    assert b.fallback and b.problems[0].message == KNOWN
    assert tile_server.requests == 1 and cached_files(cache_env) == []


def test_placeholders_already_in_the_cache_are_forgotten_and_asked_again(tile_server, cache_env):
    """Tiles cached by an older stampa that let «API KEY REQUIRED» through are not printed."""
    cfg = make_cfg(tile_server.url)
    choice = choose_zoom(SMALL.extent, SMALL.frame_mm, target_ppi=cfg.ppi, tile_px=256, max_zoom=18,
                         max_tiles=cfg.max_tessere, forced=0)
    tiles = needed_tiles(SMALL.extent, choice.zoom, 256)
    assert len(tiles) >= 3
    cache = TileCache(cache_env, tile_server.url)
    for xy in tiles:
        cache.put(choice.zoom, *xy, placeholder_tile(256))
    b = build(cfg, SMALL)
    assert not b.fallback and b.problems == ()
    assert b.from_cache == 0 and b.fetched_from_network == tile_server.requests == len(tiles)
    for xy in tiles:
        assert cache.get(choice.zoom, *xy) == make_tile(choice.zoom, *xy)


def test_watch_counts_distinct_coordinates_only():
    notice = placeholder_tile(256)
    watch = PlaceholderWatch(known=frozenset())
    assert watch.add((1, 1), notice) is None
    assert watch.add((1, 1), notice) is None  # the same tile twice is not a repetition
    assert watch.add((1, 2), notice) is None
    assert watch.add((2, 2), notice) == (
        "il server ha mandato la stessa immagine per 3 tessere diverse: non è la mappa ma un avviso del server "
        "(come «Access blocked» o «API KEY REQUIRED»)"
    )
    assert sorted(watch.bad_coords()) == [(1, 1), (1, 2), (2, 2)]
    sea = PlaceholderWatch(known=frozenset())
    assert all(sea.add((x, 0), uniform_tile()) is None for x in range(10))


def test_freeze_refuses_a_placeholder_source_and_writes_nothing(tile_server, cache_env, tmp_path):
    tile_server.mode = "segnaposto"
    with pytest.raises(StampaError) as exc:
        freeze_basemap(make_cfg(tile_server.url), [VIEW], root=tmp_path, year=2026)
    (p,) = exc.value.problems
    assert p.message == "impossibile congelare la vista «prova»: niente è stato scritto. " + REPEATED
    assert list(tmp_path.rglob("*.tif")) == [] and cached_files(cache_env) == []


# ------------------------------------------------------------------------------------------------
# CARTO: a key before any request; never frozen


@pytest.fixture
def carto_here(tile_server, monkeypatch):
    """CartoDB.Positron served by the local server (same provider entry, URL pointing here)."""
    provider = xyz.query_name("CartoDB.Positron")
    monkeypatch.setitem(provider, "url", f"http://127.0.0.1:{tile_server.port}/{{z}}/{{x}}/{{y}}{{r}}.png?key={{apikey}}")
    return provider


def test_carto_without_a_key_is_refused_before_any_request(tile_server, carto_here, cache_env):
    cfg = make_cfg("CartoDB.Positron", attribuzione="")
    with pytest.raises(StampaError) as exc:
        build(cfg)
    (p,) = exc.value.problems
    assert p.level == "errore" and p.where == "chiave «sfondo.fonte»" and p.value == "CartoDB.Positron"
    assert p.message == CARTO_KEY
    assert tile_server.requests == 0
    assert [q.message for q in basemap_problems(cfg, root=Path("/progetto"))] == [CARTO_KEY]  # stampa controlla


def test_carto_is_keyed_even_when_xyzservices_does_not_say_so(tile_server, carto_here, cache_env, monkeypatch):
    """An older xyzservices has no {apikey} for CARTO: providers.toml still asks for a key and puts
    it in the «key» parameter."""
    monkeypatch.setitem(carto_here, "url", f"http://127.0.0.1:{tile_server.port}/{{z}}/{{x}}/{{y}}{{r}}.png")
    monkeypatch.delitem(carto_here, "apikey")
    with pytest.raises(StampaError) as exc:
        build(make_cfg("CartoDB.Positron", attribuzione=""))
    assert exc.value.problems[0].message == CARTO_KEY and tile_server.requests == 0
    b = build(make_cfg("CartoDB.Positron", attribuzione="", chiave_api="SEGRETO"), SMALL)
    assert not b.fallback and all(p.endswith("@2x.png?key=SEGRETO") for p in tile_server.paths)
    assert b.url.endswith("@2x.png?key=***")


def test_carto_with_a_key_works_and_the_key_stays_out_of_cache_and_report(tile_server, carto_here, cache_env, monkeypatch):
    monkeypatch.setenv("STAMPA_CHIAVE_API", "SEGRETO")
    b = build(make_cfg("CartoDB.Positron", attribuzione=""), SMALL)
    assert not b.fallback and b.kind == "tessere" and b.fetched_from_network == tile_server.requests > 0
    assert all(p.endswith("@2x.png?key=SEGRETO") for p in tile_server.paths)
    assert b.attribution == ("© OpenStreetMap contributors, dati ODbL (openstreetmap.org/copyright)", "stile © CARTO")
    assert "SEGRETO" not in json.dumps(basemap_report(b), ensure_ascii=False)
    # CARTO's terms forbid keeping copies of its tiles: nothing on disk, and a second build asks again
    assert [p for p in cache_env.rglob("*") if p.is_file()] == []
    before = tile_server.requests
    again = build(make_cfg("CartoDB.Positron", attribuzione=""), SMALL)
    assert again.from_cache == 0 and tile_server.requests == 2 * before


def test_carto_is_never_frozen(tile_server, carto_here, cache_env, tmp_path):
    cfg = make_cfg("CartoDB.Positron", attribuzione="", chiave_api="SEGRETO")
    with pytest.raises(StampaError) as exc:
        freeze_basemap(cfg, [SMALL], root=tmp_path, year=2026)
    (p,) = exc.value.problems
    assert p.where == "comando «stampa sfondo»" and p.value == "CartoDB.Positron"
    assert p.message == CARTO_FREEZE
    assert tile_server.requests == 0 and list(tmp_path.rglob("*.tif")) == []


def test_carto_template_without_a_key_is_refused():
    with pytest.raises(StampaError) as exc:
        resolve_source("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png", Sfondo(), Path("/p"))
    assert exc.value.problems[0].message.startswith(
        "l'indirizzo delle tessere di CARTO richiede una chiave di accesso: scrivila in «sfondo.chiave_api»"
    )
    src = resolve_source("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png", Sfondo(chiave_api="K"), Path("/p"))
    assert src.url.endswith("@2x.png?key=K") and src.public_url.endswith("@2x.png?key=***")
    assert not src.terms.may_freeze


# ------------------------------------------------------------------------------------------------
# OpenStreetMap's own tile servers: for screens, not for print


@pytest.mark.parametrize(
    "fonte",
    ["OpenStreetMap.Mapnik", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"],
)
def test_openstreetmap_tile_servers_are_never_frozen(fonte, tmp_path, cache_env):
    with pytest.raises(StampaError) as exc:
        freeze_basemap(make_cfg(fonte), [SMALL], root=tmp_path, year=2026)
    (p,) = exc.value.problems
    assert p.level == "errore" and p.where == "comando «stampa sfondo»"
    assert p.message == OSM_FREEZE
    assert list(tmp_path.rglob("*.tif")) == [] and cached_files(cache_env) == []


@pytest.mark.parametrize("fonte", ["OpenStreetMap.Mapnik", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"])
def test_openstreetmap_tile_servers_are_never_printed(fonte, tmp_path, cache_env):
    cfg = make_cfg(fonte)
    with pytest.raises(StampaError) as exc:
        build(cfg, SMALL, root=tmp_path)
    (p,) = exc.value.problems
    assert p.where == "chiave «sfondo.fonte»" and p.message == OSM_PRINT
    assert cached_files(cache_env) == []
    assert [q.message for q in basemap_problems(cfg, root=tmp_path)] == [OSM_PRINT]  # stampa controlla


def test_other_openstreetmap_styles_are_not_refused():
    assert terms_for("OpenStreetMap.DE").may_print and terms_for("OpenStreetMap.HOT").may_freeze
    assert terms_for(url="https://tile.openstreetmap.de/{z}/{x}/{y}.png").may_freeze


def test_a_plain_template_is_the_users_responsibility(tile_server, cache_env, tmp_path):
    cfg = make_cfg(tile_server.url)
    assert basemap_problems(cfg, root=tmp_path) == []
    assert freeze_basemap(cfg, [SMALL], root=tmp_path, year=2026).is_file()
