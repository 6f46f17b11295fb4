"""Trial builds do not touch the year's archive; a confronto.json with nothing to compare with
does not outlive its build. On copies of the sample project (vector basemap: no network)."""

from __future__ import annotations

import json
import shutil

import pytest
from robusto_support import make_project, sample_rows, write_rows

from stampa.build import remove_stale_comparison
from stampa.cli import main


def _project(folder):
    toml = make_project(folder)
    toml.write_text(toml.read_text(encoding="utf-8").replace('fonte = "osm"', 'fonte = "vettoriale"'), encoding="utf-8")
    return toml


def _archive_files(project):
    folder = project / "dati" / "edizioni" / "2026"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.lento
def test_a_build_with_other_data_is_a_trial_and_is_not_archived(tmp_path, capsys):
    toml = _project(tmp_path)
    trial = [r for r in sample_rows() if r["id"] != "LAB-03"]
    write_rows(tmp_path / "prova.csv", trial)
    assert main(["edizione", "--config", str(toml), "--dati", str(tmp_path / "prova.csv")]) == 0
    said = capsys.readouterr().out
    assert not (tmp_path / "dati" / "edizioni").exists()
    assert (f"Edizione di prova, non archiviata: le voci vengono da {tmp_path / 'prova.csv'} e non da "
            f"{tmp_path / 'dati' / 'voci.csv'} ([dati] voci). L'archivio {tmp_path / 'dati' / 'edizioni' / '2026'} resta "
            "com'era; per archiviare l'edizione costruiscila con i dati, la cartella di uscita e lo sfondo di stampa.toml."
            ) in " ".join(said.split())
    assert (tmp_path / "out" / "mappa-stampa.pdf").is_file()  # the trial itself is built
    # The configured file named explicitly is the real edition.
    assert main(["edizione", "--config", str(toml), "--dati", str(tmp_path / "dati" / "voci.csv")]) == 0
    assert "Edizione archiviata in" in capsys.readouterr().out
    assert "LAB-03" in _archive_files(tmp_path)["voci.csv"].decode("utf-8")


@pytest.mark.lento
def test_a_build_elsewhere_or_asked_not_to_leaves_the_archive_as_it_was(tmp_path, capsys):
    toml = _project(tmp_path)
    assert main(["edizione", "--config", str(toml)]) == 0
    before = _archive_files(tmp_path)
    write_rows(tmp_path / "dati" / "voci.csv", [r for r in sample_rows() if r["id"] != "LAB-03"])
    capsys.readouterr()
    other = tmp_path / "altrove"
    assert main(["edizione", "--config", str(toml), "--out", str(other)]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert (f"Edizione di prova, non archiviata: la cartella di uscita è {other} e non {tmp_path / 'out'} "
            "([uscita] cartella).") in said
    assert _archive_files(tmp_path) == before
    assert main(["edizione", "--config", str(toml), "--non-archiviare"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert (f"Edizione non archiviata (--non-archiviare): l'archivio {tmp_path / 'dati' / 'edizioni' / '2026'} resta "
            "com'era.") in said
    assert _archive_files(tmp_path) == before


def test_another_basemap_makes_a_trial_and_the_configured_one_does_not(tmp_path):
    from types import SimpleNamespace

    from stampa.build import BuildOptions, trial_reasons
    from stampa.config import load_config

    toml = _project(tmp_path)
    inputs = SimpleNamespace(config=load_config(toml), entries_file=tmp_path / "dati" / "voci.csv")
    out = tmp_path / "out"
    assert trial_reasons(BuildOptions(config=toml, sfondo="osm"), inputs, out) == [
        "lo sfondo è «osm» e non «vettoriale» ([sfondo] fonte)"]
    assert trial_reasons(BuildOptions(config=toml, sfondo="vettoriale", out=out, dati=inputs.entries_file), inputs, out) == []


def test_only_other_entries_or_another_basemap_keep_the_frozen_osm_data_out_of_reach(tmp_path):
    """A trial with other entries or another basemap must not replace dati/sfondo-osm-<anno>.gpkg;
    another output folder alone draws the edition's own views, and may freeze them."""
    from types import SimpleNamespace

    from stampa.build import BuildOptions, other_views
    from stampa.config import load_config

    toml = _project(tmp_path)
    inputs = SimpleNamespace(config=load_config(toml), entries_file=tmp_path / "dati" / "voci.csv")
    assert not other_views(BuildOptions(config=toml), inputs)
    assert not other_views(BuildOptions(config=toml, out=tmp_path / "altrove"), inputs)
    assert not other_views(BuildOptions(config=toml, sfondo="vettoriale", dati=inputs.entries_file), inputs)
    assert other_views(BuildOptions(config=toml, sfondo="osm"), inputs)
    other = SimpleNamespace(config=inputs.config, entries_file=tmp_path / "altre-voci.csv")
    assert other_views(BuildOptions(config=toml, dati=other.entries_file), other)


@pytest.mark.lento
def test_a_comparison_left_from_before_goes_when_there_is_nothing_to_compare_with(tmp_path, capsys):
    toml = _project(tmp_path)
    assert main(["edizione", "--config", str(toml)]) == 0
    assert main(["confronta", "--config", str(toml)]) == 0  # against 2026's own archive
    assert (tmp_path / "out" / "confronto.json").is_file()
    shutil.rmtree(tmp_path / "dati" / "edizioni")  # the archive is gone (another checkout, say)
    capsys.readouterr()
    assert main(["edizione", "--config", str(toml), "--non-archiviare"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert not (tmp_path / "out" / "confronto.json").exists()
    assert (f"Tolto {tmp_path / 'out' / 'confronto.json'} di una costruzione precedente: non c'è un'edizione "
            "archiviata con cui confrontare queste voci.") in said


def test_only_stampas_own_comparison_is_removed(tmp_path):
    mine = {"edizione": 2026, "confrontata_con": 2025, "nuove": [], "tolte": [], "cambiate": [], "spostate": [],
            "numeri_cambiati": []}
    (tmp_path / "confronto.json").write_text(json.dumps(mine), encoding="utf-8")
    assert remove_stale_comparison(tmp_path) is True
    assert not (tmp_path / "confronto.json").exists()
    for foreign in ('{"appunti": "confronto fatto a mano"}', "non è JSON", "[1, 2]"):
        (tmp_path / "confronto.json").write_text(foreign, encoding="utf-8")
        assert remove_stale_comparison(tmp_path) is False
        assert (tmp_path / "confronto.json").read_text(encoding="utf-8") == foreign
    (tmp_path / "confronto.json").unlink()
    assert remove_stale_comparison(tmp_path) is False
