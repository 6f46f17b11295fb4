"""`stampa confronta`: two editions in a row, with entries added, removed, edited and moved.

The quick part compares plain data (the sample's entries against an archive made from an edited
copy); the `lento` part builds edition 2025 for real, edits the list, and reads what
`stampa confronta` and `stampa edizione` say and write.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest
from mappa_support import page_text, sample
from robusto_support import make_project, sample_rows, write_rows

from stampa.archive import Snapshot, entries_csv
from stampa.cli import main
from stampa.compare import compare, distance_m, reference_year
from stampa.compare_command import comparison_tables
from stampa.numbering import number_entries

M_PER_DEG_LAT = 111_132.0  # at 45° N, to within 0.1 %: enough to place a point 80 m or 20 m away


def _snapshot(entries, year: int = 2025) -> Snapshot:
    numbered = number_entries(entries)
    rows = tuple(csv.DictReader(io.StringIO(entries_csv(numbered)), delimiter=";"))
    return Snapshot(year, None, {"numeri": {n.entry.id: n.number for n in numbered}}, rows)


def _edited():
    """The sample (as 'last year') and this year's list: one added, one removed, one edited in two
    fields, one moved 80 m, one nudged 20 m (a correction of the pin, not a move)."""
    _, _, entries = sample()
    old = list(entries)
    by_id = {e.id: e for e in old}
    new = [e for e in old if e.id != "LAB-03"]
    new = [replace(e, orari="lun–ven 9–13", email="") if e.id == "GRP-01" else e for e in new]
    new = [replace(e, lat=e.lat + 80 / M_PER_DEG_LAT) if e.id == "LAB-02" else e for e in new]
    new = [replace(e, lat=e.lat + 20 / M_PER_DEG_LAT) if e.id == "LAB-04" else e for e in new]
    new.append(replace(by_id["LAB-01"], id="LAB-99", nome="Aaa Nuovo Laboratorio"))
    return old, new


def test_the_comparison_is_exact():
    old, new = _edited()
    snap = _snapshot(old)
    before = {n.entry.id: n.number for n in number_entries(old)}
    after = {n.entry.id: n.number for n in number_entries(new)}
    got = compare(snap, number_entries(new), 2026).as_dict()
    grp = next(e for e in old if e.id == "GRP-01")
    lab02 = next(e for e in old if e.id == "LAB-02")
    assert got["edizione"] == 2026 and got["confrontata_con"] == 2025
    assert got["nuove"] == [{"id": "LAB-99", "nome": "Aaa Nuovo Laboratorio", "numero": after["LAB-99"]}]
    assert got["tolte"] == [{"id": "LAB-03", "nome": "Social Bistrot – Il Naviglio", "numero": before["LAB-03"]}]
    assert got["cambiate"] == [
        {"id": "GRP-01", "nome": grp.nome, "campo": "orari", "prima": grp.orari, "dopo": "lun–ven 9–13"},
        {"id": "GRP-01", "nome": grp.nome, "campo": "email", "prima": grp.email, "dopo": ""},
    ]
    assert [(m["id"], m["prima"]) for m in got["spostate"]] == [("LAB-02", [lab02.lat, lab02.lon])]
    assert got["spostate"][0]["metri"] == pytest.approx(80, abs=0.5)
    # Numbers: exactly the entries present in both editions whose number changed.
    expected = sorted(((i, before[i], after[i]) for i in before.keys() & after.keys() if before[i] != after[i]),
                      key=lambda t: t[2])
    assert [(r["id"], r["prima"], r["dopo"]) for r in got["numeri_cambiati"]] == expected
    assert expected  # the new «Aaa…» sorts first in Pavia: the entries after it move by one


def test_nothing_changed_says_so():
    old, _ = _edited()
    cmp = compare(_snapshot(old), number_entries(old), 2026)
    assert cmp.empty and cmp.summary() == "Rispetto all'edizione 2025: nessuna differenza nelle voci."
    assert comparison_tables(cmp) == []


def test_the_short_version_counts_each_kind_of_change():
    old, new = _edited()
    cmp = compare(_snapshot(old), number_entries(new), 2026)
    n = len(cmp.renumbered)
    assert cmp.summary() == (f"Rispetto all'edizione 2025: 1 voce nuova, 1 tolta, 1 cambiata, 1 spostata, {n} con un "
                             "numero diverso (dettagli: «stampa confronta»).")


def test_distance_is_geodesic_metres():
    # One minute of latitude at 45° N is 1,852 m within 0.2 %.
    assert distance_m((45.0, 9.0), (45.0 + 1 / 60, 9.0)) == pytest.approx(1852, rel=0.002)


def test_reference_is_the_latest_earlier_edition():
    assert reference_year([2023, 2025, 2026], 2026) == 2025
    assert reference_year([2026], 2026) == 2026
    assert reference_year([], 2026) is None


# -- end to end ------------------------------------------------------------------------------


def _two_editions(tmp_path, extra_toml: str = ""):
    """Edition 2025 built from the sample; then the project moves to 2026 with an edited list."""
    rows = sample_rows()
    toml = make_project(tmp_path, rows, extra_toml=extra_toml)
    text = toml.read_text(encoding="utf-8").replace("anno = 2026", "anno = 2025").replace("Edizione 2026", "Edizione 2025")
    toml.write_text(text, encoding="utf-8")
    assert main(["edizione", "--config", str(toml)]) == 0
    assert (tmp_path / "dati" / "edizioni" / "2025" / "edizione.json").is_file()
    toml.write_text(text.replace("anno = 2025", "anno = 2026"), encoding="utf-8")
    new = [r for r in rows if r["id"] != "LAB-03"]
    for r in new:
        if r["id"] == "GRP-01":
            r["orari"] = "lun–ven 9–13"
        if r["id"] == "LAB-02":
            r["latitudine"] = "45,20450"  # 0.001° north: 111 m
    new.append({**rows[0], "id": "LAB-99", "nome": "Aaa Nuovo Laboratorio"})
    write_rows(tmp_path / "dati" / "voci.csv", new)
    return toml


@pytest.mark.lento
def test_two_editions_in_a_row(tmp_path, capsys):
    toml = _two_editions(tmp_path, extra_toml="")
    capsys.readouterr()
    assert main(["confronta", "--config", str(toml)]) == 0
    said = capsys.readouterr().out
    got = json.loads((tmp_path / "out" / "confronto.json").read_text(encoding="utf-8"))
    assert [e["id"] for e in got["nuove"]] == ["LAB-99"] and [e["id"] for e in got["tolte"]] == ["LAB-03"]
    assert [(c["id"], c["campo"], c["dopo"]) for c in got["cambiate"]] == [("GRP-01", "orari", "lun–ven 9–13")]
    assert [(m["id"], round(m["metri"])) for m in got["spostate"]] == [("LAB-02", 111)]
    for line in ("Confronto tra le voci di oggi e l'edizione 2025 archiviata:", "Voci nuove (1)", "Voci tolte (1)",
                 "Voci cambiate (1)", "Voci spostate di più di 50 m (1)", "Aaa Nuovo Laboratorio", "lun–ven 9–13"):
        assert line in said, line
    # The build says the short version, and writes the same comparison next to the edition.
    assert main(["edizione", "--config", str(toml)]) == 0
    said = capsys.readouterr().out
    assert "Rispetto all'edizione 2025: 1 voce nuova, 1 tolta, 1 cambiata, 1 spostata," in said
    assert json.loads((tmp_path / "out" / "confronto.json").read_text(encoding="utf-8")) == got
    assert "Novità" not in page_text(tmp_path / "out" / "mappa-stampa.pdf")  # not asked for


@pytest.mark.lento
def test_new_entries_are_marked_when_asked(tmp_path):
    toml = _two_editions(tmp_path, extra_toml="")
    toml.write_text(toml.read_text(encoding="utf-8").replace("[mappa]\n", "[mappa]\nsegna_novita = true\n"), encoding="utf-8")
    assert main(["edizione", "--config", str(toml)]) == 0
    text = page_text(tmp_path / "out" / "mappa-stampa.pdf")
    assert text.count("Novità") == 1 and "Aaa Nuovo Laboratorio" in text
    # On the new entry's line of details (text extraction puts the bold word at the end of the line).
    card = text[text.index("Aaa Nuovo Laboratorio"):][:100]
    assert "Laboratorio sociale" in card and "Novità" in card, card
    page = (tmp_path / "out" / "web" / "index.html").read_text(encoding="utf-8")
    assert page.count('"novita":true') == 1
    # The archive remembers the mark, so that a rebuild prints it again.
    meta = json.loads((tmp_path / "dati" / "edizioni" / "2026" / "edizione.json").read_text(encoding="utf-8"))
    assert meta["novita"] == ["LAB-99"]
    # The proofs print the cards as the index does: the mark on the new entry's only.
    assert main(["bozze", "--config", str(toml)]) == 0
    assert "Novità" in page_text(tmp_path / "out" / "bozze" / "bozza-LAB-99.pdf")
    assert "Novità" not in page_text(tmp_path / "out" / "bozze" / "bozza-GRP-01.pdf")


def test_confronta_without_an_archive_says_what_to_do(tmp_path, capsys):
    toml = make_project(tmp_path)
    assert main(["confronta", "--config", str(toml)]) == 1
    err = capsys.readouterr().err
    assert (f"{tmp_path / 'dati' / 'edizioni'}: non c'è nessuna edizione archiviata con cui confrontare: l'archivio si "
            "scrive alla fine di ogni «stampa edizione» riuscita (o indica l'anno con --con).") in err


def test_the_sample_ships_an_archived_2025_edition_to_compare_with():
    """`stampa confronta` in a fresh clone shows something offline: the sample's 2025 archive."""
    from mappa_support import ROOT
    from stampa.archive import archived_years, read_archive

    assert 2025 in archived_years(ROOT)
    _, _, entries = sample()
    got = compare(read_archive(ROOT, 2025), number_entries(entries), 2026)
    assert [e.id for e in got.new] == ["ALT-20", "ALT-25"] and [e.id for e in got.removed] == ["ALT-90"]
    assert [(c.id, c.campo) for c in got.changed] == [("LAB-02", "orari"), ("ALT-09", "orari")]
    assert [(m.id, round(m.metri)) for m in got.moved] == [("ALT-10", 111)]
