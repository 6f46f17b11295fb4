"""The manifesto posters, checked as a reader of the PDFs sees them."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pikepdf
import pypdf
import pytest
from reportlab.lib.units import mm

from stampa.config import load_config
from stampa.entries.model import Entry
from stampa.printing.page import FORMATS
from stampa.printing.qr import decode_qr_codes, qr_modules
from stampa.printing.theme import load_theme
from stampa.problems import StampaError
from stampa.products.manifesto import build_manifesto
from stampa.products.manifesto_text import load_manifesto_text

REPO = Path(__file__).resolve().parents[1]
URL = "https://www.esempio.it/manifesto/"
BASE14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")

CONFIG = """
[edizione]
anno = 2026
autore = "Centro Servizi Volontariato"
[distretto]
comuni = ["018110"]
[dati]
voci = "dati/voci.csv"
[collegamenti]
mappa_digitale = "https://www.esempio.it/mappa/"
manifesto_digitale = "{url}"
[contatti]
ente = "Centro Servizi Volontariato"
referente = "Maria Rossi"
email = "info@esempio.it"
[manifesto]
formati = {formati}
[uscita]
anteprime_dpi = 36
"""


def _lab(i: int, sito: str = "") -> Entry:
    return Entry(
        id=f"LAB-{i:02d}", nome=f"Laboratorio numero {i}", tipo="laboratorio", comune="Pavia", istat="018110",
        lon=9.15, lat=45.19, indirizzo=f"Via Roma {i}", quartiere="Centro storico", orari="lunedì 15–18", sito=sito,
    )


GROUP = Entry(id="GR-01", nome="Un gruppo", tipo="gruppo", comune="Pavia", istat="018110", lon=9.15, lat=45.19)


@pytest.fixture()
def project(tmp_path):
    root = tmp_path / "progetto"
    (root / "layout").mkdir(parents=True)
    shutil.copy(REPO / "layout" / "manifesto.toml", root / "layout")
    shutil.copy(REPO / "layout" / "tema.toml", root / "layout")
    return root


def _cfg(root: Path, formati=("A3",), url=URL, **manifesto):
    fmt = "[" + ", ".join(f'"{f}"' for f in formati) + "]"
    (root / "stampa.toml").write_text(CONFIG.format(url=url, formati=fmt), encoding="utf-8")
    cfg = load_config(root / "stampa.toml")
    return replace(cfg, manifesto=replace(cfg.manifesto, **manifesto)) if manifesto else cfg


def _build(root, cfg, entries=(), workers=1):
    theme = load_theme(root / "layout" / "tema.toml")
    return build_manifesto(cfg, list(entries), root / "out", theme=theme, layout_dir=root / "layout", workers=workers)


def _text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("formato", ["A4", "A3", "A2", "50x70", "70x100"])
def test_sizes_and_boxes(project, formato):
    result = _build(project, _cfg(project, (formato,)))
    w, h = FORMATS[formato]
    out = project / "out"
    printed = pikepdf.open(out / f"manifesto-{formato}-stampa.pdf")
    for page in printed.pages:
        trim = [float(v) / mm for v in page.obj.TrimBox]
        bleed = [float(v) / mm for v in page.obj.BleedBox]
        media = [float(v) / mm for v in page.obj.MediaBox]
        assert trim[2] - trim[0] == pytest.approx(w, abs=0.01)
        assert trim[3] - trim[1] == pytest.approx(h, abs=0.01)
        assert trim[0] - bleed[0] == pytest.approx(3, abs=0.01)
        assert bleed[2] - trim[2] == pytest.approx(3, abs=0.01)
        assert media[2] - media[0] > w + 6 + 10  # room for the crop marks
        assert "/Annots" not in page.obj
    digital = pikepdf.open(out / f"manifesto-{formato}-digitale.pdf")
    media = [float(v) / mm for v in digital.pages[0].obj.MediaBox]
    assert (media[2] - media[0], media[3] - media[1]) == (pytest.approx(w, abs=0.01), pytest.approx(h, abs=0.01))
    assert str(digital.Root.Lang) == "it-IT"
    paths = {f["path"]: f for f in result.files}
    assert set(paths) == {
        f"manifesto-{formato}-stampa.pdf", f"manifesto-{formato}-digitale.pdf", f"anteprime/manifesto-{formato}-p1.png"
    }
    rec = paths[f"manifesto-{formato}-stampa.pdf"]
    assert rec["prodotto"] == "manifesto" and rec["versione"] == "stampa" and rec["pagine"] == 1
    assert rec["rifilo_mm"] == [w, h] and rec["abbondanza_mm"] == 3.0 and len(rec["sha256"]) == 64
    assert paths[f"anteprime/manifesto-{formato}-p1.png"]["versione"] == "anteprima"


def test_parts_and_keywords_in_text(project):
    _build(project, _cfg(project))
    text = _flat(_text(project / "out" / "manifesto-A3-stampa.pdf"))
    layout = load_manifesto_text(project / "layout")
    assert layout.titolo in text
    for part in layout.parti:
        assert part.titolo in text
        for word in part.parole_chiave:
            assert word in text
    for word in ("spazi aperti", "per tutti", "di cambiamento", "di comunità", "attività", "feste", "relazioni",
                 "partecipazione", "dialogo", "comunicazione integrata", "co-progettazione"):
        assert word in text
    # contacts and credits from the config
    assert "Centro Servizi Volontariato · Maria Rossi" in text and "info@esempio.it" in text
    assert "Edizione 2026" in text


def test_fonts_embedded(project):
    _build(project, _cfg(project))
    for version in ("stampa", "digitale"):
        pdf = pikepdf.open(project / "out" / f"manifesto-A3-{version}.pdf")
        fonts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"]
        assert fonts
        for f in fonts:
            assert not str(f.BaseFont).lstrip("/").split("+")[-1].startswith(BASE14)
            assert "/FontFile2" in f.FontDescriptor


def test_qr_decoded_at_expected_size_and_away_from_trim(project):
    _build(project, _cfg(project))
    found = decode_qr_codes(project / "out" / "manifesto-A3-stampa.pdf", 0, dpi=150)
    assert [t for t, _ in found] == [URL]
    x0, y0, x1, y1 = found[0][1]
    n = qr_modules(URL)
    size = 100.0  # A3 read from 100 cm: distance / 10
    symbol = size * (n - 8) / n
    assert x1 - x0 == pytest.approx(symbol, abs=1.0)
    quiet = size * 4 / n
    assert x0 - quiet >= 5 and y0 - quiet >= 5 and x1 + quiet <= 297 - 5 and y1 + quiet <= 420 - 5


def test_small_format_warns_about_qr(project):
    result = _build(project, _cfg(project, ("A4",)))
    [w] = [p for p in result.problems if "codice QR" in p.message]
    assert w.level == "avviso" and w.where == "manifesto A4"
    assert w.message.startswith("il codice QR misura 71 mm, meno dei 100 mm che servono per leggerlo da 100 cm")
    found = decode_qr_codes(project / "out" / "manifesto-A4-stampa.pdf", 0, dpi=150)
    assert [t for t, _ in found] == [URL]


def test_links_only_in_digital(project):
    _build(project, _cfg(project))
    printed = pikepdf.open(project / "out" / "manifesto-A3-stampa.pdf")
    assert all("/Annots" not in p.obj for p in printed.pages)
    digital = pikepdf.open(project / "out" / "manifesto-A3-digitale.pdf")
    uris = {str(a.A.URI) for a in digital.pages[0].obj.Annots}
    assert uris == {URL, "mailto:info@esempio.it"}


def test_hyphenation_in_effect(project):
    layout = project / "layout" / "manifesto.toml"
    long_words = "Sperimentazione, partecipazione, corresponsabilità e rappresentatività: " * 4
    layout.write_text(
        layout.read_text(encoding="utf-8").replace('testo = """Porte aperte', f'testo = """{long_words}Porte aperte'),
        encoding="utf-8",
    )
    _build(project, _cfg(project))
    lines = [ln.strip() for ln in _text(project / "out" / "manifesto-A3-stampa.pdf").splitlines()]
    # a line ends with a hyphen the author never typed: the word was split by Italian hyphenation
    broken = [ln for ln in lines if ln.endswith("-") and not ln.endswith("co-")]
    assert broken, lines


def test_overlong_text_refused(project):
    layout = project / "layout" / "manifesto.toml"
    text = layout.read_text(encoding="utf-8")
    layout.write_text(text.replace('testo = """Porte aperte', 'testo = """' + "Un testo lunghissimo. " * 400 + "Porte aperte"), encoding="utf-8")
    with pytest.raises(StampaError) as exc:
        _build(project, _cfg(project))
    [p] = exc.value.problems
    assert p.where == "chiave «parti[1].testo»" and p.file.endswith("manifesto.toml")
    assert p.message == (
        "il testo «Un testo lunghissimo. Un testo lunghissimo. Un…» non entra nel riquadro "
        "«parti del manifesto A3» (255 × 168 mm) nemmeno a 6 pt: accorcialo."
    )


def test_per_lab_posters_one_file(project):
    labs = [_lab(i, sito="https://www.esempio.it/lab" if i == 1 else "") for i in range(1, 4)]
    cfg = _cfg(project, per_laboratorio=True, un_file=True)
    result = _build(project, cfg, [*labs, GROUP])
    out = project / "out"
    for version in ("stampa", "digitale"):
        reader = pypdf.PdfReader(out / f"manifesti-laboratori-A3-{version}.pdf")
        assert len(reader.pages) == len(labs)  # one per lab, none for the group
        for lab, page in zip(labs, reader.pages):
            text = _flat(page.extract_text())
            assert "Qui trovi il Laboratorio Sociale" in text and lab.nome in text and lab.indirizzo in text
            assert "lunedì 15–18" in text
            # the shared body (a form reused by every page) is there too, keywords included
            assert "I Laboratori Sociali" in text and "comunicazione integrata" in text
    # the lab with a website gets a QR to it; the others to the manifesto's page
    found = decode_qr_codes(out / "manifesti-laboratori-A3-stampa.pdf", 0, dpi=150)
    assert [t for t, _ in found] == ["https://www.esempio.it/lab"]
    found = decode_qr_codes(out / "manifesti-laboratori-A3-stampa.pdf", 1, dpi=150)
    assert [t for t, _ in found] == [URL]
    rec = {f["path"]: f for f in result.files}["manifesti-laboratori-A3-stampa.pdf"]
    assert rec["pagine"] == 3 and rec["laboratori"] == ["LAB-01", "LAB-02", "LAB-03"]


# One file each in this process in the quick run; with two worker processes in the full run.
@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=pytest.mark.lento)])
def test_per_lab_posters_one_file_each_in_parallel(project, workers):
    labs = [_lab(i) for i in range(1, 6)]
    cfg = _cfg(project, per_laboratorio=True, un_file=False)
    result = _build(project, cfg, labs, workers=workers)
    out = project / "out"
    for lab in labs:
        for version in ("stampa", "digitale"):
            path = out / f"manifesto-{lab.id}-A3-{version}.pdf"
            assert len(pypdf.PdfReader(path).pages) == 1
            assert lab.nome in _flat(_text(path))
        assert (out / "anteprime" / f"manifesto-{lab.id}-A3-p1.png").exists()
    pdfs = [f for f in result.files if f["path"].startswith("manifesto-LAB-") and f["versione"] == "stampa"]
    assert len(pdfs) == len(labs)


def test_bad_lab_website_falls_back_with_warning(project):
    cfg = _cfg(project, per_laboratorio=True)
    result = _build(project, cfg, [_lab(1, sito="javascript:alert(1)")])
    [w] = [p for p in result.problems if p.field == "sito"]
    assert w.level == "avviso" and "il codice QR porta alla Mappa" in w.message
    found = decode_qr_codes(project / "out" / "manifesti-laboratori-A3-stampa.pdf", 0, dpi=150)
    assert [t for t, _ in found] == [URL]


def test_user_text_escaped(project):
    lab = replace(_lab(1), nome="Lab <Ponte> & amici", orari="lun <sera>")
    _build(project, _cfg(project, per_laboratorio=True), [lab])
    text = _flat(_text(project / "out" / "manifesti-laboratori-A3-stampa.pdf"))
    assert "Lab <Ponte> & amici" in text and "lun <sera>" in text


def test_byte_identical_rebuild(project):
    cfg = _cfg(project, per_laboratorio=True)
    first = {f["path"]: f["sha256"] for f in _build(project, cfg, [_lab(1), _lab(2)]).files}
    second = {f["path"]: f["sha256"] for f in _build(project, cfg, [_lab(1), _lab(2)]).files}
    assert first == second


def test_lab_name_too_long_for_the_band(project):
    lab = replace(_lab(1), nome="Laboratorio " * 120)
    with pytest.raises(StampaError) as exc:
        _build(project, _cfg(project, per_laboratorio=True), [lab])
    [p] = exc.value.problems
    assert p.where == "laboratorio «Laboratorio Laboratorio Laboratorio…» (id LAB-01)"
    assert p.message.startswith("il testo «Laboratorio Laboratorio Laboratorio Laboratorio…» non entra nel riquadro «fascia del laboratorio»")
    assert p.message.endswith("nemmeno a 6 pt: accorcialo.")


def test_layout_symbol_prints_through_the_fallback_and_a_character_no_font_has_is_a_warning(project):
    layout = project / "layout" / "manifesto.toml"
    text = layout.read_text(encoding="utf-8").replace('titolo = "Che cosa sono"', 'titolo = "Che cosa sono ☃ 𐀀"')
    layout.write_text(text, encoding="utf-8")
    result = _build(project, _cfg(project))
    [p] = result.problems
    assert p.level == "avviso" and p.where == "chiave «parti[1].titolo»"
    assert p.message == (
        "il carattere «𐀀» (U+10000 LINEAR B SYLLABLE B008 A) non è in nessuno dei caratteri tipografici disponibili: "
        "viene tolto dalla stampa. Se serve, sostituiscilo con lettere o con un simbolo comune."
    )
    assert "Che cosa sono ☃" in _flat(_text(project / "out" / "manifesto-A3-stampa.pdf"))


def _smallest_text_pt(path: Path) -> float:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(str(path))
    smallest = 1e9
    for page in pdf:
        tp = page.get_textpage()
        for i in range(tp.count_chars()):
            if raw.FPDFText_IsGenerated(tp.raw, i) or chr(raw.FPDFText_GetUnicode(tp.raw, i)).isspace():
                continue
            smallest = min(smallest, raw.FPDFText_GetFontSize(tp.raw, i))
    return smallest


def test_no_text_under_6_pt_even_on_a4(project):
    # the smallest format, a lab poster, a long name and address: still nothing under 6 pt
    lab = replace(_lab(1), nome="Laboratorio Sociale di San Martino Siccomario", indirizzo="Via Roma 120, frazione Borgo")
    _build(project, _cfg(project, ("A4",), per_laboratorio=True), [lab])
    for name in ("manifesto-A4-stampa.pdf", "manifesti-laboratori-A4-stampa.pdf"):
        assert _smallest_text_pt(project / "out" / name) >= 6.0
