"""Typography: escaping, Italian hyphenation, fitting text with a clear error, the 6 pt floor."""

from __future__ import annotations

import pypdf
import pytest
from reportlab.lib.units import mm

from stampa.printing.fonts import register_family
from stampa.printing.page import DocInfo, PageSpec, open_canvas
from stampa.printing.typography import (
    MIN_PT,
    Block,
    escape,
    fit_one_line,
    fit_paragraphs,
    hyphenation_problem,
    style,
)
from stampa.problems import StampaError


@pytest.fixture(scope="module")
def fonts():
    return register_family("Atkinson Hyperlegible")


def _text_of(tmp_path, blocks, width_mm=120, height_mm=200):
    fonts = register_family("Atkinson Hyperlegible")
    sheet = open_canvas(PageSpec(210, 297), "stampa", font=fonts.regular, info=DocInfo("t"))
    fitted = fit_paragraphs(blocks, width_mm, height_mm, box="prova")
    fitted.draw(sheet.canvas, 20 * mm, 270 * mm)
    p = tmp_path / "t.pdf"
    sheet.save(p)
    return pypdf.PdfReader(p).pages[0].extract_text(), fitted


def test_escape_prints_as_typed(tmp_path, fonts):
    typed = "a <aperto> & b"
    text, _ = _text_of(tmp_path, [Block(typed, style(fonts.regular, 12))])
    assert typed in text
    assert escape("x\ny") == "x<br/>y"
    assert escape("<b>") == "&lt;b&gt;"


def test_unclosed_tag_is_just_text(tmp_path, fonts):
    text, _ = _text_of(tmp_path, [Block("prezzo <5 euro & <b sconto", style(fonts.regular, 12))])
    assert "prezzo <5 euro & <b sconto" in text


def test_hyphenation_in_effect(tmp_path, fonts):
    assert hyphenation_problem() is None
    words = "Precipitevolissimevolmente partecipazione comunicazione integrata co-progettazione e responsabilità"
    text, fitted = _text_of(tmp_path, [Block(words, style(fonts.regular, 12))], width_mm=32)
    assert fitted.hyphenations > 0
    # at least one line ends in a hyphen that is not in the typed text
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    assert any(ln.endswith("-") and ln.rstrip("-") and ln not in words.split() for ln in lines), lines


def test_text_prints_in_100_percent_k(tmp_path, fonts):
    """Print shops want text in black ink alone: every glyph is shown with the fill colour
    0 0 0 1 k (never RGB, grey or a rich black)."""
    _text_of(tmp_path, [Block("Spazio Q — «caffè» 10 €", style(fonts.regular, 10))])
    reader = pypdf.PdfReader(tmp_path / "t.pdf")
    fill, saved, used = None, [], set()
    for operands, op in pypdf.generic.ContentStream(reader.pages[0].get_contents(), reader).operations:
        if op == b"q":
            saved.append(fill)
        elif op == b"Q":
            fill = saved.pop()
        elif op in (b"k", b"rg", b"g", b"sc", b"scn"):
            fill = (op.decode(), tuple(float(v) for v in operands))
        elif op in (b"Tj", b"TJ", b"'", b'"'):
            used.add(fill)
    assert used == {("k", (0.0, 0.0, 0.0, 1.0))}


def test_fit_shrinks_then_fits(fonts):
    blocks = [Block("parola " * 60, style(fonts.regular, 14))]
    fitted = fit_paragraphs(blocks, 60, 60, box="prova")
    assert fitted.scale < 1
    assert fitted.smallest_pt >= MIN_PT
    assert fitted.height_pt <= 60 * mm


def test_fit_error_message_pinned(fonts):
    long_text = "Il laboratorio è aperto a tutti " * 40
    with pytest.raises(StampaError) as exc:
        fit_paragraphs([Block(long_text, style(fonts.regular, 12))], 50, 20, box="parte 1")
    assert exc.value.problems[0].message == (
        "il testo «Il laboratorio è aperto a tutti Il laboratorio è…» non entra nel riquadro "
        "«parte 1» (50 × 20 mm) nemmeno a 6 pt: accorcialo."
    )


def test_word_wider_than_column_is_refused_not_cut(fonts):
    word = "codice 12345678901234567890123456789"  # digits never hyphenate
    with pytest.raises(StampaError):
        fit_paragraphs([Block(word, style(fonts.regular, 12))], 20, 100, box="stretto")


def test_minimum_size_enforced(fonts):
    with pytest.raises(ValueError):
        style(fonts.regular, 5.5)
    assert fit_one_line("breve", fonts.regular, 20, 100, box="x") == 20
    with pytest.raises(StampaError) as exc:
        fit_one_line("un titolo lunghissimo " * 10, fonts.regular, 20, 30, box="titolo")
    assert "nemmeno a 6 pt: accorcialo." in exc.value.problems[0].message
