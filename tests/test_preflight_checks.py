"""Every preflight check fails on a PDF broken on purpose, with its Italian message, and a
well-made PDF passes clean."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest

from stampa.preflight import FileToCheck, Fold, QrSpec, TextSpec, check_file

from preflight_samples import BLEED, FOLD_X, NAMES, URL, Sample, build, spec


def rows(findings):
    return [(f.level, f.message) for f in findings]


def only(findings, message):
    hits = [f for f in findings if f.message == message]
    assert len(hits) == 1, rows(findings)
    return hits[0]


def check(tmp_path: Path, sample: Sample = Sample(), **changes):
    path = build(tmp_path / "prova.pdf", sample)
    return check_file(spec(path, sample, **changes))


def test_well_made_print_file_passes_clean(tmp_path):
    assert check(tmp_path) == []


def test_well_made_digital_file_passes_clean(tmp_path):
    assert check(tmp_path, Sample(digital=True), folds=()) == []


# One rule broken at a time: (sample, level, message, words the "trovato" column must show).
BROKEN = {
    "base-14 Helvetica": (Sample(base14_text=True), "errore", "carattere non incorporato", "Helvetica"),
    "5 pt text": (Sample(small_text_pt=5), "errore", "testo più piccolo di 6 pt", "5,0 pt: «Testo minuscolo»"),
    "10 pt scaled to 5 pt": (Sample(scaled_small_text=True), "errore", "testo più piccolo di 6 pt", "5,0 pt: «Testo ridotto»"),
    "72 ppi image": (
        Sample(image_ppi=72), "errore", "immagine a bassa risoluzione", "72 ppi (71×71 px stampati a 25,0×25,0 mm)"
    ),
    "QR too small": (
        Sample(qr_mm=15), "errore", "codice QR troppo piccolo per la distanza di lettura", "19,1 mm con il margine bianco"
    ),
    "ink in the quiet zone": (
        Sample(quiet_zone_ink=True), "errore", "margine bianco del codice QR non libero", "% del margine coperto"
    ),
    "QR elsewhere": (
        Sample(qr_url="https://www.altro-sito.it/"), "errore", "il codice QR porta a un altro indirizzo",
        "https://www.altro-sito.it/",
    ),
    "no QR": (Sample(qr=False), "errore", "codice QR non trovato o illeggibile", "nessun codice QR leggibile"),
    "QR on the fold": (
        Sample(qr_at_mm=(FOLD_X - 15, 40)), "errore", "codice QR sulla piega",
        "attraversato dalla piega verticale a 105,0 mm dal bordo sinistro",
    ),
    "QR near the fold": (
        Sample(qr_at_mm=(FOLD_X + 6, 40)), "errore", "codice QR troppo vicino alla piega",
        " mm dalla piega verticale a 105,0 mm dal bordo sinistro",
    ),
    "QR at the edge": (
        Sample(qr_at_mm=(172, 40)), "errore", "codice QR troppo vicino al bordo", " mm dal bordo (margine bianco compreso)"
    ),
    "QR off the edge": (
        Sample(qr_at_mm=(178, 40)), "errore", "codice QR troppo vicino al bordo", "oltre il bordo di "
    ),
    "no TrimBox": (Sample(trimbox=False), "errore", "manca il TrimBox (il formato finito, dove tagliare)", "nessun TrimBox"),
    "no BleedBox": (Sample(bleedbox_mm=None), "errore", "manca il BleedBox (l'abbondanza oltre il taglio)", "nessun BleedBox"),
    "1 mm bleed": (
        Sample(bleedbox_mm=1), "errore", "abbondanza insufficiente",
        "sinistra 1,0 mm, destra 1,0 mm, sotto 1,0 mm, sopra 1,0 mm",
    ),
    "link in print file": (
        Sample(link=True), "errore", "collegamenti o annotazioni nel file di stampa", "1 annotazione (Link)"
    ),
    "RGB vector colour": (
        Sample(rgb_fill=True), "errore", "colori RGB nel disegno vettoriale",
        "1 impostazione di colore RGB (es. «1 0 0 rg»)",
    ),
    "RGB image": (Sample(image_rgb=True), "avviso", "immagine in RGB", "1 immagine RGB"),
    "text across the fold": (
        Sample(text_on_fold=True), "errore", "testo sulla piega",
        "«Testo sulla piega centrale» sulla piega verticale a 105,0 mm dal bordo sinistro",
    ),
    "text overflow": (
        Sample(text_overflow=True), "errore", "testo fuori dal formato finito (verrebbe tagliato)",
        "«Una riga troppo lunga per il suo spazio»",
    ),
    "missing entry": (Sample(names=NAMES[:2]), "errore", "testo atteso non trovato", "nessun «Amici del Borgo Ticino»"),
    "A5 instead of A4": (
        Sample(trim=(148, 210)), "errore", "formato della pagina diverso da quello del prodotto", "148,0 × 210,0 mm"
    ),
    "landscape": (Sample(trim=(297, 210)), "errore", "pagina ruotata rispetto al prodotto", "297,0 × 210,0 mm"),
    "two pages": (Sample(pages=2), "errore", "numero di pagine diverso da quello del prodotto", "2 pagine"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_each_broken_file_is_reported(tmp_path, name):
    sample, level, message, found = BROKEN[name]
    findings = check(tmp_path, sample)
    hit = only(findings, message)
    assert hit.level == level
    assert found in hit.found, hit
    assert hit.fix  # every row says how to fix it
    assert hit.expected


def test_helvetica_is_reported_with_its_pages_and_fix(tmp_path):
    hit = only(check(tmp_path, Sample(base14_text=True, pages=2), expected_pages=2), "carattere non incorporato")
    assert hit.pages == (1, 2)
    assert hit.expected == "carattere incorporato nel PDF"
    assert "Titillium Web" in hit.fix


def test_text_size_threshold_is_the_printed_size(tmp_path):
    # 6 pt passes, 5.9 pt fails.
    assert not [f for f in check(tmp_path, Sample(small_text_pt=6)) if f.check == "corpo"]
    hit = only(check(tmp_path, Sample(small_text_pt=5.9)), "testo più piccolo di 6 pt")
    assert hit.found.startswith("5,9 pt")


def test_warning_band_for_images(tmp_path):
    # A4: 200 ppi is under the 250 ppi minimum → error. A2 poster: the same is a warning.
    assert only(check(tmp_path, Sample(image_ppi=200)), "immagine a bassa risoluzione").level == "errore"
    findings = check(tmp_path, Sample(image_ppi=200), trim_mm=None)
    assert only(findings, "immagine a bassa risoluzione")
    poster = check(tmp_path, Sample(image_ppi=200), min_ppi=150, warn_ppi=250)
    hit = only(poster, "immagine sotto la risoluzione consigliata")
    assert hit.level == "avviso"
    assert hit.expected == "almeno 250 ppi"
    assert only(check(tmp_path, Sample(image_ppi=100), min_ppi=150, warn_ppi=250), "immagine a bassa risoluzione")


def test_large_formats_get_the_poster_thresholds():
    a2 = FileToCheck("x.pdf", "manifesto", "stampa", (420, 594), 3)
    a3 = FileToCheck("x.pdf", "manifesto", "stampa", (297, 420), 3)
    assert a2.ppi_limits() == (150.0, 250.0)
    assert a3.ppi_limits() == (250.0, 250.0)


def test_links_in_digital_files(tmp_path):
    assert check(tmp_path, Sample(digital=True), folds=()) == []
    bad = check(tmp_path, Sample(digital=True, link_url="javascript:alert(1)"), folds=())
    hit = only(bad, "collegamento non ammesso")
    assert hit.found == "javascript:alert(1)"
    assert hit.level == "avviso"  # digital files never stop the print run


def test_digital_file_without_links_is_a_warning(tmp_path):
    path = build(tmp_path / "prova.pdf", Sample(digital=True))
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        del pdf.pages[0].obj["/Annots"]
        pdf.save(path)
    hit = only(check_file(spec(path, Sample(digital=True), folds=())), "nessun collegamento cliccabile nel file digitale")
    assert hit.level == "avviso"


def test_unexpected_qr_code_is_a_warning(tmp_path):
    findings = check(tmp_path, Sample(second_qr_url="https://www.edizione-vecchia.it/"))
    hit = only(findings, "codice QR non previsto")
    assert (hit.level, hit.found, hit.expected) == ("avviso", "https://www.edizione-vecchia.it/", URL)
    assert rows(findings) == [("avviso", "codice QR non previsto")]


def test_a_missing_second_code_is_not_blamed_on_the_first(tmp_path):
    manifesto = "https://www.esempio.it/manifesto/"
    findings = check(tmp_path, Sample(), qr=(QrSpec(URL, 30.0), QrSpec(manifesto, 30.0, (1,))))
    hit = only(findings, "codice QR non trovato o illeggibile")
    assert hit.expected == manifesto
    assert rows(findings) == [("errore", "codice QR non trovato o illeggibile")]


def test_qr_size_is_measured_with_its_quiet_zone(tmp_path):
    # 30 mm symbol = 38.3 mm with the quiet zone: enough for 38 mm, not for 40 mm.
    assert check(tmp_path, Sample(), qr=(QrSpec(URL, 38.0),)) == []
    hit = only(check(tmp_path, Sample(), qr=(QrSpec(URL, 40.0),)), "codice QR troppo piccolo per la distanza di lettura")
    assert measured_mm(hit.found) == pytest.approx(38.3, abs=0.3)
    assert hit.expected == "almeno 40 mm"


def measured_mm(text: str) -> float:
    return float(text.split(" mm")[0].replace(",", "."))


def test_qr_distances_are_measured(tmp_path):
    # Symbol 30 mm, version 3 (29 modules): the quiet zone adds 4 × 30/29 = 4.14 mm each side.
    # Drawn 6 mm right of the fold → quiet zone 1.86 mm from it; drawn at 172 mm → quiet zone ends
    # at 206.14 mm, 3.86 mm from the trim. The render places it within a pixel (0.17 mm).
    near_fold = only(check(tmp_path, Sample(qr_at_mm=(FOLD_X + 6, 40))), "codice QR troppo vicino alla piega")
    assert measured_mm(near_fold.found) == pytest.approx(1.86, abs=0.3)
    edge = only(check(tmp_path, Sample(qr_at_mm=(172, 40))), "codice QR troppo vicino al bordo")
    assert measured_mm(edge.found) == pytest.approx(3.86, abs=0.3)
    assert edge.expected == "almeno 5,0 mm"


def test_map_folds_can_exempt_text(tmp_path):
    s = Sample(text_on_fold=True)
    assert not [f for f in check(tmp_path, s, folds=(Fold("x", FOLD_X, check_text=False),)) if f.check == "piega"]


def test_text_near_fold_and_trim_are_warnings(tmp_path):
    findings = check(tmp_path, Sample(), safe_margin_mm=16)
    # The index starts 15 mm from both the trim and the fold.
    near_fold = only(findings, "testo troppo vicino alla piega")
    assert near_fold.level == "avviso"
    margin = only(findings, "testo nel margine di sicurezza")
    assert margin.level == "avviso"
    assert "dal bordo" in margin.found


def test_expected_text_at_a_position(tmp_path):
    # "1  Spazio Q" is drawn at x = 15 mm, 60 mm below the top (y = 237 mm) and at x = 120 mm.
    ok = TextSpec("Spazio Q", (1,), (30.0, 238.0), 3.0)
    assert check(tmp_path, Sample(), texts_expected=(ok,)) == []
    far = TextSpec("Spazio Q", (1,), (30.0, 200.0), 3.0)
    hit = only(check(tmp_path, Sample(), texts_expected=(far,)), "testo atteso non nella sua posizione")
    assert hit.expected == "entro 3,0 mm da x 30,0, y 200,0 mm"


def test_expected_text_on_a_page_that_does_not_exist(tmp_path):
    hit = only(check(tmp_path, Sample(), texts_expected=(TextSpec("Spazio Q", (3,)),)), "testo atteso non trovato")
    assert hit.found == "nessun «Spazio Q» a pagina 3"


def test_missing_file_and_not_a_pdf(tmp_path):
    s = replace(spec(tmp_path / "manca.pdf"), label="manca.pdf")
    assert rows(check_file(s)) == [("errore", "file non trovato")]
    junk = tmp_path / "finto.pdf"
    junk.write_text("non sono un PDF")
    assert rows(check_file(replace(s, path=str(junk)))) == [("errore", "il file non è un PDF leggibile")]


def test_bleed_larger_than_expected_is_a_warning(tmp_path):
    hit = only(check(tmp_path, Sample(bleedbox_mm=5)), "abbondanza più larga del previsto")
    assert hit.level == "avviso"
    assert hit.expected == f"{BLEED:.1f}".replace(".", ",") + " mm per lato"


def test_fonts_and_images_inside_form_xobjects(tmp_path):
    """A map drawn once as a form XObject and placed scaled (as products place a matplotlib map):
    the font inside the form is found, and the image's ppi accounts for the form's scale."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from preflight_samples import _image, fonts

    f = fonts()
    path = tmp_path / "forma.pdf"
    w, h = 210 * mm, 297 * mm
    off = 13 * mm
    c = Canvas(str(path), pagesize=(w + 2 * off, h + 2 * off), invariant=1, initialFontName=f.regular)
    c.setTrimBox((off, off, off + w, off + h))
    c.setBleedBox((off - 3 * mm, off - 3 * mm, off + w + 3 * mm, off + h + 3 * mm))
    c.beginForm("mappa")
    c.setFont("Helvetica", 10)
    c.drawString(0, 0, "Pavia")
    c.drawImage(_image(300, False), 0, 20, 72, 72)  # 300 px on 1 inch: 300 ppi inside the form
    c.endForm()
    c.saveState()
    c.translate(off + 50 * mm, off + 100 * mm)
    c.scale(2, 2)  # placed at twice the size: 150 ppi on paper
    c.doForm("mappa")
    c.restoreState()
    c.showPage()
    c.save()
    spec_ = spec(path, Sample(), qr=(), texts_expected=(), folds=())
    findings = check_file(spec_)
    assert only(findings, "carattere non incorporato").found == "Helvetica"
    assert only(findings, "immagine a bassa risoluzione").found == "150 ppi (300×300 px stampati a 50,8×50,8 mm)"


def test_hyphenated_and_wrapped_names_are_found(tmp_path):
    """Index entries wrap and hyphenate (pyphen): the name is still found."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph

    from stampa.preflight.check_text import locate
    from stampa.preflight.textlayer import read_text
    import pypdfium2 as pdfium

    from preflight_samples import fonts

    f = fonts()
    path = tmp_path / "a.pdf"
    c = Canvas(str(path), pagesize=(100 * mm, 100 * mm), invariant=1, initialFontName=f.regular)
    style = ParagraphStyle("x", fontName=f.regular, fontSize=10, leading=12, hyphenationLang="it_IT",
                           embeddedHyphenation=1, uriWasteReduce=0.3)
    text = "Laboratorio sociale intergenerazionale Social Bistrot – Il Naviglio"
    p = Paragraph(text, style)
    p.wrapOn(c, 22 * mm, 100 * mm)
    p.drawOn(c, 10 * mm, 40 * mm)
    c.showPage()
    c.save()
    doc = pdfium.PdfDocument(str(path))
    chars = read_text(doc)[0]
    doc.close()
    printed = "".join(ch.text for ch in chars)
    assert "\n" in printed and "\x02" in printed  # it wrapped and hyphenated (pdfium marks the hyphen \x02)
    for name in ("Social Bistrot – Il Naviglio", "intergenerazionale", "Laboratorio sociale"):
        assert locate(chars, name), (name, printed)
    assert not locate(chars, "Bistrot Naviglio")
    assert not locate(chars, "Social Bistro")  # whole words only


def test_digital_files_are_not_folded_or_cut(tmp_path):
    # The same faults that fail a print file do not concern a digital one.
    s = Sample(digital=True, text_on_fold=True, qr_at_mm=(FOLD_X - 15, 40))
    assert check(tmp_path, s, safe_margin_mm=16) == []


def test_type3_fonts_are_a_warning(tmp_path):
    """matplotlib writes Type3 fonts by default: printable, but some shops refuse them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = tmp_path / "grafico.pdf"
    fig = plt.figure(figsize=(2, 1))
    fig.text(0.1, 0.5, "Pavia", fontsize=12)
    fig.savefig(path)
    plt.close(fig)
    spec_ = FileToCheck(str(path), "prova", "stampa", None, 0.0, label="grafico.pdf")
    from stampa.preflight.check_fonts import check_fonts
    from stampa.preflight.document import PdfFile

    with PdfFile(spec_, path) as doc:
        (hit,) = check_fonts(doc)
    assert (hit.level, hit.message, hit.found) == ("avviso", "carattere Type3 (disegnato, non un vero carattere)", "DejaVuSans")


def test_inline_images_are_measured(tmp_path):
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from preflight_samples import fonts

    img = tmp_path / "piccola.png"
    from PIL import Image

    Image.new("L", (50, 50), 128).save(img)
    path = tmp_path / "linea.pdf"
    c = Canvas(str(path), pagesize=(100 * mm, 100 * mm), invariant=1, initialFontName=fonts().regular)
    c.drawInlineImage(str(img), 10 * mm, 10 * mm, 25.4 * mm, 25.4 * mm)  # 50 px on one inch
    c.showPage()
    c.save()
    spec_ = FileToCheck(str(path), "prova", "stampa", None, 0.0, label="linea.pdf")
    from stampa.preflight.check_images import check_images
    from stampa.preflight.document import PdfFile

    with PdfFile(spec_, path) as doc:
        (hit,) = check_images(doc)
    assert hit.found == "50 ppi (50×50 px stampati a 25,4×25,4 mm)"


def _edit(path: Path, change) -> Path:
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        change(pdf)
        pdf.save(path)
    return path


def test_bleedbox_outside_the_page(tmp_path):
    path = build(tmp_path / "prova.pdf", Sample())

    def grow(pdf):
        page = pdf.pages[0].obj
        x0, y0, x1, y1 = (float(v) for v in page.MediaBox)
        page.BleedBox = pikepdf.Array([x0 - 5, y0 - 5, x1 + 5, y1 + 5])

    findings = check_file(spec(_edit(path, grow), Sample()))
    assert only(findings, "il BleedBox esce dalla pagina (MediaBox)").level == "errore"


def test_form_fields_in_a_print_file(tmp_path):
    path = build(tmp_path / "prova.pdf", Sample())

    def add_field(pdf):
        field = pdf.make_indirect(pikepdf.Dictionary(FT=pikepdf.Name.Tx, T="nome", Rect=[0, 0, 10, 10]))
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))

    hit = only(check_file(spec(_edit(path, add_field), Sample())), "campi di modulo nel file di stampa")
    assert (hit.level, hit.found) == ("errore", "1 campo")


def test_script_actions_in_a_digital_file(tmp_path):
    path = build(tmp_path / "prova.pdf", Sample(digital=True))

    def to_script(pdf):
        annot = pdf.pages[0].obj.Annots[0]
        annot.A = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")

    findings = check_file(spec(_edit(path, to_script), Sample(digital=True), folds=()))
    assert [(f.message, f.found) for f in findings] == [
        ("collegamento non ammesso", "azione JavaScript"),
        ("nessun collegamento cliccabile nel file digitale", "nessun collegamento"),
    ]
