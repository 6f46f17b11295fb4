"""QR codes: vector, decodable from a 150 dpi render at the requested size, http(s) only."""

from __future__ import annotations

import pikepdf
import pytest

from stampa.printing.fonts import register_family
from stampa.printing.page import DocInfo, PageSpec, open_canvas
from stampa.printing.previews import write_previews
from stampa.printing.qr import decode_qr_codes, draw_qr, qr_modules, qr_size_mm
from stampa.problems import StampaError

URL = "https://www.farebenecomunepv.it/la-mappa-dei-laboratori/"


def _page_with_qr(tmp_path, version, x, y, size, url=URL):
    fonts = register_family("Titillium Web")
    sheet = open_canvas(PageSpec(210, 297), version, font=fonts.regular, info=DocInfo("qr"))
    c = sheet.canvas
    c.setFillColorCMYK(0.3, 0, 0.1, 0)  # a coloured background: the quiet zone must stay white
    c.rect(-20, -20, 700, 900, stroke=0, fill=1)
    draw_qr(c, url, x, y, size, link=sheet.links)
    p = tmp_path / f"qr-{version}.pdf"
    sheet.save(p)
    return p


@pytest.mark.parametrize("version", ["stampa", "digitale"])
def test_decoded_at_requested_size(tmp_path, version):
    size = 40.0
    p = _page_with_qr(tmp_path, version, 30, 50, size)
    found = decode_qr_codes(p, 0, dpi=150)
    assert [t for t, _ in found] == [URL]
    x0, y0, x1, y1 = found[0][1]
    n = qr_modules(URL)
    module = size / n
    symbol = size - 8 * module  # the decoder reports the symbol without its quiet zone
    assert x1 - x0 == pytest.approx(symbol, abs=1.0)
    assert y1 - y0 == pytest.approx(symbol, abs=1.0)
    assert x0 == pytest.approx(30 + 4 * module, abs=1.0)
    assert y0 == pytest.approx(50 + 4 * module, abs=1.0)


def test_qr_is_vector(tmp_path):
    p = _page_with_qr(tmp_path, "stampa", 30, 50, 30)
    pdf = pikepdf.open(p)
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            assert obj.get("/Subtype") != "/Image"


def test_size_by_reading_distance():
    assert qr_size_mm(URL, 100) >= 100
    assert qr_size_mm(URL, 30) >= 30
    # a long address needs more modules: the module floor (0.5 mm) wins at short distances
    long_url = "https://www.esempio.it/" + "a" * 150
    assert qr_size_mm(long_url, 10) == pytest.approx(qr_modules(long_url) * 0.5, abs=1)


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "file:///etc/passwd", "www.senza-schema.it"])
def test_only_http_urls(tmp_path, bad):
    with pytest.raises(StampaError) as exc:
        _page_with_qr(tmp_path, "digitale", 30, 50, 30, url=bad)
    assert exc.value.problems[0].message.startswith("indirizzo del codice QR: ")


def test_previews_one_png_per_page(tmp_path):
    p = _page_with_qr(tmp_path, "digitale", 30, 50, 30)
    paths = write_previews(p, tmp_path / "anteprime", "prova", dpi=50)
    assert [x.name for x in paths] == ["prova-p1.png"]
    from PIL import Image

    with Image.open(paths[0]) as im:
        assert im.size[0] == pytest.approx(210 / 25.4 * 50, abs=1)
        assert im.size[1] == pytest.approx(297 / 25.4 * 50, abs=1)
    again = write_previews(p, tmp_path / "anteprime2", "prova", dpi=50)
    assert again[0].read_bytes() == paths[0].read_bytes()
