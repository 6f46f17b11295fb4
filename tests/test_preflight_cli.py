"""`stampa verifica` from the command line: exit codes and verifica.json."""

from __future__ import annotations

import json

import pytest

from stampa.cli import main
from stampa.terminal import console

from preflight_samples import Sample, build
from test_preflight_run import report_entry, write_report


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """A wide terminal, so table cells are not folded across lines."""
    monkeypatch.setenv("COLUMNS", "400")
    console.cache_clear()
    yield
    console.cache_clear()


def test_verifica_on_rapporto(tmp_path, capsys):
    build(tmp_path / "mappa-stampa.pdf", Sample())
    write_report(tmp_path, [report_entry("mappa-stampa.pdf", Sample())])
    assert main(["verifica", "--out", str(tmp_path)]) == 0
    assert "Verifica superata" in capsys.readouterr().out
    assert json.loads((tmp_path / "verifica.json").read_text(encoding="utf-8"))["ok"] is True
    build(tmp_path / "mappa-stampa.pdf", Sample(qr_url="https://www.altro-sito.it/"))
    assert main(["verifica", "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "il codice QR porta a un altro indirizzo" in out
    assert "Verifica non superata" in out


def test_verifica_on_named_pdfs(tmp_path, capsys):
    good = build(tmp_path / "manifesto.pdf", Sample())
    bad = build(tmp_path / "rotto.pdf", Sample(base14_text=True))
    assert main(["verifica", str(good)]) == 0
    assert main(["verifica", str(good), str(bad)]) == 1
    assert "carattere non incorporato" in capsys.readouterr().out
    assert not (tmp_path / "verifica.json").exists()  # named PDFs: nothing written unless --out


def test_verifica_without_a_build(tmp_path, capsys):
    assert main(["verifica", "--out", str(tmp_path)]) == 1
    assert "rapporto.json non trovato" in capsys.readouterr().err
