"""Maps never cover territory that holds entries or comune names.

- The booklet gives central Pavia a page of its own (page 3, facing the district map) instead of an
  inset over the district; the district map names the enlarged area and its page.
- The A3 leaflet and the A4 sheet put the inset in the empty paper around the district: never over
  an entry's place or a comune's name.
- Atlas sheets follow the entries: every sheet holds entries, fitted to them, and no sheet shows the
  place of another sheet's entry.

Read back as a reader would: the layout record of the drawn maps and the PDF's text.
"""

from __future__ import annotations

import csv
import hashlib
import tempfile
from functools import lru_cache
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.pdfgen.canvas import Canvas

from bench import synthetic
from stampa.cartography import draw_map, plan_map
from stampa.cartography.geometry import overlaps, to_utm
from stampa.cartography.sheets import FIT_MARGIN_MM, MIN_SCALE, SHEET_SCALES, plan_sheets
from stampa.inputs import load_inputs
from stampa.numbering import number_entries
from stampa.printing.theme import load_theme
from stampa.products.mappa.formats import get_format
from stampa.products.mappa.plan import fold_bands
from tests.mappa_support import ROOT, build, sample

COMUNI = 12


@lru_cache(maxsize=None)
def edition(n: int):
    rows = synthetic.generate_entries(n, seed=0)
    with tempfile.TemporaryDirectory() as tmp:  # a folder of its own: tests may run side by side
        data = Path(tmp) / "voci.csv"
        with data.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=";")
            w.writeheader()
            w.writerows(rows)
        return tuple(load_inputs(ROOT / "stampa.toml", dati=data).edition.entries)


def _inside(p, b) -> bool:
    return b[0] <= p[0] <= b[2] and b[1] <= p[1] <= b[3]


def _map_layout(entries, formato: str, tmp_path: Path):
    """The district map of ``formato`` planned and drawn as the product plans it (its frame, the
    folds' bands), whatever the number of entries: the map side alone."""
    _, district, _ = sample()
    fmt = get_format(formato)
    mp = fmt.map_pages[0]
    plan = plan_map(district, number_entries(entries), (mp.frame_mm[2], mp.frame_mm[3]), label_avoid_mm=fold_bands(fmt, mp))
    c = Canvas(str(tmp_path / "map.pdf"))
    layout = draw_map(c, plan, {}, origin_mm=mp.frame_mm[:2], theme=load_theme(ROOT / "layout" / "tema.toml"))
    return plan, layout


# The quick run keeps the two ends (40 entries on the leaflet, 250 on the sheet); the full run all six.
INSET_CASES = [
    pytest.param(n, formato, marks=[] if (n, formato) in {(40, "A3-pieghevole"), (250, "A4")} else [pytest.mark.lento])
    for n in (40, 120, 250) for formato in ("A3-pieghevole", "A4")
]


@pytest.mark.parametrize(("n", "formato"), INSET_CASES)
def test_inset_covers_no_entry_and_no_comune_name(n, formato, tmp_path):
    entries = edition(n)
    plan, layout = _map_layout(entries, formato, tmp_path)
    blocks = dict(layout.blocks_mm)
    names = [name for name, _ in layout.label_boxes_mm]
    assert len(names) == len(set(names))
    # every comune is named on the map (40 entries: about what the leaflet holds; in larger
    # editions than the format holds the markers themselves may crowd a name out)
    if n <= 40:
        assert len(names) == COMUNI, names
    if "riquadro" not in blocks:
        return
    inset = blocks["riquadro"]
    for e in layout.entries:
        if e.view == "mappa":
            assert not _inside(e.true_mm, inset), f"voce {e.number} sotto il riquadro"
            assert not overlaps(e.box_mm, inset), f"segnaposto {e.number} sotto il riquadro"
    for name, box in layout.label_boxes_mm:
        assert not overlaps(box, inset), f"nome di {name} sotto il riquadro"
    assert not overlaps(inset, blocks["legenda"]) and not overlaps(inset, blocks["area_riquadro"])
    assert not any("non trova un angolo libero" in p.message for p in plan.problems)


def test_inset_goes_to_the_empty_paper_of_the_leaflet(tmp_path):
    """120 entries on the A3 leaflet's map: the inset lies (almost) off the district's land."""
    plan, layout = _map_layout(edition(120), "A3-pieghevole", tmp_path)
    import shapely
    from shapely.geometry import box as shp_box

    from stampa.cartography.plan import geom_to_mm

    assert plan.inset_block_mm is not None
    land = geom_to_mm(plan.district.outline_utm, plan.main)
    covered = shapely.intersection(land, shp_box(*plan.inset_block_mm)).area
    block = shp_box(*plan.inset_block_mm).area
    assert covered < 0.15 * block, (covered, block)


def test_inset_warns_when_no_place_is_clean(tmp_path):
    """A map frame far too small for the district and its crowd: the inset cannot avoid entries,
    and the warning says what it covers."""
    _, district, _ = sample()
    plan = plan_map(district, number_entries(edition(250)), (120.0, 120.0), inset=True)
    if plan.inset_block_mm is None:
        assert any("non trova posto" in p.message for p in plan.problems)
    else:
        hidden = [m for m in plan.markers if m.view == "mappa" and _inside(m.true_mm, plan.inset_block_mm)]
        msgs = [p.message for p in plan.problems]
        if hidden:
            assert any(m.startswith("il riquadro «Pavia, centro» non trova un angolo libero della mappa e copre") for m in msgs), msgs


# --- the booklet: central Pavia on page 3 ---------------------------------------------------------


def _pages(pdf_path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return [" ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]
    finally:
        pdf.close()


@pytest.fixture(scope="module")
def booklet_120(tmp_path_factory):
    """The 120-entry booklet, built once for the tests that read it."""
    out = tmp_path_factory.mktemp("libretto-120")
    return out, build(out, list(edition(120)), formato="libretto")


@pytest.mark.parametrize("n", [pytest.param(40, marks=pytest.mark.lento), 120, pytest.param(250, marks=pytest.mark.lento)])
def test_booklet_gives_central_pavia_its_own_page(n, tmp_path, request):
    entries = edition(n)
    if n == 120:
        out, result = request.getfixturevalue("booklet_120")
    else:
        out, result = tmp_path, build(tmp_path, list(entries), formato="libretto")
    layout = result.layout
    pages = _pages(out / "mappa-stampa.pdf")
    assert len(pages) % 4 == 0
    # page 3: the centre, with its own title band (title, scale) and map
    assert pages[2].startswith("Pavia, centro Scala 1:"), pages[2][:80]
    assert "Ingrandimento della mappa di pagina 2" in pages[2]
    # page 2: the district map names the enlarged area and its page; no inset over it
    assert "Pavia, centro: a pagina 3" in pages[1] and "Area ingrandita a pagina 3" in pages[1]
    assert "Riquadro:" not in pages[1]
    blocks = dict(layout.blocks_mm)
    assert "riquadro" not in blocks and "area_riquadro" in blocks
    # every entry once, with its number: on the district map, or on the centre page only
    assert sorted(e.number for e in layout.entries) == list(range(1, len(entries) + 1))
    views = {v.name: v for v in layout.views}
    centre = views["riquadro"]
    on_centre = {e.number for e in layout.entries if e.view == "riquadro"}
    assert on_centre, "the centre page shows the entries of central Pavia"
    by_number = {nb.number: nb.entry for nb in result.numbered}
    for e in layout.entries:
        x, y = to_utm(by_number[e.number].lon, by_number[e.number].lat)
        in_area = centre.extent_m[0] <= x <= centre.extent_m[2] and centre.extent_m[1] <= y <= centre.extent_m[3]
        assert in_area == (e.view == "riquadro"), e.number
        if e.view == "mappa":
            assert not _inside(e.true_mm, blocks["area_riquadro"]), e.number
            assert not overlaps(e.box_mm, blocks["nome_area_riquadro"]), e.number
        else:
            assert _inside(e.box_mm[:2], centre.box_mm) and _inside(e.box_mm[2:], centre.box_mm)
    # its numbers are printed on page 3 and not on page 2's map
    for k in on_centre:
        assert str(k) in pages[2].split()
    # every comune is named on the district map (inside the enlarged area too: it is still map,
    # only its markers moved to page 3), never across the area's outline or under its name
    names = [name for name, _ in layout.label_boxes_mm]
    assert len(set(names)) == COMUNI, names
    area = blocks["area_riquadro"]
    for name, box in layout.label_boxes_mm:
        assert not overlaps(box, blocks["nome_area_riquadro"]), name
        within = area[0] <= box[0] and box[2] <= area[2] and area[1] <= box[1] and box[3] <= area[3]
        assert within or not overlaps(box, area), f"{name} sul bordo dell'area ingrandita"
    # the centre page names the comuni it shows
    assert "Pavia" in {name for name, _ in layout.centre_labels_mm}
    # the centre page has its own scale bar, of its scale
    assert {b.view for b in layout.scale_bars} == {"mappa", "riquadro"}
    assert centre.scale <= views["mappa"].scale / 2


def test_centre_page_takes_a_notes_page_else_four_more():
    for index_pages in range(1, 9):
        plain = get_format("libretto", index_pages)
        with_centre = get_format("libretto", index_pages, centre=True)
        notes = sum(1 for p in plain.print_panels if p.role == "note")
        assert with_centre.pages == (plain.pages if notes else plain.pages + 4), index_pages
        assert with_centre.pages % 4 == 0
        assert [m.page for m in with_centre.map_pages] == [1, 2] and with_centre.map_pages[1].centre
        first_index = min(p.page for p in with_centre.print_panels if p.role == "indice")
        assert first_index == 3


def test_booklet_with_centre_page_is_byte_identical(tmp_path, booklet_120):
    out_a, a = booklet_120
    b = build(tmp_path / "b", list(edition(120)), formato="libretto")
    for fa, fb in zip(a.files, b.files):
        if fa["path"].endswith(".pdf"):
            assert fa["sha256"] == fb["sha256"], fa["path"]
    digest = hashlib.sha256((out_a / "mappa-stampa.pdf").read_bytes()).hexdigest()
    assert digest == a.files[0]["sha256"]


# --- atlas sheets follow the entries ----------------------------------------------------------------


def test_atlas_sheets_follow_the_entries():
    _, district, _ = sample()
    numbered = number_entries(edition(1000))
    mp = get_format("libretto").map_pages[0]
    sp = plan_sheets(district, numbered, (mp.frame_mm[2], mp.frame_mm[3]))
    sheets = sp.sheets
    assert [s.number for s in sheets] == list(range(1, len(sheets) + 1))
    seen = []
    places = {nb.number: to_utm(nb.entry.lon, nb.entry.lat) for nb in numbered}
    for s in sheets:
        # no sheet without entries
        assert len(s.markers) >= 1, s.number
        ext = s.view.extent
        mine = {m.number for m in s.markers}
        seen += mine
        # every entry of the sheet inside it; no other sheet's entry inside it
        for k, (x, y) in places.items():
            inside = ext[0] <= x <= ext[2] and ext[1] <= y <= ext[3]
            assert inside == (k in mine), (s.number, k)
        # fitted: a round scale, and the next more detailed one would not hold its entries
        scale = round(s.port.scale)
        assert scale % 5000 == 0
        if scale > MIN_SCALE:
            finer = max(v for v in SHEET_SCALES if v < scale)
            xs = [places[k][0] for k in mine]
            ys = [places[k][1] for k in mine]
            w, h = s.view.frame_mm
            fits = (max(xs) - min(xs)) * 1000 / finer <= w - 2 * FIT_MARGIN_MM and (max(ys) - min(ys)) * 1000 / finer <= h - 2 * FIT_MARGIN_MM
            assert not fits, (s.number, scale, finer)
    assert sorted(seen) == list(range(1, len(numbered) + 1))



def test_leaflet_inset_is_named_riquadro_and_sits_off_entries(tmp_path):
    """The sample edition as an A3 leaflet: the inset has its title band and the rectangle on the
    district says «Riquadro» (there is no page 3 in a leaflet)."""
    result = build(tmp_path)
    pages = _pages(tmp_path / "mappa-stampa.pdf")
    blocks = dict(result.layout.blocks_mm)
    assert "riquadro" in blocks
    assert "Riquadro: Pavia, centro" in pages[1] and "a pagina" not in pages[1]
    assert "Area ingrandita nel riquadro" in pages[1]
    for e in result.layout.entries:
        if e.view == "mappa":
            assert not _inside(e.true_mm, blocks["riquadro"]) and not overlaps(e.box_mm, blocks["riquadro"])
    for _, box in result.layout.label_boxes_mm:
        assert not overlaps(box, blocks["riquadro"])
    assert len(result.layout.label_boxes_mm) == COMUNI


@pytest.mark.lento
def test_booklet_centre_page_over_the_osm_basemap_passes_the_preflight(tmp_path, monkeypatch):
    """The sample edition as a booklet over the OpenStreetMap basemap (a local server): page 3 is
    a vector, CMYK map of central Pavia with its street names as text, and the build's preflight
    (verifica) passes."""
    from overpass_server import OverpassServer

    from tests.test_mappa_osm import MAIN_STREETS, images_and_colour_ops, make_project
    from tests.test_mappa_osm import build as build_edition

    server = OverpassServer()
    monkeypatch.setenv("STAMPA_SERVER_OSM", server.url)
    try:
        config = make_project(tmp_path, formato="libretto")
        result = build_edition(config, tmp_path / "out", verifica=True)
    finally:
        server.stop()
    pdf = tmp_path / "out" / "mappa-stampa.pdf"
    pages = _pages(pdf)
    assert pages[2].startswith("Pavia, centro Scala 1:")
    assert any(s in pages[2] for s in MAIN_STREETS)
    images, ops = images_and_colour_ops(pdf, 2)
    assert images == 0 and ops <= {"k", "K"}
    views = {s["vista"]: s for s in result.report["sfondo"]}
    assert views["riquadro"]["tipo"] == "osm"
    assert result.preflight_ok, [p.message for p in result.problems]
