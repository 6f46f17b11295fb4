"""Assembly of the Mappa: plan the map for its frame, fit the index, draw both versions, write
the PDFs and previews, and describe what was built for rapporto.json and the preflight."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from reportlab.lib.units import mm

from ...basemap import Basemap, View
from ...cartography import MapLayout, draw_map, draw_overview, draw_sheet, plan_map, plan_sheets
from ...cartography.plan import ISTAT_CREDIT
from ...cartography.symbols import format_scale
from ...cartography.plan import inset_option
from ...config import Config
from ...entries.model import Entry
from ...numbering import Numbered, number_entries
from ...forking import in_child
from ...outputs import sha256
from ...printing.page import BLEED_MM, DocInfo, open_canvas
from ...printing.previews import write_previews
from ...printing.theme import Theme
from ...printing.typography import require_hyphenation
from ...problems import Problem, StampaError, error, warning
from .formats import PANEL_MARGIN_MM, Format, Panel, get_format
from .index import Column, Flow, draw_flow, fit_index, index_items
from .index import flow as flow_index
from .panels import BackMatter, draw_band, draw_cover, draw_header, header_height, index_header
from .styles import Fonts, load_fonts
from .texts import Texts, load_texts

PRODUCT = "mappa"
COLUMN_GAP_MM = 5.0
MIN_INDEX_AREA_MM = 30.0
FOLIO_MM = 5.0  # booklet index pages: a foot line with the numbers listed and the page number  # below this a back panel carries no index columns
MAX_BOOKLET_INDEX_PAGES = 2000  # a safety stop, far above any real edition (10,000 entries take ~330)


@dataclass(frozen=True)
class QrCheck:
    url: str
    page: int  # 1-based
    box_mm: tuple[float, float, float, float]  # x, y, w, h on the trim, quiet zone included
    min_size_mm: float


@dataclass(frozen=True)
class Verifica:
    """What the preflight checks in one PDF."""

    file: str  # relative to out_dir
    versione: str
    pagine: int
    rifilo_mm: tuple[float, float]
    abbondanza_mm: float
    qr: tuple[QrCheck, ...]
    pieghe_mm: tuple[dict, ...]  # {"orientamento": "verticale"|"orizzontale", "posizione_mm": float}
    testi_attesi: tuple  # every entry's name and number: strings, or {"testo", "pagine"} in a large booklet
    link_attesi: bool  # the digital version has links, the print one none
    margine_sicurezza_mm: float = 5.0

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "versione": self.versione,
            "pagine": self.pagine,
            "rifilo_mm": list(self.rifilo_mm),
            "abbondanza_mm": self.abbondanza_mm,
            "qr": [
                {"url": q.url, "pagina": q.page, "box_mm": [round(v, 2) for v in q.box_mm], "lato_minimo_mm": q.min_size_mm}
                for q in self.qr
            ],
            "pieghe_mm": list(self.pieghe_mm),
            "testi_attesi": list(self.testi_attesi),
            "link_attesi": self.link_attesi,
            "margine_sicurezza_mm": self.margine_sicurezza_mm,
        }


@dataclass(frozen=True)
class MappaResult:
    files: tuple[dict, ...]  # records for rapporto.json
    layout: MapLayout
    numbered: tuple[Numbered, ...]
    basemaps: dict[str, Basemap]
    warnings: tuple[Problem, ...]
    verifica: dict[str, Verifica]  # file (relative) → what to check
    formato: str
    index_scale: float  # 1.0 = the designed size; smaller = the index was shrunk to fit
    panels: tuple[Panel, ...] = field(default=())


def vector_basemap(view: View) -> Basemap:
    return Basemap(None, view.extent, "vettoriale", "vettoriale", None, None, (), False, view=view.name)


def _bleed_sides(panel: Panel, fmt: Format, version: str) -> tuple[float, float, float, float]:
    """(left, right, bottom, top) extension in PANEL coordinates where the panel edge is a trim edge."""
    if version != "stampa":
        return (0.0, 0.0, 0.0, 0.0)
    W, H = fmt.trim_mm
    eps = 1e-6
    left = BLEED_MM if panel.x_mm < eps else 0.0
    right = BLEED_MM if panel.x_mm + panel.w_mm > W - eps else 0.0
    bottom = BLEED_MM if panel.y_mm < eps else 0.0
    top = BLEED_MM if panel.y_mm + panel.h_mm > H - eps else 0.0
    if panel.rotation == 180:
        return (right, left, top, bottom)
    return (left, right, bottom, top)


def _enter_panel(canvas, panel: Panel) -> None:
    if panel.rotation == 180:
        canvas.translate((panel.x_mm + panel.w_mm) * mm, (panel.y_mm + panel.h_mm) * mm)
        canvas.rotate(180)
    else:
        canvas.translate(panel.x_mm * mm, panel.y_mm * mm)


@dataclass
class _IndexPlan:
    columns: list[Column]
    header_panel: int | None
    header: list
    back: dict[int, BackMatter]  # panel idx → back matter measured for it


def _columns(fmt: Format, panels: Sequence[Panel], texts: Texts, fonts: Fonts, back_for: Callable[[float, bool], BackMatter]) -> _IndexPlan:
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
    return _IndexPlan(cols, header_panel, header, back)


def _plan_index(cfg, fmt_name, numbered, texts, fonts, back_for, cache=None, fmt_for=None, sheets=None):
    """The format (with enough booklet pages) and the index flow, identical for both versions.

    The booklet's page count is found by doubling, then halving the interval (every index page
    has the same columns, so a count that holds the index holds it with more pages too). Cards are
    wrapped once (``cache``) whatever the number of tries: cost stays linear in entries."""
    items = index_items(numbered, texts, sheets)
    cache = {} if cache is None else cache
    fmt_for = fmt_for or (lambda pages: get_format(fmt_name, pages))

    def attempt(pages: int):
        fmt = fmt_for(pages)
        plan = _columns(fmt, fmt.panels("stampa"), texts, fonts, back_for)
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
    while hi - lo > 1 and best[1].complete:
        mid = (lo + hi) // 2
        f_mid, fl_mid = attempt(mid)
        if fl_mid.complete:
            hi, best = mid, (f_mid, fl_mid)
        else:
            lo = mid
    return best[0], items, best[1]


def build_mappa(
    cfg: Config,
    inputs_entries: Sequence[Entry],
    district,
    out_dir: Path,
    *,
    theme: Theme,
    layout_dir: Path,
    basemaps: Callable[[View], Basemap] | None = None,
    preview_dpi: float | None = None,
) -> MappaResult:
    """Build the Mappa in the configured format: ``mappa-stampa.pdf``, ``mappa-digitale.pdf`` and
    ``anteprime/mappa-p<N>.png`` in ``out_dir``. Raises StampaError for an edition the format
    cannot hold, an entry too long for an index column, or bad layout texts."""
    require_hyphenation()
    out_dir = Path(out_dir)
    fonts = load_fonts(cfg.mappa.carattere_titoli, cfg.mappa.carattere_testo, cfg.root / "fonts")
    texts = load_texts(layout_dir, cfg)
    numbered = number_entries(inputs_entries)
    fetch = basemaps or vector_basemap

    # The map: plan with the usual attribution, fetch the basemaps for its views, plan again when
    # the real attribution lines differ (their box is sized from them).
    fmt0 = get_format(cfg.mappa.formato)
    mp = fmt0.map_pages[0]
    frame = (mp.frame_mm[2], mp.frame_mm[3])
    map_options = dict(
        fonts=fonts.text,
        label_fonts=fonts.titles,
        inset=inset_option(cfg.mappa),
        inset_title=getattr(cfg.mappa, "titolo_riquadro", "Pavia, centro"),
        label_avoid_mm=fold_bands(fmt0, mp),
    )
    sheets = None
    if _use_sheets(cfg, fmt0, numbered):
        # A large edition: an overview and map sheets (tavole) at the scales their entries need.
        sheets = plan_sheets(district, numbered, frame, fonts=fonts.text, label_fonts=fonts.titles, parallel=len(numbered) >= PARALLEL_FROM)
        bms = {name: fetch(view) for name, view in sheets.views.items()}
        attribution = _attribution(bms)
        plan = sheets.overview
    else:
        plan = plan_map(district, numbered, frame, **map_options)
        bms = {name: fetch(view) for name, view in plan.views.items()}
        attribution = _attribution(bms)
        plan2 = plan_map(district, numbered, frame, attribution=attribution, **map_options)
        if plan2.views != plan.views:
            bms = {name: fetch(view) for name, view in plan2.views.items()}
        plan = plan2
        attribution = _attribution(bms)

    def back_for(width: float, row: bool, links: bool = False) -> BackMatter:
        return BackMatter(width, cfg=cfg, texts=texts, fonts=fonts, attribution=attribution, links=links, compact=row, row=row)

    wrap_cache: dict = {}
    n_sheets = sheets.count if sheets else 0
    fmt, items, flow = _plan_index(
        cfg,
        cfg.mappa.formato,
        numbered,
        texts,
        fonts,
        back_for,
        wrap_cache,
        fmt_for=lambda pages: get_format(cfg.mappa.formato, pages, n_sheets),
        sheets=sheets.sheet_of if sheets else None,
    )
    if sheets:
        sheets.sheets  # noqa: B018 - wait for the sheets' placement (running beside the index)
        warnings_sheets = list(sheets.problems)
    else:
        warnings_sheets = []

    warnings: list[Problem] = warnings_sheets
    plan0 = _columns(fmt, fmt.panels("stampa"), texts, fonts, back_for)
    filled = {plan0.columns[p.column].panel for p in flow.placed}
    empty = [i for i, p in enumerate(fmt.panels("stampa")) if p.role == "indice" and i not in filled]
    if empty and not fmt.growable:
        what = "vuoto un pannello interno" if len(empty) == 1 else f"vuoti {len(empty)} pannelli interni"
        warnings.append(
            warning(f"l'elenco è corto e lascia {what} del pieghevole: " 'con poche voci puoi usare formato = "A4" in [mappa].')
        )
    for b in bms.values():
        warnings.extend(b.problems)
    layout = None
    verifica: dict[str, Verifica] = {}
    files: list[dict] = []
    counts = (len(numbered), len({n.entry.istat for n in numbered}))
    expected: tuple = tuple(s for n in numbered for s in (str(n.number), n.entry.nome))
    if sheets is not None:
        # A large edition: each card's texts are expected on its own index page, so the
        # preflight searches one page per text instead of all of them (linear, not n × pages).
        from .index import WrappedCard

        panels0 = fmt.panels("stampa")
        page_of = {
            pl.block.numbered.number: panels0[plan0.columns[pl.column].panel].page + 1
            for pl in flow.placed
            if isinstance(pl.block, WrappedCard)
        }
        expected = tuple(
            {"testo": t, "pagine": [page_of[n.number]]} for n in numbered for t in (str(n.number), n.entry.nome)
        )
    info = DocInfo(
        title=f"{cfg.edizione.titolo} – {cfg.edizione.nome}",
        author=cfg.edizione.autore,
        subject=f"{cfg.edizione.sottotitolo}: elenco e mappa dei Laboratori Sociali e dei Gruppi di cittadini",
        keywords=("Laboratori Sociali", "Gruppi di cittadini", cfg.distretto.nome),
    )
    def draw_version(version: str):
        nonlocal layout
        links = version == "digitale"
        panels = fmt.panels(version)
        iplan = _columns(fmt, panels, texts, fonts, lambda w, c: back_for(w, c, links))
        # Same panel sizes in both versions: the scale found once fits both (links change no widths).
        vflow = flow_index(items, iplan.columns, flow.scale, texts, fonts, links, wrap_cache)
        if not vflow.complete:  # pragma: no cover - would be a bug in the layout, never silent
            raise RuntimeError(f"index flow of the {version} version differs from the planned one")
        sheet = open_canvas(fmt.spec, version, font=fonts.text.regular, info=info)
        placed_by_page: dict[int, list] = {}  # one pass: a 300-page index must not be scanned per page
        for pl in vflow.placed:
            placed_by_page.setdefault(panels[iplan.columns[pl.column].panel].page, []).append(pl)
        c = sheet.canvas
        qrs: list[QrCheck] = []
        for page in range(fmt.pages):
            if page:
                sheet.next_page()
            for mp in fmt.map_pages:
                if mp.page != page:
                    continue
                origin_mm = (mp.frame_mm[0], mp.frame_mm[1])
                if sheets is None:
                    _draw_map_header(c, mp, cfg, texts, fonts, theme)
                    lay = draw_map(c, plan, bms, origin_mm=origin_mm, theme=theme, fonts=fonts.text)
                elif mp.sheet == 0:
                    _draw_sheet_header(c, mp, SHEETS_TITLE, SHEETS_SUBTITLE.format(n=len(sheets.sheets)), fonts, theme)
                    lay = draw_overview(c, sheets, bms, origin_mm=origin_mm, theme=theme)
                    sheet_parts = ([], [lay.views[0]], [lay.scale_bars[0]])
                else:
                    sh = sheets.sheets[mp.sheet - 1]
                    _draw_sheet_header(c, mp, SHEET_TITLE.format(n=sh.number, of=len(sheets.sheets)), ", ".join(sh.comuni), fonts, theme, right=f"Scala {format_scale(sh.port.scale)}")
                    got = draw_sheet(c, sheets, sh, bms.get(sh.view.name), origin_mm=origin_mm, theme=theme, attribution=attribution + (ISTAT_CREDIT,))
                    for part, value in zip(sheet_parts, got):
                        part.extend(value) if isinstance(value, list) else part.append(value)
                    if mp.sheet < len(sheets.sheets):
                        continue
                    lay = replace(lay, entries=tuple(sorted(sheet_parts[0], key=lambda e: e.number)), views=tuple(sheet_parts[1]), scale_bars=tuple(sheet_parts[2]))
                if version == "stampa":
                    layout = lay
                    warnings.extend(p for p in lay.problems if p not in warnings)
            on_page = [i for i, p in enumerate(panels) if p.page == page]
            used = {col.panel for col, pl in ((iplan.columns[pl.column], pl) for pl in vflow.placed)}
            for i in on_page:
                p = panels[i]
                c.saveState()
                _enter_panel(c, p)
                if p.role == "copertina":
                    q = draw_cover(c, p.w_mm, p.h_mm, cfg=cfg, texts=texts, fonts=fonts, theme=theme, links=links, bleed=_bleed_sides(p, fmt, version), counts=counts)
                    qrs.append(QrCheck(q.url, page + 1, p.to_page(*q.box_mm), q.min_mm))
                elif p.role == "note":
                    _draw_notes(c, p, texts, fonts, theme)
                if i == iplan.header_panel:
                    draw_header(c, iplan.header, PANEL_MARGIN_MM, p.h_mm - PANEL_MARGIN_MM, p.w_mm - 2 * PANEL_MARGIN_MM)
                if i in iplan.back:
                    bm = iplan.back[i]
                    top = PANEL_MARGIN_MM + bm.height_mm if (i in used or bm.row) else p.h_mm - PANEL_MARGIN_MM
                    if i == iplan.header_panel and i not in used:
                        top = p.h_mm - PANEL_MARGIN_MM - header_height(iplan.header, p.w_mm - 2 * PANEL_MARGIN_MM) - 6.0
                    bm.draw(c, PANEL_MARGIN_MM, top, theme)
                c.restoreState()
            page_flow = Flow(placed_by_page.get(page, []), 0, 0, vflow.scale, [])
            if fmt.growable and any(panels[i].role == "indice" for i in on_page):
                _draw_folio(c, fmt, page, page_flow, fonts, theme)

            def origin(panel_idx: int) -> None:
                _enter_panel(c, panels[panel_idx])

            draw_flow(c, page_flow, iplan.columns, origin, theme)
        name = f"{PRODUCT}-{version}.pdf"
        path = sheet.save(out_dir / name)
        # Text and QR codes keep off the folds on the text side; the map side is read unfolded, so
        # there only QR codes are held to it (a marker must stay at its place, fold or not).
        map_pages = sorted({m.page + 1 for m in fmt.map_pages})
        text_pages = [p for p in range(1, sheet.pages + 1) if p not in map_pages]
        folds = tuple(
            {
                "orientamento": "verticale" if f.orientation == "vertical" else "orizzontale",
                "posizione_mm": f.position_mm,
                "pagine": pages,
                "testo": text,
            }
            for f in fmt.spec.folds
            for pages, text in ((text_pages, True), (map_pages, False))
            if pages
        )
        check = Verifica(name, version, fmt.pages, fmt.trim_mm, BLEED_MM if version == "stampa" else 0.0, tuple(qrs), folds, expected, links)
        return name, check, _record(path, out_dir, version, fmt, sheet.pages)

    # A large edition draws its digital version in a second process (forked: it shares the plan
    # and the wrapped index) while this one draws the print version: two cores, half the wait.
    child = in_child(draw_version, "digitale") if len(numbered) >= PARALLEL_FROM else None
    done = {"stampa": draw_version("stampa")}
    done["digitale"] = (child() if child else None) or draw_version("digitale")
    for version in ("stampa", "digitale"):
        name, check, record = done[version]
        verifica[name] = check
        files.append(record)
    previews = write_previews(
        out_dir / f"{PRODUCT}-stampa.pdf",
        out_dir / "anteprime",
        PRODUCT,
        preview_dpi or cfg.uscita.anteprime_dpi,
        max_pages=getattr(cfg.mappa, "anteprime_pagine", None),
    )
    for p in previews:
        files.append(_record(p, out_dir, "anteprima", fmt, 1))
    return MappaResult(tuple(files), layout, numbered, bms, tuple(warnings), verifica, fmt.name, flow.scale, fmt.panels("stampa"))


PARALLEL_FROM = 1500  # entries; below this a second process costs more than it saves


# A fold is never exactly where it is drawn: names keep this far from it (the preflight's margin).
FOLD_BAND_MM = 5.0


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


def _attribution(bms: dict[str, Basemap]) -> tuple[str, ...]:
    lines: list[str] = []
    for b in bms.values():
        for line in b.attribution:
            if line not in lines:
                lines.append(line)
    return tuple(lines)


def _record(path: Path, out_dir: Path, version: str, fmt: Format, pages: int) -> dict[str, Any]:
    return {
        "path": path.relative_to(out_dir).as_posix(),
        "prodotto": PRODUCT,
        "versione": version,
        "pagine": pages,
        "formato": fmt.name,
        "rifilo_mm": list(fmt.trim_mm),
        "abbondanza_mm": BLEED_MM if version == "stampa" else 0.0,
        "sha256": sha256(path),
    }


def _draw_map_header(c, mp, cfg: Config, texts: Texts, fonts: Fonts, theme: Theme) -> None:
    from reportlab.platypus import Paragraph

    from ...printing.typography import escape, style

    x, y, w, h = mp.header_mm
    draw_band(c, theme, x, y + h - 1.6, 24.0, 1.6, "primario")
    title = Paragraph(escape(texts("mappa.titolo")), style(fonts.titles.bold, 15.0, leading=1.1, hyphenate=False))
    sub = Paragraph(escape(texts("mappa.sottotitolo")), style(fonts.titles.regular, 10.0, leading=1.2, hyphenate=False))
    _, th = title.wrap(w * mm, 1e9)
    title.drawOn(c, x * mm, (y + h - 3.5) * mm - th)
    _, sh = sub.wrap(w * mm, 1e9)
    sub.drawOn(c, x * mm, (y + h - 3.5) * mm - th - 1.0 * mm - sh)


SHEETS_TITLE = "Quadro d'unione delle tavole"
SHEETS_SUBTITLE = "Il distretto diviso in {n} tavole: ogni voce dell'elenco indica la sua (tav.)"
SHEET_TITLE = "Tavola {n} di {of}"


def _draw_sheet_header(c, mp, title: str, subtitle: str, fonts: Fonts, theme: Theme, right: str = "") -> None:
    """The title band of the overview or of a map sheet: title, the comuni shown, the scale."""
    from ...printing.typography import TEXT_BLACK

    x, y, w, h = mp.header_mm
    draw_band(c, theme, x, y + h - 1.6, 24.0, 1.6, "primario")
    c.saveState()
    c.setFillColor(TEXT_BLACK)
    c.setFont(fonts.titles.bold, 15.0)
    c.drawString(x * mm, (y + h - 8.8) * mm, title)
    if right:
        c.setFont(fonts.titles.bold, 11.0)
        c.drawRightString((x + w) * mm, (y + h - 8.8) * mm, right)
    c.setFont(fonts.titles.regular, 10.0)
    sub = subtitle
    while sub and c.stringWidth(sub, fonts.titles.regular, 10.0) > w * mm:
        sub = sub[: sub.rstrip().rfind(",")] + " …" if "," in sub[:-2] else sub[:-2]
    c.drawString(x * mm, (y + h - 14.0) * mm, sub)
    c.restoreState()


def _draw_folio(c, fmt: Format, page: int, page_flow: Flow, fonts: Fonts, theme: Theme) -> None:
    """Foot of a booklet index page: which numbers it lists (to find a number by leafing
    through) and the page number on the outer edge."""
    from ...printing.typography import TEXT_BLACK
    from .index import WrappedCard

    numbers = [pl.block.numbered.number for pl in page_flow.placed if isinstance(pl.block, WrappedCard)]
    W, _ = fmt.trim_mm
    y = (PANEL_MARGIN_MM - 1.0) * mm
    c.saveState()
    c.setFillColor(TEXT_BLACK)
    c.setFont(fonts.text.regular, 7.5)
    right_hand = (page + 1) % 2 == 1  # odd page numbers are right-hand pages: folio on the outer edge
    left_x, right_x = PANEL_MARGIN_MM * mm, (W - PANEL_MARGIN_MM) * mm
    if numbers:
        what = f"Elenco · voci {min(numbers)}–{max(numbers)}" if len(numbers) > 1 else f"Elenco · voce {numbers[0]}"
        (c.drawString(left_x, y, what) if right_hand else c.drawRightString(right_x, y, what))
    c.setFont(fonts.text.bold, 7.5)
    (c.drawRightString(right_x, y, str(page + 1)) if right_hand else c.drawString(left_x, y, str(page + 1)))
    c.restoreState()


def _use_sheets(cfg: Config, fmt: Format, numbered) -> bool:
    """Map sheets only in the booklet (the other formats have one map page by design)."""
    choice = getattr(cfg.mappa, "tavole", "automatico")
    if not fmt.growable or choice == "no":
        return False
    return choice == "sì" or len(numbered) > getattr(cfg.mappa, "voci_per_mappa", 250)


def _draw_notes(c, p: Panel, texts: Texts, fonts: Fonts, theme: Theme) -> None:
    from ...printing.typography import TEXT_BLACK

    m = PANEL_MARGIN_MM + 2.0
    c.saveState()
    c.setFillColor(TEXT_BLACK)
    c.setFont(fonts.titles.bold, 15.0)
    c.drawString(m * mm, (p.h_mm - m - 6.0) * mm, texts("libretto.pagina_note"))
    c.setStrokeColor(theme.color("confine"))
    c.setLineWidth(0.4)
    y = p.h_mm - m - 20.0
    while y > m:
        c.line(m * mm, y * mm, (p.w_mm - m) * mm, y * mm)
        y -= 9.0
    c.restoreState()
