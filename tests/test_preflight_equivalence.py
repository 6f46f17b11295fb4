"""The preflight reads a page's characters one by one, and renders a page for QR codes, only where
a finding could be (stampa/preflight/textlayer.py PageLayer, qr.may_hold_code). Whatever it skips
must not change a finding: a damaged booklet is checked both ways (the shortcuts, and every page
read character by character and rendered, as before) and the findings must be the same, naming
the same pages, texts and positions."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import qrcode
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from stampa.preflight import FileToCheck, Fold, QrSpec, TextSpec, check_file
from stampa.preflight import document, qr, textlayer
from stampa.printing.qr import draw_qr, qr_matrix

from preflight_samples import BLACK, WHITE, fonts

TRIM = (148.0, 210.0)
OFF = 13.0  # bleed and slug, mm
URL = "https://www.esempio.it/mappa/"
PAGES = 11


def _names(page: int) -> list[str]:
    return [f"Laboratorio {page}.{k} – Borgo Ticino" for k in range(1, 19)]


def _squares(c: Canvas, url: str, x: float, y: float, side: float) -> None:
    """A code drawn as one filled square per module (as some programs do), on its white square."""
    m = qr_matrix(url)
    module = side / len(m)
    c.setFillColor(WHITE)
    c.rect(x, y, side, side, stroke=0, fill=1)
    c.setFillColor(BLACK)
    for r, row in enumerate(m):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x + col * module, y + (len(m) - 1 - r) * module, module, module, stroke=0, fill=1)


def _qr_image(url: str) -> ImageReader:
    buf = io.BytesIO()
    qrcode.make(url, border=4).get_image().convert("L").save(buf, "PNG")
    buf.seek(0)
    return ImageReader(buf)


def _booklet(path: Path) -> Path:
    """A small print booklet, each page an index column of names; pages 2–9 damaged one way each,
    pages 10 and 11 clean (their expected texts are: one altered, one on the wrong page)."""
    f = fonts()
    w, h = TRIM[0] * mm, TRIM[1] * mm
    off = OFF * mm
    c = Canvas(str(path), pagesize=(w + 2 * off, h + 2 * off), invariant=1, initialFontName=f.regular)
    c.setTrimBox((off, off, off + w, off + h))
    c.setBleedBox((off - 3 * mm, off - 3 * mm, off + w + 3 * mm, off + h + 3 * mm))
    for page in range(1, PAGES + 1):
        c.saveState()
        c.translate(off, off)
        c.setFillColor(BLACK)
        c.setFont(f.regular, 8.5)
        y = h - 20 * mm
        for name in _names(page):
            c.drawString(12 * mm, y, name)
            c.setLineWidth(0.3)
            c.line(12 * mm, y - 1.5 * mm, 70 * mm, y - 1.5 * mm)  # index rules: lines, not a code
            y -= 7 * mm
        c.drawString(12 * mm, 8 * mm, f"Pagina {page}")  # the folio, 8 mm from the trim
        if page == 1:
            draw_qr(c, URL, 100, 10, 30)
        elif page == 2:
            draw_qr(c, "https://example.org/incollato", 100, 60, 30)  # stampa's drawing, another address
        elif page == 3:
            _squares(c, "https://example.org/quadrati", 280, 200, 110)
        elif page == 4:
            c.beginForm("codice")  # an image of a code inside a form XObject
            c.drawImage(_qr_image("https://example.org/immagine"), 260, 180, 120, 120)
            c.endForm()
            c.doForm("codice")
        elif page == 5:
            c.beginForm("piccolo")
            c.setFont(f.regular, 4)
            c.drawString(12 * mm, 30 * mm, "Testo minuscolo in un modulo")
            c.endForm()
            c.doForm("piccolo")
        elif page == 6:
            c.setFont(f.regular, 5.9)
            c.drawString(80 * mm, 40 * mm, "Testo appena troppo piccolo")
            c.setFont(f.regular, 9)
            c.drawString((TRIM[0] / 2 + 4.8) * mm, 150 * mm, "Vicino alla piega")
        elif page == 8:  # just across the edge, and just inside the margin: a hair of slack too many would miss them
            c.setFont(f.regular, 9)
            c.drawRightString(w + 0.7 * mm, 60 * mm, "Una riga oltre il bordo")
        elif page == 9:
            c.setFont(f.regular, 9)
            c.drawString(80 * mm, 4.6 * mm, "Testo nel bordo")
        elif page == 7:
            c.setFont(f.regular, 9)
            c.drawString(TRIM[0] / 2 * mm - 10 * mm, 100 * mm, "Sulla piega centrale")
            c.drawString(TRIM[0] / 2 * mm + 1 * mm, 120 * mm, "Vicino alla piega")
        c.restoreState()
        c.showPage()
    c.save()
    return path


def _spec(path: Path) -> FileToCheck:
    texts = [TextSpec(n, (p,)) for p in range(1, PAGES + 1) for n in _names(p)]
    texts += [
        TextSpec("Laboratorio 10.3 – Borgo Ticino zzz", (10,)),  # altered
        TextSpec("Laboratorio 11.4 – Borgo Ticino", (10,)),  # on another page
        TextSpec("Pagina 11", (11,), at_mm=(14.0, 9.0)),  # where it is
        TextSpec("Pagina 10", (10,), at_mm=(80.0, 100.0)),  # somewhere else
    ]
    return FileToCheck(
        path=str(path), prodotto="prova", versione="stampa", trim_mm=TRIM, bleed_mm=3.0, expected_pages=PAGES,
        qr=(QrSpec(URL, 25.0, (1,)),), folds=(Fold("x", TRIM[0] / 2, (6, 7)),), texts_expected=tuple(texts),
        label=path.name,
    )


def _as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page read character by character and rendered, as the preflight did before."""
    monkeypatch.setattr(document.PdfFile, "page_layer",
                        lambda self, n: textlayer.CharsLayer(textlayer.read_page(self.pdfium, n - 1)))
    real = qr.find_qr_codes
    monkeypatch.setattr(qr, "find_qr_codes", lambda pdf, expected=None: real(pdf, None))


def test_the_shortcuts_find_what_reading_everything_finds(tmp_path, monkeypatch):
    spec = _spec(_booklet(tmp_path / "libretto.pdf"))
    read: list[int] = []  # one per page read character by character
    rendered: list[int] = []
    real_chars, real_render = textlayer._chars, pdfium.PdfPage.render

    def chars(textpage):
        read.append(1)
        return real_chars(textpage)

    def render(page, *args, **kwargs):
        rendered.append(page)
        return real_render(page, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(textlayer, "_chars", chars)
        m.setattr(pdfium.PdfPage, "render", render)
        now = check_file(spec)
    with monkeypatch.context() as m:
        _as_before(m)
        before = check_file(spec)
    assert now == before
    seen = {(f.check, f.message, f.pages) for f in now}
    assert ("qr", "codice QR non previsto", (2,)) in seen
    assert ("qr", "codice QR non previsto", (3,)) in seen
    assert ("qr", "codice QR non previsto", (4,)) in seen
    assert ("corpo", "testo più piccolo di 6 pt", (5,)) in {(f.check, f.message, f.pages) for f in now if "modulo" in f.found}
    assert any(f.check == "corpo" and f.pages == (6,) for f in now)
    assert [f.pages for f in now if f.check == "fuori"] == [(8,)]
    assert [f.pages for f in now if f.check == "margine"] == [(8,), (9,)]
    assert [(f.message, f.pages) for f in now if f.check == "piega"] == [
        ("testo troppo vicino alla piega", (6,)),
        ("testo sulla piega", (7,)),
    ]
    assert [f.found for f in now if f.check == "testi"] == [
        "nessun «Laboratorio 10.3 – Borgo Ticino zzz» a pagina 10",
        "nessun «Laboratorio 11.4 – Borgo Ticino» a pagina 10",
        "«Pagina 10» a 105,4 mm dal punto previsto",
    ]
    # Only the pages with a form XObject (4, 5: pdfium does not list its text with the page's),
    # small text or text near an edge or a fold (6–9) and the page where a text was not found as
    # drawn (10: it is looked for in reading order) were read one character at a time; pages 5–11
    # were not rendered.
    assert len(read) == 7
    assert len(rendered) == 4  # the code expected on page 1, the three pasted ones


@pytest.mark.parametrize(
    ("draw", "holds"),
    [
        (lambda c: draw_qr(c, URL, 100, 100, 30), True),
        (lambda c: _squares(c, URL, 100, 100, 90), True),
        (lambda c: c.drawImage(_qr_image(URL), 100, 100, 90, 90), True),
        (lambda c: [c.rect(20 + 30 * k, 100, 25, 13, stroke=0, fill=1) for k in range(40)], False),  # badges
        (lambda c: [c.line(20, 100 + 8 * k, 200, 100 + 8 * k) for k in range(60)], False),  # rules
        (lambda c: [c.circle(50 + 5 * k, 100, 2, stroke=0, fill=1) for k in range(60)], False),  # markers
    ],
    ids=["stampa", "quadrati", "immagine", "etichette", "righe", "punti"],
)
def test_which_pages_could_show_a_code(tmp_path, draw, holds):
    path = tmp_path / "p.pdf"
    c = Canvas(str(path), pagesize=(420, 595), invariant=1)
    draw(c)
    c.showPage()
    c.save()
    doc = pdfium.PdfDocument(str(path))
    try:
        page = doc[0]
        assert qr.may_hold_code(page.raw) is holds
        page.close()
    finally:
        doc.close()
