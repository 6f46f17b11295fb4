"""The preflight as staff read it in the terminal: one table per file, errors first, with what
to do about each row."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..problems import how_many
from .model import PreflightResult

_LEVEL = {"errore": "[bold red]ERRORE[/]", "avviso": "[yellow]AVVISO[/]"}
_VERSION = {"stampa": "per la tipografia", "digitale": "digitale"}


def print_report(result: PreflightResult, console: Console) -> None:
    for outcome in result.files:
        spec = outcome.file
        rows = [f for f in result.findings if f.file == spec.name]
        head = f"[bold]{spec.name}[/] ({spec.prodotto}, {_VERSION.get(spec.versione, spec.versione)})"
        if not rows:
            console.print(f"[green]✓[/] {head}: nessun problema.")
            continue
        rows.sort(key=lambda f: (not f.is_error, f.page or 0))
        table = Table(title=head, title_justify="left", show_lines=True, expand=False)
        for name, style in (("", None), ("cosa", "bold"), ("pagina", None), ("trovato", None), ("atteso", None),
                            ("come rimediare", "dim")):
            table.add_column(name, style=style, overflow="fold")
        for f in rows:
            table.add_row(_LEVEL[f.level], f.message, f.pages_label() or "—", f.found, f.expected, f.fix)
        console.print(table)
    errors = sum(o.errors for o in result.files if o.file.is_print)
    warnings = sum(o.warnings for o in result.files)
    seconds = f"{result.seconds:.1f}".replace(".", ",")
    if result.ok:
        console.print(f"[bold green]Verifica superata[/]: {len(result.files)} file, {how_many(warnings, 'avviso', 'avvisi')} ({seconds} s).")
    else:
        console.print(
            f"[bold red]Verifica non superata[/]: {how_many(errors, 'errore', 'errori')} nei file per la tipografia, "
            f"{how_many(warnings, 'avviso', 'avvisi')} "
            f"({seconds} s). Correggi gli errori prima di consegnare i file."
        )
    if result.report_path:
        console.print(f"Dettagli in {result.report_path}", markup=False)
