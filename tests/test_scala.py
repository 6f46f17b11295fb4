"""A large edition (2,000 synthetic entries) as a booklet: map sheets (tavole) with an overview,
every entry once on its sheet with a unique number, the index naming each entry's sheet, pages in
multiples of 4. Read back from the PDF and the layout record, as a reader or the preflight would."""

from __future__ import annotations

import csv
import re
import time
from collections import defaultdict
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from bench import synthetic
from stampa.cartography.geometry import overlaps
from stampa.inputs import load_inputs
from stampa.numbering import number_entries
from tests.mappa_support import ROOT, build, page_text

pytestmark = pytest.mark.lento  # whole builds or subprocesses: left out of the quick run

N = 2000


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scala")
    rows = synthetic.generate_entries(N, seed=3)
    data = folder / "voci.csv"
    with data.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=";")
        w.writeheader()
        w.writerows(rows)
    entries = load_inputs(ROOT / "stampa.toml", dati=data).edition.entries
    out = folder / "out"
    t0 = time.perf_counter()
    result = build(out, entries=entries, formato="libretto")
    return entries, result, out, time.perf_counter() - t0


def _pages(pdf_path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return [pdf[i].get_textpage().get_text_range().replace("\r\n", "\n") for i in range(len(pdf))]
    finally:
        pdf.close()


def test_every_entry_is_on_exactly_one_sheet_with_a_unique_number(edition):
    entries, result, _, _ = edition
    layout = result.layout
    numbers = [e.number for e in layout.entries]
    assert len(numbers) == len(entries) == len(set(numbers))
    assert sorted(numbers) == list(range(1, len(entries) + 1))
    assert {e.id for e in layout.entries} == {e.id for e in entries}
    sheets = {v.name for v in layout.views if v.name.startswith("tavola-")}
    assert len(sheets) >= 4  # 2,000 entries do not fit one map legibly
    for e in layout.entries:
        assert e.sheet is not None and e.view == f"tavola-{e.sheet}"
    # a sheet's markers stay inside its frame and never overlap one another
    frames = {v.name: v.box_mm for v in layout.views}
    by_sheet = defaultdict(list)
    for e in layout.entries:
        by_sheet[e.view].append(e)
        f = frames[e.view]
        assert f[0] <= e.box_mm[0] and e.box_mm[2] <= f[2] and f[1] <= e.box_mm[1] and e.box_mm[3] <= f[3]
    for group in by_sheet.values():
        group.sort(key=lambda e: e.box_mm[0])
        for i, a in enumerate(group):  # sweep along x: linear enough for a test
            for b in group[i + 1 :]:
                if b.box_mm[0] >= a.box_mm[2]:
                    break
                assert not overlaps(a.box_mm, b.box_mm), (a.number, b.number)
    # the sheets' scales are round and each has its own scale bar
    for v in layout.views:
        assert round(v.scale) % 5000 == 0 or v.name == "mappa"
    assert {b.view for b in layout.scale_bars} == {v.name for v in layout.views}


def test_the_index_names_each_entry_and_its_sheet(edition):
    entries, result, out, _ = edition
    text = page_text(out / "mappa-stampa.pdf").replace("\ufffe", "")  # soft hyphens of words broken across lines
    sheet_of = {e.id: e.sheet for e in result.layout.entries}
    for n in number_entries(entries):
        # number (on the marker) and name, then the details opening with the sheet: "tav. N · …"
        card = re.compile(rf"(?<!\d){n.number}\s*{re.escape(n.entry.nome)}\s*tav\. {sheet_of[n.entry.id]} ·")
        assert card.search(text), (n.number, n.entry.nome, sheet_of[n.entry.id])


def test_booklet_pages_overview_sheets_and_index(edition):
    _, result, out, seconds = edition
    pages = _pages(out / "mappa-stampa.pdf")
    assert len(pages) % 4 == 0
    assert result.files[0]["pagine"] == len(pages)
    sheets = len([v for v in result.layout.views if v.name.startswith("tavola-")])
    assert "Quadro d'unione delle tavole" in pages[1]
    for k in range(1, sheets + 1):
        assert f"Tavola {k} di {sheets}" in pages[1 + k]
        assert "Scala 1:" in pages[1 + k]
    # the index begins right after the last sheet
    assert "tav. " in pages[2 + sheets]
    # previews: only the first pages of a long booklet ([mappa] anteprime_pagine)
    previews = sorted((out / "anteprime").glob("mappa-p*.png"))
    assert 0 < len(previews) <= 12 < len(pages)
    assert seconds < 120  # CI machines vary; the benchmark measures it properly


def test_small_editions_keep_one_map():
    """The sample edition in a booklet: still one map with its inset, no sheets."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        result = build(Path(tmp), formato="libretto")
    assert all(e.sheet is None for e in result.layout.entries)
    assert not any(v.name.startswith("tavola-") for v in result.layout.views)
