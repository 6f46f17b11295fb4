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
