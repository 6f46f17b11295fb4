"""Outputs survive interruptions, failures, concurrent builds, read-only folders and full disks.

The builds here are real `python -m stampa edizione` subprocesses on a copy of the sample project
(vector basemap, no preflight), killed or stopped at chosen moments: by time, or exactly while the
N-th file is being written (tests/killable_stampa.py). Builds are reproducible, so "the previous
good file or the new complete one" is checked byte for byte against two reference builds.
Where the OS cannot be made to fail for real (tests run as root: chmod does not stop writes; no
tmpfs to fill), the failing system call is patched.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from robusto_support import (
    STAGING,
    leftovers,
    ROOT,
    assert_readable,
    env,
    hashes,
    make_project,
    run_stampa,
    sample_rows,
    stray_temps,
    write_rows,
)

pytestmark = pytest.mark.lento  # whole builds or subprocesses: left out of the quick run

KILLABLE = [sys.executable, str(Path(__file__).with_name("killable_stampa.py"))]
# Not archived: these tests compare whole editions A and B file by file, and an archived A would give
# B a comparison file A never had (the archive has its own tests: test_cycle_*.py).
BUILD = ("edizione", "--out", "out", "--non-archiviare")


def _rows_b() -> list[dict[str, str]]:
    rows = sample_rows()
    rows[0] = {**rows[0], "nome": rows[0]["nome"] + " Nuovo"}
    rows[1] = {**rows[1], "attivita": "Attività cambiata per la nuova edizione."}
    return rows


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """A project whose out/ holds edition A, and the hashes of edition A and edition B."""
    base = tmp_path_factory.mktemp("interrotta")
    old_project, new_project = base / "a", base / "b"
    make_project(old_project)
    make_project(new_project, _rows_b())
    for p in (old_project, new_project):
        r = run_stampa(p, *BUILD)
        assert r.returncode == 0, r.stdout + r.stderr
    old, new = hashes(old_project / "out"), hashes(new_project / "out")
    changed = {k for k in old if old[k] != new.get(k) and not k.endswith(".json")}
    assert {"mappa-stampa.pdf", "mappa-digitale.pdf", "web/index.html", "anteprime/mappa-p1.png"} <= changed
    write_rows(old_project / "dati" / "voci.csv", _rows_b())  # the project now asks for edition B
    snapshot = base / "out-a"
    shutil.copytree(old_project / "out", snapshot)
    return old_project, snapshot, old, new


def _reset(project: Path, snapshot: Path) -> Path:
    out = project / "out"
    shutil.rmtree(out)
    shutil.copytree(snapshot, out)
    return out


def _assert_old_or_new(out: Path, old: dict[str, str], new: dict[str, str]) -> int:
    """Every file is edition A's or edition B's, whole; returns how many are already B's."""
    assert_readable(out)
    now = hashes(out)
    assert set(now) == set(old), set(now) ^ set(old)
    done = 0
    for name, digest in now.items():
        if name.endswith(".json"):
            continue  # timings differ from run to run; readability checked above
        assert digest in (old[name], new[name]), name
        done += digest == new[name] != old[name]
    return done


@pytest.mark.parametrize("kill_at", [2, 11])
def test_build_killed_while_writing_a_file_keeps_every_previous_file(editions, kill_at):
    project, snapshot, old, new = editions
    out = _reset(project, snapshot)
    proc = subprocess.run([*KILLABLE, *BUILD], cwd=project, env={**env(), "STAMPA_KILL_AT": str(kill_at)},
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    # The file being written is only a half temp file, in the staging folder with the files
    # written before it; under the final names the previous edition is intact, byte for byte.
    (temp,) = stray_temps(out)
    assert temp.stat().st_size > 0 and STAGING in temp.parts
    assert_readable(out)
    assert hashes(out) == old


@pytest.mark.parametrize("kill_at", [1, 3, 8])
def test_build_killed_while_moving_the_new_edition_into_place_leaves_whole_files(editions, kill_at):
    """Killed just before the N-th file of the new edition is moved into place (the step where a
    folder could hold two editions at once): every file is the old one or the new one, whole.
    (The moment is chosen by tests/killable_stampa.py, not by a timer: the same on any machine.)"""
    project, snapshot, old, new = editions
    out = _reset(project, snapshot)
    proc = subprocess.run([*KILLABLE, *BUILD], cwd=project, env={**env(), "STAMPA_KILL_AT_PUBLISH": str(kill_at)},
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    _assert_old_or_new(out, old, new)


INTERRUPTED = "Interrotto: i file già completi sono al loro posto, nessun file è a metà."


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_kill_stops_cleanly_without_temp_files(editions, tmp_path, sig):
    """Stopped while writing its fifth file: exit 130, one line, the new files dropped at once."""
    project, snapshot, old, new = editions
    out = _reset(project, snapshot)
    flag = tmp_path / "in-pausa"
    proc = subprocess.Popen(
        [*KILLABLE, *BUILD], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**env(), "STAMPA_PAUSE_AT": "5", "STAMPA_PAUSE_FLAG": str(flag)},
    )
    deadline = time.monotonic() + 600  # a hang guard only: the flag appears when the build gets there
    while not flag.exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stdout + stderr
    assert INTERRUPTED in stderr and "Traceback" not in stdout + stderr
    assert leftovers(out) == []
    assert hashes(out) == old


LOCKED = (
    "un'altra costruzione sta già scrivendo in questa cartella (processo {pid}): aspetta che finisca, "
    "oppure scegli un'altra cartella con --out."
)


def test_second_build_is_refused_while_the_first_runs_and_the_next_cleans_up(editions, tmp_path):
    project, snapshot, old, new = editions
    out = _reset(project, snapshot)
    flag = tmp_path / "in-pausa"
    first = subprocess.Popen(
        [*KILLABLE, *BUILD], cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**env(), "STAMPA_PAUSE_AT": "3", "STAMPA_PAUSE_FLAG": str(flag)},
    )
    try:
        deadline = time.monotonic() + 600  # a hang guard only: the flag appears when the build gets there
        while not flag.exists():
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        before = hashes(out)
        second = run_stampa(project, *BUILD)
        text = second.stdout + second.stderr
        assert second.returncode == 1, text
        assert LOCKED.format(pid=first.pid) in text
        assert "Traceback" not in text
        assert hashes(out) == before  # the refused build wrote nothing
    finally:
        first.kill()
        first.wait(timeout=30)
    # Killed while paused, the first build left the temp file of its third file. The lock died
    # with it: the next build runs at once and removes every temp file of stampa, in subfolders
    # too, and nothing else.
    assert len(stray_temps(out)) == 1
    (out / "anteprime" / ".mappa-p9.png.abc123de.tmp").write_bytes(b"half")
    keep = out / "appunti.tmp"
    keep.write_text("mio")
    r = run_stampa(project, *BUILD)
    assert r.returncode == 0, r.stdout + r.stderr
    assert stray_temps(out) == []
    keep.unlink()
    assert_readable(out)
    now = hashes(out)
    assert {k: v for k, v in now.items() if not k.endswith(".json")} == {k: v for k, v in new.items() if not k.endswith(".json")}


def _cli(monkeypatch, capsys, project: Path, *args: str) -> tuple[int, str]:
    from stampa.cli import main

    monkeypatch.chdir(project)
    monkeypatch.setenv("COLUMNS", "200")
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


READ_ONLY = "la cartella di uscita è in sola lettura o senza permessi: scegli un'altra cartella con --out."
FULL = "il disco è pieno: libera spazio o scegli un'altra cartella con --out."


def test_read_only_output_folder_is_a_clear_error(tmp_path, monkeypatch, capsys):
    """Tests run as root here, where chmod does not stop writes: the OS refusal is simulated at
    the two calls that create files in the output folder."""
    project = tmp_path / "p"
    make_project(project)
    out = project / "out"
    real_open, real_mkstemp = os.open, __import__("tempfile").mkstemp

    def refuse(path) -> None:  # noqa: ANN001
        if str(path).startswith(str(out)):
            raise PermissionError(errno.EROFS, "Read-only file system", str(path))

    def fake_open(path, *a, **k):  # noqa: ANN001, ANN002, ANN003
        refuse(path)
        return real_open(path, *a, **k)

    def fake_mkstemp(*a, dir=None, **k):  # noqa: ANN001, ANN002, ANN003
        refuse(dir)
        return real_mkstemp(*a, dir=dir, **k)

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr("tempfile.mkstemp", fake_mkstemp)
    code, text = _cli(monkeypatch, capsys, project, *BUILD)
    assert code == 1
    assert READ_ONLY in text and "Traceback" not in text
    # Already locked by an earlier build, the folder fails at the first file instead.
    monkeypatch.setattr(os, "open", real_open)
    code, text = _cli(monkeypatch, capsys, project, *BUILD)
    assert code == 1 and READ_ONLY in text and "Traceback" not in text


@pytest.mark.parametrize("victim", ["mappa-stampa.pdf", "mappa-p1.png", "index.html", "rapporto.json"])
def test_full_disk_is_a_clear_error_and_keeps_the_previous_files(editions, tmp_path, monkeypatch, capsys, victim):
    project, snapshot, old, new = editions
    out = _reset(project, snapshot)
    before = hashes(out)
    real_write = os.write
    real_write_bytes = Path.write_bytes

    def full(name: str) -> None:
        if name.startswith(f".{victim}."):
            raise OSError(errno.ENOSPC, "No space left on device")

    def fake_write(fd, data):  # noqa: ANN001
        full(Path(os.readlink(f"/proc/self/fd/{fd}")).name)
        return real_write(fd, data)

    def fake_write_bytes(self, data):  # noqa: ANN001
        full(self.name)
        return real_write_bytes(self, data)

    monkeypatch.setattr(os, "write", fake_write)
    monkeypatch.setattr(Path, "write_bytes", fake_write_bytes)
    code, text = _cli(monkeypatch, capsys, project, *BUILD)
    assert code == 1, text
    assert FULL in text and "Traceback" not in text
    assert victim in text and STAGING not in text  # the message names the file where it belongs
    assert leftovers(out) == []
    assert hashes(out) == before  # the whole previous edition, not only the file that failed


NOT_A_FOLDER = (
    "al posto della cartella di uscita (o di una sua sottocartella) c'è un file: scegli un'altra cartella con --out."
)


@pytest.mark.parametrize("out", ["stampa.toml", "stampa.toml/sotto"])
def test_output_folder_that_is_a_file_is_a_clear_error(tmp_path, monkeypatch, capsys, out):
    project = tmp_path / "p"
    make_project(project)
    before = (project / "stampa.toml").read_bytes()
    code, text = _cli(monkeypatch, capsys, project, "edizione", "--out", out)
    assert code == 1 and NOT_A_FOLDER in text and "Traceback" not in text
    assert (project / "stampa.toml").read_bytes() == before


def test_a_file_where_a_subfolder_goes_is_a_clear_error(editions, monkeypatch, capsys):
    project, snapshot, old, new = editions
    out = _reset(project, snapshot)
    shutil.rmtree(out / "web")
    (out / "web").write_text("non sono una cartella")
    code, text = _cli(monkeypatch, capsys, project, *BUILD)
    assert code == 1 and NOT_A_FOLDER in text and "Traceback" not in text


MIXED = (
    "il file non è quello descritto in rapporto.json (cambiato dopo la costruzione): se l'ultima "
    "«stampa edizione» è stata interrotta, rilanciala prima di mandare i file in tipografia."
)


def test_verifica_warns_about_files_that_are_not_what_the_report_says(editions, monkeypatch, capsys):
    """A killed build leaves nothing to warn about (the previous edition is whole); a file changed
    after the build (retouched by hand, or a copy from elsewhere) is pointed out before printing."""
    project, snapshot, old, new = editions
    out = _reset(project, snapshot)
    subprocess.run([*KILLABLE, *BUILD], cwd=project, env={**env(), "STAMPA_KILL_AT": "3"}, capture_output=True, timeout=120)
    code, text = _cli(monkeypatch, capsys, project, "verifica", "--out", "out")
    assert code == 0 and MIXED not in " ".join(text.split())
    with open(out / "mappa-stampa.pdf", "ab") as fh:
        fh.write(b"\n")
    code, text = _cli(monkeypatch, capsys, project, "verifica", "--out", "out")
    assert f"AVVISO out/mappa-stampa.pdf: {MIXED}" in " ".join(text.split())
    assert " ".join(text.split()).count(MIXED) == 1


def test_a_product_failing_halfway_leaves_the_previous_edition_whole(tmp_path, monkeypatch, capsys):
    """The Mappa builds, then a per-lab poster refuses a name too long for its band: nothing of
    the new edition reaches the output folder."""
    project = tmp_path / "p"
    toml = make_project(project)
    code, _ = _cli(monkeypatch, capsys, project, *BUILD)
    assert code == 0
    before = hashes(project / "out")
    rows = sample_rows()
    rows[0] = {**rows[0], "nome": "Supercalifragilistichespiralidoso" * 8}
    write_rows(project / "dati" / "voci.csv", rows)
    toml.write_text(toml.read_text(encoding="utf-8").replace("per_laboratorio = false", "per_laboratorio = true"), encoding="utf-8")
    code, text = _cli(monkeypatch, capsys, project, *BUILD)
    assert code == 1 and "✓ Mappa" in text and "non entra nel riquadro" in text
    assert hashes(project / "out") == before
    assert leftovers(project / "out") == []


LEFTOVER = (
    "nella cartella di uscita ci sono 2 file che questa edizione non ha scritto (manifesti-laboratori-A3-stampa.pdf, "
    "anteprime/mappa-p3.png): forse sono di un'edizione precedente. Toglili prima di consegnare "
    "la cartella alla tipografia o di pubblicare web/."
)


def test_files_of_an_older_edition_are_pointed_out_not_deleted(editions, monkeypatch, capsys):
    project, snapshot, old, new = editions
    out = _reset(project, snapshot)
    (out / "anteprime" / "mappa-p3.png").write_bytes((out / "anteprime" / "mappa-p1.png").read_bytes())
    (out / "manifesti-laboratori-A3-stampa.pdf").write_bytes((out / "mappa-stampa.pdf").read_bytes())
    (out / "note.txt").write_text("mie")  # not a product file: not stampa's business
    code, text = _cli(monkeypatch, capsys, project, *BUILD)
    assert code == 0
    assert f"AVVISO {out}: {LEFTOVER}" in " ".join(text.split())
    report = json.loads((out / "rapporto.json").read_text(encoding="utf-8"))
    assert LEFTOVER in [a["messaggio"] for a in report["avvisi"]]
    assert (out / "anteprime" / "mappa-p3.png").exists() and (out / "note.txt").exists()
