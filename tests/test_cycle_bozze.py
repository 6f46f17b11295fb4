"""`stampa bozze`: a proof page for every entry, whose card reads as the printed index, and the
list for a mail merge. On a copy of the sample project (vector basemap: no network)."""

from __future__ import annotations

import csv
import io
import re

import pypdfium2 as pdfium
import pytest
from mappa_support import page_text
from robusto_support import make_project, sample_rows

from stampa.cli import main
from stampa.config import load_config
from stampa.problems import StampaError


@pytest.fixture(scope="module")
def proofs(tmp_path_factory):
    project = tmp_path_factory.mktemp("bozze")
    toml = make_project(project, extra_toml='[bozze]\nentro = "2027-01-31"\n')
    # The outlines: the credits the proofs expect are those the build prints (no network here).
    toml.write_text(toml.read_text(encoding="utf-8").replace('fonte = "osm"', 'fonte = "vettoriale"'), encoding="utf-8")
    assert main(["bozze", "--config", str(toml)]) == 0
    assert main(["edizione", "--config", str(toml), "--senza-verifica"]) == 0
    return project


def _active():
    return [r for r in sample_rows() if r["attivo"].strip().lower() not in ("no", "falso")]


def _words(text: str) -> str:
    """Text as read: hyphenation marks pdfium leaves at a line's end dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", text.replace("\ufffe", "").replace("\u00ad", "")).strip()


@pytest.mark.lento
def test_one_proof_page_per_entry_and_the_mail_merge_list(proofs):
    folder = proofs / "out" / "bozze"
    raw = (folder / "elenco.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the accents right
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert list(rows[0]) == ["id", "nome", "ente", "email", "file", "nota"]
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in _active())
    for r in rows:
        pdf = pdfium.PdfDocument(str(folder / r["file"]))
        assert len(pdf) == 1, r["file"]
        # It renders, and not blank: the page has ink beyond the margins' white.
        img = pdf[0].render(scale=0.5).to_pil().convert("L")
        assert img.getextrema()[0] < 100, r["file"]
        pdf.close()
        assert (r["nota"] == "senza email: da contattare in altro modo") == (r["email"] == "")
    assert {r["id"] for r in rows if not r["email"]} == {r["id"] for r in _active() if not r["email"]}
    assert sorted(p.name for p in folder.iterdir()) == sorted([r["file"] for r in rows] + ["elenco.csv"])


@pytest.mark.lento
def test_each_proof_reads_as_the_printed_index(proofs):
    folder = proofs / "out" / "bozze"
    printed = _words(page_text(proofs / "out" / "mappa-stampa.pdf"))
    rows = list(csv.DictReader(io.StringIO((folder / "elenco.csv").read_text(encoding="utf-8-sig")), delimiter=";"))
    by_id = {r["id"]: r for r in _active()}
    import json

    numbers = {v["id"]: v["numero"] for v in json.loads((proofs / "out" / "rapporto.json").read_text(encoding="utf-8"))["voci"]}
    for r in rows:
        proof = _words(page_text(folder / r["file"]))
        entry = by_id[r["id"]]
        assert f"voce n. {numbers[r['id']]} · codice {r['id']}" in proof
        # The card's texts, as both print them (bold labels come out of order in text extraction:
        # compared without them).
        for text in (entry["nome"], entry["attivita"], entry["orari"]):
            if text:
                assert _words(text) in proof, (r["id"], text)
                assert _words(text) in printed, (r["id"], text)
        assert "entro il 31 gennaio 2027" in proof
        assert "Maria Piccio, Centro Servizi Volontariato (m.piccio@csvlombardia.it)" in proof


def card_lines(pdf_path, name: str, size_pt: float, width_pt: float, height_pt: float) -> list[list[str]] | None:
    """The lines of the card whose name is ``name`` (set at ``size_pt``: not the proof's title or a
    comune heading of the same words), as pdfium reads them in the card's box; each line as its sorted words (pdfium reads a
    bold label out of order on an upside-down panel)."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        for i in range(len(pdf)):
            tp = pdf[i].get_textpage()
            search = tp.search(name, match_case=True, match_whole_word=True)
            while (hit := search.get_next()) is not None:
                first, count = hit
                l0, b0, r0, t0 = tp.get_charbox(first)
                l1 = tp.get_charbox(first + count - 1)[0]
                if t0 - b0 > 0.8 * size_pt:  # larger type: the proof's title, a comune heading
                    continue
                if l1 >= l0:  # upright
                    box = (l0 - 1, t0 - height_pt - 0.5, l0 + width_pt + 1, t0 + 1.5)
                else:  # an upside-down panel of the folded leaflet
                    box = (r0 - width_pt - 1, b0 - 1.5, r0 + 1, b0 + height_pt + 0.5)
                text = tp.get_text_bounded(*box).replace("\r", "")
                lines = [sorted(line.split()) for line in text.split("\n") if line.strip()]
                if lines and lines[0] == sorted(name.split()):  # not a heading that holds the name
                    return lines
    finally:
        pdf.close()
    return None


@pytest.mark.lento
def test_each_proof_card_breaks_its_lines_as_the_printed_index(proofs):
    """The index of the sample shrinks (scale < 1) into columns narrower than a proof's text
    area: the proof's card has the same lines as the printed card, line for line."""
    from reportlab.lib.units import mm

    from stampa.bozze.cards import printed_cards
    from stampa.inputs import load_inputs

    inputs = load_inputs(proofs / "stampa.toml", geocodifica="controlla")
    cards = printed_cards(inputs.config, inputs.edition.entries, inputs.district)
    assert cards.scale < 1.0  # the case where a card wrapped at its designed size would differ
    assert len(cards.cards) == len(_active())
    for entry_id, card in cards.cards.items():
        name = card.numbered.entry.nome
        width = (cards.width_mm[entry_id] - card.indent_mm) * mm
        size = card.paras[0].style.fontSize
        printed = card_lines(proofs / "out" / "mappa-stampa.pdf", name, size, width, card.height_pt)
        proof = card_lines(proofs / "out" / "bozze" / f"bozza-{entry_id}.pdf", name, size, width, card.height_pt)
        assert printed and len(printed) >= 2, entry_id
        assert proof == printed, entry_id


@pytest.mark.lento
def test_a_proof_lists_the_checks_of_its_entry(proofs):
    folder = proofs / "out" / "bozze"
    no_email = next(r for r in _active() if not r["email"])
    proof = _words(page_text(folder / f"bozza-{no_email['id']}.pdf"))
    assert "Manca l'indirizzo email" in proof


def test_the_deadline_must_be_a_date(tmp_path):
    toml = make_project(tmp_path, extra_toml='[bozze]\nentro = "31/01/2027"\n')
    with pytest.raises(StampaError) as e:
        load_config(toml)
    assert [p.format() for p in e.value.problems] == [
        f'{toml}, chiave «bozze.entro», valore «31/01/2027»: scrivi la data come AAAA-MM-GG tra virgolette, es. "2027-01-31".'
    ]


@pytest.mark.lento
def test_the_map_detail_draws_the_frozen_openstreetmap_basemap(tmp_path):
    """With the edition's frozen OSM file in dati/, the detail shows the streets (and credits them);
    without it, only the comune outlines and no OSM credit (the fixture above)."""
    from osm_samples import sample_osm

    from stampa.basemap.osm_store import write_osm_gpkg

    toml = make_project(tmp_path)
    write_osm_gpkg(tmp_path / "dati" / "sfondo-osm-2026.gpkg", sample_osm())
    assert main(["bozze", "--config", str(toml)]) == 0
    # ALT-02 lies in central Pavia, inside the sample's streets.
    with_osm = _words(page_text(tmp_path / "out" / "bozze" / "bozza-ALT-02.pdf"))
    assert "Dati © OpenStreetMap (ODbL)" in with_osm
    pdf = pdfium.PdfDocument(str(tmp_path / "out" / "bozze" / "bozza-ALT-02.pdf"))
    objects = len(list(pdf[0].get_objects()))
    pdf.close()
    toml.write_text(toml.read_text(encoding="utf-8").replace('fonte = "osm"', 'fonte = "vettoriale"'), encoding="utf-8")
    assert main(["bozze", "--config", str(toml)]) == 0
    pdf = pdfium.PdfDocument(str(tmp_path / "out" / "bozze" / "bozza-ALT-02.pdf"))
    assert len(list(pdf[0].get_objects())) < objects  # the streets were the difference
    pdf.close()
    assert "OpenStreetMap" not in _words(page_text(tmp_path / "out" / "bozze" / "bozza-ALT-02.pdf"))
