"""`stampa geocodifica`, and the same step at the start of `stampa edizione`: ask the service for
the addresses still missing, with a progress bar that shows the time left (one address a second),
write the record, and say where every position comes from."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from .. import inputs as _inputs
from ..entries.model import POSITION_FILE, POSITION_GEOCODED, POSITION_HAND
from ..problems import ERROR, Problem
from ..terminal import console, print_problems
from . import client
from .client import public_server
from .stage import geocoding_server, shown_path


STAGE = "geocodifica"


def geocode_with_progress(inputs: "_inputs.Inputs", *, show: bool = True,  # noqa: ANN201
                          listener: Callable[[str, str, float | None], None] | None = None):
    """:func:`stampa.inputs.geocode_inputs` with a progress bar (when ``show``). ``listener``
    (when not ``show``: the web app's build) is told ``(STAGE, label, None)`` at the start and after
    each answer, the label saying how many addresses are done and the time left, then
    ``(STAGE, label, seconds)`` at the end."""
    geo = inputs.geocoding
    if geo is None or not geo.pending:
        return inputs, None
    # Read when called, not at import: the estimate follows the spacing the client applies.
    interval_s = client.MIN_INTERVAL_S
    if not show:
        if listener is None:
            return _inputs.geocode_inputs(inputs)
        return _with_listener(inputs, listener, interval_s)
    out = console()
    server = public_server(geocoding_server(inputs.config))
    out.print(
        f"Geocodifica: {geo.pending} {'indirizzo' if geo.pending == 1 else 'indirizzi'} da cercare con il servizio {server} (uno al secondo, "
        f"circa {_duration(geo.pending * interval_s)}).",
        markup=False,
    )
    started = time.monotonic()
    with Progress(
        TextColumn("Geocodifica"), BarColumn(), MofNCompleteColumn(), TextColumn("· tempo rimasto {task.fields[left]}"),
        console=out, transient=False,
    ) as bar:
        # The time left is known from the rate limit from the start (rich's own estimate needs
        # samples first): one address a second, or the pace seen so far if slower.
        task = bar.add_task("geocodifica", total=geo.pending, left=_clock(geo.pending * interval_s))

        def progress(done: int, total: int) -> None:
            pace = max(interval_s, (time.monotonic() - started) / max(done, 1))
            bar.update(task, completed=done, total=total, left=_clock((total - done) * pace))

        return _inputs.geocode_inputs(inputs, progress=progress)


def _with_listener(inputs: _inputs.Inputs, listener: Callable[[str, str, float | None], None], interval_s: float):
    pending = inputs.geocoding.pending
    started = time.monotonic()

    def label(done: int, total: int, left_s: float) -> str:
        return (f"Geocodifica degli indirizzi nuovi: {done} di {total}, uno al secondo "
                f"(tempo rimasto {_clock(left_s)})")

    def progress(done: int, total: int) -> None:
        pace = max(interval_s, (time.monotonic() - started) / max(done, 1))
        listener(STAGE, label(done, total, (total - done) * pace), None)

    listener(STAGE, label(0, pending, pending * interval_s), None)
    result = _inputs.geocode_inputs(inputs, progress=progress)
    asked = result[1]
    n = asked.answers if asked is not None else 0
    listener(STAGE, f"Geocodifica degli indirizzi nuovi: {n} {'cercato' if n == 1 else 'cercati'}",
             time.monotonic() - started)
    return result


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} minuti"


def position_lines(inputs: "_inputs.Inputs") -> list[str]:
    """Where the positions come from: a summary line, then one line per entry not placed from the file."""
    entries = inputs.edition.entries
    counts = Counter(e.position_from for e in entries)
    precision = Counter(e.precision for e in entries if e.position_from == POSITION_GEOCODED)
    parts = [f"{counts[POSITION_FILE]} dal file"]
    if counts[POSITION_GEOCODED]:
        detail = ", ".join(f"{n} {_PRECISION.get(p, p)}" for p, n in sorted(precision.items(), key=lambda kv: _ORDER.get(kv[0], 9)))
        parts.append(f"{counts[POSITION_GEOCODED]} geocodificate ({detail})")
    if counts[POSITION_HAND]:
        parts.append(f"{counts[POSITION_HAND]} corrette a mano")
    lines = ["Posizioni: " + ", ".join(parts) + "."]
    for e in entries:
        if e.position_from == POSITION_GEOCODED:
            lines.append(f"  {e.origin.label()} «{e.nome}»: geocodificata ({e.precision}) — {e.indirizzo}, {e.comune}")
        elif e.position_from == POSITION_HAND:
            lines.append(f"  {e.origin.label()} «{e.nome}»: corretta a mano — {e.indirizzo}, {e.comune}")
    return lines


_PRECISION = {"civico": "al numero civico", "via": "sulla via", "frazione": "sulla frazione", "comune": "sul comune"}
_ORDER = {"civico": 0, "via": 1, "frazione": 2, "comune": 3}


def run_geocodifica(config_path: Path, *, dati: Path | None = None) -> int:
    """Geocode what is missing, write the record, print where each position comes from."""
    inputs = _inputs.load_inputs(config_path, dati=dati, geocodifica="attesa")
    out = console()
    pending = inputs.geocoding.pending if inputs.geocoding else 0
    record = shown_path(inputs.config.geocodifica.registro, inputs.config.root)
    if not pending:
        out.print(f"Nessun indirizzo da cercare: le posizioni sono nel file delle voci o nel registro {record}.", markup=False)
    inputs, asked = geocode_with_progress(inputs)
    if asked is not None:
        found = (f"{asked.answers} {'indirizzo cercato' if asked.answers == 1 else 'indirizzi cercati'} "
                 f"({asked.requests} {'richiesta' if asked.requests == 1 else 'richieste'}, {asked.seconds:.0f} s)")
        if asked.written:
            out.print(f"[green]Registro aggiornato[/]: {record} — {found}.")
        elif asked.answers:
            out.print(f"Registro NON aggiornato ({record}): correggi prima le sue righe segnalate qui sotto, poi "
                      f"rilancia «stampa geocodifica» — {found}.", markup=False)
        else:
            out.print(f"Registro non modificato ({record}): {found}.", markup=False)
    for line in position_lines(inputs):
        out.print(line, markup=False)
    problems: list[Problem] = list(inputs.problems)
    if problems:
        print_problems(problems)
    return 1 if any(p.level == ERROR for p in problems) else 0
