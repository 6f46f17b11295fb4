"""Timing and progress of the stages of a build, shown while it works and kept for the report."""

from __future__ import annotations

import contextlib
import time
from typing import Callable, Iterator

from rich.console import Console


class StageClock:
    """Runs stages one after the other, showing which one is at work and timing each (seconds)."""

    def __init__(self, console: Console | None = None, *, show: bool = True,
                 listener: Callable[[str, str, float | None], None] | None = None):
        self.console = console
        self.show = show and console is not None
        self.seconds: dict[str, float] = {}
        # Told (key, label, None) when a stage starts and (key, label, seconds) when it ends: the
        # web app shows the progress live from it (stampa.app.jobs).
        self.listener = listener

    @contextlib.contextmanager
    def stage(self, key: str, label: str) -> Iterator[None]:
        start = time.perf_counter()
        if self.listener is not None:
            self.listener(key, label, None)
        if self.show:
            assert self.console is not None
            with self.console.status(f"{label}…", spinner="dots"):
                yield
        else:
            yield
        elapsed = time.perf_counter() - start
        self.seconds[key] = round(self.seconds.get(key, 0.0) + elapsed, 3)
        if self.listener is not None:
            self.listener(key, label, elapsed)
        if self.show:
            assert self.console is not None
            self.console.print(f"[green]✓[/] {label} [dim]({elapsed:.1f} s)[/]")

    def report(self) -> dict[str, float]:
        return dict(self.seconds)
