"""`python -m stampa` with a trap in the last step of every atomic write, for the interruption tests.

Run as ``python tests/killable_stampa.py <stampa arguments…>``. Environment:

- ``STAMPA_KILL_AT=N``: at the N-th output file (counted when its temp file is about to be renamed
  to the final name), cut the temp file in half and SIGKILL this very process: the state a power cut
  or ``kill -9`` leaves in the middle of writing a file.
- ``STAMPA_KILL_AT_PUBLISH=N``: SIGKILL this process just before the N-th file of the finished
  edition is moved from the staging folder into place (stampa.staging.publish): the moment
  where a folder could hold a mix of two editions.
- ``STAMPA_PAUSE_AT=N`` and ``STAMPA_PAUSE_FLAG=<path>``: at the N-th output file, create the flag
  file and sleep (holding the output folder's lock) until killed.
- ``STAMPA_PAUSE_CALL=<module>:<function>`` and ``STAMPA_PAUSE_FLAG``: at the first call of that
  function in this process, create the flag file and sleep until a signal stops the build: the
  signal lands inside the stage that calls it, however fast or slow the machine is.
- ``STAMPA_PAUSE_CHILD=<name>`` and ``STAMPA_PAUSE_FLAG``: a function of that name run in a forked
  worker (``stampa.forking.in_child``) first creates the flag file and sleeps: the worker is alive,
  and the stage that waits for it open, until the test acts.

The flag file holds the pid of the process that paused. Only renames of stampa.outputs temp files
(".<name>.<random>.tmp") count; nothing in stampa changes.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import runpy
import signal
import sys
import time

PAUSE_S = 600  # "until killed": far longer than any test waits

TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")
STAGING = ".stampa-nuova"  # stampa.staging.STAGING_NAME
_real_replace = os.replace
_count = 0
_published = 0


def _trapped_replace(src, dst, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
    global _count, _published
    if STAGING in os.fspath(src).split(os.sep) and not TEMP.match(os.path.basename(os.fspath(src))):
        _published += 1
        if _published == int(os.environ.get("STAMPA_KILL_AT_PUBLISH", "0")):
            os.kill(os.getpid(), signal.SIGKILL)
    if TEMP.match(os.path.basename(os.fspath(src))):
        _count += 1
        if _count == int(os.environ.get("STAMPA_KILL_AT", "0")):
            size = os.path.getsize(src)
            with open(src, "r+b") as fh:
                fh.truncate(size // 2)
            os.kill(os.getpid(), signal.SIGKILL)
        if _count == int(os.environ.get("STAMPA_PAUSE_AT", "0")):
            _pause()
    return _real_replace(src, dst, *args, **kwargs)


def _pause() -> None:
    """Say "paused here" (the flag file, written whole before it appears) and wait to be stopped."""
    flag = os.environ["STAMPA_PAUSE_FLAG"]
    with open(flag + ".tmp", "w") as fh:
        fh.write(str(os.getpid()))
    _real_replace(flag + ".tmp", flag)
    time.sleep(PAUSE_S)


def _pause_first_call(spec: str) -> None:
    module_name, name = spec.split(":")
    module = importlib.import_module(module_name)
    real = getattr(module, name)
    calls = [0]

    @functools.wraps(real)
    def paused(*args, **kwargs):
        calls[0] += 1
        if calls[0] == 1:
            _pause()
        return real(*args, **kwargs)

    setattr(module, name, paused)


def _pause_in_child(name: str) -> None:
    from stampa import forking

    real_in_child = forking.in_child

    def in_child(fn, *args):
        if getattr(fn, "__name__", "") != name:
            return real_in_child(fn, *args)

        def paused_fn(*inner):
            _pause()
            return fn(*inner)

        return real_in_child(paused_fn, *args)

    forking.in_child = in_child  # before the modules that import it by name are imported


if __name__ == "__main__":  # not again in a process stampa starts with multiprocessing's spawn
    os.replace = _trapped_replace
    if os.environ.get("STAMPA_PAUSE_CHILD"):
        _pause_in_child(os.environ["STAMPA_PAUSE_CHILD"])
    if os.environ.get("STAMPA_PAUSE_CALL"):
        _pause_first_call(os.environ["STAMPA_PAUSE_CALL"])
    sys.argv = ["stampa", *sys.argv[1:]]
    runpy.run_module("stampa", run_name="__main__", alter_sys=True)
