"""The print shop's sheet from a report, without a build: one A4 page whatever the number of
files, the folds and sizes as the report says, the preflight line only when it passed."""

from __future__ import annotations

import io

import pypdfium2
from pypdf import PdfReader

from stampa.app.printshop import folds_text, make_sheet


def _record(path: str, **extra):
    return {"path": path, "versione": "stampa", "formato": "A3", "pagine": 1, "rifilo_mm": [297.0, 420.0],
            "abbondanza_mm": 3.0, **extra}


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def test_many_files_stay_on_one_page_and_the_rest_is_counted():
    report = {"edizione": "Edizione 2026", "file": [_record(f"manifesto-{i}-stampa.pdf") for i in range(40)]
              + [{"path": "mappa-digitale.pdf", "versione": "digitale"}]}
    text = _text(make_sheet(report, ["CSV · Maria Piccio"]))
    assert "manifesto-0-stampa.pdf" in text and "mappa-digitale.pdf" not in text
    shown = text.count("-stampa.pdf Formato finito")
    assert 2 <= shown < 40
    assert f"… e altri {40 - shown} file per la stampa, tutti nello zip: formato e pagine di ciascuno sono in rapporto.json." in text
    assert "Note" in text and "Firma per l'approvazione" in text
    assert "superato la verifica" not in text  # not said unless it passed


def test_the_preflight_line_and_the_folds():
    folds = [{"asse": "y", "mm": 210.0, "pagine": [1]}, {"asse": "y", "mm": 210.0, "pagine": [2]},
             {"asse": "x", "mm": 148.5, "pagine": [1]}]
    record = _record("mappa-stampa.pdf", pagine=2, verifica={"pieghe": folds})
    assert folds_text(record) == ("2 pieghe: orizzontale a 210 mm dal bordo inferiore, verticale a 148,5 mm dal bordo "
                                  "sinistro (del formato finito)")
    assert folds_text(_record("m.pdf")) == "nessuna (foglio piano)"
    pdf = make_sheet({"edizione": "E", "file": [record]}, [], verified=True)
    text = _text(pdf)
    assert "I file hanno superato la verifica per la tipografia (rifilo, abbondanza, caratteri, colori)." in text
    assert "2 (fronte e retro)" in text
    # Nothing drawn outside the 18 mm margins: the page's ink sits inside them.
    page = pypdfium2.PdfDocument(pdf)[0]
    img = page.render(scale=1).to_pil().convert("L")
    w, h = img.size
    margin = round(18 / 25.4 * 72) - 2
    for box in ((0, 0, margin, h), (w - margin, 0, w, h), (0, 0, w, margin), (0, h - margin, w, h)):
        assert img.crop(box).getextrema()[0] > 250, box
