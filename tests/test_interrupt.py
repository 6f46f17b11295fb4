"""Ctrl-C and `kill` stop a large build in every long stage: exit 130, the Italian line, no temp
files, no staging folder, no worker process left, and the previous edition intact.

Deterministic, with no timing at all: the build runs as tests/killable_stampa.py, which holds the
stage open at a chosen point and says so with a flag file (the forked worker that places the atlas
sheets sleeps before its work; the preflight sleeps before checking its first file). The test sends
the signal once the flag is there, so the signal always lands inside that stage, with the worker
alive, however fast or slow the (shared) machine is; that the build stopped there, and did not run
on, is read from its output (the stage's closing line never appears). How long it took to stop is
printed (``-s``), not asserted: speed is the bench's job.
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

N = 3000  # an atlas: the sheets' markers are placed in a forked worker
KILLABLE = Path(__file__).with_name("killable_stampa.py")
INTERRUPTED = "Interrotto: i file già completi sono al loro posto, nessun file è a metà."
BUILD = ("edizione", "--out", "out")
HANG_GUARD_S = 600  # only against a test hanging for ever; never reached when things work


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


# Where each stage is held open (tests/killable_stampa.py), and the line that would close it.
STAGES = {
    "mappa": ({"STAMPA_PAUSE_CHILD": "place_all"}, "✓ Mappa: sfondo, cartografia e impaginazione"),
    "verifica": ({"STAMPA_PAUSE_CALL": "stampa.preflight.run:_check_parts"}, "✓ Verifica prima della stampa"),
}


class Build:
    """A paused build in a subprocess, its output drained by threads (a full pipe would block it)."""

    def __init__(self, project: Path, pause: dict[str, str], flag: Path):
        self.flag = flag
        self.proc = subprocess.Popen(
            [sys.executable, "-u", str(KILLABLE), *BUILD], cwd=project,
            env={**env(), "PYTHONUNBUFFERED": "1", "STAMPA_PAUSE_FLAG": str(flag), **pause},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )
        self.out: list[str] = []
        self.readers = [threading.Thread(target=self._drain, args=(s,), daemon=True) for s in (self.proc.stdout, self.proc.stderr)]
        for t in self.readers:
            t.start()

    def _drain(self, stream) -> None:
        for line in stream:
            self.out.append(line)

    def wait_for_pause(self) -> int:
        """The pid of the process that paused (the build or its worker), once it has."""
        deadline = time.monotonic() + HANG_GUARD_S
        while not self.flag.exists():
            assert self.proc.poll() is None, "the build ended before the pause: " + self.output()
            assert time.monotonic() < deadline, "no pause: " + self.output()
            time.sleep(0.02)
        return int(self.flag.read_text())

    def stop(self, sig: int, then: tuple[int, ...] = ()) -> float:
        """Send ``sig`` and at once the signals in ``then``; the seconds until the build ended."""
        t0 = time.monotonic()
        self.proc.send_signal(sig)
        for more in then:
            try:
                os.kill(self.proc.pid, more)  # not send_signal: it skips a process already reaped
            except ProcessLookupError:  # already gone: nothing more to say to it
                break
        self.proc.wait(timeout=HANG_GUARD_S)
        took = time.monotonic() - t0
        for t in self.readers:
            t.join(timeout=60)
        return took

    def output(self) -> str:
        return "".join(self.out)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _alive(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:  # ended between the two questions
        return False


def _assert_no_workers(workers: list[psutil.Process]) -> None:
    # Ending is asynchronous (the kernel reaps a killed child a moment later): wait for it,
    # bounded by the hang guard only.
    deadline = time.monotonic() + HANG_GUARD_S
    alive = [p for p in workers if _alive(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [p for p in alive if _alive(p)]
    assert not alive, f"worker processes left running: {[p.pid for p in alive]}"


def _interrupt(project: Path, stage: str, sig: int, flag: Path,
               then: tuple[int, ...] = ()) -> tuple[subprocess.Popen, str, int, list[psutil.Process]]:
    """Start the build, wait until it is held inside ``stage``, send ``sig``; the build's process,
    output, the paused pid and the worker processes alive when the signal was sent."""
    pause, _ = STAGES[stage]
    build = Build(project, pause, flag)
    try:
        paused = build.wait_for_pause()
        workers = psutil.Process(build.proc.pid).children(recursive=True)
        took = build.stop(sig, then)
        print(f"\n{stage} → {signal.Signals(sig).name}: fermata in {took:.2f} s")  # shown with -s
    finally:
        build.kill()
    return build.proc, build.output(), paused, workers


def _assert_stopped_inside(stage: str, proc: subprocess.Popen, output: str) -> None:
    assert proc.returncode == 130, output
    assert INTERRUPTED in output and "Traceback" not in output, output
    assert STAGES[stage][1] not in output, "the build ran on past the stage: " + output


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("stage", ["mappa"])
def test_a_signal_stops_a_large_build_in_seconds_and_keeps_the_previous_edition(big_project, tmp_path, stage, sig):
    project, previous = big_project
    proc, output, _, workers = _interrupt(project, stage, sig, tmp_path / "in-pausa")
    _assert_stopped_inside(stage, proc, output)
    out = project / "out"
    assert leftovers(out) == []
    assert hashes(out) == previous
    assert_readable(out)
    _assert_no_workers(workers)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_a_worker_process_places_the_sheets_stops_both(big_project, tmp_path, sig):
    """Sent while the forked worker that places the sheets is alive (held before its work): the
    build and its worker end, and the previous edition stays."""
    project, previous = big_project
    proc, output, paused, workers = _interrupt(project, "mappa", sig, tmp_path / "in-pausa")
    assert paused in [p.pid for p in workers], "the paused worker is a child of the build"
    _assert_stopped_inside("mappa", proc, output)
    out = project / "out"
    assert leftovers(out) == []
    assert hashes(out) == previous
    _assert_no_workers(workers)


def test_more_signals_while_stopping_do_not_change_how_it_stops(big_project, tmp_path):
    """A second Ctrl-C, or a scheduler that sends `kill` again, while the build is already stopping:
    the clean-up still runs to its end and the exit is the same 130 (whatever the interleaving: the
    first signal makes the build ignore the ones after it)."""
    project, previous = big_project
    proc, output, _, workers = _interrupt(project, "mappa", signal.SIGTERM, tmp_path / "in-pausa",
                                          then=(signal.SIGINT, signal.SIGTERM, signal.SIGINT))
    _assert_stopped_inside("mappa", proc, output)
    assert output.count(INTERRUPTED) == 1, output
    out = project / "out"
    assert leftovers(out) == []
    assert hashes(out) == previous
    _assert_no_workers(workers)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_the_preflight_stops_it_and_leaves_the_new_edition_whole(big_project, tmp_path, sig):
    """The preflight runs on the edition already in place: stopped, it leaves that edition whole
    (only verifica.json is missing or the previous one), no temp file, exit 130."""
    project, _ = big_project
    proc, output, paused, workers = _interrupt(project, "verifica", sig, tmp_path / "in-pausa")
    assert paused == proc.pid  # held in the build itself, its first file being checked
    _assert_stopped_inside("verifica", proc, output)
    out = project / "out"
    assert leftovers(out) == []
    assert_readable(out)
    assert "mappa-stampa.pdf" in {p.name for p in out.iterdir()}
    _assert_no_workers(workers)


def test_a_killed_build_takes_its_worker_processes_with_it(big_project, tmp_path):
    """SIGKILL gives the build no chance to clean up: its forked workers must still end (the kernel
    ends them with their parent), or they would go on filling the memory."""
    project, _ = big_project
    proc, _, paused, workers = _interrupt(project, "mappa", signal.SIGKILL, tmp_path / "in-pausa")
    assert proc.returncode == -signal.SIGKILL
    assert paused in [p.pid for p in workers]
    _assert_no_workers(workers)
