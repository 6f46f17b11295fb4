"""Running one piece of a build in a second, forked process (the machines have two cores).

Forked, the child shares everything already computed (plans, wrapped text) without copying or
pickling it; only its result comes back through a pipe. Any failure in the child gives None and
the caller does the work itself, so a fork never changes what is built, only how fast.

A child never outlives its build: it is terminated when the parent is interrupted (Ctrl-C,
SIGTERM) or stops waiting for it, and on Linux the kernel kills it if the parent dies without a
word (SIGKILL, a crash).
"""

from __future__ import annotations

import os
import signal
from typing import Any, Callable

PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to SIGKILL this process when its parent ends (Linux only; elsewhere the
    parent's own clean-up below still ends it)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def in_child(fn: Callable[..., Any], *args: Any) -> Callable[[], Any] | None:
    """Run ``fn(*args)`` in a forked process; returns a function that waits for it and gives its
    result, or None when it failed (the caller then runs it itself). None when fork is missing."""
    import multiprocessing as mp

    try:
        ctx = mp.get_context("fork")
    except ValueError:  # pragma: no cover - Windows
        return None
    receive, send = ctx.Pipe(duplex=False)
    parent = os.getpid()

    def run() -> None:
        _die_with_parent(parent)
        # Ctrl-C in a terminal reaches the whole process group: the parent stops the build and
        # then this child; the child itself just ends, without a traceback.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        try:
            result = fn(*args)
        except Exception:  # noqa: BLE001 - reported as "no result": the parent redoes the work
            result = None
        send.send(result)

    proc = ctx.Process(target=run, daemon=True)
    proc.start()
    send.close()

    return _waiter(proc, receive)


def _waiter(proc, receive) -> Callable[[], Any]:  # noqa: ANN001 - a Process and its pipe end
    """A function that waits for the child's result (None when it failed); interrupted while
    waiting, it ends the child first."""

    def wait():
        try:
            try:
                result = receive.recv()
            except EOFError:
                result = None
            proc.join()
        except BaseException:
            stop(proc)
            raise
        finally:
            receive.close()
        return result if proc.exitcode == 0 else None

    def cancel() -> None:
        """End the child without waiting for its result (nobody needs it any more)."""
        stop(proc)
        receive.close()

    def ready() -> bool:
        """Whether the child's result (or its end) has arrived: ``wait()`` would not block."""
        try:
            return receive.poll()
        except OSError:  # already received and closed
            return True

    wait.cancel = cancel  # type: ignore[attr-defined]
    wait.ready = ready  # type: ignore[attr-defined]
    return wait


def stop(proc) -> None:  # noqa: ANN001 - a multiprocessing Process
    """End a child at once (it only computes: nothing of it needs saving)."""
    if proc.is_alive():
        proc.kill()
    proc.join(timeout=2)


def _fresh_main(parent: int, send, fn, args) -> None:  # noqa: ANN001
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        result = fn(*args)
    except Exception:  # noqa: BLE001 - "no result": the parent does the work itself
        result = None
    send.send(result)


def in_fresh_process(fn: Callable[..., Any], *args: Any) -> Callable[[], Any] | None:
    """Like :func:`in_child`, in a new interpreter instead of a fork: for work that needs little
    of what the parent holds (a fork of a process that has just built a large edition would count
    all its memory twice). ``fn`` and ``args`` must be picklable; the result comes back pickled."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_fresh_main, args=(os.getpid(), send, fn, args), daemon=True)
    try:
        proc.start()
    except OSError:  # pragma: no cover - no room for a process: do it here
        return None
    send.close()

    return _waiter(proc, receive)
