"""The OpenStreetMap basemap drawing: the style file, the vector layers by printed scale, the names
along streets and rivers, read back from the PDF as a print shop and a reader would."""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from shapely.geometry import LineString, Point, box as shp_box

from osm_samples import CENTRE, EW_STREETS, SPACING_M, large_osm, port_at, sample_osm
from stampa.basemap.osm_model import UTM, OsmData
from stampa.cartography.osm_draw import draw_osm
from stampa.cartography.osm_labels import draw_osm_labels, place_osm_labels
from stampa.cartography.osm_style import MIN_LABEL_PT, load_osm_style
from stampa.printing.fonts import register_family
from stampa.problems import StampaError

STYLE_FILE = Path(__file__).resolve().parents[1] / "layout" / "sfondo.toml"
FRAME = (160.0, 120.0)
ORIGIN = (10.0, 10.0)


@pytest.fixture(scope="module")
def style():
    return load_osm_style(STYLE_FILE)


@pytest.fixture(scope="module")
def fonts():
    return register_family("Atkinson Hyperlegible")


@pytest.fixture(scope="module")
def town():
    return sample_osm()


@pytest.fixture(scope="module")
def district_data():
    return large_osm(30_000)


def _markers(port, n=16, seed=3):
    """Fake marker boxes (4.4 mm squares) and one leader line as a thin box, inside the view."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = port.box
    boxes = []
    for _ in range(n):
        x, y = rng.uniform(x0 + 5, x1 - 5), rng.uniform(y0 + 5, y1 - 5)
        boxes.append((x - 2.2, y - 2.2, x + 2.2, y + 2.2))
    boxes.append((x0 + 40, y0 + 60, x0 + 70, y0 + 60.6))  # a leader line
    boxes.append((x1 - 45, y0, x1, y0 + 25))  # a legend block in the corner
    return boxes


def _draw(path: Path, data, port, style, fonts, avoid=(), *, labels=True, skip_names=()):
    W, H = port.box[2] + ORIGIN[0], port.box[3] + ORIGIN[1]
    c = Canvas(str(path), pagesize=(W * mm, H * mm), enforceColorSpace="cmyk", initialFontName=fonts.regular, invariant=1)
    c.saveState()
    b = port.box
    p = c.beginPath()
    p.rect(b[0] * mm, b[1] * mm, (b[2] - b[0]) * mm, (b[3] - b[1]) * mm)
    c.clipPath(p, stroke=0, fill=0)
    stats = draw_osm(c, data, port, style)
    placed = ()
    if labels:
        placed = place_osm_labels(data, port, style, fonts.regular, list(avoid), skip_names=skip_names)
        draw_osm_labels(c, placed, style)
    c.restoreState()
    c.save()
    return stats, placed


def _text(path: Path) -> str:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()


def _content_ops(path: Path) -> str:
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        return b"".join(pikepdf.unparse_content_stream(pikepdf.parse_content_stream(page)).splitlines(keepends=True)).decode("latin-1")


def _images(path: Path) -> int:
    """Image XObjects anywhere in the file (pages, forms, inline or not)."""
    with pikepdf.open(path) as pdf:
        n = sum(1 for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image")
        ops = _content_ops(path)
    return n + len(re.findall(r"(?m)^BI$", ops))


# --- the style file ---------------------------------------------------------------------------

def test_repo_style_is_quiet_and_complete(style):
    for key in [("strade", "principale"), ("strade", "locale"), ("edifici", "edificio"), ("acqua", "fiume"), ("verde", "parco"), ("abitato", "residenziale")]:
        assert style.get(*key) is not None, key
    assert style.get("strade", "principale").da_scala == float("inf")
    assert style.get("strade", "locale").da_scala == 25_000
    assert style.get("edifici", "edificio").da_scala == 12_500
    assert style.get("strade", "servizio").da_scala == 10_000
    for cs in style.classi.values():
        assert cs.etichetta_pt >= MIN_LABEL_PT
        # quiet: no fill anywhere near the markers' saturation (orange 0/60/100/10, blue 100/40/0/25)
        if cs.strato in ("abitato", "verde", "acqua", "edifici"):
            assert max(cs.colore) <= 30 and sum(cs.colore) <= 50, cs
    assert style.width_factor(10_000) == 1.0
    assert 0.3 < style.width_factor(90_000) < style.width_factor(25_000) < 1.0


def test_style_errors_name_file_key_and_value(tmp_path):
    bad = tmp_path / "sfondo.toml"
    bad.write_text(
        """
[generale]
semplifica_mm = -1
colori = 3

[strade.locale]
colore = [0, 0, 0, 120]
da_scala = "mai"
etichetta_pt = 4

[strade.vicolo]
colore = [0, 0, 0, 10]

[nuvole.cumulo]
colore = [0, 0, 0, 10]

[verde.parco]
spessore_pt = 1
""",
        encoding="utf-8",
    )
    with pytest.raises(StampaError) as exc:
        load_osm_style(bad)
    problems = exc.value.problems
    where = {p.where: p for p in problems}
    assert all(p.file == str(bad) for p in problems)
    assert where["chiave «strade.locale.colore»"].value == "[0, 0, 0, 120]"
    assert "0 a 100" in where["chiave «strade.locale.colore»"].message
    assert where["chiave «strade.locale.da_scala»"].value == "mai"
    assert "sempre" in where["chiave «strade.locale.da_scala»"].message
    assert "6" in where["chiave «strade.locale.etichetta_pt»"].message
    assert "classe sconosciuta" in where["chiave «strade.vicolo»"].message
    assert "strato sconosciuto" in where["chiave «nuvole»"].message
    assert "manca il colore" in where["chiave «verde.parco.colore»"].message
    assert "chiave «generale.semplifica_mm»" in where and "chiave «generale.colori»" in where


def test_missing_or_broken_style_file_is_a_clear_error(tmp_path):
    with pytest.raises(StampaError, match="sfondo.toml"):
        load_osm_style(tmp_path / "sfondo.toml")
    broken = tmp_path / "rotto.toml"
    broken.write_text("[strade.locale\ncolore = [", encoding="utf-8")
    with pytest.raises(StampaError, match="TOML"):
        load_osm_style(broken)


# --- the PDF as a print shop reads it ------------------------------------------------------------

@pytest.mark.parametrize("scale", [12_000, 25_000, 90_000])
def test_pdf_is_vector_and_cmyk_only(tmp_path, town, style, fonts, scale):
    port = port_at(scale, FRAME, origin_mm=ORIGIN)
    path = tmp_path / f"osm-{scale}.pdf"
    stats, _ = _draw(path, town, port, style, fonts, _markers(port))
    assert stats.features > 0
    assert _images(path) == 0
    ops = _content_ops(path)
    assert not re.search(r"(?m)\b(rg|RG|g|G|sc|SC|scn|SCN|cs|CS)$", ops), "only CMYK colour operators (k/K)"
    assert re.search(r"(?m) k$", ops) and re.search(r"(?m) K$", ops)
    with pikepdf.open(path) as pdf:
        fonts_used = pdf.pages[0].obj.Resources.Font
        for _, f in fonts_used.items():
            assert "/FontFile2" in f.get("/FontDescriptor", {}) or "/DescendantFonts" in f or f.get("/Subtype") == "/TrueType"
            assert "Helvetica" not in str(f.get("/BaseFont"))


def test_street_names_are_text_at_sheet_and_inset_scales(tmp_path, town, style, fonts):
    for scale in (12_000, 25_000):
        port = port_at(scale, FRAME, origin_mm=ORIGIN)
        path = tmp_path / f"names-{scale}.pdf"
        _, labels = _draw(path, town, port, style, fonts, _markers(port))
        text = _text(path)
        for name in ("Corso Cavour", "Corso Strada Nuova", "Via Sant'Ennodio"):
            assert name in text, (scale, name, text)
        assert {lab.text for lab in labels} >= {"Corso Cavour", "Corso Strada Nuova"}
    assert "Viale Cesare Battisti" in text  # at 1:25,000 the southern avenue is in view
    assert "Cascina Rosa" in text  # a farm's name, from 1:25,000
    assert "Stazione di Pavia" in text


def test_layers_follow_the_printed_scale(town, style, fonts, tmp_path):
    def drawn(scale):
        port = port_at(scale, FRAME, origin_mm=ORIGIN)
        stats, _ = _draw(tmp_path / f"s{scale}.pdf", town, port, style, fonts, labels=False)
        return stats.by_class

    district, inset, street, sheet = drawn(90_000), drawn(20_000), drawn(15_000), drawn(12_000)
    assert "strade.locale" not in district and "strade.principale" in district
    assert "strade.locale" in inset
    assert "edifici.edificio" not in street and "edifici.edificio" in sheet
    assert "strade.servizio" not in sheet and "strade.servizio" in drawn(8_000)
    assert "corsi_acqua.fosso" not in inset


def test_tiny_areas_are_dropped_and_geometry_simplified(style, fonts, tmp_path):
    cx, cy = CENTRE
    rows = [
        {"osm_id": "way/1", "strato": "edifici", "classe": "edificio", "nome": "", "geometry": shp_box(cx, cy, cx + 4, cy + 4)},  # 0.1 mm² at 1:12,000
        {"osm_id": "way/2", "strato": "edifici", "classe": "edificio", "nome": "", "geometry": shp_box(cx + 50, cy, cx + 80, cy + 30)},
        # a street with 2,000 vertices zig-zagging by 5 cm: nothing of it is visible at 1:12,000
        {"osm_id": "way/3", "strato": "strade", "classe": "locale", "nome": "", "geometry": LineString([(cx - 500 + i * 0.5, cy + 100 + (i % 2) * 0.05) for i in range(2000)])},
    ]
    data = OsmData(gpd.GeoDataFrame(rows, geometry="geometry", crs=UTM), "2026-11-01")
    stats, _ = _draw(tmp_path / "tiny.pdf", data, port_at(12_000, FRAME, origin_mm=ORIGIN), style, fonts, labels=False)
    assert stats.by_class["edifici.edificio"] == 1
    assert stats.vertices < 20


def test_empty_data_draws_nothing(style, fonts, tmp_path):
    empty = OsmData(gpd.GeoDataFrame({"osm_id": [], "strato": [], "classe": [], "nome": []}, geometry=[], crs=UTM), "2026-11-01")
    stats, labels = _draw(tmp_path / "empty.pdf", empty, port_at(25_000, FRAME, origin_mm=ORIGIN), style, fonts)
    assert stats.features == 0 and labels == ()


def test_same_inputs_give_the_same_bytes(town, style, fonts, tmp_path):
    port = port_at(25_000, FRAME, origin_mm=ORIGIN)
    _draw(tmp_path / "a.pdf", town, port, style, fonts, _markers(port))
    _draw(tmp_path / "b.pdf", town, port, style, fonts, _markers(port))
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


# --- the names ------------------------------------------------------------------------------------

def _check_labels(labels, avoid, frame):
    avoid_polys = [shp_box(*b) for b in avoid]
    frame_poly = shp_box(*frame)
    for lab in labels:
        poly = lab.polygon
        assert -90 < lab.angle_deg <= 90, lab
        assert lab.size_pt >= 6.0, lab
        assert frame_poly.contains(poly), lab
        for b in avoid_polys:
            assert not poly.intersects(b), (lab.text, b.bounds)
        # reading direction: the path runs left to right (or bottom to top when vertical)
        (x0, y0), (x1, y1) = lab.path_mm[0], lab.path_mm[-1]
        if len(lab.path_mm) > 1:
            assert x1 > x0 or (abs(x1 - x0) < 1e-6 and y1 > y0), lab
    for a, b in itertools.combinations(labels, 2):
        assert not a.polygon.intersects(b.polygon), (a.text, b.text)


@pytest.mark.parametrize("scale", [12_000, 20_000, 25_000, 35_000])
def test_labels_never_overlap_markers_each_other_or_the_frame(town, style, fonts, scale):
    port = port_at(scale, FRAME, origin_mm=ORIGIN)
    avoid = _markers(port, n=30, seed=scale)
    labels = place_osm_labels(town, port, style, fonts.regular, avoid)
    assert labels
    _check_labels(labels, avoid, port.box)


def test_labels_follow_their_street(town, style, fonts):
    port = port_at(12_000, FRAME, origin_mm=ORIGIN)
    labels = place_osm_labels(town, port, style, fonts.regular, [])
    by_text = {lab.text: lab for lab in labels}
    assert by_text["Corso Cavour"].angle_deg == 0.0  # east–west
    assert by_text["Corso Strada Nuova"].angle_deg == 90.0  # north–south, read bottom to top
    campari = by_text.get("Viale Campari")
    if campari is not None:  # the road leaving town to the north-east climbs gently
        assert 0 < campari.angle_deg < 45
    # the label sits on its street: the anchor is within a fraction of a mm of the line
    j = [n for n, _ in EW_STREETS].index("Corso Cavour")
    cavour_y = port.to_mm(0, CENTRE[1] - (len(EW_STREETS) - 1) / 2 * SPACING_M + j * SPACING_M)[1]
    assert abs(by_text["Corso Cavour"].anchor_mm[1] - cavour_y) < 0.2


def test_long_street_is_named_again_every_so_often(style, fonts):
    cx, cy = CENTRE
    # one long avenue split into 40 ways, as OSM splits it at junctions
    rows = [
        {"osm_id": f"way/{i}", "strato": "strade", "classe": "principale", "nome": "Viale della Libertà", "geometry": LineString([(cx - 4000 + i * 200, cy), (cx - 4000 + (i + 1) * 200, cy + 0.0)])}
        for i in range(40)
    ]
    data = OsmData(gpd.GeoDataFrame(rows, geometry="geometry", crs=UTM), "2026-11-01")
    port = port_at(25_000, (300.0, 60.0), origin_mm=ORIGIN)  # 7.5 km of avenue across 300 mm
    labels = place_osm_labels(data, port, style, fonts.regular, [])
    xs = sorted(lab.anchor_mm[0] for lab in labels)
    assert len(xs) >= 3
    assert all(b - a >= style.ripeti_etichette_mm - 1e-6 for a, b in zip(xs, xs[1:]))


def test_upside_down_never(style, fonts):
    cx, cy = CENTRE
    rows = []
    for k, deg in enumerate(range(0, 360, 30)):
        a = np.radians(deg)
        start = (cx + np.cos(a) * 300, cy + np.sin(a) * 300)
        end = (cx + np.cos(a) * 1900, cy + np.sin(a) * 1900)
        rows.append({"osm_id": f"way/{k}", "strato": "strade", "classe": "principale", "nome": f"Via Raggio {deg}", "geometry": LineString([start, end])})
    data = OsmData(gpd.GeoDataFrame(rows, geometry="geometry", crs=UTM), "2026-11-01")
    port = port_at(25_000, (160.0, 160.0), origin_mm=ORIGIN)
    labels = place_osm_labels(data, port, style, fonts.regular, [])
    assert len(labels) >= 10
    for lab in labels:
        assert -90 < lab.angle_deg <= 90


def test_district_scale_names_rivers_and_places_not_streets(town, style, fonts, tmp_path):
    port = port_at(90_000, (250.0, 200.0), origin_mm=ORIGIN)
    avoid = [(port.box[0] + 5, port.box[1] + 5, port.box[0] + 40, port.box[1] + 12)]  # a comune name
    path = tmp_path / "district.pdf"
    _, labels = _draw(path, town, port, style, fonts, avoid, skip_names=("San Martino Siccomario",))
    texts = {lab.text: lab for lab in labels}
    assert "Fiume Ticino" in texts and "Naviglio Pavese" in texts
    assert texts["Fiume Ticino"].font.endswith("-italic")
    assert texts["Fiume Ticino"].colour[0] > texts["Fiume Ticino"].colour[1]  # blue-ish
    assert "Fossarmato" in texts and texts["Fossarmato"].angle_deg == 0.0
    assert "Cascina Rosa" not in texts  # hundreds of farms in the district: named only from 1:25,000
    assert "San Martino Siccomario" not in texts  # already named as a comune
    assert not any(lab.strato == "strade" and lab.classe in ("locale", "pedonale") for lab in labels)
    assert "Pavia" not in texts  # the town's name is the comune label's job
    text = _text(path)
    assert "Fiume Ticino" in text and "Fossarmato" in text
    _check_labels(labels, avoid, port.box)


def test_place_names_keep_clear_of_comune_labels(town, style, fonts):
    port = port_at(90_000, (250.0, 200.0), origin_mm=ORIGIN)
    free = {lab.text: lab for lab in place_osm_labels(town, port, style, fonts.regular, [])}
    b = free["Fossarmato"].bounds_mm
    comune = (b[0] - 3, b[1] - 1, b[2] + 3, b[3] + 1)  # a comune name right where it was
    moved = {lab.text: lab for lab in place_osm_labels(town, port, style, fonts.regular, [comune])}
    if "Fossarmato" in moved:
        assert not moved["Fossarmato"].polygon.intersects(shp_box(*comune))


def test_labels_stay_inside_a_smaller_frame_box(town, style, fonts):
    port = port_at(12_000, FRAME, origin_mm=ORIGIN)
    inner = (port.box[0] + 30, port.box[1] + 20, port.box[2] - 30, port.box[3] - 20)
    labels = place_osm_labels(town, port, style, fonts.regular, [], frame_box=inner)
    assert labels
    _check_labels(labels, [], inner)


# --- speed ----------------------------------------------------------------------------------------

@pytest.mark.lento  # 30,000 generated ways: volume and speed, not a behaviour the quick run needs
def test_thirty_thousand_ways_draw_fast(district_data, style, fonts, tmp_path):
    assert len(district_data.features) >= 30_000
    district_data.features.sindex  # built once per dataset, as after loading
    # (scale, frame mm, least features drawn): the district, an atlas sheet in the big town
    for scale, frame, least in ((90_000, (280.0, 250.0), 50), (12_000, (180.0, 250.0), 2_000)):
        port = port_at(scale, frame, origin_mm=ORIGIN)
        t = time.perf_counter()
        c = Canvas(str(tmp_path / f"big-{scale}.pdf"), pagesize=(300 * mm, 270 * mm), enforceColorSpace="cmyk", initialFontName=fonts.regular)
        stats = draw_osm(c, district_data, port, style)
        labels = place_osm_labels(district_data, port, style, fonts.regular, _markers(port, 100))
        draw_osm_labels(c, labels, style)
        c.save()
        elapsed = time.perf_counter() - t
        assert stats.features >= least, stats
        assert elapsed < 20.0, (scale, elapsed)  # a guard: the speed itself is bench/bench_osm_draw.py's (~0.1–0.6 s)
    # the worst case: every one of the 30,000 ways in view and drawn (buildings and all)
    port = port_at(10_000, (2_500.0, 2_500.0), origin_mm=ORIGIN)
    c = Canvas(str(tmp_path / "all.pdf"), enforceColorSpace="cmyk", initialFontName=fonts.regular)
    t = time.perf_counter()
    stats = draw_osm(c, district_data, port, style)
    elapsed = time.perf_counter() - t
    assert stats.features >= 29_000
    assert elapsed < 20.0, elapsed  # a guard only (bench: ~0.5 s)


def test_messy_osm_rows_do_not_stop_the_map(style, fonts, tmp_path):
    cx, cy = CENTRE
    rows = [
        {"osm_id": "way/1", "strato": "strade", "classe": "principale", "nome": None, "geometry": LineString([(cx - 900, cy), (cx + 900, cy)])},
        {"osm_id": "way/2", "strato": "strade", "classe": "principale", "nome": float("nan"), "geometry": LineString([(cx - 900, cy + 200), (cx + 900, cy + 200)])},
        {"osm_id": "way/3", "strato": "strade", "classe": "pedonale", "nome": "Piazza del Duomo", "geometry": shp_box(cx - 100, cy - 300, cx + 100, cy - 150)},
        {"osm_id": "way/4", "strato": "abitato", "classe": "residenziale", "nome": "", "geometry": shapely_bowtie(cx, cy)},
        {"osm_id": "way/5", "strato": "strade", "classe": "locale", "nome": "Via Nessuna", "geometry": None},
        {"osm_id": "node/6", "strato": "strade", "classe": "locale", "nome": "Via Punto", "geometry": Point(cx, cy - 500)},
        {"osm_id": "way/7", "strato": "strade", "classe": "principale", "nome": "  Corso Garibaldi ", "geometry": LineString([(cx - 900, cy + 400), (cx + 900, cy + 400)])},
    ]
    data = OsmData(gpd.GeoDataFrame(rows, geometry="geometry", crs=UTM), "2026-11-01")
    port = port_at(12_000, FRAME, origin_mm=ORIGIN)
    stats, labels = _draw(tmp_path / "messy.pdf", data, port, style, fonts)
    assert stats.by_class["strade.principale"] == 3
    assert stats.by_class["strade.pedonale"] == 1  # the square drawn by its edge
    assert "abitato.residenziale" in stats.by_class
    assert {lab.text for lab in labels} >= {"Corso Garibaldi", "Piazza del Duomo"}
    assert "nan" not in {lab.text.lower() for lab in labels}


def shapely_bowtie(cx, cy):
    from shapely.geometry import Polygon

    return Polygon([(cx - 300, cy - 300), (cx + 300, cy + 300), (cx + 300, cy - 300), (cx - 300, cy + 300)])


def test_diagonal_leader_lines_can_be_passed_as_geometries(town, style, fonts):
    port = port_at(12_000, FRAME, origin_mm=ORIGIN)
    free = {lab.text: lab for lab in place_osm_labels(town, port, style, fonts.regular, [])}
    cavour = free["Corso Cavour"]
    x, y = cavour.anchor_mm
    leader = LineString([(x - 8, y - 8), (x + 8, y + 8)]).buffer(0.4)  # crosses the name diagonally
    labels = place_osm_labels(town, port, style, fonts.regular, [leader])
    for lab in labels:
        assert not lab.polygon.intersects(leader)
    assert any(lab.text == "Corso Cavour" for lab in labels)  # moved along the street, not lost


def test_the_second_version_reuses_the_names_placed_for_the_first(town, style, fonts, monkeypatch):
    """The print and the digital version draw the same plan: the names are placed once per data
    set and inputs, and placed again as soon as anything they depend on differs."""
    import dataclasses

    from stampa.cartography import base_names
    from stampa.cartography.base_names import draw_base_names

    calls = []

    def counting(*args, **kw):
        calls.append(args[1])
        return place_osm_labels(*args, **kw)

    monkeypatch.setattr(base_names, "place_osm_labels", counting)
    basemap = type("B", (), {"vectors": town, "style": style})()
    port = port_at(20_000, FRAME, origin_mm=ORIGIN)
    avoid = [*_markers(port), LineString([(60, 60), (80, 90)]).buffer(0.6)]

    def draw(p=port, a=avoid, font=fonts.regular):
        return draw_base_names(Canvas("/dev/null", enforceColorSpace="cmyk"), p, basemap, avoid_mm=a, font=font)

    first = draw()
    assert draw() is first and len(calls) == 1  # the second version: nothing placed again
    draw(a=avoid[1:])  # another list of things to avoid
    draw(a=[*avoid[:-1], LineString([(60, 60), (80, 91)]).buffer(0.6)])  # a leader line moved
    draw(p=port_at(25_000, FRAME, origin_mm=ORIGIN))
    draw(font=fonts.bold)
    assert len(calls) == 5  # each placed again
    assert draw() is first  # and the first is still there
    basemap.style = dataclasses.replace(style)  # another style object (a reloaded layout file)
    draw()
    assert len(calls) == 6
