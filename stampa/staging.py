"""A whole edition is built aside, then moved into the output folder in one short step.

Each file is already written atomically (stampa.outputs), but a build that stops halfway, with an
error in the manifesto or a full disk, would otherwise leave the new Mappa beside the previous
edition's posters and report. The products write into ``<out>/.stampa-nuova/``; only when every
product succeeded are the files renamed into place (renames within one folder tree: a few
milliseconds for the whole edition), the report last. A failed build leaves the previous edition
exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from .outputs import output_error
from .problems import StampaError

STAGING_NAME = ".stampa-nuova"
LAST = "rapporto.json"  # moved after everything it describes


def staging_dir(out_dir: Path) -> Path:
    return Path(out_dir) / STAGING_NAME


def remove_staging(out_dir: Path) -> None:
    """Drop what a failed or killed build left aside (call while holding the folder's lock)."""
    shutil.rmtree(staging_dir(out_dir), ignore_errors=True)


@contextlib.contextmanager
def staged(out_dir: Path) -> Iterator[Path]:
    """Yield the folder to build into; on success move its files into ``out_dir``; on any
    failure remove it, and say where problems are in terms of the real output folder."""
    out_dir = Path(out_dir)
    stage = staging_dir(out_dir)
    remove_staging(out_dir)
    try:
        stage.mkdir(parents=True)
    except OSError as exc:
        raise StampaError(output_error(out_dir, exc)) from None
    try:
        yield stage
    except StampaError as exc:
        remove_staging(out_dir)
        raise StampaError([relocate(p, stage, out_dir) for p in exc.problems]) from None
    except BaseException:
        remove_staging(out_dir)
        raise
    publish(stage, out_dir)


def publish(stage: Path, out_dir: Path) -> list[Path]:
    """Rename every file of ``stage`` to the same place under ``out_dir``; the report last."""
    files = sorted((p for p in stage.rglob("*") if p.is_file()), key=lambda p: (p.name == LAST, str(p)))
    targets = [out_dir / p.relative_to(stage) for p in files]
    # Folders first, all of them: a file where a folder must go fails here, before any move.
    for target in dict.fromkeys(t.parent for t in targets):
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            remove_staging(out_dir)
            raise StampaError(output_error(target, exc)) from None
    for source, target in zip(files, targets):
        try:
            os.replace(source, target)
        except OSError as exc:
            remove_staging(out_dir)
            raise StampaError(output_error(target, exc)) from None
    remove_staging(out_dir)
    return targets


def relocate(problem, stage: Path, out_dir: Path):  # noqa: ANN001, ANN201 - a Problem
    """The problem as the user must read it: files named where they end up, not in the staging folder."""
    if problem.file and problem.file.startswith(str(stage)):
        return replace(problem, file=str(out_dir) + problem.file[len(str(stage)):])
    return problem
