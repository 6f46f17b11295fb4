"""The drawn map as a reader and a print shop see it: the basemap embedded at its own pixels,
vector markers and text with embedded fonts, numbers and comune names extractable, CMYK colours,
text in 100 % K and never under 6 pt, byte-identical output for the same input."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pypdf
import pypdfium2 as pdfium
import pytest
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from stampa.cartography import INSET, MAIN, draw_map, layout_report, plan_map
from stampa.cartography.layout import views_report
from stampa.printing.fonts import register_family
from stampa.printing.theme import load_theme
from tests.cartography_support import dense_edition, district, synthetic_basemap

ROOT = Path(__file__).resolve().parents[1]
PAGE = (420.0, 297.0)
FRAME = (400.0, 277.0)
ORIGIN = (10.0, 10.0)


@pytest.fixture(scope="module")
def setup():
    d = district()
    numbered = dense_edition(d)
    plan = plan_map(d, numbered, FRAME)
    return d, numbered, plan


def render(plan, basemaps) -> tuple[bytes, object]:
    fonts = register_family("Atkinson Hyperlegible")
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(PAGE[0] * mm, PAGE[1] * mm), invariant=1, initialFontName=fonts.regular)
    layout = draw_map(c, plan, basemaps, origin_mm=ORIGIN, theme=load_theme(ROOT / "layout" / "tema.toml"))
    c.showPage()
    c.save()
    return buf.getvalue(), layout


@pytest.fixture(scope="module")
def raster(setup):
    _, _, plan = setup
    basemaps = {name: synthetic_basemap(view, ppi=120) for name, view in plan.views.items()}
    pdf, layout = render(plan, basemaps)
    return plan, basemaps, pdf, layout


def _images(pdf: bytes) -> list[tuple[int, int]]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        xobjects = page.Resources.get("/XObject", {})
        return sorted((int(x.Width), int(x.Height)) for x in xobjects.values() if x.get("/Subtype") == "/Image")


def test_basemap_embedded_at_its_own_pixels(raster):
    plan, basemaps, pdf, _ = raster
    expected = sorted((bm.image.shape[1], bm.image.shape[0]) for bm in basemaps.values())
    assert _images(pdf) == expected  # not resampled, one image per view


def test_fonts_embedded_and_never_base14(raster):
    *_, pdf, _ = raster
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        fonts = doc.pages[0].Resources.Font
        assert fonts
        for font in fonts.values():
            base = str(font.BaseFont)
            assert "Helvetica" not in base and "Times" not in base and "Courier" not in base
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0] if descendants else font).FontDescriptor
            assert "/FontFile2" in descriptor, base


def test_numbers_and_comuni_are_text(raster):
    plan, _, pdf, _ = raster
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    words = set(text.replace("\n", " ").split())
    for m in plan.markers:
        assert str(m.number) in words
    for lab in plan.labels:
        for line in lab.lines:
            assert line in text
    assert "Legenda" in words and "Riquadro:" in words
    assert "Confini comunali: elaborazione su dati ISTAT (CC BY 4.0)".split()[0] in words
    assert "OpenStreetMap" in text and "ISTAT" in text


def _walk_content(pdf: bytes):
    """(operator, operands, fill colour, text render mode, font size) for each operator."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        ops = pikepdf.parse_content_stream(doc.pages[0])
        fill = None
        mode = 0
        size = None
        stack = []
        out = []
        for operands, op in ops:
            op = str(op)
            if op == "q":
                stack.append((fill, mode))
            elif op == "Q":
                fill, mode = stack.pop()
            elif op == "k":
                fill = tuple(round(float(v), 4) for v in operands)
            elif op in ("rg", "g", "sc", "scn"):
                fill = ("non-cmyk", op)
            elif op == "Tr":
                mode = int(operands[0])
            elif op == "Tf":
                size = float(operands[1])
            out.append((op, operands, fill, mode, size))
        return out


def test_colours_cmyk_text_black_and_at_least_6pt(raster):
    *_, pdf, _ = raster
    ops = _walk_content(pdf)
    assert not [o for o in ops if o[0] in ("rg", "RG", "g", "G")], "colori non CMYK nel disegno"
    shown = [o for o in ops if o[0] in ("Tj", "TJ", "'", '"')]
    assert shown
    for op, _, fill, mode, size in shown:
        assert size >= 6.0
        if mode == 0:  # filled text (mode 1 is the white halo outline under names)
            assert fill == (0.0, 0.0, 0.0, 1.0), fill
    # the map numbers: bold at 7.5 pt, above the 6.5 pt floor
    assert min(o[4] for o in shown) >= 6.5


def test_byte_identical_and_layout_record(raster):
    plan, basemaps, pdf, layout = raster
    again, layout2 = render(plan, basemaps)
    assert again == pdf
    assert layout == layout2
    # the record is in canvas mm: the frame's origin is added
    m = plan.markers[0]
    e = layout.entries[0]
    assert e.number == m.number and e.marker_mm == (m.marker_mm[0] + ORIGIN[0], m.marker_mm[1] + ORIGIN[1])
    assert {e.view for e in layout.entries} == {MAIN, INSET}
    assert len(layout.entries) == len(plan.markers)
    rows = layout_report(layout)
    assert rows[0].keys() == {"id", "numero", "nome", "tipo", "vista", "posizione_mm", "segnaposto_mm", "riquadro_segnaposto_mm", "spostato"}
    views = views_report(layout)
    assert [v["vista"] for v in views] == [MAIN, INSET]
    for bar in layout.scale_bars:
        assert bar.measured_m == pytest.approx(bar.length_m, rel=0.01)
    assert layout.attribution[-1] == "Confini comunali: elaborazione su dati ISTAT (CC BY 4.0)"
    assert layout.attribution[0].startswith("© OpenStreetMap")


def test_vector_fallback_has_no_image_and_credits_only_istat(setup):
    _, _, plan = setup
    pdf, layout = render(plan, {})
    assert _images(pdf) == []
    assert layout.attribution == ("Confini comunali: elaborazione su dati ISTAT (CC BY 4.0)",)
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Pavia" in text and "OpenStreetMap" not in text


def test_markers_show_in_the_render(raster):
    """Render at 150 dpi: each marker's centre is covered by its tinted fill or its number, not by
    the pale basemap (nothing hides a marker)."""
    plan, _, pdf, layout = raster
    doc = pdfium.PdfDocument(pdf)
    img = doc[0].render(scale=150 / 72).to_pil().convert("RGB")
    px_per_mm = 150 / 25.4
    for e in layout.entries:
        x0, y0, x1, y1 = e.box_mm
        # sample the marker's fill just inside its left edge, clear of the number
        x = (x0 + 0.9) * px_per_mm
        y = img.height - (y0 + y1) / 2 * px_per_mm
        r, g, b = img.getpixel((int(x), int(y)))
        if e.tipo == "laboratorio":
            assert r > b + 25, (e.number, (r, g, b))  # warm orange tint
        else:
            assert b > r + 15, (e.number, (r, g, b))  # blue tint


def test_a_credit_never_breaks_inside_a_short_group_in_brackets(setup):
    """«(CC BY 4.0)» and «(openstreetmap.org/copyright)» stay whole on their line of the credits box."""
    _, _, plan = setup
    pdf, _ = render(plan, {})
    doc = pdfium.PdfDocument(pdf)
    lines = [line.strip() for line in doc[0].get_textpage().get_text_range().splitlines()]
    assert "(CC BY 4.0)" in " ".join(lines)
    assert not [line for line in lines if line.endswith("(CC") or line.startswith("BY 4.0)")], lines
