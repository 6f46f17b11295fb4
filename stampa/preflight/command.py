"""`stampa verifica`: the preflight from the command line (and at the end of `stampa edizione`)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ..terminal import console
from .model import PreflightResult
from .report import print_report
from .run import run_preflight
from .sources import file_from_pdf, files_from_report

REPORT = "rapporto.json"


def preflight_report_file(report: Path, *, show: bool = True) -> PreflightResult:
    """Check the files listed in a `rapporto.json` (paths relative to its folder), write
    `verifica.json` beside it and, with ``show``, print the table. What `stampa edizione` runs last."""
    report = Path(report)
    result = run_preflight(files_from_report(report), report.parent)
    if show:
        print_report(result, console())
    return result


def verify_folder(out_dir: Path) -> int:
    """`stampa verifica` on a build folder. Exit code: 0 passed (warnings allowed), 1 a print file failed."""
    return 0 if preflight_report_file(Path(out_dir) / REPORT).ok else 1


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
