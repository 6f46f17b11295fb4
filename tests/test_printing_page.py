"""Page geometry: boxes, marks, fonts, metadata and reproducibility of both versions."""

from __future__ import annotations

import pikepdf
import pytest
from reportlab.lib.units import mm

from stampa.printing.fonts import register_family
from stampa.printing.page import (
    DocInfo,
    Fold,
    PageSpec,
    SAFE_MARGIN_MM,
    open_canvas,
    paper,
)
from stampa.printing.qr import draw_qr

BASE14 = {
    "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique", "Times-Roman", "Times-Bold",
    "Times-Italic", "Times-BoldItalic", "Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique",
    "Symbol", "ZapfDingbats",
}
URL = "https://www.esempio.it/mappa/"


def _build(version, spec=None, pages=2):
    fonts = register_family("Titillium Web")
    spec = spec or PageSpec(297, 210, folds=(Fold(99), Fold(198)))
    sheet = open_canvas(spec, version, font=fonts.regular, info=DocInfo("Prova", "CSV", "Soggetto", ("a", "b")))
    c = sheet.canvas
    for i in range(pages):
        c.setFillColorCMYK(0.1, 0, 0, 0)
        b = spec.bleed_mm * mm
        c.rect(-b, -b, spec.trim_w_mm * mm + 2 * b, spec.trim_h_mm * mm + 2 * b, stroke=0, fill=1)
        c.setFillColorCMYK(0, 0, 0, 1)
        c.setFont(fonts.bold, 20)
        c.drawString(20 * mm, 100 * mm, f"Pagina {i + 1}")
        draw_qr(c, URL, 20, 20, 30, link=sheet.links)
        if i < pages - 1:
            sheet.next_page()
    return sheet.finish()


def _pdf(tmp_path, data, name="p.pdf"):
    p = tmp_path / name
    p.write_bytes(data)
    return pikepdf.open(p)


def test_paper_formats_portrait_and_landscape():
    assert paper("A3") == (297, 420)
    assert paper("A3", landscape=True) == (420, 297)
    assert paper("70x100") == (700, 1000)
    assert [paper(name) for name in ("A5", "A4", "A2", "50x70")] == [(148, 210), (210, 297), (420, 594), (500, 700)]


def test_print_boxes_on_every_page(tmp_path):
    spec = PageSpec(297, 210, folds=(Fold(99), Fold(198)))
    pdf = _pdf(tmp_path, _build("stampa", spec, pages=3))
    assert len(pdf.pages) == 3
    for page in pdf.pages:
        media = [float(v) for v in page.obj.MediaBox]
        trim = [float(v) for v in page.obj.TrimBox]
        bleed = [float(v) for v in page.obj.BleedBox]
        assert len(page.obj.TrimBox) == 4 and len(page.obj.BleedBox) == 4
        # trim size exact, bleed 3 mm on each side, media holds the marks beyond the bleed
        assert (trim[2] - trim[0]) / mm == pytest.approx(297, abs=0.01)
        assert (trim[3] - trim[1]) / mm == pytest.approx(210, abs=0.01)
        for i in (0, 1):
            assert (trim[i] - bleed[i]) / mm == pytest.approx(3.0, abs=0.01)
            assert (bleed[i + 2] - trim[i + 2]) / mm == pytest.approx(3.0, abs=0.01)
            assert (bleed[i] - media[i]) / mm >= 8  # room for 6 mm marks outside the bleed


def test_digital_is_trim_size_with_metadata_and_lang(tmp_path):
    pdf = _pdf(tmp_path, _build("digitale"))
    media = [float(v) for v in pdf.pages[0].obj.MediaBox]
    assert (media[2] - media[0]) / mm == pytest.approx(297, abs=0.01)
    assert (media[3] - media[1]) / mm == pytest.approx(210, abs=0.01)
    assert str(pdf.Root.Lang) == "it-IT"
    info = pdf.docinfo
    assert str(info.Title) == "Prova" and str(info.Author) == "CSV"
    assert str(info.Subject) == "Soggetto" and str(info.Keywords) == "a, b"


def test_links_only_in_digital(tmp_path):
    printed = _pdf(tmp_path, _build("stampa"), "s.pdf")
    digital = _pdf(tmp_path, _build("digitale"), "d.pdf")
    assert all("/Annots" not in page.obj for page in printed.pages)
    annots = digital.pages[0].obj.Annots
    assert str(annots[0].A.URI) == URL


def test_link_refused_on_print_canvas():
    fonts = register_family("Titillium Web")
    sheet = open_canvas(PageSpec(210, 297), "stampa", font=fonts.regular, info=DocInfo("x"))
    with pytest.raises(ValueError):
        draw_qr(sheet.canvas, URL, 10, 10, 30, link=True)


@pytest.mark.parametrize("version", ["stampa", "digitale"])
def test_fonts_embedded_no_base14(tmp_path, version):
    pdf = _pdf(tmp_path, _build(version))
    seen = 0
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
            seen += 1
            name = str(obj.BaseFont).lstrip("/")
            assert name.split("+")[-1] not in BASE14
            desc = obj.get("/FontDescriptor")
            if desc is None:  # composite fonts carry it on the descendant
                desc = obj.DescendantFonts[0].FontDescriptor
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), name
    assert seen >= 1
    assert b"Helvetica" not in (tmp_path / "p.pdf").read_bytes()


def test_byte_identical_rebuilds():
    assert _build("stampa") == _build("stampa")
    assert _build("digitale") == _build("digitale")


def test_marks_outside_bleed(tmp_path):
    """Crop and fold marks are drawn in the slug: render and look for dark pixels."""
    import pypdfium2 as pdfium

    spec = PageSpec(210, 148, folds=(Fold(105),))
    p = tmp_path / "m.pdf"
    p.write_bytes(_build("stampa", spec, pages=1))
    page = pdfium.PdfDocument(str(p))[0]
    dpi = 150
    img = page.render(scale=dpi / 72, grayscale=True).to_pil()
    px = lambda v: round(v / 25.4 * dpi)  # noqa: E731
    slug = spec.slug_mm
    # vertical crop mark above the top-left trim corner, 4 mm beyond the bleed edge
    # (hairlines of 0.25 pt are grey after anti-aliasing: look at the darkest of 3 pixels)
    dark = lambda x, y: min(img.getpixel((x + d, y)) for d in (-1, 0, 1))  # noqa: E731
    assert dark(px(slug), px(slug - spec.bleed_mm - 4)) < 200
    # dashed fold mark above the fold: some dark pixels along it
    fx = px(slug + 105)
    column = [dark(fx, px(slug - spec.bleed_mm - d / 4)) for d in range(8, 32)]
    assert min(column) < 200
    # the bleed band (background tint) at the fold position has no mark in it
    assert dark(fx, px(slug - 1.5)) > 200


def test_safe_area_and_folds():
    spec = PageSpec(297, 210, folds=(Fold(99), Fold(198)))
    assert spec.inside_safe_area((5, 5, 50, 50))
    assert not spec.inside_safe_area((4, 5, 50, 50))
    assert not spec.inside_safe_area((250, 5, 44, 50))
    assert spec.folds_near((10, 10, 80, 30)) == []
    assert spec.folds_near((10, 10, 86, 30)) == [Fold(99)]  # within 5 mm of the fold
    assert spec.folds_near((90, 10, 30, 30)) == [Fold(99)]  # across it
    assert not spec.box_ok((100, 10, 30, 30))
    assert spec.box_ok((99 + SAFE_MARGIN_MM, 10, 30, 30))
