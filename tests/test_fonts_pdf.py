"""Emoji, Greek, Cyrillic and Latin Extended names in the built PDFs, as a reader sees them: the text
extracts back as typed, every font is embedded, no character is drawn as the empty box."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

import mappa_support as ms
import test_manifesto as tm
from fonts_support import BASE14, notdef_drawn, notdef_glyphs, pdf_fonts, renamed_copy
from stampa.glyphs import check_glyphs
from stampa.inputs import entry_fonts
from stampa.preflight.model import Finding
from stampa.preflight.run import run_preflight
from stampa.preflight.sources import files_from_report
from stampa.printing.fonts import register_family
from stampa.printing.typography import draw_string, string_width

NAMES = ["Orto condiviso 🌱 Vernavola", "Coro «Ελληνικά» di Pavia", "Biblioteca Русский мир", "Ștefan Łukasz Gökhan Ő"]
UNCOVERED = "Segni 𐀀 antichi \ue000"
ARABIC = "Gruppo نور الهدى Pavia"  # the Arabic words are left out of the print, the rest prints


def _fonts_ok(pdf: Path) -> dict[str, dict]:
    fonts = pdf_fonts(pdf)
    assert fonts
    for name, f in fonts.items():
        assert not name.split("+")[-1].startswith(BASE14), name
        assert "+" in name, f"{name} is not a subset"
        assert "/FontFile2" in f["/FontDescriptor"], name
        assert notdef_glyphs(f) == [], f"{name} draws an empty box for {notdef_glyphs(f)}"
    assert notdef_drawn(pdf) == 0
    return fonts


@pytest.fixture(scope="module")
def mappa(tmp_path_factory):
    cfg, _, entries = ms.sample()
    names = NAMES + [UNCOVERED, ARABIC]
    named = [replace(e, nome=n) for e, n in zip(entries, names)] + list(entries[len(names) :])
    named[0] = replace(named[0], attivita="Pasta 🍝 e caffè ☕ → per tutti")
    out = tmp_path_factory.mktemp("mappa")
    result = ms.build(out, entries=named[:12], formato="A4")
    (out / "files.json").write_text(json.dumps(list(result.files)), encoding="utf-8")
    named = named[:12]
    return out, named


def test_mappa_prints_emoji_greek_cyrillic_and_latin_extended(mappa):
    out, _ = mappa
    text = ms.page_text(out / "mappa-stampa.pdf")
    for name in NAMES:
        assert name in text
    assert "Pasta 🍝 e caffè ☕ → per tutti" in text


def test_the_preflight_finds_every_name_as_printed(mappa):
    """An emoji is two characters for pdfium (the halves of its UTF-16 pair), and a name's letters that
    cannot print are not on the page: the expected names are found all the same, no finding."""
    out, named = mappa
    with_files = {"file": [f for f in json.loads((out / "files.json").read_text(encoding="utf-8"))]}
    (out / "rapporto.json").write_text(json.dumps(with_files), encoding="utf-8")
    files = [f for f in files_from_report(out / "rapporto.json") if f.path.endswith(".pdf")]
    expected = {t.text for f in files for t in f.texts_expected}
    assert "Orto condiviso 🌱 Vernavola" in expected and "Gruppo Pavia" in expected and "Segni antichi" in expected
    result = run_preflight(files, out, write_report=False)
    assert [(f.file, f.message, f.found) for f in result.findings] == []


def test_mappa_fonts_embedded_fallbacks_as_subsets_no_empty_box(mappa):
    out, _ = mappa
    for version in ("stampa", "digitale"):
        fonts = _fonts_ok(out / f"mappa-{version}.pdf")
        families = {n.split("+")[-1] for n in fonts}
        assert {"NotoEmoji-Bold", "NotoEmoji-Regular", "NotoSans-Bold", "NotoSansSymbols-Regular"} <= families
        assert {"TitilliumWeb-Bold", "AtkinsonHyperlegible-Regular"} <= families


def test_character_no_font_has_is_left_out_with_a_warning_and_the_build_goes_on(mappa):
    out, named = mappa
    text = ms.page_text(out / "mappa-stampa.pdf")
    assert "Segni antichi" in text and "𐀀" not in text and "\ue000" not in text
    cfg, _, _ = ms.sample()
    problems = check_glyphs(named, entry_fonts(cfg))
    assert [(p.level, p.field, p.value) for p in problems] == [("avviso", "nome", UNCOVERED), ("avviso", "nome", ARABIC)]
    assert problems[0].message == (
        "i caratteri «\ue000» (U+E000), «𐀀» (U+10000 LINEAR B SYLLABLE B008 A) non sono in nessuno dei caratteri "
        "tipografici disponibili: vengono tolti dalla stampa. Se serve, sostituiscilo con lettere o con un simbolo comune."
    )


def test_manifesto_posters_print_the_names(tmp_path):
    root = tmp_path / "progetto"
    (root / "layout").mkdir(parents=True)
    shutil.copy(tm.REPO / "layout" / "manifesto.toml", root / "layout")
    shutil.copy(tm.REPO / "layout" / "tema.toml", root / "layout")
    cfg = tm._cfg(root, per_laboratorio=True)
    labs = [replace(tm._lab(i + 1), nome=n, orari="lun 15–18 ☕") for i, n in enumerate(NAMES)]
    result = tm._build(root, cfg, labs)
    assert result.problems == ()
    pdf = root / "out" / "manifesti-laboratori-A3-stampa.pdf"
    text = ms.page_text(pdf)
    for name in NAMES:
        assert name in text
    assert "Orari: lun 15–18 ☕" in text
    families = {n.split("+")[-1] for n in _fonts_ok(pdf)}
    assert {"NotoEmoji-Bold", "NotoSans-Bold"} <= families


def test_manifesto_in_a_family_from_the_fonts_folder(tmp_path):
    root = tmp_path / "progetto"
    (root / "layout").mkdir(parents=True)
    shutil.copy(tm.REPO / "layout" / "manifesto.toml", root / "layout")
    shutil.copy(tm.REPO / "layout" / "tema.toml", root / "layout")
    renamed_copy(root / "fonts" / "a.ttf", "Prova Manifesto")
    renamed_copy(root / "fonts" / "b.ttf", "Prova Manifesto", 700)
    cfg = tm._cfg(root, carattere_titoli="Prova Manifesto", carattere_testo="Prova Manifesto")
    tm._build(root, cfg)
    families = {n.split("+")[-1] for n in _fonts_ok(root / "out" / "manifesto-A3-stampa.pdf")}
    assert {"ProvaManifesto-Regular", "ProvaManifesto-Bold"} <= families
    assert not any(f.startswith(("TitilliumWeb", "AtkinsonHyperlegible")) for f in families)


def test_lines_drawn_on_the_canvas_use_the_fallbacks(tmp_path):
    fs = register_family("Titillium Web")
    text = "Riquadro: Ελληνικά 🌱 Ştefan 𐀀"
    pdf = tmp_path / "riga.pdf"
    c = Canvas(str(pdf), initialFontName=fs.regular, invariant=1)
    width = draw_string(c, 300, 400, text, fs.bold, 12, align="center")
    c.save()
    assert width == pytest.approx(string_width(text, fs.bold, 12))
    assert ms.page_text(pdf).strip() == "Riquadro: Ελληνικά 🌱 Ştefan"
    _fonts_ok(pdf)


def test_the_empty_box_check_sees_a_box_when_there_is_one(tmp_path):
    """Without the fallbacks (plain drawString) ReportLab draws Greek in Titillium as .notdef boxes."""
    fs = register_family("Titillium Web")
    pdf = tmp_path / "scatole.pdf"
    c = Canvas(str(pdf), initialFontName=fs.regular, invariant=1)
    c.setFont(fs.regular, 12)
    c.drawString(100, 400, "Coro Ελλ")
    c.save()
    assert notdef_drawn(pdf) == 3


def test_fallback_fonts_keep_builds_byte_identical(tmp_path):
    fs = register_family("Atkinson Hyperlegible")
    made = []
    for i in range(2):
        pdf = tmp_path / f"{i}.pdf"
        c = Canvas(str(pdf), initialFontName=fs.regular, invariant=1)
        draw_string(c, 100, 400, "Coro «Ελληνικά» 🌱 Русский →", fs.bold, 12)
        c.save()
        made.append(pdf.read_bytes())
    assert made[0] == made[1]


def test_a_finding_quoting_an_emoji_read_from_a_page_writes_it_whole():
    """pdfium gives an emoji as the two halves of its UTF-16 pair: a finding that quotes the page
    puts them back together (JSON cannot write a half alone)."""
    halves = "".join(chr(u) for u in (0xD83C, 0xDF31))
    found = Finding("errore", "margini", "testo nel margine", "mappa-stampa.pdf", (1,), f"Orto {halves} Vernavola")
    assert found.found == "Orto 🌱 Vernavola"
    assert json.loads(json.dumps(found.as_dict(), ensure_ascii=False).encode("utf-8"))["trovato"] == "Orto 🌱 Vernavola"
