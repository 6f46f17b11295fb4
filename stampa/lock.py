"""One build at a time per output folder.

Two `stampa edizione` runs writing into the same folder would interleave files of two editions; the
second one is refused with a clear message instead. The lock is an OS file lock (flock), so a build
that is killed releases it at once: there is never a stale lock to delete by hand.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import Iterator

from .outputs import output_error
from .problems import Problem, StampaError, error

LOCK_NAME = ".stampa.lock"


def busy_error(out_dir: Path, holder: str = "") -> Problem:
    """What a second build into the same folder is told (the CLI and the web app alike)."""
    who = f" (processo {holder})" if holder else ""
    return error(
        f"un'altra costruzione sta già scrivendo in questa cartella{who}: aspetta che finisca, "
        "oppure scegli un'altra cartella con --out.",
        file=str(out_dir),
    )


@contextlib.contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StampaError(output_error(out_dir, exc)) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            raise StampaError(busy_error(out_dir, holder)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
