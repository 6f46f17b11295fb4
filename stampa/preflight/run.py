"""Run every check on every file and write `verifica.json`."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable, Protocol, Sequence

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
    return _assemble([_check_parts(spec, base, range(len(checks)), checks)], len(checks))


FILE_LEVEL = -1  # the key of the finding that the file could not be checked at all

Parts = dict[int, list[Finding]]


def _check_parts(spec: FileToCheck, base: Path | None, wanted: Sequence[int], checks: Sequence[Check] = CHECKS) -> Parts:
    """The findings of the checks ``wanted`` (indices into ``checks``), one list each and not yet
    merged across pages, so that parts checked in different processes join as if checked at once
    (:func:`_assemble`). Key :data:`FILE_LEVEL`: the file is missing or unreadable."""
    doc = _open(spec, base)
    if not isinstance(doc, PdfFile):
        return doc
    with doc:
        return _run_checks(doc, wanted, checks)


def _open(spec: FileToCheck, base: Path | None) -> PdfFile | Parts:
    """The file opened for checking, or the :data:`FILE_LEVEL` finding that it cannot be."""
    path = Path(spec.path)
    if base is not None and not path.is_absolute():
        path = base / path
    if not path.is_file():
        return {FILE_LEVEL: [
            finding(ERROR, "file", "file non trovato", spec, found=str(path), expected="il PDF costruito",
                    fix="Costruisci l'edizione con «stampa edizione» prima di verificarla.")
        ]}
    try:
        return PdfFile(spec, path)
    except (pikepdf.PdfError, pdfium.PdfiumError, OSError) as exc:
        return {FILE_LEVEL: [
            finding(ERROR, "file", "il file non è un PDF leggibile", spec, found=str(exc)[:100], expected="un PDF valido",
                    fix="Ricostruisci il file con «stampa edizione»; se viene da altrove, esportalo di nuovo in PDF.")
        ]}


def _run_checks(doc: PdfFile, wanted: Sequence[int], checks: Sequence[Check] = CHECKS) -> Parts:
    # The checks that read the text share one pass over the pages (one page in memory at a
    # time); the others run on their own.
    streaming = {k: checks[k].visitor(doc) for k in wanted if hasattr(checks[k], "visitor")}
    found: Parts = dict(zip(streaming, visit_pages(doc, list(streaming.values()))))
    for k in wanted:
        if k not in found:
            found[k] = checks[k](doc)
    return found


def _timed_jobs_of_file(spec: FileToCheck, base: Path | None, parts: Sequence[tuple[int, ...]]) -> list[tuple[Parts, float]]:
    """Several jobs of one file with the file opened once, for a check that starts early: the
    build moves the file into place while it runs, and an open file stays readable."""
    doc = _open(spec, base)
    if not isinstance(doc, PdfFile):
        return [(doc, 0.0) for _ in parts]
    out = []
    with doc:
        for wanted in parts:
            t0 = time.perf_counter()
            out.append((_run_checks(doc, wanted), time.perf_counter() - t0))
    return out


def _assemble(parts: Sequence[Parts], count: int) -> list[Finding]:
    """One file's findings from its parts, in the order of the checks, merged across pages."""
    for part in parts:
        if FILE_LEVEL in part:
            return part[FILE_LEVEL]
    joined: Parts = {}
    for part in parts:
        joined.update(part)
    return merge_pages([f for k in range(count) for f in joined.get(k, ())])


class Early(Protocol):
    """A file checked ahead, while the edition was still being built (see :mod:`.early`)."""

    def claim(self, spec: FileToCheck, path: Path) -> Callable[[], list[tuple[Parts, float]] | None] | None: ...


def run_preflight(files: Sequence[FileToCheck], out_dir: Path | None, *, base: Path | None = None,
                  write_report: bool = True, early: Sequence[Early] = ()) -> PreflightResult:
    """Check ``files`` (paths relative to ``base``, default ``out_dir``) and write
    ``out_dir/verifica.json``. ``ok`` is False when a print file has an error. A file among
    ``early`` (same spec, same file) is not checked again: its findings are waited for."""
    started = time.perf_counter()
    base = base if base is not None else out_dir
    jobs = _jobs(files)
    ahead = _checked_ahead(files, base, early)
    here, aside = _share(files, jobs, [k for k, job in enumerate(jobs) if job[0] not in ahead])
    wait = _start_aside(files, base, jobs, aside)
    # The jobs of this process first, then those of the other one are waited for (waiting first
    # would leave this process idle); a job the other process could not do is done here.
    done: dict[int, tuple[Parts, float]] = {k: _timed_job(files[job[0]], base, job[1]) for k, job in enumerate(jobs) if k in here}
    got = wait() if wait is not None else None
    for k in aside:
        done[k] = got[aside.index(k)] if got is not None else _timed_job(files[jobs[k][0]], base, jobs[k][1])
    for i, take in ahead.items():
        mine = [k for k, job in enumerate(jobs) if job[0] == i]
        results = take()
        for n, k in enumerate(mine):
            done[k] = results[n] if results is not None and len(results) == len(mine) else _timed_job(files[i], base, jobs[k][1])
    findings: list[Finding] = []
    outcomes: list[FileOutcome] = []
    for i, spec in enumerate(files):
        mine = [k for k, job in enumerate(jobs) if job[0] == i]
        found = _assemble([done[k][0] for k in mine], len(CHECKS))
        findings += found
        outcomes.append(
            FileOutcome(
                spec,
                errors=sum(f.is_error for f in found),
                warnings=sum(not f.is_error for f in found),
                seconds=sum(done[k][1] for k in mine),
            )
        )
    ok = not any(o.errors for o in outcomes if o.file.is_print)
    result = PreflightResult(tuple(findings), ok, tuple(outcomes), time.perf_counter() - started)
    if write_report and out_dir is not None:
        path = Path(out_dir) / REPORT_NAME
        write_text(path, json.dumps(report_data(result), ensure_ascii=False, indent=2) + "\n")
        result = PreflightResult(result.findings, result.ok, result.files, result.seconds, str(path))
    return result


# A file this long is checked in parts shared with a second process (two cores).
ASIDE_FROM_PAGES = 48

# How a long file is cut into parts, and what each costs per page (CPU seconds of a booklet page
# holding about 6,000 characters, measured with the atlases of bench/run.py --solo grandi): reading
# the text for the text checks (the page's text and text objects; characters one by one only where
# a check needs them), looking for QR codes (a page rendered only where a code is expected or could
# be), and walking the content streams for images and colours (print files only). Only the ratios
# matter: they share the parts.
_ALL = tuple(range(len(CHECKS)))
_QR = tuple(k for k in _ALL if CHECKS[k] is check_qr)
_CONTENT = tuple(k for k in _ALL if CHECKS[k] in (check_images, check_colour))
_TEXT = tuple(k for k in _ALL if k not in _QR + _CONTENT)
_COST_PER_PAGE = {_TEXT: 0.008, _QR: 0.002, _CONTENT: 0.001}

Job = tuple[int, tuple[int, ...]]  # a file (index into the files) and the checks to run on it


def _jobs(files: Sequence[FileToCheck]) -> list[Job]:
    """Every file is one job, except long files, which are three (text, QR codes, content)."""
    out: list[Job] = []
    for i, spec in enumerate(files):
        if (spec.expected_pages or 0) >= ASIDE_FROM_PAGES:
            out += [(i, _TEXT), (i, _QR)] + ([(i, _CONTENT)] if spec.is_print else [])
        else:
            out.append((i, _ALL))
    return out


def _checked_ahead(files: Sequence[FileToCheck], base: Path | None, early: Sequence[Early]) -> dict[int, Callable[[], list | None]]:
    """The files (indices) an early check has taken, each with the function that waits for its
    findings (one result per job of the file; None: the file is checked here after all)."""
    out: dict[int, Callable[[], list | None]] = {}
    for i, spec in enumerate(files):
        path = Path(spec.path) if base is None or Path(spec.path).is_absolute() else base / spec.path
        for e in early:
            take = e.claim(spec, path)
            if take is not None:
                out[i] = take
                break
    return out


def _share(files: Sequence[FileToCheck], jobs: list[Job], todo: Sequence[int] | None = None) -> tuple[list[int], list[int]]:
    """Which jobs (of ``todo``, default all) this process runs and which a second one does: the
    longest first, each to the less loaded of the two (short files always here: a second process
    costs a second or two to start)."""
    import os

    todo = list(range(len(jobs))) if todo is None else list(todo)
    here = [k for k in todo if jobs[k][1] == _ALL]
    split = [k for k in todo if k not in here]
    if (os.cpu_count() or 1) < 2 or not split:
        return todo, []

    def cost(k: int) -> float:
        i, checks = jobs[k]
        return (files[i].expected_pages or 0) * _COST_PER_PAGE[checks]

    load = [0.0, 0.0]
    aside: list[int] = []
    for k in sorted(split, key=cost, reverse=True):
        which = 0 if load[0] <= load[1] else 1
        load[which] += cost(k)
        (here if which == 0 else aside).append(k)
    return sorted(here), sorted(aside)


def _timed_job(spec: FileToCheck, base: Path | None, checks: Sequence[int]) -> tuple[Parts, float]:
    t0 = time.perf_counter()
    return _check_parts(spec, base, checks), time.perf_counter() - t0


def _timed_jobs(jobs: list[tuple[FileToCheck, Path | None, tuple[int, ...]]]) -> list[tuple[Parts, float]]:
    return [_timed_job(*job) for job in jobs]


def _start_aside(files: Sequence[FileToCheck], base: Path | None, jobs: list[Job], aside: list[int]) -> Callable[[], list | None] | None:
    """Start the second process on its jobs (a fresh interpreter: a fork of a process that has
    just built a large edition would count all its memory twice); None when there are none."""
    if not aside:
        return None
    from ..forking import in_fresh_process

    return in_fresh_process(_timed_jobs, [(files[jobs[k][0]], base, jobs[k][1]) for k in aside])


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
