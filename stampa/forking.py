"""Running one piece of a build in a second, forked process (the machines have two cores).

Forked, the child shares everything already computed (plans, wrapped text) without copying or
pickling it; only its result comes back through a pipe. Any failure in the child gives None and
the caller does the work itself, so a fork never changes what is built, only how fast.
"""

from __future__ import annotations

from typing import Any, Callable


def in_child(fn: Callable[..., Any], *args: Any) -> Callable[[], Any] | None:
    """Run ``fn(*args)`` in a forked process; returns a function that waits for it and gives its
    result, or None when it failed (the caller then runs it itself). None when fork is missing."""
    import multiprocessing as mp

    try:
        ctx = mp.get_context("fork")
    except ValueError:  # pragma: no cover - Windows
        return None
    receive, send = ctx.Pipe(duplex=False)

    def run() -> None:
        try:
            send.send(fn(*args))
        except BaseException:  # noqa: BLE001 - reported as "no result": the parent redoes the work
            send.send(None)

    proc = ctx.Process(target=run, daemon=True)
    proc.start()
    send.close()

    def wait():
        try:
            result = receive.recv()
        except EOFError:
            result = None
        proc.join()
        return result if proc.exitcode == 0 else None

    return wait
