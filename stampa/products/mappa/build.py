"""The Mappa, start to end: plan → basemaps → (plan again if their credits differ) → draw both
versions → previews. Each step is a function over plain data (``plan``, ``render``); this module
only puts them in order and describes what was built for rapporto.json and the preflight."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from ...basemap import Basemap, View, outlines
from ...cartography import MapLayout
from ...config import Config
from ...entries.model import Entry
from ...forking import in_child
from ...numbering import Numbered
from ...printing.previews import write_previews
from ...printing.theme import Theme
from ...printspec import FileSpec
from ...problems import Problem
from .formats import Panel
from .plan import PARALLEL_FROM, plan_layout, plan_maps, prepare

PARALLEL_UNTIL = 20000  # entries; from here on the digital version is drawn after the print one
from .render import PRODUCT, file_record, file_spec, render_version

__all__ = ["MappaResult", "build_mappa", "vector_basemaps"]

# The basemaps of the Mappa: every view by name → its basemap, asked in one call so a source
# can fetch all views at once (the OpenStreetMap data is one request for the whole district).
Basemaps = Callable[[Mapping[str, View]], Mapping[str, Basemap]]


@dataclass(frozen=True)
class MappaResult:
    files: tuple[dict, ...]  # records for rapporto.json (the PDFs' with what the preflight must find)
    layout: MapLayout
    numbered: tuple[Numbered, ...]
    basemaps: dict[str, Basemap]
    warnings: tuple[Problem, ...]
    specs: dict[str, FileSpec]  # PDF (relative) → its format and what the preflight must find
    formato: str
    index_scale: float  # 1.0 = the designed size; smaller = the index was shrunk to fit
    panels: tuple[Panel, ...] = field(default=())
    format_reason: str = ""  # why this format, when stampa chose it («formato = "automatico"»)


def vector_basemaps(views: Mapping[str, View]) -> dict[str, Basemap]:
    """The comune outlines as the basemap of every view (no network, no file)."""
    return {name: outlines(v, name=name) for name, v in views.items()}


def build_mappa(
    cfg: Config,
    entries: Sequence[Entry],
    district,
    out_dir: Path,
    *,
    theme: Theme,
    layout_dir: Path,
    basemaps: Basemaps | None = None,
    preview_dpi: float | None = None,
    new_ids: frozenset[str] = frozenset(),
    expected_credits: Sequence[str] | None = None,
    on_print_file: Callable[[dict[str, Any], Path], None] | None = None,
) -> MappaResult:
    """Build the Mappa in the configured format: ``mappa-stampa.pdf``, ``mappa-digitale.pdf`` and
    ``anteprime/mappa-p<N>.png`` in ``out_dir``. Raises StampaError for an edition the format
    cannot hold, an entry too long for an index column, or bad layout texts. ``expected_credits``:
    the credit lines the configured basemap source prints (None: not known before fetching).
    ``on_print_file(record, out_dir)``: called once the print file is written, when the digital
    version is then drawn in this process (the caller may check the print file meanwhile)."""
    out_dir = Path(out_dir)
    fetch = basemaps or vector_basemaps
    setup = prepare(cfg, entries, district, layout_dir, new_ids)  # new_ids: marked «Novità» in the index

    # The map is planned before its basemaps are fetched, with the credit lines the source is
    # expected to print (they size the credits box, which moves the inset); a single map is planned
    # again only when the basemaps credit otherwise (a fallback), and fetched again only if that
    # moved a view. Atlas sheets do not depend on the credits.
    expected = None if expected_credits is None else tuple(expected_credits)
    maps = plan_maps(setup, expected)
    bms = dict(fetch(maps.views))
    attribution = credits(bms)
    if maps.sheets is None and attribution != expected:
        again = plan_maps(setup, attribution)
        if again.views != maps.views:
            bms = dict(fetch(again.views))
            attribution = credits(bms)
        maps = again
    plan = plan_layout(setup, maps, attribution)

    # A large edition draws its digital version in a second process (forked: it shares the plan
    # and the wrapped index) while this one draws the print version: two cores, half the wait.
    # Above PARALLEL_UNTIL the two drawings at once would need more memory than a 2 GB machine
    # has (measured: 2.3 GB for 30,000 entries, the child's copy of the plan included): one
    # after the other they stay under 1.7 GB, for ~30 s more.
    parallel = PARALLEL_FROM <= len(setup.numbered) < PARALLEL_UNTIL
    child = in_child(render_version, plan, bms, "digitale", out_dir, theme) if parallel else None
    printed = render_version(plan, bms, "stampa", out_dir, theme)
    if child is None and on_print_file is not None:
        # The digital version is drawn here next, on one core: the caller may start checking the
        # print file on the other (stampa.preflight.early).
        on_print_file(printed.record, out_dir)
    digital = (child() if child else None) or render_version(plan, bms, "digitale", out_dir, theme)

    warnings = list(plan.warnings)
    for b in bms.values():
        warnings.extend(b.problems)
    warnings.extend(p for p in printed.problems if p not in warnings)
    files = [printed.record, digital.record]
    previews = write_previews(
        out_dir / printed.name, out_dir / "anteprime", PRODUCT, preview_dpi or cfg.uscita.anteprime_dpi, max_pages=cfg.mappa.anteprime_pagine
    )
    files += [file_record(p, file_spec(p, out_dir, "anteprima", plan.fmt, 1), plan.fmt) for p in previews]
    return MappaResult(
        files=tuple(files),
        layout=printed.layout,
        numbered=setup.numbered,
        basemaps=bms,
        warnings=tuple(warnings),
        specs={printed.name: printed.spec, digital.name: digital.spec},
        formato=plan.fmt.name,
        index_scale=plan.flow.scale,
        panels=plan.fmt.panels("stampa"),
        format_reason=setup.format_reason,
    )


def credits(bms: Mapping[str, Basemap]) -> tuple[str, ...]:
    """The credit lines of the basemaps, each once, in view order."""
    lines: list[str] = []
    for b in bms.values():
        for line in b.attribution:
            if line not in lines:
                lines.append(line)
    return tuple(lines)
