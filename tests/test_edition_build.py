"""`stampa edizione` and `stampa sfondo` end to end, on a copy of the sample project.

Tiles come from a real server on 127.0.0.1 (tests/tileserver.py); the internet is never used.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from stampa.cli import main

from tileserver import TileServer

pytestmark = pytest.mark.lento  # whole builds or subprocesses: left out of the quick run

ROOT = Path(__file__).resolve().parents[1]


def make_project(where: Path, fonte: str) -> Path:
    shutil.copytree(ROOT / "layout", where / "layout")
    (where / "dati").mkdir()
    shutil.copy(ROOT / "dati" / "voci-esempio.csv", where / "dati" / "voci-esempio.csv")
    shutil.copy(ROOT / "dati" / "geocodifica.csv", where / "dati" / "geocodifica.csv")  # the sample addresses' points
    text = (ROOT / "stampa.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^fonte = ".*"$', f'fonte = "{fonte}"\nattribuzione = "Tessere di prova"\nzoom_massimo = 16', text)
    (where / "stampa.toml").write_text(text, encoding="utf-8")
    return where / "stampa.toml"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def frozen_project(tmp_path_factory):
    """The sample project with its basemap frozen from a local tile server, then the server stopped."""
    tmp = tmp_path_factory.mktemp("progetto")
    server = TileServer()
    mp = pytest.MonkeyPatch()
    mp.setenv("STAMPA_CACHE", str(tmp / "cache"))
    try:
        config = make_project(tmp, server.url)
        assert main(["sfondo", "--config", str(config)]) == 0
        served = server.requests
    finally:
        server.stop()
    yield config, served
    mp.undo()


def test_freeze_writes_compressed_geotiffs_with_sidecar(frozen_project):
    config, served = frozen_project
    assert served > 0
    tifs = sorted((config.parent / "dati").glob("sfondo-2026*.tif"))
    assert len(tifs) == 2  # the main map and the inset
    sidecar = json.loads(next((config.parent / "dati").glob("sfondo-2026*.json")).read_text(encoding="utf-8"))
    assert "Tessere di prova" in json.dumps(sidecar, ensure_ascii=False)


def test_edition_builds_offline_from_the_frozen_basemap(frozen_project, tmp_path, monkeypatch):
    config, _ = frozen_project
    monkeypatch.setenv("STAMPA_CACHE", str(tmp_path / "cache-vuota"))  # no tiles anywhere
    out1, out2 = tmp_path / "out1", tmp_path / "out2"
    assert main(["edizione", "--config", str(config), "--out", str(out1), "--senza-verifica"]) == 0
    report = json.loads((out1 / "rapporto.json").read_text(encoding="utf-8"))
    assert {b["vista"]: b["tipo"] for b in report["sfondo"]} == {"mappa": "congelato", "riquadro": "congelato"}
    assert not any(b["ripiego_vettoriale"] for b in report["sfondo"])
    assert all(b["ppi"] >= 250 for b in report["sfondo"])
    # Every active entry of the sample is numbered and placed; the two "attivo = no" are listed as such.
    placed = [v for v in report["voci"] if v["collocata"]]
    assert len(placed) == 38 and {v["vista"] for v in placed} == {"mappa", "riquadro"}
    assert [v["motivo"] for v in report["voci"] if not v["collocata"]] == ["attivo = no", "attivo = no"]
    # The map page carries the frozen rasters at their own resolution.
    reader = PdfReader(out1 / "mappa-stampa.pdf")
    images = [img for page in reader.pages for img in page.images]
    assert len(images) == 2
    # A reprint gives byte-identical PDFs.
    assert main(["edizione", "--config", str(config), "--out", str(out2), "--senza-verifica"]) == 0
    for name in ("mappa-stampa.pdf", "mappa-digitale.pdf", "manifesto-A3-stampa.pdf", "manifesto-A3-digitale.pdf"):
        assert sha(out1 / name) == sha(out2 / name), name
    files = {f["path"]: f for f in report["file"]}
    assert files["mappa-stampa.pdf"]["sha256"] == sha(out1 / "mappa-stampa.pdf")
    assert {"mappa-stampa.pdf", "mappa-digitale.pdf", "web/index.html", "anteprime/mappa-p1.png"} <= set(files)


def test_edition_without_network_falls_back_with_a_warning(tmp_path, monkeypatch, capsys):
    from tileserver import refused_url

    monkeypatch.setenv("STAMPA_CACHE", str(tmp_path / "cache"))
    config = make_project(tmp_path / "p", refused_url())
    assert main(["edizione", "--config", str(config), "--out", str(tmp_path / "out")]) == 0
    report = json.loads((tmp_path / "out" / "rapporto.json").read_text(encoding="utf-8"))
    assert all(b["ripiego_vettoriale"] for b in report["sfondo"])
    err = capsys.readouterr().err
    assert "La mappa usa lo sfondo vettoriale" in err
    assert (tmp_path / "out" / "verifica.json").exists()


def test_edition_with_bad_entries_writes_nothing(tmp_path, capsys):
    config = make_project(tmp_path / "p", "vettoriale")
    bad = tmp_path / "voci.csv"
    bad.write_text("id;nome;tipo;latitudine;longitudine\nA;Spazio Q;laboratorio;9,1563;45,1855\n", encoding="utf-8")
    assert main(["edizione", "--config", str(config), "--dati", str(bad), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "Latitudine e longitudine scambiate?" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "mappa-stampa.pdf").exists()
