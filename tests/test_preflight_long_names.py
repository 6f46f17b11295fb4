"""Expected texts across line breaks: names of 80–120 characters wrap (and hyphenate) in the index
of every Mappa format, and the preflight must still find each of them; a name really missing
must still fail.

The cause of the real-data failures («testo atteso non trovato» for 40 names that wrap onto two
lines): the index draws an entry's number badge after the first line of its name, on the same
baseline, so pdfium's text came out as "…San Pietro in Verzolo 5 / n. 32 per…". The preflight now
also reads each line in reading order (stampa/preflight/check_text.py, _reading_order)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from stampa.preflight import TextSpec
from stampa.preflight.check_text import check_expected_texts, locate
from stampa.preflight.geometry import Rect
from stampa.preflight.run import check_file
from stampa.preflight.sources import files_from_report
from stampa.preflight.textlayer import Char

from mappa_support import build, renamed, sample

LONG_NAMES = [
    # 80–120 characters, as real entries are written: places, numbers, quotes, dashes, long words.
    "Gruppo di cittadini San Pietro in Verzolo n. 32 per la cura condivisa dei giardini e dei cortili",
    "Laboratorio Sociale di quartiere Città Giardino – spazio aperto per famiglie, anziani, ragazze e ragazzi",
    "Associazione di promozione sociale «Insieme per Borgo Ticino» e amici del fiume: orti e passeggiate",
    "Gruppo informale dei vicini di via dei Mille, via Folla di Sopra e dintorni per la biblioteca condominiale",
    "Laboratorio intergenerazionale sovracomunale per l'accompagnamento socioassistenziale e l'autorganizzazione",
]


def _entries(count: int):
    _, _, entries = sample()
    return [renamed(e, i, nome=f"{LONG_NAMES[i % len(LONG_NAMES)]} {i}") for i, e in enumerate(entries[:count])]


def _print_spec(out: Path, result):
    (out / "rapporto.json").write_text(json.dumps({"file": list(result.files)}, ensure_ascii=False), encoding="utf-8")
    return {spec.path: spec for spec in files_from_report(out / "rapporto.json")}


# The quick run reads the leaflet (the default format); the full run every format.
FORMATS = [
    pytest.param(("A3-pieghevole", 12), id="A3-pieghevole"),
    pytest.param(("A4", 12), id="A4", marks=pytest.mark.lento),
    pytest.param(("libretto", 34), id="libretto", marks=pytest.mark.lento),
]


@pytest.fixture(scope="module", params=FORMATS)
def built(request, tmp_path_factory):
    formato, count = request.param
    out = tmp_path_factory.mktemp(formato)
    entries = _entries(count)
    return out, _print_spec(out, build(out, entries, formato=formato)), entries


def test_long_names_are_found_in_every_format(built):
    out, specs, entries = built
    for name in ("mappa-stampa.pdf", "mappa-digitale.pdf"):
        spec = specs[name]
        expected = {t.text for t in spec.texts_expected}
        assert {e.nome for e in entries} <= expected, "every name is an expected text"
        assert len(max(expected, key=len)) >= 80
        findings = check_file(spec, base=out, checks=[check_expected_texts])
        assert [(f.message, f.found) for f in findings] == [], name


def test_a_missing_long_name_still_fails(built):
    out, specs, entries = built
    spec = specs["mappa-stampa.pdf"]
    # One word changed in a name that is printed: close, but not what the reader would see.
    printed = entries[0].nome
    missing = printed.replace("cittadini", "volontari").replace("Laboratorio", "Spazio")
    assert missing != printed
    wrong = replace(spec, texts_expected=spec.texts_expected + (TextSpec(missing),))
    findings = check_file(wrong, base=out, checks=[check_expected_texts])
    assert [(f.message, f.found) for f in findings] == [("testo atteso non trovato", f"nessun «{missing}»")]


# --- the text layer as pdfium gives it, in small ---------------------------------------------------

def _line(text: str, y: float, x0: float = 0.0, step: float = 5.0, reverse: bool = False) -> list[Char]:
    chars = []
    for k, ch in enumerate(text):
        x = x0 - k * step if reverse else x0 + k * step
        box = None if ch == " " else Rect(min(x, x + (-4 if reverse else 4)), y, max(x, x + (-4 if reverse else 4)), y + 7)
        chars.append(Char(ch, 0.0 if ch == " " else 9.0, box))
    return chars


def _br() -> list[Char]:
    return [Char("\r", 0.0, None), Char("\n", 0.0, None)]


def test_badge_drawn_after_the_first_line_is_read_where_it_stands():
    badge = [Char(" ", 0.0, None), Char("5", 7.5, Rect(-12, 100, -9, 106))]  # left of the line, drawn after it
    chars = _line("Gruppo di cittadini San Pietro in Verzolo", 100) + badge + _br() + _line("n. 32 per la cura", 110)
    assert locate(chars, "Gruppo di cittadini San Pietro in Verzolo n. 32 per la cura")
    assert locate(chars, "5 Gruppo di cittadini")


def test_badge_on_a_rotated_panel():
    """The folded A3 prints half its panels upside down: the line runs right to left."""
    badge = [Char(" ", 0.0, None), Char("1", 7.5, Rect(250, 100, 253, 106))]
    chars = _line("Associazione di promozione sociale", 100, x0=240, reverse=True) + badge + _br() + _line(
        "«Insieme per Borgo Ticino»", 110, x0=240, reverse=True)
    assert locate(chars, "Associazione di promozione sociale «Insieme per Borgo Ticino»")


@pytest.mark.parametrize(
    "lines, name",
    [
        (["Laboratorio intergenera-", "zionale di Scala"], "Laboratorio intergenerazionale di Scala"),  # hyphenation
        (["Laboratorio intergenera\ufffe", "zionale di Scala"], "Laboratorio intergenerazionale di Scala"),  # soft hyphen
        (["Laboratorio intergenera\u00ad", "zionale di Scala"], "Laboratorio intergenerazionale di Scala"),
        (["Amici del Borgo-", "Ticino"], "Amici del Borgo-Ticino"),  # a compound broken at its own hyphen
        (["Gruppo di cittadini San", "Pietro in", "Verzolo n. 32"], "Gruppo di cittadini San Pietro in Verzolo n. 32"),
    ],
)
def test_line_breaks_and_hyphens(lines, name):
    chars: list[Char] = []
    for k, text in enumerate(lines):
        if k:
            chars += _br()
        chars += _line(text, 100 + 10 * k)
    assert locate(chars, name), lines


def test_still_strict_across_lines():
    """Another entry's line between two lines of a name is not the name; a word glued on is not
    a whole word."""
    chars = (_line("Gruppo di cittadini San Pietro", 100) + _br() + _line("Laboratorio Scala", 110) + _br()
             + _line("in Verzolo", 120))
    assert not locate(chars, "Gruppo di cittadini San Pietro in Verzolo")
    chars = _line("Laboratorio Scala", 100) + _br() + _line("Nord 12", 110)
    assert not locate(chars, "Laboratorio Scala Nord 1")
