"""Freezing the basemap into dati/: builds with no network, compressed, byte-stable; GeoTIFF sources."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_bounds

from tests.basemap_helpers import PAVIA, around, make_cfg
from tests.tileserver import TileServer, cache_env, tile_server  # noqa: F401 (fixtures)
from stampa.basemap import View, basemap_report, freeze_basemap, get_basemap
from stampa.problems import StampaError

MAIN = View("distretto", around(*PAVIA, 2000), (60.0, 60.0))
INSET = View("centro", around(PAVIA[0] + 300, PAVIA[1] - 200, 600), (40.0, 40.0))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def frozen_once(tmp_path_factory):
    """Both views fetched from a local server and frozen once for the module (tiles and GeoTIFFs
    are most of these tests' time); returns (server, cache, project template, cfg, live builds)."""
    server = TileServer()
    base = tmp_path_factory.mktemp("congelato")
    template = base / "progetto"
    (template / "dati").mkdir(parents=True)
    cfg = make_cfg(server.url_r)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("STAMPA_CACHE", str(base / "cache"))
            live = {v.name: get_basemap(cfg, v, root=template, year=2026) for v in (MAIN, INSET)}
            path = freeze_basemap(cfg, [MAIN, INSET], root=template, year=2026)
        assert path == template / "dati" / "sfondo-2026.tif"
        yield server, base / "cache", template, cfg, live
    finally:
        server.stop()


@pytest.fixture
def frozen_server(frozen_once):
    """The server the views were frozen from, serving again (a test may have made it fail)."""
    server = frozen_once[0]
    server.mode, server.bad = "ok", None
    return server


@pytest.fixture
def frozen(frozen_once, frozen_server, tmp_path, monkeypatch):
    """A project folder of this test's own with both views frozen; returns (root, cfg, live builds)."""
    _, cache, template, cfg, live = frozen_once
    root = tmp_path / "progetto"
    shutil.copytree(template, root)
    monkeypatch.setenv("STAMPA_CACHE", str(cache))
    return root, cfg, live


def test_freeze_writes_one_geotiff_per_view_and_a_sidecar(frozen, frozen_server):
    root, cfg, live = frozen
    main, inset = root / "dati" / "sfondo-2026.tif", root / "dati" / "sfondo-2026-centro.tif"
    assert main.is_file() and inset.is_file()
    side = json.loads((root / "dati" / "sfondo-2026.json").read_text(encoding="utf-8"))
    assert side["fonte"] == frozen_server.url_r and side["tipo"] == "tessere"
    assert side["modello_url"] == frozen_server.url_r.replace("{r}", "@2x")
    assert side["attribuzione"] == ["© Tessere di prova"] and side["crs"] == "EPSG:32632"
    assert len(side["data"]) == 10  # YYYY-MM-DD
    names = [v["nome"] for v in side["viste"]]
    assert names == ["distretto", "centro"]
    d, c = side["viste"]
    assert d["file"] == "sfondo-2026.tif" and c["file"] == "sfondo-2026-centro.tif"
    assert d["estensione"] == list(MAIN.extent) and d["formato_mm"] == [60.0, 60.0]
    assert d["ppi"] == 300.0 and d["pixel"] == [709, 709] and d["zoom"] == live["distretto"].zoom
    assert c["zoom"] == live["centro"].zoom > d["zoom"]  # the inset is at a larger scale


def test_frozen_geotiff_is_compressed_tiled_and_georeferenced(frozen):
    root, _, live = frozen
    path = root / "dati" / "sfondo-2026.tif"
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 32632 and src.count == 3 and src.dtypes == ("uint8",) * 3
        assert src.compression.name == "deflate"
        assert src.profile["tiled"] and src.block_shapes[0] == (512, 512)
        assert src.bounds == pytest.approx(MAIN.extent)
        assert np.array_equal(src.read().transpose(1, 2, 0), live["distretto"].image)
        tags = src.tags()
    assert tags["STAMPA_VISTA"] == "distretto" and tags["STAMPA_ATTRIBUZIONE_1"] == "© Tessere di prova"
    raw = 709 * 709 * 3
    assert path.stat().st_size < raw / 5


def test_build_from_frozen_needs_no_network_and_gives_the_same_pixels(frozen, frozen_server, tmp_path, monkeypatch):
    root, cfg, live = frozen
    frozen_server.mode = "404"  # off the network: any request would fail, and be counted
    monkeypatch.setenv("STAMPA_CACHE", str(tmp_path / "cache-vuota"))  # not even the cache
    before = frozen_server.requests
    for view in (MAIN, INSET):
        b = get_basemap(cfg, view, root=root, year=2026)
        assert b.kind == "congelato" and not b.fallback and b.problems == ()
        assert b.fetched_from_network == 0
        assert np.array_equal(b.image, live[view.name].image)
        assert b.zoom == live[view.name].zoom and b.ppi == live[view.name].ppi
        assert b.attribution == ("© Tessere di prova",)
    assert frozen_server.requests == before
    assert not (tmp_path / "cache-vuota").exists()
    report = basemap_report(get_basemap(cfg, INSET, root=root, year=2026))
    assert report["tipo"] == "congelato" and report["file"] == "dati/sfondo-2026-centro.tif"


def test_freezing_twice_gives_byte_identical_geotiffs(frozen):
    root, cfg, _ = frozen
    files = [root / "dati" / "sfondo-2026.tif", root / "dati" / "sfondo-2026-centro.tif"]
    first = [sha(f) for f in files]
    freeze_basemap(cfg, [MAIN, INSET], root=root, year=2026)  # from the cache this time
    assert [sha(f) for f in files] == first


def test_a_part_of_a_frozen_view_is_read_from_it(frozen, frozen_server):
    root, cfg, live = frozen
    frozen_server.mode = "404"  # off the network: any request would fail, and be counted
    part = View("dettaglio", around(*PAVIA, 1000), (30.0, 30.0))
    b = get_basemap(cfg, part, root=root, year=2026)
    assert b.kind == "congelato" and b.image.shape == (354, 354, 3) and not b.fallback and b.problems == ()
    # Same place, same colours as the frozen main view at this point (its centre).
    main = live["distretto"].image
    assert np.abs(b.image[177, 177].astype(int) - main[354, 354].astype(int)).max() <= 6
    # Printed bigger than the frozen pixels allow: not upsampled, and the report says so.
    big = get_basemap(cfg, View("grande", part.extent, (60.0, 60.0)), root=root, year=2026)
    assert big.kind == "congelato" and big.image.shape == (354, 354, 3) and big.ppi < 250
    assert big.problems[0].message.startswith("Lo sfondo sarà stampato a 150 ppi, sotto il minimo di 250 ppi (risoluzione del file di sfondo)")


def test_view_outside_the_frozen_one_warns_and_downloads(frozen, frozen_server):
    root, cfg, _ = frozen
    far = View("altrove", around(PAVIA[0] + 5000, PAVIA[1], 500), (40.0, 40.0))
    before = frozen_server.requests
    b = get_basemap(cfg, far, root=root, year=2026)
    assert b.kind == "tessere" and frozen_server.requests > before
    assert b.problems[0].message == (
        "Lo sfondo congelato non copre la vista «altrove»: scarico le tessere. Rifai «stampa sfondo» per "
        "congelare le viste attuali della mappa."
    )
    assert b.problems[0].file == "dati/sfondo-2026.tif"


def test_another_source_than_the_frozen_one_is_not_replaced_by_it(frozen, frozen_server):
    root, cfg, _ = frozen
    b = get_basemap(cfg, MAIN, root=root, year=2026, source=frozen_server.url)
    assert b.kind == "tessere"
    assert b.problems[0].message.startswith(f"Lo sfondo congelato è di «{frozen_server.url_r}», ma la fonte ora è «{frozen_server.url}»")


def test_frozen_file_named_as_source_is_used_as_frozen(frozen, frozen_server):
    root, cfg, live = frozen
    frozen_server.mode = "404"  # off the network: any request would fail, and be counted
    b = get_basemap(cfg, MAIN, root=root, year=2026, source="dati/sfondo-2026.tif")
    assert b.kind == "congelato" and np.array_equal(b.image, live["distretto"].image)
    assert b.attribution == ("© Tessere di prova",)


def test_freeze_that_cannot_fetch_writes_nothing(tile_server, cache_env, tmp_path):
    tile_server.mode = "500"
    with pytest.raises(StampaError) as exc:
        freeze_basemap(make_cfg(tile_server.url), [MAIN], root=tmp_path, year=2026)
    (p,) = exc.value.problems
    assert p.message.startswith("impossibile congelare la vista «distretto»: niente è stato scritto. Sfondo a tessere non disponibile: errore del server (HTTP 500).")
    assert not any(tmp_path.rglob("*.tif")) and not any(tmp_path.rglob("*.json"))


def test_vector_source_cannot_be_frozen(tmp_path):
    with pytest.raises(StampaError) as exc:
        freeze_basemap(make_cfg("vettoriale"), [MAIN], root=tmp_path, year=2026)
    assert exc.value.problems[0].message.startswith("lo sfondo «vettoriale» non ha tessere da congelare")


def test_congelato_setting_names_the_file(tile_server, cache_env, tmp_path):
    cfg = make_cfg(tile_server.url, congelato="dati/mio-sfondo.tif")
    path = freeze_basemap(cfg, [INSET], root=tmp_path, year=2026)
    assert path == tmp_path / "dati" / "mio-sfondo.tif" and (tmp_path / "dati" / "mio-sfondo.json").is_file()
    tile_server.stop()
    assert get_basemap(cfg, INSET, root=tmp_path, year=2026).kind == "congelato"


# ------------------------------------------------------------------------------------------------
# A GeoTIFF of the user's as the source (any CRS).


def _write_wgs84_geotiff(path: Path, bounds: tuple[float, float, float, float], colour=(10, 120, 200), size=300):
    data = np.zeros((3, size, size), dtype=np.uint8)
    for i, c in enumerate(colour):
        data[i] = c
    with rasterio.open(
        path, "w", driver="GTiff", width=size, height=size, count=3, dtype="uint8", crs="EPSG:4326",
        transform=from_bounds(*bounds, size, size),
    ) as dst:
        dst.write(data)


def test_geotiff_source_in_another_crs(tmp_path, cache_env):
    # ~2 km at ~1 m per pixel around the inset: finer than 300 ppi needs.
    _write_wgs84_geotiff(tmp_path / "ortofoto.tif", (9.15, 45.175, 9.175, 45.19), size=2000)
    cfg = make_cfg("ortofoto.tif", attribuzione="© Regione Lombardia")
    b = get_basemap(cfg, INSET, root=tmp_path, year=2026)
    assert b.kind == "geotiff" and not b.fallback and b.attribution == ("© Regione Lombardia",)
    assert b.image.shape == (472, 472, 3) and b.ppi == 300.0 and b.zoom is None
    assert (b.image == (10, 120, 200)).all()
    assert b.problems == ()


def test_coarse_geotiff_is_not_upsampled_and_warns(tmp_path, cache_env):
    # 300 px over ~9 km: ~31 m per pixel, about 27 ppi on the 40 mm inset.
    _write_wgs84_geotiff(tmp_path / "grezzo.tif", (9.10, 45.15, 9.22, 45.22))
    b = get_basemap(make_cfg("grezzo.tif", attribuzione="© Io"), INSET, root=tmp_path, year=2026)
    assert b.kind == "geotiff" and b.ppi < 40
    assert b.image.shape[0] == round(40 / 25.4 * b.ppi)
    assert b.problems[0].message.startswith(f"Lo sfondo sarà stampato a {b.ppi:.0f} ppi, sotto il minimo di 250 ppi (risoluzione del file di sfondo)")


def test_geotiff_partly_covering_warns_and_leaves_white(tmp_path, cache_env):
    x0 = 9.158  # the file stops at Pavia's centre: half of MAIN is outside
    _write_wgs84_geotiff(tmp_path / "mezzo.tif", (9.0, 45.1, x0, 45.3))
    b = get_basemap(make_cfg("mezzo.tif", attribuzione=""), MAIN, root=tmp_path, year=2026)
    assert b.kind == "geotiff"
    messages = [p.message for p in b.problems]
    assert any(m.startswith("Il file di sfondo copre solo il ") for m in messages)
    assert (b.image[:, -5:] == 255).all() and (b.image[:, :5] == (10, 120, 200)).all()
    assert any(m.startswith("Lo sfondo GeoTIFF non ha un'attribuzione") for m in messages)


def test_unreadable_geotiff_falls_back(tmp_path, cache_env):
    (tmp_path / "rotto.tif").write_bytes(b"non sono un tiff")
    b = get_basemap(make_cfg("rotto.tif"), MAIN, root=tmp_path, year=2026)
    assert b.fallback and b.image is None
    assert b.problems[0].message.startswith("Il file di sfondo non si può usare (")


def test_damaged_frozen_file_warns_and_uses_the_tiles(frozen, frozen_server):
    root, cfg, live = frozen
    (root / "dati" / "sfondo-2026.tif").write_bytes(b"rovinato")
    b = get_basemap(cfg, MAIN, root=root, year=2026)
    assert b.kind == "tessere" and np.array_equal(b.image, live["distretto"].image)
    assert [p.message for p in b.problems] == [
        "Lo sfondo congelato non si può leggere: scarico le tessere. Rifai «stampa sfondo» per congelarlo di nuovo."
    ]
    assert b.problems[0].file == "dati/sfondo-2026.tif"
