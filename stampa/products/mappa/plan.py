"""Planning the Mappa, without drawing anything: the format, the map views (one map with its
inset, or the overview and the atlas sheets), the index flow and what the preflight must find.

Plain data out of each step. The basemaps are not known here: the map is planned with the
attribution lines the caller expects (their box takes room on the map), and the caller plans
again when the basemaps it fetched give other lines (stampa.products.mappa.build).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from ...basemap import View
from ...cartography import plan_map, plan_sheets
from ...cartography.plan import SAMPLE_ATTRIBUTION, MapPlan, inset_option
from ...cartography.sheets import PagePlan, SheetsPlan, page_area, plan_page
from ...cartography.words import MapWords, positions_credit
from ...config import Config
from ...entries.model import Entry
from ...numbering import Numbered, number_entries
from ...printing.fonts import printed_text
from ...printing.page import DocInfo
from ...printing.typography import require_hyphenation
from ...printspec import TextSpec
from ...problems import Problem, StampaError, error, warning
from .formats import CENTRE_PAGE, PANEL_MARGIN_MM, Format, Panel, get_format
from .index import CapacityError, Column, Flow, fit_index, index_items
from .panels import BackMatter, header_height, index_header
from .styles import Fonts, load_fonts
from .texts import Texts, load_texts

COLUMN_GAP_MM = 5.0
MIN_INDEX_AREA_MM = 30.0  # below this a back panel carries no index columns
FOLIO_MM = 5.0  # booklet index pages: a foot line with the numbers listed and the page number
MAX_BOOKLET_INDEX_PAGES = 2000  # a safety stop, far above any real edition (10,000 entries take ~330)
PARALLEL_FROM = 1500  # entries; below this a second process costs more than it saves
# A fold is never exactly where it is drawn: names keep this far from it (the preflight's margin).
FOLD_BAND_MM = 5.0


AUTOMATIC = "automatico"


@dataclass(frozen=True, eq=False)
class Setup:
    """What every step of the Mappa reads: configuration (with the format decided), texts,
    fonts, the numbered entries."""

    cfg: Config
    texts: Texts
    fonts: Fonts
    numbered: tuple[Numbered, ...]
    district: Any = field(repr=False)
    format_reason: str = ""  # why this format, when stampa chose it («formato = "automatico"»)
    wrap_cache: dict = field(default_factory=dict, repr=False)  # index cards wrapped once

    def map_words(self) -> MapWords:
        """What the maps print; OpenStreetMap's credit for geocoded positions when an entry's point
        is an answer of the geocoding service (the sample record's rows and hand corrections are not)."""
        words = self.texts.map_words()
        if any(n.entry.position_osm for n in self.numbered):
            words = replace(words, positions_credit=self.texts("legenda.crediti_posizioni"))
        return words


@dataclass(frozen=True, eq=False)
class MapsPlan:
    """The map side: one map (``single``, with its inset, or in the booklet with ``centre``: the
    page enlarging central Pavia) or the atlas (``sheets``)."""

    single: MapPlan | None
    sheets: SheetsPlan | None
    frame_mm: tuple[float, float]
    centre: PagePlan | None = None

    @property
    def views(self) -> dict[str, View]:
        """Every view a basemap is needed for, by name."""
        return self.sheets.views if self.sheets is not None else self.single.views

    @property
    def overview(self) -> MapPlan:
        return self.sheets.overview if self.sheets is not None else self.single


@dataclass
class IndexColumns:
    """The index columns of one version's panels, with the header and back matter measured."""

    columns: list[Column]
    header_panel: int | None
    header: list
    back: dict[int, BackMatter]  # panel idx → back matter measured for it


@dataclass(frozen=True, eq=False)
class MappaPlan:
    """Everything drawing needs: the map side, the format with enough pages, the index flow
    (identical for both versions), the texts the preflight expects, the PDF metadata."""

    setup: Setup
    maps: MapsPlan
    attribution: tuple[str, ...]  # the basemaps' credit lines, printed in the back matter
    fmt: Format
    items: list
    flow: Flow
    wrap_cache: dict  # index cards wrapped once, reused by both versions
    expected: tuple[TextSpec, ...]  # texts the preflight must find (on their own index page in large booklets)
    info: DocInfo
    warnings: tuple[Problem, ...]

    @property
    def views(self) -> dict[str, View]:
        return self.maps.views

    def back_for(self, width: float, row: bool, links: bool = False) -> BackMatter:
        return back_matter(self.setup, self.attribution, width, row, links)

    def index_columns(self, version: str) -> IndexColumns:
        links = version == "digitale"
        return index_columns(self.fmt, self.fmt.panels(version), self.setup.texts, self.setup.fonts, lambda w, r: self.back_for(w, r, links))


# ---------------------------------------------------------------------------------------------


def prepare(cfg: Config, entries: Sequence[Entry], district, layout_dir: Path, new_ids: frozenset[str] = frozenset()) -> Setup:
    """Fonts, texts, numbers and the format: the first step, shared by planning and drawing.

    The format is settled here, before any map is planned: a fixed format that cannot hold the
    edition is refused at once (:class:`CapacityError`, one flow of the index), and
    ``automatico`` takes the A3 leaflet while the edition fits it, else the booklet."""
    require_hyphenation()
    fonts = load_fonts(cfg.mappa.carattere_titoli, cfg.mappa.carattere_testo, cfg.root / "fonts")
    texts = load_texts(layout_dir, cfg)
    setup = Setup(cfg, texts, fonts, tuple(number_entries(entries, new_ids)), district)
    return _settle_format(setup)


LEAFLET = "A3-pieghevole"
BOOKLET = "libretto"


def _settle_format(setup: Setup) -> Setup:
    cfg = setup.cfg
    asked = cfg.mappa.formato
    if asked == BOOKLET:
        return setup
    trial = replace(setup, cfg=replace(cfg, mappa=replace(cfg.mappa, formato=LEAFLET if asked == AUTOMATIC else asked)))
    try:
        _capacity_check(trial)
    except CapacityError as exc:
        if asked != AUTOMATIC:
            raise
        held = re.search(r"al massimo (\d+)", exc.problems[0].message)
        reason = (
            f"formato automatico: il libretto, perché le {len(setup.numbered)} voci non entrano nel pieghevole A3"
            + (f" (ne contiene al massimo {held.group(1)})." if held else ".")
        )
        chosen = BOOKLET
        if uses_sheets(replace(cfg, mappa=replace(cfg.mappa, formato=BOOKLET)), get_format(BOOKLET), setup.numbered):
            reason += f" Oltre {cfg.mappa.voci_per_mappa} voci la mappa è divisa in tavole."
        return replace(setup, cfg=replace(cfg, mappa=replace(cfg.mappa, formato=chosen)), format_reason=reason, wrap_cache={})
    if asked != AUTOMATIC:
        return trial
    return replace(trial, format_reason=f"formato automatico: il pieghevole A3, che contiene tutte le {len(setup.numbered)} voci.")


def _capacity_check(setup: Setup) -> None:
    """Raise CapacityError when the (fixed) format cannot hold the index, with the longest usual
    credit lines in the back matter (the real ones are known only after the basemaps)."""
    cfg = setup.cfg

    def back_for(width: float, row: bool) -> BackMatter:
        return back_matter(setup, SAMPLE_ATTRIBUTION, width, row, False)

    plan_index(cfg, cfg.mappa.formato, setup.numbered, setup.texts, setup.fonts, back_for, setup.wrap_cache)


def uses_sheets(cfg: Config, fmt: Format, numbered: Sequence[Numbered]) -> bool:
    """Map sheets only in the booklet (the other formats have one map page by design)."""
    choice = cfg.mappa.tavole
    if not fmt.growable or choice == "no":
        return False
    return choice == "sì" or len(numbered) > cfg.mappa.voci_per_mappa


def plan_maps(setup: Setup, attribution: Sequence[str] | None = None) -> MapsPlan:
    """The map side for the configured format. ``attribution``: the credit lines the basemaps
    are expected to carry (None: the longest usual ones, before the basemaps are known)."""
    cfg, fonts, numbered, texts = setup.cfg, setup.fonts, setup.numbered, setup.texts
    words = setup.map_words()
    fmt0 = get_format(cfg.mappa.formato)
    mp = fmt0.map_pages[0]
    frame = (mp.frame_mm[2], mp.frame_mm[3])
    if uses_sheets(cfg, fmt0, numbered):
        # A large edition: an overview and map sheets (tavole) at the scales their entries need;
        # their markers are placed in a second process while the index is wrapped.
        sheets = plan_sheets(
            setup.district, numbered, frame, fonts=fonts.text, label_fonts=fonts.titles, parallel=len(numbered) >= PARALLEL_FROM, words=words
        )
        return MapsPlan(None, sheets, frame)
    # The booklet has pages: central Pavia gets one of its own (page 3, facing the district map)
    # instead of an inset over the district.
    paged = fmt0.growable
    title = cfg.mappa.titolo_riquadro
    single = plan_map(
        setup.district,
        numbered,
        frame,
        fonts=fonts.text,
        label_fonts=fonts.titles,
        inset=inset_option(cfg.mappa),
        inset_title=title,
        label_avoid_mm=fold_bands(fmt0, mp),
        attribution=SAMPLE_ATTRIBUTION if attribution is None else tuple(attribution),
        inset_page_mm=page_area(frame) if paged else None,
        inset_tag=texts.fill("libretto.centro_nome", nome=title, pagina=CENTRE_PAGE) if paged else None,
        inset_legend=texts.fill("libretto.centro_legenda", pagina=CENTRE_PAGE) if paged else None,
        words=words,
    )
    centre = None
    if paged and single.inset is not None:
        centre = plan_page(
            setup.district, numbered, single.inset.view, frame, title=title, style=single.style, fonts=fonts.text, label_fonts=fonts.titles,
            words=words,
        )
    return MapsPlan(single, None, frame, centre)


def plan_layout(setup: Setup, maps: MapsPlan, attribution: Sequence[str]) -> MappaPlan:
    """The format with enough pages and the index flow around the planned maps."""
    cfg, texts, fonts, numbered = setup.cfg, setup.texts, setup.fonts, setup.numbered
    attribution = tuple(attribution)
    sheets = maps.sheets
    n_sheets = sheets.count if sheets else 0

    def back_for(width: float, row: bool) -> BackMatter:
        return back_matter(setup, attribution, width, row, False)

    wrap_cache = setup.wrap_cache
    fmt, items, flow = plan_index(
        cfg,
        cfg.mappa.formato,
        numbered,
        texts,
        fonts,
        back_for,
        wrap_cache,
        fmt_for=lambda pages: get_format(cfg.mappa.formato, pages, n_sheets, centre=maps.centre is not None),
        sheets=sheets.sheet_of if sheets else None,
    )
    warnings: list[Problem] = []
    if sheets is not None:
        sheets.wait()  # the sheets' placement ran beside the index
        warnings += sheets.problems
    if maps.centre is not None:
        warnings += maps.centre.problems
    columns = index_columns(fmt, fmt.panels("stampa"), texts, fonts, back_for)
    filled = {columns.columns[p.column].panel for p in flow.placed}
    empty = [i for i, p in enumerate(fmt.panels("stampa")) if p.role == "indice" and i not in filled]
    if empty and not fmt.growable:
        what = "vuoto un pannello interno" if len(empty) == 1 else f"vuoti {len(empty)} pannelli interni"
        warnings.append(
            warning(f"l'elenco è corto e lascia {what} del pieghevole: " 'con poche voci puoi usare formato = "A4" in [mappa].')
        )
    return MappaPlan(
        setup=setup,
        maps=maps,
        attribution=attribution,
        fmt=fmt,
        items=items,
        flow=flow,
        wrap_cache=wrap_cache,
        expected=_expected_texts(numbered, fmt, columns, flow, sheets is not None, fonts.titles.bold),
        info=DocInfo(
            title=f"{cfg.edizione.titolo} – {cfg.edizione.nome}",
            author=cfg.edizione.autore,
            subject=f"{cfg.edizione.sottotitolo}: elenco e mappa dei Laboratori Sociali e dei Gruppi di cittadini",
            keywords=("Laboratori Sociali", "Gruppi di cittadini", cfg.distretto.nome),
        ),
        warnings=tuple(warnings),
    )


def map_views(cfg: Config, entries: Sequence[Entry], district, layout_dir: Path, attribution: Sequence[str]) -> dict[str, View]:
    """The views the Mappa of this edition will ask basemaps for, from planning alone (for
    ``stampa sfondo``): nothing is drawn or written."""
    return plan_maps(prepare(cfg, entries, district, layout_dir), attribution).views


# ---------------------------------------------------------------------------------------------


def back_matter(setup: Setup, attribution: tuple[str, ...], width: float, row: bool, links: bool) -> BackMatter:
    extra = positions_credit(attribution, setup.map_words().positions_credit)
    return BackMatter(
        width, cfg=setup.cfg, texts=setup.texts, fonts=setup.fonts, attribution=attribution, links=links, compact=row, row=row,
        extra_credits=extra,
    )


def index_columns(
    fmt: Format, panels: Sequence[Panel], texts: Texts, fonts: Fonts, back_for: Callable[[float, bool], BackMatter]
) -> IndexColumns:
    m = PANEL_MARGIN_MM
    cols: list[Column] = []
    header_panel = None
    header = []
    back: dict[int, BackMatter] = {}
    n = fmt.index_columns_per_panel
    for idx, p in enumerate(panels):
        if p.role not in ("indice", "retro"):
            continue
        inner_w = p.w_mm - 2 * m
        top = p.h_mm - m
        bottom = m + (FOLIO_MM if fmt.growable and p.role == "indice" else 0.0)
        if p.role == "retro":
            strip = p.w_mm > 2 * p.h_mm  # the A4 strip under the map: back matter only
            bm = back_for(inner_w, strip)
            back[idx] = bm
            if strip:
                if bm.height_mm > p.h_mm - m - 2.0:
                    raise StampaError(
                        error(
                            "i testi di [retro] in layout/mappa.toml non entrano sotto la mappa del foglio A4: accorciali.",
                            file=str(texts.file),
                        )
                    )
                continue
            bottom = m + bm.height_mm + 7.0
        if header_panel is None:
            header_panel = idx
            header = index_header(inner_w, texts, fonts)
            top -= header_height(header, inner_w) + 5.0
        if top - bottom < MIN_INDEX_AREA_MM:
            continue
        cw = (inner_w - (n - 1) * COLUMN_GAP_MM) / n
        for k in range(n):
            cols.append(Column(idx, m + k * (cw + COLUMN_GAP_MM), bottom, cw, top - bottom))
    return IndexColumns(cols, header_panel, header, back)


def plan_index(cfg, fmt_name, numbered, texts, fonts, back_for, cache=None, fmt_for=None, sheets=None):
    """The format (with enough booklet pages) and the index flow, identical for both versions.

    The booklet's page count is found by doubling, then halving the interval (every index page
    has the same columns, so a count that holds the index holds it with more pages too). Cards are
    wrapped once (``cache``) whatever the number of tries: cost stays linear in entries."""
    items = index_items(numbered, texts, sheets)
    cache = {} if cache is None else cache
    fmt_for = fmt_for or (lambda pages: get_format(fmt_name, pages))

    def attempt_columns(pages: int) -> list[Column]:
        fmt = fmt_for(pages)
        return index_columns(fmt, fmt.panels("stampa"), texts, fonts, back_for).columns

    def attempt(pages: int):
        fmt = fmt_for(pages)
        plan = index_columns(fmt, fmt.panels("stampa"), texts, fonts, back_for)
        return fmt, fit_index(items, plan.columns, texts, fonts, False, product=fmt.product, growable=fmt.growable, cache=cache)

    fmt, flow = attempt(1)
    if flow.complete or not fmt.growable:
        return fmt, items, flow
    lo, hi = 1, 2  # lo does not hold the index; find the least hi that does
    while True:
        fmt, flow = attempt(hi)
        if flow.complete or hi >= MAX_BOOKLET_INDEX_PAGES:
            break
        if flow.too_tall:  # pragma: no cover - fit_index raises for these
            return fmt, items, flow
        lo, hi = hi, min(2 * hi, MAX_BOOKLET_INDEX_PAGES)
    best = (fmt, flow)
    if flow.complete and hi - lo > 1:
        # The complete flow says how many columns the index takes; the least count of pages with
        # that many columns is then confirmed (it holds, one page fewer does not): two flows
        # instead of a bisection's ~log2(pages), each of which flows the whole index.
        guess = _pages_for_columns(flow, lo, hi, lambda pages: len(attempt_columns(pages)))
        if guess is not None:
            f_guess, fl_guess = attempt(guess)
            if fl_guess.complete and (guess - 1 == lo or not attempt(guess - 1)[1].complete):
                return f_guess, items, fl_guess
    while hi - lo > 1 and best[1].complete:
        mid = (lo + hi) // 2
        f_mid, fl_mid = attempt(mid)
        if fl_mid.complete:
            hi, best = mid, (f_mid, fl_mid)
        else:
            lo = mid
    return best[0], items, best[1]


def _pages_for_columns(flow: Flow, lo: int, hi: int, columns_for: Callable[[int], int]) -> int | None:
    """The least page count in (lo, hi] whose format has as many index columns as ``flow`` used
    (counting columns costs no flow). None when the flow placed nothing."""
    if not flow.placed:
        return None
    needed = max(p.column for p in flow.placed) + 1
    a, b = lo, hi  # columns_for(b) >= needed
    if columns_for(b) < needed:
        return None
    while b - a > 1:
        mid = (a + b) // 2
        if columns_for(mid) >= needed:
            b = mid
        else:
            a = mid
    return b


def fold_bands(fmt: Format, mp) -> tuple[tuple[float, float, float, float], ...]:
    """The bands around the sheet's folds, in the map frame's own millimetres."""
    fx, fy, fw, fh = mp.frame_mm
    bands = []
    for f in fmt.spec.folds:
        if f.orientation == "vertical":
            x = f.position_mm - fx
            bands.append((x - FOLD_BAND_MM, -1.0, x + FOLD_BAND_MM, fh + 1.0))
        else:
            y = f.position_mm - fy
            bands.append((-1.0, y - FOLD_BAND_MM, fw + 1.0, y + FOLD_BAND_MM))
    return tuple(bands)


def _expected_texts(numbered, fmt: Format, columns: IndexColumns, flow: Flow, large: bool, name_font: str) -> tuple[TextSpec, ...]:
    """Every entry's number and name, as printed in ``name_font`` (characters no font prints, such
    as Arabic letters, are left out of the print: a name only in them prints as nothing and is not
    expected). In a large edition each card's texts are expected on its own index page, so the
    preflight searches one page per text instead of all of them (linear, not n × pages)."""

    def texts(n) -> tuple[str, ...]:  # noqa: ANN001 - a Numbered
        name = " ".join(printed_text(n.entry.nome, name_font).split())
        return (str(n.number), name) if name else (str(n.number),)

    if not large:
        return tuple(TextSpec(s) for n in numbered for s in texts(n))
    from .index import WrappedCard

    panels = fmt.panels("stampa")
    page_of = {
        pl.block.numbered.number: panels[columns.columns[pl.column].panel].page + 1
        for pl in flow.placed
        if isinstance(pl.block, WrappedCard)
    }
    return tuple(TextSpec(t, (page_of[n.number],)) for n in numbered for t in texts(n))
