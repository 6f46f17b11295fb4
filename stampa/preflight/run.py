"""Run every check on every file and write `verifica.json`."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable, Sequence

import pikepdf
import pypdfium2 as pdfium

from ..outputs import write_text
from ..problems import ERROR
from .check_colour import check_colour
from .check_fonts import check_fonts
from .check_images import check_images
from .check_layout import check_text_layout
from .check_links import check_links
from .check_pages import check_pages
from .check_qr import check_qr
from .check_text import check_expected_texts, check_overflow, check_text_size
from .document import PdfFile, visit_pages
from .model import FileOutcome, FileToCheck, Finding, PreflightResult, finding, merge_pages

REPORT_NAME = "verifica.json"

Check = Callable[[PdfFile], list[Finding]]

# In the order a print designer reads a preflight report: the file as a whole, then type, images,
# colour, then what only stampa knows (texts, QR codes).
CHECKS: tuple[Check, ...] = (
    check_pages,
    check_fonts,
    check_text_size,
    check_overflow,
    check_text_layout,
    check_images,
    check_colour,
    check_links,
    check_expected_texts,
    check_qr,
)


def check_file(spec: FileToCheck, base: Path | None = None, checks: Sequence[Check] = CHECKS) -> list[Finding]:
    """All findings for one file. ``spec.path`` is relative to ``base`` unless absolute."""
    path = Path(spec.path)
    if base is not None and not path.is_absolute():
        path = base / path
    if not path.is_file():
        return [
            finding(ERROR, "file", "file non trovato", spec, found=str(path), expected="il PDF costruito",
                    fix="Costruisci l'edizione con «stampa edizione» prima di verificarla.")
        ]
    try:
        doc = PdfFile(spec, path)
    except (pikepdf.PdfError, pdfium.PdfiumError, OSError) as exc:
        return [
            finding(ERROR, "file", "il file non è un PDF leggibile", spec, found=str(exc)[:100], expected="un PDF valido",
                    fix="Ricostruisci il file con «stampa edizione»; se viene da altrove, esportalo di nuovo in PDF.")
        ]
    with doc:
        # The checks that read the text share one pass over the pages (one page in memory at a
        # time); the others run on their own. Findings keep the order of ``checks``.
        streaming = {k: check.visitor(doc) for k, check in enumerate(checks) if hasattr(check, "visitor")}
        by_check = dict(zip(streaming, visit_pages(doc, list(streaming.values()))))
        found: list[Finding] = []
        for k, check in enumerate(checks):
            found += by_check[k] if k in by_check else check(doc)
    return merge_pages(found)


def run_preflight(files: Sequence[FileToCheck], out_dir: Path | None, *, base: Path | None = None,
                  write_report: bool = True) -> PreflightResult:
    """Check ``files`` (paths relative to ``base``, default ``out_dir``) and write
    ``out_dir/verifica.json``. ``ok`` is False when a print file has an error."""
    started = time.perf_counter()
    base = base if base is not None else out_dir
    findings: list[Finding] = []
    outcomes: list[FileOutcome] = []
    aside = _checked_aside(files, base)
    # The files checked here first, then those checked aside are waited for (waiting first would
    # leave this process idle); the outcomes keep the order of ``files``.
    done: dict[int, tuple[list[Finding], float]] = {}
    for k in [k for k in range(len(files)) if k not in aside] + list(aside):
        timed = aside[k]() if k in aside else None
        if timed is None:  # not checked aside, or the other process failed: checked here
            t0 = time.perf_counter()
            timed = (check_file(files[k], base), time.perf_counter() - t0)
        done[k] = timed
    for k, spec in enumerate(files):
        got, seconds = done[k]
        findings += got
        outcomes.append(
            FileOutcome(
                spec,
                errors=sum(f.is_error for f in got),
                warnings=sum(not f.is_error for f in got),
                seconds=seconds,
            )
        )
    ok = not any(o.errors for o in outcomes if o.file.is_print)
    result = PreflightResult(tuple(findings), ok, tuple(outcomes), time.perf_counter() - started)
    if write_report and out_dir is not None:
        path = Path(out_dir) / REPORT_NAME
        write_text(path, json.dumps(report_data(result), ensure_ascii=False, indent=2) + "\n")
        result = PreflightResult(result.findings, result.ok, result.files, result.seconds, str(path))
    return result


# A file this long is checked in a second process while this one checks the others (two cores).
ASIDE_FROM_PAGES = 48


def _timed_check(spec: FileToCheck, base: Path | None) -> tuple[list[Finding], float]:
    t0 = time.perf_counter()
    return check_file(spec, base), time.perf_counter() - t0


def _checked_aside(files: Sequence[FileToCheck], base: Path | None) -> dict[int, Callable[[], tuple[list[Finding], float] | None]]:
    """The longest file, started in a second process when there is another long one to check here
    meanwhile (a large booklet's print and digital versions). Its outcome is waited for in order."""
    import os

    if (os.cpu_count() or 1) < 2:
        return {}
    long = sorted((k for k, f in enumerate(files) if (f.expected_pages or 0) >= ASIDE_FROM_PAGES), key=lambda k: -(files[k].expected_pages or 0))
    if len(long) < 2:
        return {}
    from ..forking import in_fresh_process

    wait = in_fresh_process(_timed_check, files[long[0]], base)
    return {long[0]: wait} if wait is not None else {}


def report_data(result: PreflightResult) -> dict:
    """The content of `verifica.json`."""
    return {
        "esito": "superata" if result.ok else "non superata",
        "ok": result.ok,
        "durata_s": round(result.seconds, 2),
        "file": [
            {
                "path": o.file.name,
                "prodotto": o.file.prodotto,
                "versione": o.file.versione,
                "errori": o.errors,
                "avvisi": o.warnings,
                "durata_s": round(o.seconds, 2),
            }
            for o in result.files
        ],
        "risultati": [f.as_dict() for f in result.findings],
    }
