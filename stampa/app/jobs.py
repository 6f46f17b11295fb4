"""The build started from the browser: `stampa edizione`'s own function (stampa.build.build_edition)
in a thread, with the stages' progress kept for the page to poll.

One build at a time: while one runs, a second is refused with the build lock's message (the same
the CLI prints); a build started from a terminal into the same folder is refused by the lock itself.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..build import BuildOptions, BuildResult, build_edition
from ..lock import busy_error
from ..problems import Problem, StampaError


@dataclass
class Stage:
    key: str
    label: str
    seconds: float | None = None  # None while it runs


@dataclass
class Job:
    config: Path
    stages: list[Stage] = field(default_factory=list)
    state: str = "in corso"  # in corso, fatto, fallito
    result: BuildResult | None = None
    problems: tuple[Problem, ...] = ()
    crash: str = ""  # a bug in stampa, shown as such
    started: float = field(default_factory=time.time)

    def as_dict(self) -> dict[str, Any]:
        return {
            "stato": self.state,
            "fasi": [{"chiave": s.key, "etichetta": s.label, "secondi": s.seconds} for s in self.stages],
            "verifica_ok": None if self.result is None else self.result.preflight_ok,
        }


class Builder:
    """Holds the current (or last) build of this app."""

    def __init__(self, config: Path):
        self.config = config
        self.job: Job | None = None
        self._lock = threading.Lock()

    def start(self, out_dir: Path) -> Job:
        """Start a build; StampaError with the lock's message when one is already running."""
        with self._lock:
            if self.job is not None and self.job.state == "in corso":
                raise StampaError(busy_error(out_dir, str(_pid())))
            job = self.job = Job(self.config)
        thread = threading.Thread(target=self._run, args=(job,), name="stampa-costruzione", daemon=True)
        thread.start()
        return job

    def _run(self, job: Job) -> None:
        def progress(key: str, label: str, seconds: float | None) -> None:
            running = next((s for s in reversed(job.stages) if s.key == key and s.seconds is None), None)
            if running is None:
                if seconds is None:  # a stage starts
                    job.stages.append(Stage(key, label))
                return
            running.label = label  # a stage that says how far it is (the geocoding: n of N, time left)
            if seconds is not None:
                running.seconds = round(seconds, 1)

        try:
            job.result = build_edition(BuildOptions(config=self.config, show=False, progress=progress))
            job.problems = job.result.problems
            job.state = "fatto"
        except StampaError as exc:
            job.problems = exc.problems
            job.state = "fallito"
        except Exception as exc:  # noqa: BLE001 - a bug: the page says so instead of hanging
            job.crash = f"{type(exc).__name__}: {exc}"
            job.state = "fallito"

    def wait(self, timeout_s: float) -> Job | None:
        """For tests and the shutdown: wait until the current build ends (or the time is up)."""
        deadline = time.monotonic() + timeout_s
        while self.job is not None and self.job.state == "in corso" and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.job


def _pid() -> int:
    import os

    return os.getpid()
