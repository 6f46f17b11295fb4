"""Everything stampa prints to the terminal goes through here (rich, Italian)."""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from typing import Iterable

from rich.console import Console

from .problems import Problem, how_many


@lru_cache(maxsize=2)
def console(stderr: bool = False) -> Console:
    # Piped output (CI logs, files) gets a wide page so tables and paths are not wrapped mid-word.
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or "COLUMNS" in os.environ else 140
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=width)


def print_problems(problems: Iterable[Problem]) -> None:
    """Errors first, then warnings; one line each, as the user must read them."""
    problems = list(problems)
    out = console(stderr=True)
    for level, label, style in (("errore", "ERRORE", "bold red"), ("avviso", "AVVISO", "yellow")):
        for p in problems:
            if p.level == level:
                out.print(f"[{style}]{label}[/] ", end="")
                out.print(p.format(), markup=False)
    n_err = sum(p.level == "errore" for p in problems)
    n_warn = len(problems) - n_err
    if n_err:
        out.print(f"[bold red]{how_many(n_err, 'errore', 'errori')}[/], {how_many(n_warn, 'avviso', 'avvisi')}: "
                  "correggi gli errori e rilancia il comando.")
