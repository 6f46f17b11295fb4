"""The map drawn over real basemaps from stampa.basemap (tiles from a server on 127.0.0.1, and the
vector source): pixels embedded as fetched, the tile credit printed with the ISTAT credit."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pypdf
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from stampa.basemap import get_basemap
from stampa.cartography import INSET, MAIN, draw_map, plan_map
from stampa.printing.fonts import register_family
from stampa.printing.theme import load_theme
from tests.basemap_helpers import make_cfg
from tests.cartography_support import dense_edition, district
from tests.tileserver import cache_env, tile_server  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[1]


def _draw(plan, basemaps) -> tuple[bytes, object]:
    fonts = register_family("Atkinson Hyperlegible")
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(230 * mm, 170 * mm), invariant=1, initialFontName=fonts.regular)
    layout = draw_map(c, plan, basemaps, origin_mm=(5, 5), theme=load_theme(ROOT / "layout" / "tema.toml"))
    c.showPage()
    c.save()
    return buf.getvalue(), layout


def test_map_over_tiles_from_a_local_server(tile_server, cache_env):
    d = district()
    plan = plan_map(d, dense_edition(d), (220.0, 160.0))
    cfg = make_cfg(tile_server.url, ppi=120)
    basemaps = {name: get_basemap(cfg, view, root=ROOT, year=2026) for name, view in plan.views.items()}
    assert set(basemaps) == {MAIN, INSET}
    for bm in basemaps.values():
        assert bm.image is not None and not bm.fallback
    pdf, layout = _draw(plan, basemaps)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        xobjects = doc.pages[0].Resources.XObject
        sizes = sorted((int(x.Width), int(x.Height)) for x in xobjects.values() if x.get("/Subtype") == "/Image")
    assert sizes == sorted((bm.image.shape[1], bm.image.shape[0]) for bm in basemaps.values())
    assert layout.attribution == ("© Tessere di prova", "Confini comunali: elaborazione su dati ISTAT (CC BY 4.0)")
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "© Tessere di prova" in text and "dati ISTAT (CC BY 4.0)" in text.replace("\n", " ")


def test_map_over_the_vector_source():
    d = district()
    plan = plan_map(d, dense_edition(d), (220.0, 160.0))
    cfg = make_cfg("vettoriale")
    basemaps = {name: get_basemap(cfg, view, root=ROOT, year=2026) for name, view in plan.views.items()}
    pdf, layout = _draw(plan, basemaps)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert "/XObject" not in doc.pages[0].Resources
    assert layout.attribution == ("Confini comunali: elaborazione su dati ISTAT (CC BY 4.0)",)
