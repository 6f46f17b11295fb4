"""What to check: the files listed in `rapporto.json` (with what their products promise, read by
:func:`stampa.printspec.read_file_record`, where the format is documented), or PDFs named on the
command line (then the page boxes themselves say what the product is).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pikepdf

from ..printspec import read_file_record
from ..problems import Problem, StampaError, error
from .geometry import Rect
from .model import FileToCheck, pt_to_mm

CHECKED_VERSIONS = ("stampa", "digitale")
HOUSE_BLEED_MM = 3.0  # DESIGN.md: 3 mm bleed on every side


class _Problems:
    """The faults of one `rapporto.json`, each naming the file and the place in it."""

    def __init__(self, report: Path):
        self.report = report
        self.problems: list[Problem] = []

    def bad(self, where: str, message: str, value: Any = None) -> None:
        self.problems.append(
            error(message, file=str(self.report), where=where, value=None if value is None else json.dumps(value, ensure_ascii=False)[:60])
        )


def files_from_report(report: Path) -> list[FileToCheck]:
    """The PDFs listed in a `rapporto.json` (paths relative to its folder)."""
    report = Path(report)
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StampaError(
            error("rapporto.json non trovato: costruisci prima l'edizione con «stampa edizione», "
                  "o indica i PDF da verificare.", file=str(report))
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StampaError(error(f"rapporto.json non è leggibile ({exc}): ricostruiscilo con «stampa edizione».",
                                file=str(report))) from None
    found = _Problems(report)
    items = data.get("file") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise StampaError(error("rapporto.json non elenca i file («file»): ricostruiscilo con «stampa edizione».",
                                file=str(report)))
    specs = [read_file_record(item, f"file[{i}]", found.bad, CHECKED_VERSIONS) for i, item in enumerate(items)]
    if found.problems:
        raise StampaError(found.problems)
    return [FileToCheck.from_spec(s, label=s.path) for s in specs if s is not None]


def file_from_pdf(path: Path) -> FileToCheck:
    """A PDF named by the user: the TrimBox of its first page gives the format (all pages must
    match it) and the house rule the bleed (3 mm). Names containing "digitale" are digital files,
    everything else is checked as a print file."""
    path = Path(path)
    trim_mm: tuple[float, float] | None = None
    try:
        with pikepdf.open(path) as pdf:
            if len(pdf.pages):
                trim = pdf.pages[0].obj.get("/TrimBox")
                if trim is not None:
                    t = Rect.from_array(trim)
                    trim_mm = (round(pt_to_mm(t.width), 1), round(pt_to_mm(t.height), 1))
    except (pikepdf.PdfError, OSError):
        pass  # reported when the file is checked
    versione = "digitale" if "digitale" in path.name.lower() else "stampa"
    return FileToCheck(
        path=str(path), prodotto=path.stem, versione=versione, trim_mm=trim_mm,
        bleed_mm=HOUSE_BLEED_MM if versione == "stampa" else 0.0, label=str(path),
    )
