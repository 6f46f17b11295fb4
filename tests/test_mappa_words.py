"""Every word the Mappa prints comes from layout/mappa.toml: reword a copied layout, build, and
read the new words (and not the old ones) in the PDF. A layout file older than the newer keys
still loads, with today's words."""

from __future__ import annotations

import re
import shutil
import tomllib
from dataclasses import replace

import pypdfium2 as pdfium
import pytest
from mappa_support import ROOT, build, config, sample

from stampa.printing.theme import load_theme
from stampa.problems import StampaError
from stampa.products.mappa import build_mappa, load_texts
from stampa.products.mappa.texts import OPTIONAL

NEW_SECTIONS = ("legenda", "riquadro", "tavole")


def _layout(tmp_path, changes: dict[str, str]):
    """A copy of layout/ whose mappa.toml has ``changes`` (dotted key → TOML value as written)."""
    d = tmp_path / "layout"
    shutil.copytree(ROOT / "layout", d)
    f = d / "mappa.toml"
    text = f.read_text(encoding="utf-8")
    for dotted, value in changes.items():
        section, key = dotted.split(".")
        body = re.search(rf"^\[{section}\]\n(.*?)(?=^\[|\Z)", text, re.DOTALL | re.MULTILINE)
        assert body, section
        line = f"{key} = {value}"
        new_body, n = re.subn(rf"^{key} = .*$", lambda _m, line=line: line, body.group(1), count=1, flags=re.MULTILINE)
        assert n == 1, dotted
        text = text[: body.start(1)] + new_body + text[body.end(1) :]
    f.write_text(text, encoding="utf-8")
    return d


def _pages(pdf_path) -> list[str]:
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return [" ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]
    finally:
        pdf.close()


def test_the_leaflet_map_prints_its_legend_scale_north_and_credit_from_the_layout(tmp_path):
    d = _layout(
        tmp_path,
        {
            "retro.legenda_laboratorio": '"Laboratorio di quartiere"',
            "retro.legenda_gruppo": '"Gruppo spontaneo"',
            "legenda.titolo": '"Chiave di lettura"',
            "legenda.spostato": '"Punto vero del luogo"',
            "legenda.confine_distretto": '"Limite del distretto"',
            "legenda.confine_comunale": '"Limite comunale"',
            "legenda.riquadro": '"Zona in grande"',
            "legenda.scala": '"Rapporto {scala}"',
            "legenda.nord": '"Nord"',
            "legenda.crediti_confini": '"Limiti dei comuni: ISTAT"',
            "riquadro.titolo": '"Zoom: {nome}"',
        },
    )
    out = tmp_path / "out"
    build(out, layout_dir=d)
    text_side, map_side = _pages(out / "mappa-digitale.pdf")
    for words in (
        "Chiave di lettura", "Laboratorio di quartiere", "Gruppo spontaneo", "Punto vero del luogo", "Limite del distretto",
        "Limite comunale", "Zona in grande", "Rapporto 1:", "Nord", "Limiti dei comuni: ISTAT", "Zoom: Pavia, centro",
    ):
        assert words in map_side, words
    for old in ("Legenda", "Laboratorio sociale", "Gruppo di cittadini", "Luogo esatto", "Confine", "Area ingrandita", "Scala", "Riquadro:"):
        assert old not in map_side, old
    # one word, one place: the back panel's legend says what the map's legend says
    assert "Laboratorio di quartiere" in text_side and "Gruppo spontaneo" in text_side


@pytest.mark.lento
def test_atlas_sheets_print_their_titles_edges_and_index_references_from_the_layout(tmp_path):
    d = _layout(
        tmp_path,
        {
            "retro.legenda_gruppo": '"Gruppo spontaneo"',
            "tavole.quadro_titolo": '"Le tavole del distretto"',
            "tavole.quadro_sottotitolo": '"{tavole} fogli in tutto"',
            "tavole.titolo": '"Foglio {numero} su {tavole}"',
            "tavole.confinanti": '"vedi {numeri}"',
            "tavole.rimando": '"foglio\\u00a0{numero}"',
            "legenda.scala": '"Rapporto {scala}"',
            "libretto.piede_elenco": '"Numeri {da}-{a}"',
        },
    )
    cfg, district, entries = sample()
    cfg = config("libretto")
    cfg = replace(cfg, mappa=replace(cfg.mappa, tavole="sì"))
    out = tmp_path / "out"
    result = build_mappa(cfg, entries, district, out, theme=load_theme(d / "tema.toml"), layout_dir=d, preview_dpi=30)
    pages = _pages(out / "mappa-digitale.pdf")
    sheets = max(n for n in (int(m) for p in pages for m in re.findall(r"Foglio (\d+) su", p)))
    assert sheets >= 2
    assert pages[1].startswith(f"Le tavole del distretto {sheets} fogli in tutto")
    for k in range(1, sheets + 1):
        page = pages[1 + k]
        assert page.startswith(f"Foglio {k} su {sheets}"), page[:60]
        assert "Rapporto 1:" in page and "Gruppo spontaneo" in page
        assert "Scala" not in page and "Tavola" not in page and "tav. " not in page
    assert any(re.search(r"vedi \d", pages[1 + k]) for k in range(1, sheets + 1))
    index = " ".join(pages[1 + sheets + 1 :])
    assert re.search(r"foglio \d+ · ", index) and "tav." not in index
    assert re.search(r"Numeri \d+-\d+", index) and "Elenco · voci" not in index
    assert result.formato == "libretto"


@pytest.mark.lento
def test_the_booklet_centre_page_prints_its_words_from_the_layout(tmp_path):
    d = _layout(
        tmp_path,
        {
            "libretto.centro_nome": '"{nome} (vedi pagina {pagina})"',
            "libretto.centro_legenda": '"Ingrandita a pagina {pagina}"',
            "libretto.centro_sottotitolo": '"Dettaglio della pagina {pagina}"',
        },
    )
    _, district, entries = sample()
    out = tmp_path / "out"
    build_mappa(config("libretto"), entries, district, out, theme=load_theme(d / "tema.toml"), layout_dir=d, preview_dpi=30)
    pages = _pages(out / "mappa-digitale.pdf")
    assert "Pavia, centro (vedi pagina 3)" in pages[1] and "Ingrandita a pagina 3" in pages[1]
    assert "Dettaglio della pagina 2" in pages[2]
    assert "Area ingrandita" not in pages[1] and "Ingrandimento della mappa" not in pages[2]


def _without_newer_keys(text: str) -> str:
    """mappa.toml as it was before the newer keys: no [legenda], [riquadro], [tavole], and
    [libretto] with pagina_note only."""
    for section in NEW_SECTIONS:
        text = re.sub(rf"^\[{section}\]\n.*?(?=^\[|\Z)", "", text, flags=re.DOTALL | re.MULTILINE)
    return re.sub(rf"^({'|'.join(OPTIONAL['libretto'])}) = .*\n", "", text, flags=re.MULTILINE)


def test_an_older_layout_without_the_newer_keys_prints_todays_words(tmp_path):
    d = tmp_path / "layout"
    shutil.copytree(ROOT / "layout", d)
    f = d / "mappa.toml"
    f.write_text(_without_newer_keys(f.read_text(encoding="utf-8")), encoding="utf-8")
    written = tomllib.loads(f.read_text(encoding="utf-8"))
    assert not set(NEW_SECTIONS) & set(written) and set(written["libretto"]) == {"pagina_note"}
    older, today = load_texts(d, config()), load_texts(ROOT / "layout", config())
    assert older.values == today.values  # so the same drawing, word for word
    assert older("tavole.rimando") == "tav.\u00a0{numero}"
    assert older.map_words() == today.map_words()


def test_the_newer_keys_are_checked_like_the_others(tmp_path):
    d = _layout(tmp_path, {"tavole.titolo": '"Tavola {n}"', "legenda.nord": "7"})
    f = d / "mappa.toml"
    f.write_text(f.read_text(encoding="utf-8").replace("quadro_titolo =", "quadro_titoli ="), encoding="utf-8")
    with pytest.raises(StampaError) as exc:
        load_texts(d, config())
    lines = [p.format() for p in exc.value.problems]
    assert any(
        "chiave «tavole.titolo»: segnaposto sconosciuto {n}: usa uno di {titolo}, {sottotitolo}, {edizione}, {anno}, {autore}, "
        "{distretto}, {numero}, {tavole}." in line for line in lines
    ), lines
    assert any("chiave «legenda.nord», valore «7»: deve essere un testo tra virgolette." in line for line in lines), lines
    assert any("chiave «tavole.quadro_titoli»: chiave sconosciuta: toglila o correggi il nome. Forse intendevi «quadro_titolo»?" in line for line in lines), lines


def test_a_misspelt_new_section_is_refused(tmp_path):
    d = _layout(tmp_path, {})
    f = d / "mappa.toml"
    f.write_text(f.read_text(encoding="utf-8").replace("[tavole]", "[tavola]"), encoding="utf-8")
    with pytest.raises(StampaError) as exc:
        load_texts(d, config())
    lines = [p.format() for p in exc.value.problems]
    assert any("chiave «tavola»: sezione sconosciuta: toglila o correggi il nome. Forse intendevi «tavole»?" in line for line in lines), lines


def test_a_legend_text_too_wide_for_the_legend_is_reported():
    """A reworded legend line that would run out of the legend's box is a warning in the report
    (today's words fit, so no warning)."""
    from cartography_support import district

    from stampa.cartography import plan_map
    from stampa.cartography.words import MapWords

    frame = (400.0, 280.0)
    assert not [p for p in plan_map(district(), [], frame).problems if "legenda" in p.message]
    long = "Luogo esatto della voce, quando il numero è stato spostato per fare posto"
    plan = plan_map(district(), [], frame, words=MapWords(displaced=long))
    [problem] = [p for p in plan.problems if "legenda" in p.message]
    assert re.fullmatch(
        rf"il testo «{long}» della legenda è largo \d+ mm e nella legenda ne entrano 45: esce dal riquadro della legenda\. "
        r"Accorcialo in layout/mappa\.toml\.",
        problem.message,
    ), problem.message
