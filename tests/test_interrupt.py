"""Ctrl-C and `kill` stop a large build in every long stage within seconds: exit 130, the Italian
line, no temp files, no staging folder, no worker process left, and the previous edition intact.

Deterministic, no timing races: the build runs in a subprocess with unbuffered output, the test
reads its stage lines and sends the signal as soon as the line that opens the stage appears (the
end of the previous stage: «✓ Lettura e controllo dei dati» opens the Mappa). The edition is large
enough (3,000 synthetic entries, an atlas) that each stage lasts many seconds after that line, so
the signal always lands inside it; the bound on the time to stop is generous (the target is 2 s).
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from bench import synthetic
from robusto_support import assert_readable, env, hashes, leftovers, make_project, run_stampa

pytestmark = pytest.mark.lento

N = 3000
STOP_WITHIN_S = 10.0  # measured: well under 2 s on an idle 2-core machine
INTERRUPTED = "Interrotto: i file già completi sono al loro posto, nessun file è a metà."
BUILD = ("edizione", "--out", "out")


def _write_synthetic(path: Path, n: int) -> None:
    rows = synthetic.generate_entries(n, seed=5)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=";")
        w.writeheader()
        w.writerows(rows)


@pytest.fixture(scope="module")
def big_project(tmp_path_factory):
    """A project whose out/ holds a (small) previous edition and whose data is now 3,000 entries."""
    folder = tmp_path_factory.mktemp("interrompi")
    make_project(folder, verifica=True)
    r = run_stampa(folder, *BUILD, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    _write_synthetic(folder / "dati" / "voci.csv", N)
    return folder, hashes(folder / "out")


def _start(project: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-u", "-m", "stampa", *BUILD], cwd=project, env={**env(), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


def _wait_for_line(proc: subprocess.Popen, marker: str, seen: list[str], timeout_s: float = 600) -> None:
    """Read stdout until ``marker`` appears (the rest is drained by a thread afterwards)."""
    got = threading.Event()

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            seen.append(line)
            if marker in line:
                got.set()
        got.set()

    threading.Thread(target=read, daemon=True).start()
    assert got.wait(timeout_s), "".join(seen)
    assert proc.poll() is None, "the build ended before the stage: " + "".join(seen)


def _wait_for_workers(proc: subprocess.Popen, timeout_s: float = 300) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout_s
    workers: list[psutil.Process] = []
    while not workers and proc.poll() is None and time.monotonic() < deadline:
        try:
            workers = psutil.Process(proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.02)
    assert workers, "no worker process was started"
    return workers


def _interrupt(project: Path, marker: str, sig: int, *, with_workers: bool = False,
               then: tuple[int, ...] = ()) -> tuple[subprocess.Popen, float, str, list[psutil.Process]]:
    """Start a build, send ``sig`` when ``marker`` is printed, and at once the signals in ``then``."""
    proc = _start(project)
    seen: list[str] = []
    try:
        _wait_for_line(proc, marker, seen)
        workers = _wait_for_workers(proc) if with_workers else psutil.Process(proc.pid).children(recursive=True)
        t0 = time.monotonic()
        proc.send_signal(sig)
        for more in then:
            try:
                os.kill(proc.pid, more)  # not send_signal: it skips a process already reaped
            except ProcessLookupError:  # already gone: nothing more to say to it
                break
        proc.wait(timeout=120)
        took = time.monotonic() - t0
        print(f"\n{marker} → {signal.Signals(sig).name}: fermata in {took:.2f} s")  # shown with -s
        stderr = proc.stderr.read()  # type: ignore[union-attr]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc, took, "".join(seen) + stderr, workers


def _alive(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:  # ended between the two questions
        return False


def _assert_no_workers(workers: list[psutil.Process]) -> None:
    deadline = time.monotonic() + 5
    alive = [p for p in workers if _alive(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [p for p in alive if _alive(p)]
    assert not alive, f"worker processes left running: {[p.pid for p in alive]}"


# The line that ends the stage before: the signal lands at the start of the stage named.
STAGES = {
    "mappa": "✓ Lettura e controllo dei dati",  # planning, sheet placement (forked), index, drawing
}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("stage", sorted(STAGES))
def test_a_signal_stops_a_large_build_in_seconds_and_keeps_the_previous_edition(big_project, stage, sig):
    project, previous = big_project
    proc, took, output, workers = _interrupt(project, STAGES[stage], sig)
    assert proc.returncode == 130, output
    assert INTERRUPTED in output and "Traceback" not in output, output
    assert took < STOP_WITHIN_S, f"stopped after {took:.1f} s"
    out = project / "out"
    assert leftovers(out) == []
    assert hashes(out) == previous
    assert_readable(out)
    _assert_no_workers(workers)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_a_worker_process_places_the_sheets_stops_both(big_project, sig):
    """Sent once the forked worker exists (the sheets' placement, beside the index): the build
    and its worker end, and the previous edition stays."""
    project, previous = big_project
    proc, took, output, workers = _interrupt(project, STAGES["mappa"], sig, with_workers=True)
    assert proc.returncode == 130, output
    assert INTERRUPTED in output and "Traceback" not in output, output
    assert took < STOP_WITHIN_S, f"stopped after {took:.1f} s"
    out = project / "out"
    assert leftovers(out) == []
    assert hashes(out) == previous
    _assert_no_workers(workers)


def test_more_signals_while_stopping_do_not_change_how_it_stops(big_project):
    """A second Ctrl-C, or a scheduler that sends `kill` again, while the build is already stopping:
    the clean-up still runs to its end and the exit is the same 130 (whatever the interleaving: the
    first signal makes the build ignore the ones after it)."""
    project, previous = big_project
    proc, _took, output, workers = _interrupt(
        project, STAGES["mappa"], signal.SIGTERM, with_workers=True,
        then=(signal.SIGINT, signal.SIGTERM, signal.SIGINT),
    )
    assert proc.returncode == 130, output
    assert output.count(INTERRUPTED) == 1 and "Traceback" not in output, output
    out = project / "out"
    assert leftovers(out) == []
    assert hashes(out) == previous
    _assert_no_workers(workers)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_the_preflight_stops_it_and_leaves_the_new_edition_whole(big_project, tmp_path, sig):
    """The preflight runs on the edition already in place: stopped, it leaves that edition whole
    (only verifica.json is missing or the previous one), no temp file, exit 130."""
    project, _ = big_project
    proc, took, output, workers = _interrupt(project, "✓ Versione digitale (pagina web)", sig)
    assert proc.returncode == 130, output
    assert INTERRUPTED in output and "Traceback" not in output, output
    assert took < STOP_WITHIN_S, f"stopped after {took:.1f} s"
    out = project / "out"
    assert leftovers(out) == []
    assert_readable(out)
    assert "mappa-stampa.pdf" in {p.name for p in out.iterdir()}
    _assert_no_workers(workers)


def test_a_killed_build_takes_its_worker_processes_with_it(big_project):
    """SIGKILL gives the build no chance to clean up: its forked workers must still end (the kernel
    ends them with their parent), or they would go on filling the memory."""
    project, _ = big_project
    proc = _start(project)
    seen: list[str] = []
    try:
        _wait_for_line(proc, STAGES["mappa"], seen)
        workers = _wait_for_workers(proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    _assert_no_workers(workers)
