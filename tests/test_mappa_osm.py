"""The Mappa with its OpenStreetMap basemap, end to end, as a reader of the PDF sees it.

A copy of the sample project is built with ``fonte = "osm"`` against a local Overpass server
(tests/overpass_server.py, synthetic OSM data around Pavia); the internet is never used. Checked
on the built files: the basemap is vector (no image), CMYK only, street names are text on the
inset and on the atlas sheets, no basemap name overlaps a marker or another name, the credits
are printed, the data is frozen in dati/ and a second build makes no request and writes the same
bytes. A server that misbehaves leaves the comune outlines, a warning and a finished build.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from stampa.basemap.osm_store import trial_osm_path
from stampa.build import BuildOptions, build_edition
from stampa.config import Sfondo

from overpass_server import OverpassServer

ROOT = Path(__file__).resolve().parents[1]
OSM_CREDIT = "© OpenStreetMap contributors, dati ODbL (openstreetmap.org/copyright)"
pytestmark = pytest.mark.lento
MAIN_STREETS = ("Viale Cremona", "Strada Nuova (it)", "Via Riviera", "Via Olevano")


def make_project(where: Path, *, formato: str = "A3-pieghevole", extra: str = "") -> Path:
    shutil.copytree(ROOT / "layout", where / "layout")
    (where / "dati").mkdir()
    shutil.copy(ROOT / "dati" / "voci-esempio.csv", where / "dati" / "voci-esempio.csv")
    shutil.copy(ROOT / "dati" / "geocodifica.csv", where / "dati" / "geocodifica.csv")  # the sample addresses' points
    text = (ROOT / "stampa.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^fonte = ".*"$', 'fonte = "osm"' + extra, text)
    text = re.sub(r'(?m)^formato = ".*"$', f'formato = "{formato}"\nriquadro = "sì"', text)
    (where / "stampa.toml").write_text(text, encoding="utf-8")
    return where / "stampa.toml"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(config: Path, out: Path, **kw):
    return build_edition(BuildOptions(config=config, out=out, show=False, **kw))


def page_text(pdf: Path, page: int) -> str:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return doc[page].get_textpage().get_text_range()
    finally:
        doc.close()


def images_and_colour_ops(pdf: Path, page: int) -> tuple[int, set[str]]:
    """Image XObjects on the page (forms included) and the colour operators of its streams."""
    ops: set[str] = set()
    images = 0
    with pikepdf.open(pdf) as doc:
        pg = doc.pages[page]

        def walk(obj) -> None:
            nonlocal images
            for operands, op in pikepdf.parse_content_stream(obj):
                if str(op) in ("rg", "RG", "k", "K", "g", "G", "sc", "scn", "SC", "SCN"):
                    ops.add(str(op))
            for _, x in (obj.get("/Resources", {}).get("/XObject", {}) or {}).items():
                if x.get("/Subtype") == "/Image":
                    images += 1
                else:
                    walk(x)

        walk(pg)
    return images, ops


@pytest.fixture(scope="module")
def leaflet(tmp_path_factory, request):
    """The sample edition as an A3 leaflet (with its inset) over the OSM basemap, built twice:
    the second build finds the frozen data and must not ask the server."""
    tmp = tmp_path_factory.mktemp("osm")
    server = OverpassServer()
    mp = pytest.MonkeyPatch()
    mp.setenv("STAMPA_SERVER_OSM", server.url)
    try:
        config = make_project(tmp)
        first = build(config, tmp / "out1")
        asked = len(server.requests)
        second = build(config, tmp / "out2")
        asked_again = len(server.requests) - asked
    finally:
        server.stop()
        mp.undo()
    return tmp, first, second, asked, asked_again, server


def test_data_is_fetched_once_frozen_in_dati_and_reused_without_requests(leaflet):
    tmp, first, second, asked, asked_again, server = leaflet
    assert 1 <= asked <= 3  # as few queries as the layers need
    assert asked_again == 0
    frozen = tmp / "dati" / "sfondo-osm-2026.gpkg"
    assert frozen.is_file()
    assert all(r.user_agent.startswith("stampa/") and "m.piccio@csvlombardia.it" in r.user_agent for r in server.requests)
    assert all("[timeout:" in r.query for r in server.requests)
    for name in ("mappa-stampa.pdf", "mappa-digitale.pdf"):
        assert sha(tmp / "out1" / name) == sha(tmp / "out2" / name)  # a reprint is byte-identical
    report = json.loads((tmp / "out2" / "rapporto.json").read_text(encoding="utf-8"))
    views = {s["vista"]: s for s in report["sfondo"]}
    assert set(views) == {"mappa", "riquadro"}
    for s in views.values():
        assert s["tipo"] == "osm" and s["ripiego_vettoriale"] is False
        assert s["file"] == "dati/sfondo-osm-2026.gpkg"
        assert s["data_osm"].startswith("20")
        assert s["attribuzione"] == [OSM_CREDIT]


def test_basemap_is_vector_and_cmyk_on_the_map_side(leaflet):
    tmp, *_ = leaflet
    images, ops = images_and_colour_ops(tmp / "out1" / "mappa-stampa.pdf", 1)
    assert images == 0
    assert ops <= {"k", "K"}, ops  # CMYK only: no RGB, no grey, no other colour space


def test_street_names_are_text_on_the_inset_and_credits_are_printed(leaflet):
    tmp, first, *_ = leaflet
    text = " ".join(page_text(tmp / "out1" / "mappa-stampa.pdf", 1).split())
    # main streets of the synthetic data, in the inset of central Pavia (where markers leave room)
    assert [s for s in MAIN_STREETS if s in text]
    assert "Ticino" in text and "Naviglio Pavese" in text
    assert "OpenStreetMap contributors" in text and "ISTAT" in text


def build_layout(tmp: Path):
    """The layout record of the leaflet (rebuilt in memory from the frozen data: no server)."""
    from stampa.build import with_osm_style
    from stampa.basemap.for_views import get_basemaps
    from stampa.inputs import load_inputs
    from stampa.printing.theme import load_theme
    from stampa.products.mappa import build_mappa

    inputs = load_inputs(tmp / "stampa.toml")
    cfg = inputs.config
    out = tmp / "ricostruita"

    def basemaps(views):
        return with_osm_style(get_basemaps(cfg.sfondo, views, root=cfg.root, year=cfg.edizione.anno), cfg.root / "layout")

    result = build_mappa(
        cfg, inputs.edition.entries, inputs.district, out, theme=load_theme(tmp / "layout" / "tema.toml"),
        layout_dir=tmp / "layout", basemaps=basemaps, preview_dpi=30,
    )
    return result.layout


def test_no_basemap_name_covers_a_marker_a_comune_name_or_another_name(leaflet):
    tmp, *_ = leaflet
    layout = build_layout(tmp)
    names = [(text, Polygon(corners)) for text, corners in layout.base_names]
    assert names
    markers = [box(*e.box_mm) for e in layout.entries]
    comuni = [box(*b) for _, b in layout.label_boxes_mm]
    blocks = [box(*b) for what, b in layout.blocks_mm if what in ("legenda", "attribuzione")]
    for i, (text, poly) in enumerate(names):
        for other in markers + comuni + blocks:
            assert not poly.intersects(other), text
        for text2, poly2 in names[i + 1 :]:
            assert not poly.intersects(poly2), (text, text2)


@pytest.mark.parametrize("mode", ["blocca", "429", "troncata", "html"])
def test_a_misbehaving_server_leaves_the_comune_outlines_and_a_warning(tmp_path, monkeypatch, mode):
    server = OverpassServer()
    server.mode = mode
    server.retry_after = "60"
    monkeypatch.setenv("STAMPA_SERVER_OSM", server.url)
    try:
        config = make_project(tmp_path, extra="\ntempo_massimo_s = 6")
        started = time.monotonic()
        result = build(config, tmp_path / "out", verifica=False)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    assert elapsed < 60  # bounded by tempo_massimo_s (6 s), not by the server
    warnings = [p.message for p in result.problems if p.message.startswith("Sfondo OpenStreetMap non disponibile")]
    assert len(warnings) == 1, [p.message for p in result.problems]
    assert "La mappa usa lo sfondo vettoriale (confini dei comuni)" in warnings[0]
    assert not (tmp_path / "dati" / "sfondo-osm-2026.gpkg").exists()  # nothing half-written kept
    assert not [p for p in (tmp_path / "dati").iterdir() if p.name.endswith(".tmp")]
    report = result.report
    assert all(s["ripiego_vettoriale"] for s in report["sfondo"])
    assert "OpenStreetMap" not in page_text(tmp_path / "out" / "mappa-stampa.pdf", 1)


def test_without_the_osm_data_the_mappa_is_the_outline_map_to_the_byte(tmp_path):
    """The map is planned for the credits the source prints (one OpenStreetMap line); when the data
    cannot be had (here nothing listens, see conftest) it is planned again for the outlines' credits,
    so its credits box, legend and inset are exactly those of the outline basemap."""
    config = make_project(tmp_path / "p", formato="A3-pieghevole")
    fell_back = build(config, tmp_path / "osm", verifica=False, archive=False)
    assert any(p.message.startswith("Sfondo OpenStreetMap non disponibile") for p in fell_back.problems)
    build(config, tmp_path / "vettoriale", verifica=False, archive=False, sfondo="vettoriale")
    for name in ("mappa-stampa.pdf", "mappa-digitale.pdf"):
        assert sha(tmp_path / "osm" / name) == sha(tmp_path / "vettoriale" / name)
    assert "OpenStreetMap" not in page_text(tmp_path / "osm" / "mappa-stampa.pdf", 1)


def test_atlas_sheets_carry_street_names(tmp_path, monkeypatch):
    """A booklet with map sheets: the sheets of central Pavia name its streets. Built as a trial
    (other entries) over the edition's frozen data, which the trial must not replace."""
    from bench import synthetic
    from stampa.cli import main
    from stampa.products.mappa import render

    drawn = []  # per sheet drawn: its entries and the basemap names, in mm on its page

    def recording(*args, **kw):
        got = render.draw_sheet.__wrapped__(*args, **kw)
        drawn.append((args[2].number, got[0], got[3]))
        return got

    recording.__wrapped__ = render.draw_sheet
    monkeypatch.setattr(render, "draw_sheet", recording)
    server = OverpassServer()
    monkeypatch.setenv("STAMPA_SERVER_OSM", server.url)
    monkeypatch.setenv("STAMPA_CACHE", str(tmp_path / "cache"))
    try:
        config = make_project(tmp_path, formato="libretto", extra="")
        text = config.read_text(encoding="utf-8").replace('riquadro = "sì"', 'tavole = "sì"')
        config.write_text(text, encoding="utf-8")
        entries = tmp_path / "voci.csv"
        synthetic.write_csv(entries, synthetic.generate_entries(300, seed=3))
        assert main(["sfondo", "--config", str(config)]) == 0  # the edition's own views, frozen in dati/
        frozen = tmp_path / "dati" / "sfondo-osm-2026.gpkg"
        before = sha(frozen)
        result = build(config, tmp_path / "out", dati=entries, verifica=False)
    finally:
        server.stop()
    pdf = tmp_path / "out" / "mappa-stampa.pdf"
    doc = pdfium.PdfDocument(str(pdf))
    sheet_pages = [i for i in range(len(doc)) if doc[i].get_textpage().get_text_range().startswith("Tavola ")]
    doc.close()
    assert sheet_pages
    texts = [" ".join(page_text(pdf, i).split()) for i in sheet_pages]
    assert any(s in t for t in texts for s in MAIN_STREETS)
    for i in sheet_pages:
        images, ops = images_and_colour_ops(pdf, i)
        assert images == 0 and ops <= {"k", "K"}
    assert any(s["tipo"] == "osm" and s["vista"].startswith("tavola") for s in result.report["sfondo"])
    # no street name over a marker, a leader line, the dot at a true place or another name, sheet by sheet
    assert drawn and any(names for _, _, names in drawn)
    for number, entries, names in drawn:
        polys = [(text, Polygon(corners)) for text, corners in names]
        taken = [box(*e.box_mm) for e in entries]
        taken += [LineString([e.true_mm, e.marker_mm]).buffer(0.3) for e in entries if e.displaced]
        taken += [Point(e.true_mm).buffer(0.6) for e in entries if e.displaced]
        for i, (text, poly) in enumerate(polys):
            assert not any(poly.intersects(t) for t in taken), (number, text)
            assert not any(poly.intersects(q) for _, q in polys[i + 1 :]), (number, text)
    # other entries than stampa.toml names: a trial, which fetched its sheets into the cache and
    # left the edition's frozen data as it was
    assert sha(frozen) == before
    trial_file = trial_osm_path(Sfondo(), tmp_path, 2026).relative_to(tmp_path)  # the cache is in the project here
    assert {s["file"] for s in result.report["sfondo"]} == {str(trial_file)}
    assert any(p.message.startswith("Edizione di prova: i dati OpenStreetMap scaricati") for p in result.problems)


def test_stampa_sfondo_freezes_the_osm_data_and_fails_loudly_without_server(tmp_path, monkeypatch, capsys):
    """stampa sfondo learns the views from planning alone (no PDF is drawn), freezes exactly what
    the build then needs (no request), and fails loudly without its server."""
    from reportlab.pdfgen.canvas import Canvas

    from stampa.cli import main

    def no_drawing(*args, **kw):
        raise AssertionError("stampa sfondo drew a PDF")

    config = make_project(tmp_path)
    server = OverpassServer()
    monkeypatch.setenv("STAMPA_SERVER_OSM", server.url)
    try:
        with monkeypatch.context() as m:
            m.setattr(Canvas, "__init__", no_drawing)
            assert main(["sfondo", "--config", str(config)]) == 0
        asked = len(server.requests)
        built = build(config, tmp_path / "out", verifica=False)
        assert len(server.requests) == asked  # the build found every view it draws in the frozen file
    finally:
        server.stop()
    assert not [p.message for p in built.problems if "OpenStreetMap" in p.message]
    assert {s["tipo"] for s in built.report["sfondo"]} == {"osm"}
    out = " ".join(capsys.readouterr().out.split())
    frozen = tmp_path / "dati" / "sfondo-osm-2026.gpkg"
    assert frozen.is_file() and asked >= 1
    assert "Sfondo OpenStreetMap congelato in" in out and "dati del 2026-11-28" in out
    before = sha(frozen)
    # the server is gone: stampa sfondo says so and keeps the frozen file as it was
    assert main(["sfondo", "--config", str(config)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert f"dati OpenStreetMap non scaricati dal server {server.url}: connessione rifiutata dal server." in err
    assert sha(frozen) == before


def test_stampa_sfondo_refuses_tiles_whose_terms_forbid_it_before_planning(tmp_path, capsys):
    from stampa.cli import main

    config = make_project(tmp_path)
    assert main(["sfondo", "--config", str(config), "--sfondo", "OpenStreetMap.Mapnik"]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "lo sfondo non si può congelare con le tessere dei server di OpenStreetMap" in err
    assert "Scrivi «osm» in «sfondo.fonte»" in err
