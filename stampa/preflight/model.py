"""Plain data of the preflight: what a file must be (:class:`FileToCheck`), what was found
(:class:`Finding`) and the outcome of a run (:class:`PreflightResult`).

Units: millimetres for sizes and positions on paper, points (1/72 in) for type sizes, pixels per
inch for images. Positions on a page (folds, expected text) are measured in millimetres from the
lower-left corner of the trimmed page (the TrimBox), x to the right and y upwards, as ReportLab
draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal

from ..printspec import MIN_TEXT_PT, SAFE_MARGIN_MM, FileSpec, Fold, PrintSpec, QrSpec, TextSpec  # re-exported
from ..problems import ERROR, WARNING, Level, Problem
from ..units import PT_PER_MM  # re-exported

Version = Literal["stampa", "digitale"]

# Print rules (DESIGN.md, "Rules of the trade"); the text size and safe margin are in stampa.printspec.
MIN_PPI = 250
LARGE_FORMAT_MIN_PPI = 150  # posters ≥ A2 are read from farther away: 150–250 ppi is a warning
LARGE_FORMAT_AREA_MM2 = 420 * 594  # A2


@dataclass(frozen=True)
class FileToCheck:
    """One built PDF and what its product says it must be: a :class:`stampa.printspec.FileSpec`
    flattened (every field of its ``PrintSpec`` is a field here, same name),
    or, for a PDF named on the command line, what its page boxes say.

    ``trim_mm``: the finished (cut) size, width × height, of every page. ``bleed_mm``: the bleed
    each side of print files (0 for digital files). ``expected_pages`` None: not checked.
    ``min_ppi``: images below it are errors in print files; ``warn_ppi``: images below it (and at
    least ``min_ppi``) are warnings. None → from the format: 250/250 ppi, or 150/250 ppi on
    posters of A2 and larger.
    """

    path: str
    prodotto: str
    versione: Version
    trim_mm: tuple[float, float] | None
    bleed_mm: float = 0.0
    expected_pages: int | None = None
    qr: tuple[QrSpec, ...] = ()
    folds: tuple[Fold, ...] = ()
    texts_expected: tuple[TextSpec, ...] = ()
    min_ppi: float | None = None
    warn_ppi: float | None = None
    safe_margin_mm: float = SAFE_MARGIN_MM
    min_text_pt: float = MIN_TEXT_PT
    label: str = ""  # how the file is named in messages (the path relative to the report's folder)
    links_expected: bool | None = None  # digital files: None/True → clickable links expected

    @classmethod
    def from_spec(cls, spec: FileSpec, label: str = "") -> "FileToCheck":
        """What ``spec`` (as its product wrote it in `rapporto.json`) asks of the file."""
        check = spec.check or PrintSpec()
        return cls(
            path=spec.path, prodotto=spec.prodotto, versione=spec.versione,  # type: ignore[arg-type]
            trim_mm=spec.trim_mm, bleed_mm=spec.bleed_mm, expected_pages=spec.expected_pages, label=label,
            **{f.name: getattr(check, f.name) for f in fields(PrintSpec)},
        )

    @property
    def is_print(self) -> bool:
        return self.versione == "stampa"

    @property
    def name(self) -> str:
        return self.label or self.path

    def ppi_limits(self) -> tuple[float, float]:
        """(error below, warning below) in ppi."""
        large = self.trim_mm is not None and self.trim_mm[0] * self.trim_mm[1] >= LARGE_FORMAT_AREA_MM2 - 1
        low = self.min_ppi if self.min_ppi is not None else (LARGE_FORMAT_MIN_PPI if large else MIN_PPI)
        warn = self.warn_ppi if self.warn_ppi is not None else max(low, MIN_PPI)
        return float(low), float(max(warn, low))


@dataclass(frozen=True)
class Finding:
    """One result of a check, as a row of the table: ``message`` (cosa), ``page`` (pagina, 1-based,
    None for the whole file), ``found`` (trovato), ``expected`` (atteso), ``fix`` (come rimediare)."""

    level: Level
    check: str  # short id of the check: pagine, formato, rifilo, abbondanza, caratteri, …
    message: str
    file: str
    pages: tuple[int, ...] = ()  # empty: the whole file
    found: str = ""
    expected: str = ""
    fix: str = ""

    def __post_init__(self) -> None:
        # Texts quoted from a page come from pdfium one UTF-16 unit per character: an emoji arrives
        # as its two halves, which JSON and the terminal cannot write. Put each pair back together.
        for name in ("message", "found", "expected"):
            value = getattr(self, name)
            if any("\ud800" <= ch <= "\udfff" for ch in value):
                object.__setattr__(self, name, value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace"))

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    @property
    def page(self) -> int | None:
        """The first page concerned (1-based), None for the whole file."""
        return self.pages[0] if self.pages else None

    def pages_label(self) -> str:
        return pages_label(self.pages)

    def as_dict(self) -> dict[str, object]:
        return {
            "livello": self.level,
            "controllo": self.check,
            "file": self.file,
            "pagine": list(self.pages),
            "cosa": self.message,
            "trovato": self.found,
            "atteso": self.expected,
            "come_rimediare": self.fix,
        }

    def as_problem(self) -> Problem:
        where = (("pagine " if len(self.pages) > 1 else "pagina ") + self.pages_label()) if self.pages else None
        detail = f" Trovato: {self.found}; atteso: {self.expected}." if self.found or self.expected else ""
        fix = f" {self.fix}" if self.fix else ""
        return Problem(self.level, f"{self.message}.{detail}{fix}", file=self.file, where=where)


@dataclass(frozen=True)
class FileOutcome:
    file: FileToCheck
    errors: int
    warnings: int
    seconds: float


@dataclass(frozen=True)
class PreflightResult:
    """``ok``: no print file has an error (warnings, and problems of digital files, never fail)."""

    findings: tuple[Finding, ...]
    ok: bool
    files: tuple[FileOutcome, ...] = field(default=())
    seconds: float = 0.0
    report_path: str | None = None  # verifica.json, when written


def finding(level: Level, check: str, message: str, file: FileToCheck, pages: int | tuple[int, ...] | None = None,
            *, found: str = "", expected: str = "", fix: str = "") -> Finding:
    """A finding about ``file``. Digital files never block printing: their errors become warnings."""
    if level == ERROR and not file.is_print:
        level = WARNING
    if pages is None:
        pages = ()
    elif isinstance(pages, int):
        pages = (pages,)
    return Finding(level, check, message, file.name, tuple(pages), found, expected, fix)


def pages_label(pages: tuple[int, ...]) -> str:
    """(1, 2, 3, 5) → "1–3, 5"."""
    parts: list[str] = []
    run: list[int] = []
    for p in sorted(set(pages)) + [None]:  # type: ignore[list-item]
        if run and (p is None or p != run[-1] + 1):
            parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}")
            run = []
        if p is not None:
            run.append(p)
    return ", ".join(parts)


def merge_pages(findings: list[Finding]) -> list[Finding]:
    """Findings that differ only by page become one row listing the pages (a 40-page file with the
    same fault on every page gives one row, not forty)."""
    order: list[tuple] = []
    merged: dict[tuple, Finding] = {}
    for f in findings:
        key = (f.level, f.check, f.message, f.file, f.found, f.expected, f.fix)
        if key in merged:
            old = merged[key]
            merged[key] = Finding(f.level, f.check, f.message, f.file, old.pages + f.pages, f.found, f.expected, f.fix)
        else:
            merged[key] = f
            order.append(key)
    return [merged[k] for k in order]


def mm(value: float) -> str:
    """A length as Italians write it: one decimal, decimal comma ("2,5 mm")."""
    return f"{value:.1f}".replace(".", ",") + " mm"


def num(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")




def pt_to_mm(value: float) -> float:
    return value / PT_PER_MM
