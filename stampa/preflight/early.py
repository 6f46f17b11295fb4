"""The print file checked while the rest of the edition is still being made.

Above 20,000 entries the Mappa draws its digital version after the print one (both at once would
not fit in 2 GB, stampa.products.mappa.build), and for that while the second core has nothing to
do. `stampa edizione` hands the print file to :func:`start_early` as soon as it is written: a
fresh process runs every check on it, and :func:`~.run.run_preflight` takes those findings instead
of checking the file again, provided the file is still the one checked (same inode, size and
modification time: moving the staged edition into place keeps all three) and `rapporto.json` asks
the same of it. The second process opens the file once for all its checks: the build moves it while
they run, and an open file stays readable. Anything else, and the file is checked again as always: starting early changes
when the checks run, never what they find.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..printspec import read_file_record
from .model import FileToCheck
from .run import ASIDE_FROM_PAGES, FILE_LEVEL, Parts, _jobs, _timed_jobs_of_file
from .sources import CHECKED_VERSIONS

Identity = tuple[int, int, int]


def _identity(path: Path) -> Identity | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


@dataclass
class EarlyCheck:
    """One file being checked in a second process."""

    spec: FileToCheck
    identity: Identity
    wait: Callable[[], Any]
    claimed: bool = field(default=False)
    finished: bool = field(default=False)  # its result received (or the process ended by cancel)

    def claim(self, spec: FileToCheck, path: Path) -> Callable[[], list[tuple[Parts, float]] | None] | None:
        """If this check is of ``spec`` and the file at ``path`` is still the one checked: the
        function that waits for the findings (one result per job of ``_jobs([spec])``, None when
        the second process failed). None otherwise."""
        if self.claimed or spec != self.spec or _identity(path) != self.identity:
            return None
        self.claimed = True
        return self._results

    def _results(self) -> list[tuple[Parts, float]] | None:
        self.finished = True
        got = self.wait()
        if not isinstance(got, list) or any(FILE_LEVEL in parts for parts, _ in got):
            return None  # the file could not be opened there: checked again, with the real path
        return got

    def cancel(self) -> None:
        """End the second process if its findings were not received (a failed build, a file not
        in the report, a preflight interrupted): call it in a ``finally``."""
        if not self.finished:
            self.finished = True
            self.wait.cancel()


def start_early(record: dict[str, Any], folder: Path) -> EarlyCheck | None:
    """Start checking the file of ``record`` (as its product writes it in `rapporto.json`, path
    relative to ``folder``); None when it is not worth a second process (a short file) or the
    record would not be read back as it is."""
    faults: list[str] = []
    # Through JSON, as run_preflight will read it from rapporto.json: the same FileToCheck or none.
    item = json.loads(json.dumps(record, ensure_ascii=False))
    fs = read_file_record(item, "file", lambda *fault: faults.append(str(fault)), CHECKED_VERSIONS)
    if fs is None or faults:
        return None
    spec = FileToCheck.from_spec(fs, label=fs.path)
    if (spec.expected_pages or 0) < ASIDE_FROM_PAGES:
        return None
    path = Path(folder) / spec.path
    identity = _identity(path)
    if identity is None:
        return None
    from ..forking import in_fresh_process

    wait = in_fresh_process(_timed_jobs_of_file, spec, Path(folder), [checks for _, checks in _jobs([spec])])
    return EarlyCheck(spec, identity, wait) if wait is not None else None
