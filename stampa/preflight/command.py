"""`stampa verifica`: the preflight from the command line (and at the end of `stampa edizione`)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ..terminal import console
from .model import PreflightResult
from .report import print_report
from .run import Early, run_preflight
from .sources import file_from_pdf, files_from_report

REPORT = "rapporto.json"


def preflight_report_file(report: Path, *, show: bool = True, early: Sequence[Early] = ()) -> PreflightResult:
    """Check the files listed in a `rapporto.json` (paths relative to its folder), write
    `verifica.json` beside it and, with ``show``, print the table. What `stampa edizione` runs last
    (``early``: files it had started checking while still building, see :mod:`.early`)."""
    report = Path(report)
    result = run_preflight(files_from_report(report), report.parent, early=early)
    if show:
        print_report(result, console())
    return result


def verify_folder(out_dir: Path) -> int:
    """`stampa verifica` on a build folder. Exit code: 0 passed (warnings allowed), 1 a print file
    failed. Files that are not what rapporto.json describes (an interrupted build) are warned about."""
    from ..report import files_not_as_reported, read_report
    from ..terminal import print_problems

    report = Path(out_dir) / REPORT
    mixed = []
    if report.is_file():
        try:
            mixed = files_not_as_reported(Path(out_dir), read_report(report))
        except (ValueError, AttributeError):
            mixed = []  # an unreadable report is the preflight's own error, below
    ok = preflight_report_file(report).ok
    if mixed:
        print_problems(mixed)
    return 0 if ok else 1


def verify_pdfs(pdfs: Sequence[Path], out_dir: Path | None = None) -> int:
    """Check PDFs named by the user; ``verifica.json`` only when an output folder is given."""
    files = [file_from_pdf(Path(p)) for p in pdfs]
    result = run_preflight(files, out_dir, base=Path.cwd(), write_report=out_dir is not None)
    print_report(result, console())
    return 0 if result.ok else 1


def run_verifica(config: Path, out: Path | None, pdfs: Sequence[Path]) -> int:
    if pdfs:
        return verify_pdfs(pdfs, out)
    if out is None:
        from ..config import load_config

        out = load_config(config).uscita.cartella
    return verify_folder(out)
