"""The edition archive (dati/edizioni/<anno>/) and `stampa edizione --anno N`, end to end on a copy
of the sample project (vector basemap: no network)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from robusto_support import hashes, make_project, sample_rows

from stampa.cli import main
from stampa.outputs import sha256

pytestmark = pytest.mark.lento  # whole builds


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A project built once: its stampa.toml, with the archive of 2026 written by the build."""
    project = tmp_path_factory.mktemp("archivio")
    toml = make_project(project)
    assert main(["edizione", "--config", str(toml)]) == 0
    return toml


def test_a_successful_build_archives_its_texts_and_digests(built):
    project = built.parent
    folder = project / "dati" / "edizioni" / "2026"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "edizione.json", "layout/manifesto.toml", "layout/mappa.toml", "layout/sfondo.toml", "layout/tema.toml",
        "stampa.toml", "voci.csv",
    ]
    assert (folder / "stampa.toml").read_text(encoding="utf-8") == built.read_text(encoding="utf-8")
    assert (folder / "layout" / "mappa.toml").read_bytes() == (project / "layout" / "mappa.toml").read_bytes()
    rows = list(csv.DictReader(io.StringIO((folder / "voci.csv").read_text(encoding="utf-8")), delimiter=";"))
    active = [r for r in sample_rows() if r["attivo"].strip().lower() not in ("no", "falso")]
    assert [r["id"] for r in rows] == sorted(r["id"] for r in active)
    # Normalised: the comune's official spelling and the type's canonical name.
    travaco = next(r for r in rows if r["id"] == "LAB-04")
    assert (travaco["comune"], travaco["tipo"]) == ("Travacò Siccomario", "laboratorio")
    meta = json.loads((folder / "edizione.json").read_text(encoding="utf-8"))
    report = json.loads((project / "out" / "rapporto.json").read_text(encoding="utf-8"))
    assert meta["numeri"] == {v["id"]: v["numero"] for v in report["voci"] if v["numero"] is not None}
    assert meta["prodotti"] == {p: sha256(project / "out" / p) for p in
                                ("mappa-stampa.pdf", "mappa-digitale.pdf", "manifesto-A3-stampa.pdf",
                                 "manifesto-A3-digitale.pdf")}
    assert "TitilliumWeb-Regular.ttf" in meta["caratteri"]


def test_an_archived_edition_rebuilds_byte_identical(built, capsys):
    project = built.parent
    assert main(["edizione", "--config", str(built), "--anno", "2026"]) == 0
    said = capsys.readouterr().out
    assert "I PDF sono identici, byte per byte, a quelli dell'edizione 2026." in said
    again, first = hashes(project / "out" / "edizione-2026"), hashes(project / "out")
    for pdf in ("mappa-stampa.pdf", "mappa-digitale.pdf", "manifesto-A3-stampa.pdf", "web/index.html"):
        assert again[pdf] == first[pdf], pdf
    # The rebuild leaves no trace in the project: no throw-away folder, no new archive.
    assert not list((project / "out").glob(".stampa-edizione-*"))
    assert sorted(p.name for p in (project / "dati" / "edizioni").iterdir()) == ["2026"]


def test_a_rebuild_says_what_differs_when_the_stampa_version_changed(built, capsys, monkeypatch, tmp_path):
    import stampa.rebuild

    monkeypatch.setattr(stampa.rebuild, "__version__", "9.9.9")
    meta = built.parent / "dati" / "edizioni" / "2026" / "edizione.json"
    saved = meta.read_text(encoding="utf-8")
    edited = json.loads(saved)
    edited["prodotti"]["mappa-stampa.pdf"] = "0" * 64  # as if the old stampa had drawn it otherwise
    meta.write_text(json.dumps(edited), encoding="utf-8")
    try:
        assert main(["edizione", "--config", str(built), "--anno", "2026", "--out", str(tmp_path / "r")]) == 0
    finally:
        meta.write_text(saved, encoding="utf-8")
    said = capsys.readouterr().out
    assert "Differenze rispetto all'edizione 2026 archiviata:" in said
    assert "versione di stampa: l'edizione 2026 è stata costruita con la 0.1.0, questa è la 9.9.9" in said
    assert "il file mappa-stampa.pdf non è identico a quello dell'edizione 2026" in said


def test_a_year_not_archived_is_named_with_those_that_are(built, capsys):
    assert main(["edizione", "--config", str(built), "--anno", "2019"]) == 1
    err = capsys.readouterr().err
    assert f"{built.parent / 'dati' / 'edizioni' / '2019'}: l'edizione 2019 non è archiviata (edizioni archiviate: 2026)." in err


def test_a_failed_build_archives_nothing(tmp_path):
    rows = sample_rows()
    rows[0] = {**rows[0], "tipo": "boh"}  # an error: the build stops
    toml = make_project(tmp_path, rows)
    assert main(["edizione", "--config", str(toml)]) == 1
    assert not (tmp_path / "dati" / "edizioni").exists()
