"""Tiles from a real local server: ppi and position of the warped image, @2x, cache, failures."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import stampa
from tests.basemap_helpers import PAVIA, around, expected_tile_at, make_cfg
from tests.tileserver import cache_env, refused_url, tile_colour, tile_server  # noqa: F401 (fixtures)
from stampa.basemap import View, basemap_report, get_basemap
from stampa.problems import Problem

EXTENT = around(*PAVIA, 1500)  # 3 × 3 km
VIEW = View("prova", EXTENT, (100.0, 100.0))
SMALL = View("prova", EXTENT, (50.0, 50.0))  # fewer tiles and pixels, for tests not about ppi


def build(cfg, view=VIEW, root=Path("/nessuna-cartella")):
    return get_basemap(cfg, view, root=root, year=2026)


def test_tiles_drawn_at_the_expected_ppi_and_place(tile_server, cache_env):
    b = build(make_cfg(tile_server.url))
    assert b.kind == "tessere" and not b.fallback and b.problems == ()
    # 300 ppi over 100 mm = 1181 px; the 3 km extent is covered exactly.
    assert b.image.shape == (1181, 1181, 3) and b.image.dtype == np.uint8
    assert b.extent == EXTENT and b.ppi == 300.0
    # 256 px tiles: z16 is the first zoom reaching 300 ppi (z15 gives ~226).
    assert b.zoom == 16
    assert b.tiles == b.fetched_from_network == tile_server.requests and b.from_cache == 0
    assert b.attribution == ("© Tessere di prova",)
    # Pixel → place: the colour of each sampled pixel is the colour of the tile under that point
    # (computed independently with the slippy-map formulas), so the image is north-up, in
    # EPSG:32632 and exactly on the extent.
    px_m = 3000 / 1181
    checked = 0
    for row in range(20, 1181, 97):
        for col in range(20, 1181, 89):
            x = EXTENT[0] + (col + 0.5) * px_m
            y = EXTENT[3] - (row + 0.5) * px_m
            tx, ty, u, v = expected_tile_at(x, y, 16, 256)
            if 60 < u < 240 and 30 < v < 240:  # away from the tile's border and its label
                assert np.abs(b.image[row, col].astype(int) - tile_colour(tx, ty)).max() <= 2, (row, col)
                checked += 1
    assert checked > 50


def test_2x_tiles_are_asked_as_2x_and_need_one_zoom_less(tile_server, cache_env):
    b = build(make_cfg(tile_server.url_r))
    assert b.zoom == 15 and b.image.shape == (1181, 1181, 3)
    assert tile_server.paths and all(p.endswith("@2x.png") for p in tile_server.paths)
    assert b.url == tile_server.url_r.replace("{r}", "@2x")
    px_m = 3000 / 1181
    tx, ty, u, v = expected_tile_at(EXTENT[0] + 600.5 * px_m, EXTENT[3] - 600.5 * px_m, 15, 512)
    if 60 < u < 480 and 30 < v < 480:
        assert np.abs(b.image[600, 600].astype(int) - tile_colour(tx, ty)).max() <= 2


def test_requests_carry_the_identifying_user_agent(tile_server, cache_env):
    build(make_cfg(tile_server.url, contatto="m.piccio@example.org"), SMALL)
    assert tile_server.user_agents == {f"stampa/{stampa.__version__} (+mappa laboratori sociali; m.piccio@example.org)"}


def test_max_zoom_cap_warns_about_low_ppi(tile_server, cache_env):
    b = build(make_cfg(tile_server.url, zoom_massimo=14))
    assert b.zoom == 14 and not b.fallback
    assert b.image.shape[0] == round(100 / 25.4 * b.ppi) and b.ppi < 250
    assert b.problems == (
        Problem(
            "avviso",
            f"Lo sfondo sarà stampato a {b.ppi:.0f} ppi, sotto il minimo di 250 ppi (lo stile arriva al massimo "
            "allo zoom 14): le scritte delle tessere usciranno sgranate. Alza il limite, scegli uno stile con "
            "zoom maggiore o stampa la mappa più piccola.",
            where="vista «prova»",
        ),
    )


def test_tile_budget_caps_the_zoom_before_fetching(tile_server, cache_env):
    b = build(make_cfg(tile_server.url, max_tessere=20))
    assert b.tiles <= 20 and tile_server.requests == b.tiles
    assert b.zoom < 16
    assert "più di 20 tessere («sfondo.max_tessere»)" in b.problems[0].message


def test_cache_is_reused_with_the_server_stopped(tile_server, cache_env):
    cfg = make_cfg(tile_server.url_r)
    first = build(cfg, SMALL)
    served = tile_server.requests
    assert served == first.tiles and first.fetched_from_network == served
    tile_server.stop()
    second = build(cfg, SMALL)
    assert tile_server.requests == served  # zero requests the second time
    assert second.kind == "tessere" and not second.fallback
    assert second.from_cache == second.tiles == first.tiles and second.fetched_from_network == 0
    assert np.array_equal(first.image, second.image)
    report = basemap_report(second)
    assert report["tessere_dalla_cache"] == first.tiles and report["tessere_dalla_rete"] == 0


def test_cache_location_from_config_when_no_env(tile_server, tmp_path, monkeypatch):
    monkeypatch.delenv("STAMPA_CACHE", raising=False)
    build(make_cfg(tile_server.url, cache="cache-tessere"), SMALL, root=tmp_path)
    files = [p for p in (tmp_path / "cache-tessere").rglob("*") if p.is_file() and p.name != "fonte.txt"]
    assert len(files) == tile_server.requests
    (label,) = (tmp_path / "cache-tessere").glob("*/fonte.txt")
    assert label.read_text().strip() == tile_server.url


# ------------------------------------------------------------------------------------------------
# Failure modes: each one gives the vector basemap and one exact warning, within seconds.

ADVICE = (
    ". La mappa usa lo sfondo vettoriale (confini dei comuni). Controlla la connessione e «sfondo.fonte», "
    "oppure congela lo sfondo con «stampa sfondo» quando la rete funziona."
)
FAILURES = {
    "404": "tessera non disponibile (HTTP 404)",
    "500": "errore del server (HTTP 500)",
    "non-immagine": "la risposta non è un'immagine",
    "blocca": "nessuna risposta completa entro {timeout_s:g} s",
    "goccia": "nessuna risposta completa entro {timeout_s:g} s",
    "goccia-testa": "nessuna risposta completa entro {timeout_s:g} s",
    "troncata": "immagine troncata o danneggiata",
    "dimensione": "tessera di 300×300 pixel invece di 256×256",
    "redirect": "troppi reindirizzamenti",
    "muore": "connessione rifiutata dal server",
}


def _assert_fallback(b, reason, url_prefix):
    assert b.image is None and b.fallback and b.kind == "vettoriale" and b.ppi is None and b.attribution == ()
    (p,) = b.problems
    assert p.level == "avviso"
    assert p.message == "Sfondo a tessere non disponibile: " + reason + ADVICE
    assert p.where == "vista «prova»"
    assert p.value.startswith(url_prefix) and p.value.endswith(".png")
    report = basemap_report(b)
    assert report["ripiego_vettoriale"] is True and report["avvisi"][0]["messaggio"] == p.message


# A hanging or dripping server costs the timeout on every try: 0.3 s in the quick run, the
# whole second of make_cfg once each in the full run.
SLOW = ("blocca", "goccia", "goccia-testa")
FAILURE_CASES = [(m, 0.3 if m in SLOW else 1.0) for m in FAILURES] + [
    pytest.param(m, 1.0, marks=pytest.mark.lento, id=f"{m}-1s") for m in SLOW
]


@pytest.mark.parametrize(("mode", "timeout_s"), FAILURE_CASES)
def test_failure_falls_back_to_vector_within_seconds(mode, timeout_s, tile_server, cache_env):
    tile_server.mode = mode
    tile_server.drip_s = timeout_s / 5  # bytes keep coming, the answer never ends
    start = time.monotonic()
    b = build(make_cfg(tile_server.url, timeout_s=timeout_s))
    elapsed = time.monotonic() - start
    _assert_fallback(b, FAILURES[mode].format(timeout_s=timeout_s), f"http://127.0.0.1:{tile_server.port}/16/")
    assert elapsed < 5.0, elapsed


def test_connection_refused_falls_back_at_once(cache_env):
    url = refused_url()
    start = time.monotonic()
    b = build(make_cfg(url))
    assert time.monotonic() - start < 3.0
    _assert_fallback(b, "connessione rifiutata dal server", url.split("{z}")[0])


def test_exact_warning_text_for_a_404(tile_server, cache_env):
    tile_server.mode = "404"
    (p,) = build(make_cfg(tile_server.url)).problems
    assert p.format().startswith(f"vista «prova», valore «http://127.0.0.1:{tile_server.port}/16/")
    assert p.message == (
        "Sfondo a tessere non disponibile: tessera non disponibile (HTTP 404). La mappa usa lo sfondo "
        "vettoriale (confini dei comuni). Controlla la connessione e «sfondo.fonte», oppure congela lo "
        "sfondo con «stampa sfondo» quando la rete funziona."
    )


@pytest.mark.parametrize(("timeout_s", "tempo_massimo_s"), [(0.4, 0.3), pytest.param(2.0, 1.5, marks=pytest.mark.lento)])
def test_overall_deadline_bounds_many_slow_tiles(tile_server, cache_env, timeout_s, tempo_massimo_s):
    tile_server.mode = "blocca"
    start = time.monotonic()
    b = build(make_cfg(tile_server.url, timeout_s=timeout_s, tentativi=5, tempo_massimo_s=tempo_massimo_s))
    assert time.monotonic() - start < tempo_massimo_s + 2.5
    assert b.fallback
    message = b.problems[0].message
    assert f"nessuna risposta completa entro {timeout_s:g} s" in message or f"tempo massimo di {tempo_massimo_s:g} s superato" in message


def _cached_tiles(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.name != "fonte.txt"]


def test_bad_tiles_are_never_cached(tile_server, cache_env):
    tile_server.mode = "troncata"
    # One connection, so the order is fixed: four good tiles, then every third column cut short.
    # (With two connections which tile fails first is a race, and a good tile in flight may be dropped.)
    asked: list[tuple[int, int]] = []

    def bad(z, x, y):
        if (x, y) not in asked:
            asked.append((x, y))
        return len(asked) > 4 and x % 3 == 0

    tile_server.bad = bad
    b = build(make_cfg(tile_server.url, tentativi=0, connessioni=1))
    assert b.fallback
    files = _cached_tiles(cache_env)
    assert len(files) == tile_server.served_ok >= 4
    cut = {t for i, t in enumerate(asked) if i >= 4 and t[0] % 3 == 0}
    for f in files:
        x = int(f.parent.name)
        assert (x, int(f.stem)) not in cut
        with Image.open(io.BytesIO(f.read_bytes())) as img:
            img.load()
            assert img.size == (256, 256)
    # Served again correctly, the next build downloads only the missing tiles.
    tile_server.bad = None
    tile_server.mode = "ok"
    before = tile_server.requests
    again = build(make_cfg(tile_server.url))
    assert not again.fallback and again.from_cache == len(files)
    assert tile_server.requests - before == again.fetched_from_network == again.tiles - len(files)


def test_server_dying_mid_fetch_keeps_the_good_tiles(tile_server, cache_env):
    tile_server.mode = "muore"
    tile_server.die_after = 5
    b = build(make_cfg(tile_server.url))
    assert b.fallback
    # every good tile is kept, except one the other connection may have been receiving when the
    # fetch stopped (never cached half)
    assert tile_server.served_ok - 1 <= len(_cached_tiles(cache_env)) <= tile_server.served_ok
    assert tile_server.served_ok >= 5


def _no_proxy(monkeypatch):
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.parametrize("timeout_s", [0.3, pytest.param(1.0, marks=pytest.mark.lento)])
def test_name_lookup_that_hangs_is_bounded(cache_env, monkeypatch, timeout_s):
    import socket

    _no_proxy(monkeypatch)

    def slow_lookup(*args, **kwargs):
        time.sleep(30)

    monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)
    start = time.monotonic()
    b = build(make_cfg("http://tessere.esempio.invalid/{z}/{x}/{y}.png", timeout_s=timeout_s))
    assert time.monotonic() - start < timeout_s + 2
    _assert_fallback(b, f"il nome del server non si risolve entro {timeout_s:g} s (rete assente?)",
                     "http://tessere.esempio.invalid/16/")


def test_unknown_server_name_falls_back(cache_env, monkeypatch):
    import socket

    _no_proxy(monkeypatch)

    def no_such_name(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    b = build(make_cfg("http://tessere.esempio.invalid/{z}/{x}/{y}.png"))
    _assert_fallback(b, "nome del server non trovato (rete assente?)", "http://tessere.esempio.invalid/16/")


def test_banded_warp_has_no_seams(tile_server, cache_env, monkeypatch):
    """Warping band by band (to save memory) gives the same image as warping all at once."""
    from stampa.basemap import warp

    cfg = make_cfg(tile_server.url)
    monkeypatch.setattr(warp, "BAND_ROWS", 200)
    banded = build(cfg, SMALL).image
    monkeypatch.setattr(warp, "BAND_ROWS", 100000)
    whole = build(cfg, SMALL).image
    assert banded.shape == whole.shape
    diff = np.abs(banded.astype(int) - whole.astype(int))
    assert diff.max() <= 2, (diff.max(), np.argwhere(diff > 2)[:5])


def test_tile_damaged_in_the_cache_is_downloaded_again(tile_server, cache_env):
    cfg = make_cfg(tile_server.url)
    first = build(cfg, SMALL)
    victim = _cached_tiles(cache_env)[3]
    victim.write_bytes(victim.read_bytes()[:50])  # a disk error after caching
    before = tile_server.requests
    again = build(cfg, SMALL)
    assert not again.fallback and again.problems == ()
    assert tile_server.requests - before == again.fetched_from_network == 1
    assert again.from_cache == again.tiles - 1
    assert np.array_equal(first.image, again.image)
    with Image.open(victim) as img:
        img.load()


def test_a_key_in_the_template_never_reaches_report_or_cache(tile_server, cache_env):
    b = build(make_cfg(tile_server.url + "?apikey=SEGRETO"), SMALL)
    assert not b.fallback and all(p.endswith("?apikey=SEGRETO") for p in tile_server.paths)
    assert "SEGRETO" not in json.dumps(basemap_report(b), ensure_ascii=False)
    assert not any("SEGRETO" in p.read_text() for p in cache_env.rglob("fonte.txt"))
