"""Paths that leave the project and malicious input files, through the real command line.

A relative path in stampa.toml may not leave the project folder (``../../etc/…``, or a symlink in
the project that points outside); an absolute path, ``--dati`` or ``--out`` is an explicit choice.
XML entity bombs and zip bombs given to ``stampa controlla`` / ``stampa edizione`` end in exit 1
with the readers' message, quickly, and touch no output.
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from robusto_support import make_project, run_stampa
from stampa.config import load_config
from stampa.problems import StampaError

pytestmark = pytest.mark.lento  # whole builds or subprocesses: left out of the quick run

OUTSIDE = "il percorso esce dalla cartella del progetto: se è voluto scrivilo per intero (percorso assoluto)."


def _config_with(tmp_path: Path, section: str, line: str) -> Path:
    toml = make_project(tmp_path / "progetto")
    text = toml.read_text(encoding="utf-8")
    if f"[{section}]\n" in text:
        text = text.replace(f"[{section}]\n", f"[{section}]\n{line}\n")
    else:
        text += f"\n[{section}]\n{line}\n"
    # A key may be set twice by the edit above: keep the last one only.
    key = line.split("=")[0].strip()
    lines = text.splitlines()
    section_lines = [i for i, l in enumerate(lines) if l.split("=")[0].strip() == key]
    for i in section_lines[1:]:
        lines[i] = "# " + lines[i]
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return toml


@pytest.mark.parametrize(
    "section, line, key",
    [
        ("sfondo", 'congelato = "../sfondo-rubato.tif"', "sfondo.congelato"),
        ("sfondo", 'cache = "../../tmp/tessere"', "sfondo.cache"),
        ("sfondo", 'fonte = "../altro-progetto/sfondo.tif"', "sfondo.fonte"),
        ("sfondo", 'fonte = "dati/../../sfondo.tiff"', "sfondo.fonte"),
        ("dati", 'voci = "../../etc/passwd"', "dati.voci"),
        ("uscita", 'cartella = "../fuori"', "uscita.cartella"),
    ],
)
def test_relative_paths_leaving_the_project_are_refused(tmp_path, section, line, key):
    toml = _config_with(tmp_path, section, line)
    with pytest.raises(StampaError) as e:
        load_config(toml)
    value = line.split('"')[1]
    assert f"{toml}, chiave «{key}», valore «{value}»: {OUTSIDE}" in [p.format() for p in e.value.problems]


@pytest.mark.parametrize(
    "line", ['congelato = "/srv/sfondi/pavia.tif"', 'cache = "/var/cache/stampa"', 'fonte = "CartoDB.Positron"',
             'fonte = "dati/sfondo.tif"', 'fonte = "https://tile.esempio.it/{z}/{x}/{y}.png"']
)
def test_absolute_paths_and_names_inside_are_accepted(tmp_path, line):
    toml = _config_with(tmp_path, "sfondo", line + ('\nattribuzione = "© Esempio"' if "https" in line else ""))
    load_config(toml)


def test_a_symlink_in_the_project_pointing_outside_is_refused(tmp_path):
    secret = tmp_path / "segreto.csv"
    secret.write_text("id;nome\n1;x\n", encoding="utf-8")
    toml = make_project(tmp_path / "progetto")
    link = toml.parent / "dati" / "voci.csv"
    link.unlink()
    link.symlink_to(secret)
    with pytest.raises(StampaError) as e:
        load_config(toml)
    assert [p.format() for p in e.value.problems] == [f"{toml}, chiave «dati.voci», valore «dati/voci.csv»: {OUTSIDE}"]


def test_explicit_paths_on_the_command_line_may_be_anywhere(tmp_path):
    project = tmp_path / "progetto"
    make_project(project)
    elsewhere = tmp_path / "altrove"
    elsewhere.mkdir()
    (elsewhere / "voci.csv").write_bytes((project / "dati" / "voci.csv").read_bytes())
    r = run_stampa(project, "controlla", "--dati", str(elsewhere / "voci.csv"))
    assert r.returncode == 0, r.stdout + r.stderr


# -- bombs -----------------------------------------------------------------------------------

BILLION_LAUGHS = "<?xml version=\"1.0\"?>\n<!DOCTYPE kml [\n <!ENTITY a \"ahahahahahahahahahah\">\n" + "".join(
    f' <!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(8)
) + "]>\n<kml><Document><Placemark><name>&i;</name></Placemark></Document></kml>\n"


def _zip_bomb() -> bytes:
    """A KMZ whose image member inflates 1000:1 (64 MB of zeros in ~64 kB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", "<kml><Document/></kml>")
        with zf.open("files/foto.png", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(64):
                fh.write(block)
    return out.getvalue()


def _run_bomb(tmp_path: Path, name: str, data: bytes, command: str) -> tuple[str, Path]:
    project = tmp_path / "progetto"
    make_project(project)
    (project / name).write_bytes(data)
    start = time.monotonic()
    r = run_stampa(project, command, "--dati", name)
    elapsed = time.monotonic() - start
    text = r.stdout + r.stderr
    assert r.returncode == 1, text
    assert "Traceback" not in text
    assert elapsed < 20, elapsed  # the interpreter's start-up included; the refusal itself is instant
    return " ".join(text.split()), project


@pytest.mark.parametrize("command", ["controlla", "edizione"])
def test_zip_bomb_is_refused_end_to_end(tmp_path, command):
    text, project = _run_bomb(tmp_path, "bomba.kmz", _zip_bomb(), command)
    assert "bomba.kmz: il file KMZ contiene «files/foto.png», compresso " in text
    assert "sembra un archivio malevolo («zip bomb»); non lo apro." in text
    assert not (project / "out").exists()


@pytest.mark.parametrize("command", ["controlla", "edizione"])
def test_xml_entity_bomb_is_refused_end_to_end(tmp_path, command):
    text, project = _run_bomb(tmp_path, "bomba.kml", BILLION_LAUGHS.encode(), command)
    assert (
        "bomba.kml: il KML contiene dichiarazioni di entità o riferimenti esterni (DTD), che non leggo per "
        "sicurezza: esporta di nuovo la mappa da Google My Maps."
    ) in text
    assert not (project / "out").exists()


# -- files that never end ----------------------------------------------------------------------

def test_a_pipe_or_a_device_as_entries_file_is_refused_without_waiting(tmp_path):
    """Reading a named pipe blocks until someone writes; /dev/zero never ends."""
    import os

    project = tmp_path / "progetto"
    make_project(project)
    fifo = tmp_path / "voci.csv"
    os.mkfifo(fifo)
    for target in (fifo, Path("/dev/zero")):
        r = run_stampa(project, "controlla", "--dati", str(target), timeout=30)
        assert r.returncode == 1
        assert f"{target}: non è un file normale (è una pipe o un dispositivo): indica il file delle voci." in r.stderr
    r = run_stampa(project, "controlla", "--config", str(fifo), timeout=30)
    assert r.returncode == 1
    assert f"{fifo}: non è un file di configurazione: indica il file stampa.toml con --config." in r.stderr
