"""One request at a time to a geocoding service from the whole machine, not only from one process.

A `stampa geocodifica` in a terminal and a build started from the app are two processes: each one
spacing its own requests by a second could still ask the service at the same moment. So the turn
is an OS file lock (flock) on a file per service in the user's cache folder
(``$STAMPA_CACHE``, else ``$XDG_CACHE_HOME``, else ``~/.cache``, then ``stampa/geocodifica/``),
held for the wait and the request; the file holds the time the last answer ended (the system-wide
monotonic clock), so the next request, from any process, keeps the interval after it. A process
that is killed releases the lock at once (the OS does it): there is never a stale lock.

Fairness: a process waits for the interval after the last answer *before* it asks for the lock,
so two processes alternate instead of the faster one taking every turn. When the cache folder
cannot be written, the turn is per process only (the module-wide lock of :mod:`.client`), silently:
geocoding still works.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

POLL_S = 0.02  # how often a process waiting for the turn looks again


def turn_dir() -> Path:
    base = os.environ.get("STAMPA_CACHE") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stampa" / "geocodifica"


def turn_path(server_url: str) -> Path:
    """One lock file per service (scheme, host, port and path), so two services never wait for each other."""
    return turn_dir() / (hashlib.sha256(server_url.encode("utf-8")).hexdigest()[:16] + ".lock")


class Turn:
    """The machine-wide turn for one service; ``None`` as ``fd`` when the file cannot be opened."""

    def __init__(self, server_url: str):
        self.path = turn_path(server_url)
        self.fd: int | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            self.fd = None

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def last_end(self) -> float:
        """When the last answer from any process ended (monotonic seconds), -inf if never."""
        if self.fd is None:
            return float("-inf")
        try:
            return float(os.pread(self.fd, 32, 0).decode("ascii").strip() or "-inf")
        except (OSError, ValueError, UnicodeDecodeError):
            return float("-inf")

    def _set_last_end(self, when: float) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self.fd, 0)
            os.pwrite(self.fd, f"{when!r}\n".encode("ascii"), 0)

    @contextlib.contextmanager
    def held(self, deadline: float, busy: Callable[[], Exception]) -> Iterator[Callable[[float], None]]:
        """Hold the turn (waiting for it until ``deadline``, then ``busy()`` is raised); yields the
        function that records when the answer ended."""
        if self.fd is None:
            yield lambda when: None
            return
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() + POLL_S >= deadline:
                    raise busy() from None
                time.sleep(POLL_S)
        try:
            yield self._set_last_end
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)


def gap_s(last_end: float, interval_s: float, now: float) -> float:
    """Seconds still to wait after an answer that ended at ``last_end``; never more than the
    interval (a time from before a reboot, when the monotonic clock restarted, waits no longer)."""
    return max(0.0, min(interval_s, last_end + interval_s - now))
