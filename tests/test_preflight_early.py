"""The print file checked early (stampa.preflight.early): while `stampa edizione` still draws the
digital version, a second process checks the print file; the preflight then takes those findings,
and only when the file and what rapporto.json asks of it are the ones checked."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from stampa.preflight import early as early_module
from stampa.preflight import files_from_report, run_preflight
from stampa.preflight import run as run_module
from stampa.preflight.early import start_early
from stampa.preflight.run import check_file
from stampa.printspec import FileSpec, Fold, PrintSpec, QrSpec, TextSpec, spec_record

from preflight_samples import BLEED, FOLD_X, NAMES, TRIM, URL, Sample, build

pytestmark = pytest.mark.lento  # each test starts a second interpreter

FAULTS = Sample(pages=3, small_text_pt=4.0, image_ppi=120.0, image_rgb=True, rgb_fill=True, text_on_fold=True,
                text_overflow=True, qr_url="https://altro.example/")


def _records(folder):
    """Two long files (3 pages, checked in parts) and their rapporto.json records."""
    records = []
    for name, sample in (("mappa-stampa.pdf", FAULTS), ("mappa-digitale.pdf", replace(FAULTS, digital=True))):
        build(folder / name, sample)
        check = PrintSpec(
            qr=(QrSpec(URL, 30.0),),
            folds=() if sample.digital else (Fold("x", FOLD_X),),
            texts_expected=(TextSpec(NAMES[0]), TextSpec("Nessuno così")),
        )
        versione = "digitale" if sample.digital else "stampa"
        spec = FileSpec(name, "mappa", versione, TRIM, 0.0 if sample.digital else BLEED, 3, check)
        records.append(spec_record(spec, sha256="0" * 64))
    return records


def _report(folder, records):
    import json

    path = folder / "rapporto.json"
    path.write_text(json.dumps({"file": records}, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def long_files(monkeypatch):
    monkeypatch.setattr(run_module, "ASIDE_FROM_PAGES", 2)
    monkeypatch.setattr(early_module, "ASIDE_FROM_PAGES", 2)


def _checked_here(monkeypatch) -> list[str]:
    """The files this process (or its usual second one) checks itself."""
    seen: list[str] = []
    real = run_module._timed_job

    def spy(spec, base, checks):
        seen.append(spec.path)
        return real(spec, base, checks)

    monkeypatch.setattr(run_module, "_timed_job", spy)
    monkeypatch.setattr(run_module, "_start_aside", lambda *args: None)  # every other job here too
    return seen


def test_findings_checked_early_are_those_checked_at_the_end(tmp_path, long_files, monkeypatch):
    records = _records(tmp_path)
    started = start_early(records[0], tmp_path)
    assert started is not None
    files = files_from_report(_report(tmp_path, records))
    seen = _checked_here(monkeypatch)
    result = run_preflight(files, tmp_path, early=[started])
    assert started.claimed and started.finished
    assert "mappa-stampa.pdf" not in seen and "mappa-digitale.pdf" in seen  # the print file was not read again
    monkeypatch.undo()
    whole = [f for spec in files for f in check_file(spec, tmp_path)]
    assert list(result.findings) == whole
    assert {"testo sulla piega", "immagine a bassa risoluzione", "colori RGB nel disegno vettoriale",
            "testo atteso non trovato", "il codice QR porta a un altro indirizzo"} <= {f.message for f in whole}
    assert [(o.errors, o.warnings) for o in result.files] == [
        (sum(f.is_error for f in got), sum(not f.is_error for f in got)) for got in (check_file(s, tmp_path) for s in files)
    ]


def _opened(path, done, timeout_s: float = 120.0) -> bool:
    """Whether some process has ``path`` open, or ``done()``: the check already ended, having had the
    file open (a short file's checks can open and close it between two looks at /proc). Waits up to
    ``timeout_s`` (Linux /proc)."""
    import time

    target = str(path.resolve())
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if done():
            return True
        for fd_dir in Path("/proc").glob("[0-9]*/fd"):
            try:
                if any(os.readlink(fd) == target for fd in fd_dir.iterdir()):
                    return True
            except OSError:
                continue
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc to see the file opened")
def test_a_file_moved_into_place_while_checked_keeps_its_early_findings(tmp_path, long_files, monkeypatch):
    """As `stampa edizione` does: the staged print file is moved into the output folder while the
    second process checks it."""
    stage, out = tmp_path / "stage", tmp_path / "out"
    stage.mkdir()
    out.mkdir()
    records = _records(stage)
    started = start_early(records[0], stage)
    assert started is not None
    assert _opened(stage / "mappa-stampa.pdf", started.wait.ready)
    for name in ("mappa-stampa.pdf", "mappa-digitale.pdf"):
        os.replace(stage / name, out / name)
    stage.rmdir()
    files = files_from_report(_report(out, records))
    seen = _checked_here(monkeypatch)
    result = run_preflight(files, out, early=[started])
    assert started.claimed and "mappa-stampa.pdf" not in seen
    monkeypatch.undo()
    assert list(result.findings) == [f for spec in files for f in check_file(spec, out)]


def test_a_file_rewritten_after_the_early_start_is_checked_again(tmp_path, long_files, monkeypatch):
    records = _records(tmp_path)
    started = start_early(records[0], tmp_path)
    path = tmp_path / "mappa-stampa.pdf"
    build(path, replace(FAULTS, small_text_pt=None, text_on_fold=False))  # another file by the same name
    os.utime(path, ns=(1, 1))  # not the same modification time, even on a coarse clock
    files = files_from_report(_report(tmp_path, records))
    seen = _checked_here(monkeypatch)
    result = run_preflight(files, tmp_path, early=[started])
    started.cancel()
    assert not started.claimed and "mappa-stampa.pdf" in seen
    monkeypatch.undo()
    assert list(result.findings) == [f for spec in files for f in check_file(spec, tmp_path)]
    assert "testo sulla piega" not in {f.message for f in result.findings if f.file == "mappa-stampa.pdf"}


def test_a_spec_changed_after_the_early_start_is_checked_again(tmp_path, long_files, monkeypatch):
    records = _records(tmp_path)
    started = start_early(records[0], tmp_path)
    records[0]["verifica"]["corpo_minimo_pt"] = 3.0  # rapporto.json asks less than was checked
    files = files_from_report(_report(tmp_path, records))
    seen = _checked_here(monkeypatch)
    result = run_preflight(files, tmp_path, early=[started])
    started.cancel()
    assert not started.claimed and "mappa-stampa.pdf" in seen
    printed = {f.message for f in result.findings if f.file == "mappa-stampa.pdf"}
    assert "testo sulla piega" in printed  # checked, with the spec rapporto.json asks now:
    assert not {"testo più piccolo di 3 pt", "testo più piccolo di 6 pt"} & printed


def test_short_files_and_unreadable_records_are_not_started(tmp_path):
    records = _records(tmp_path)  # 3 pages: below the usual ASIDE_FROM_PAGES
    assert start_early(records[0], tmp_path) is None
    assert start_early({"path": "mappa-stampa.pdf", "versione": "stampa", "pagine": "tante"}, tmp_path) is None


def test_cancel_ends_the_second_process(tmp_path, long_files):
    records = _records(tmp_path)
    started = start_early(records[0], tmp_path)
    started.cancel()
    assert started.finished
    with pytest.raises(OSError):  # the pipe is closed: there is nothing more to wait for
        started.wait()


def test_stampa_edizione_checks_the_print_file_while_drawing_the_digital_one(tmp_path, long_files, monkeypatch):
    """A whole build with the preflight, the print file handed over as soon as it is written (as
    above 20,000 entries; here the sample, every file counting as long): verifica.json is the one
    a later `stampa verifica` writes."""
    import json

    from stampa.build import BuildOptions, build_edition
    from stampa.preflight import preflight_report_file
    from stampa.products.mappa import build as mappa_build

    from robusto_support import make_project

    monkeypatch.setattr(mappa_build, "PARALLEL_FROM", 10**9)  # the digital version drawn after the print one, here
    started = []
    real = early_module.start_early

    def spy(record, folder):
        got = real(record, folder)
        started.append((record["path"], got))
        return got

    monkeypatch.setattr(early_module, "start_early", spy)
    toml = make_project(tmp_path / "progetto")
    out = tmp_path / "out"
    result = build_edition(BuildOptions(config=toml, out=out, show=False, verifica=True, archive=False))
    assert [(name, got is not None) for name, got in started] == [("mappa-stampa.pdf", True)]
    assert started[0][1].claimed and started[0][1].finished
    during = json.loads((out / "verifica.json").read_text(encoding="utf-8"))
    after = preflight_report_file(out / "rapporto.json", show=False)
    assert during["risultati"] == [f.as_dict() for f in after.findings]
    assert result.preflight_ok == after.ok
