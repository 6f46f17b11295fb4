"""`python -m stampa` with a trap in the last step of every atomic write, for the interruption tests.

Run as ``python tests/killable_stampa.py <stampa arguments…>``. Environment:

- ``STAMPA_KILL_AT=N``: at the N-th output file (counted when its temp file is about to be renamed
  to the final name), cut the temp file in half and SIGKILL this very process: the state a power cut
  or ``kill -9`` leaves in the middle of writing a file.
- ``STAMPA_PAUSE_AT=N`` and ``STAMPA_PAUSE_FLAG=<path>``: at the N-th output file, create the flag
  file and sleep (holding the output folder's lock) until killed.

Only renames of stampa.outputs temp files (".<name>.<random>.tmp") count; nothing in stampa changes.
"""

from __future__ import annotations

import os
import re
import runpy
import signal
import sys
import time

TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")
_real_replace = os.replace
_count = 0


def _trapped_replace(src, dst, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
    global _count
    if TEMP.match(os.path.basename(os.fspath(src))):
        _count += 1
        if _count == int(os.environ.get("STAMPA_KILL_AT", "0")):
            size = os.path.getsize(src)
            with open(src, "r+b") as fh:
                fh.truncate(size // 2)
            os.kill(os.getpid(), signal.SIGKILL)
        if _count == int(os.environ.get("STAMPA_PAUSE_AT", "0")):
            with open(os.environ["STAMPA_PAUSE_FLAG"], "w") as fh:
                fh.write(str(os.getpid()))
            time.sleep(120)
    return _real_replace(src, dst, *args, **kwargs)


if __name__ == "__main__":  # not again in a process stampa starts with multiprocessing's spawn
    os.replace = _trapped_replace
    sys.argv = ["stampa", *sys.argv[1:]]
    runpy.run_module("stampa", run_name="__main__", alter_sys=True)
