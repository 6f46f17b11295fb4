"""Drawing one version of a planned Mappa (``stampa`` for the print shop, ``digitale`` with
links) over the basemaps it was given: pages, maps, cover, index, back matter; the PDF written
atomically. Returns plain data: the file record, what the preflight must check (a
:class:`stampa.printspec.FileSpec`), the map layout."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

from reportlab.lib.units import mm

from ...basemap import Basemap
from ...cartography import draw_map, draw_overview, draw_sheet
from ...cartography.layout import MapLayout
from ...outputs import sha256
from ...printing.page import BLEED_MM, open_canvas
from ...printing.theme import Theme
from ...printspec import FileSpec, Fold, PrintSpec, QrSpec, spec_record
from ...problems import Problem
from .formats import PANEL_MARGIN_MM, Format, Panel
from .index import Flow, draw_flow
from .index import flow as flow_index
from .panels import draw_band, draw_cover, draw_header, header_height
from .plan import MappaPlan
from .styles import Fonts
from .texts import Texts

PRODUCT = "mappa"


@dataclass(frozen=True)
class Rendered:
    """One version drawn and written."""

    name: str  # file name, relative to the output folder
    spec: FileSpec  # the file's format and what the preflight must find in it
    record: dict[str, Any]  # for rapporto.json (the spec and the product's own keys)
    layout: MapLayout | None  # where the map put everything (the print version's is reported)
    problems: tuple[Problem, ...]  # warnings met while drawing the maps


def _shift(b, o):
    return (b[0] + o[0], b[1] + o[1], b[2] + o[0], b[3] + o[1])


def render_version(plan: MappaPlan, basemaps: Mapping[str, Basemap], version: str, out_dir: Path, theme: Theme) -> Rendered:
    """Draw ``version`` of the planned Mappa into ``out_dir`` (``mappa-<version>.pdf``)."""
    setup, fmt, maps = plan.setup, plan.fmt, plan.maps
    cfg, texts, fonts = setup.cfg, setup.texts, setup.fonts
    links = version == "digitale"
    panels = fmt.panels(version)
    iplan = plan.index_columns(version)
    # Same panel sizes in both versions: the scale found once fits both (links change no widths).
    vflow = flow_index(plan.items, iplan.columns, plan.flow.scale, texts, fonts, links, plan.wrap_cache)
    if not vflow.complete:  # pragma: no cover - would be a bug in the layout, never silent
        raise RuntimeError(f"index flow of the {version} version differs from the planned one")
    sheet = open_canvas(fmt.spec, version, font=fonts.text.regular, info=plan.info)
    placed_by_page: dict[int, list] = {}  # one pass: a 300-page index must not be scanned per page
    for pl in vflow.placed:
        placed_by_page.setdefault(panels[iplan.columns[pl.column].panel].page, []).append(pl)
    c = sheet.canvas
    qrs: list[QrSpec] = []
    counts = (len(setup.numbered), len({n.entry.istat for n in setup.numbered}))
    layout: MapLayout | None = None
    problems: list[Problem] = []
    sheet_parts: tuple[list, list, list, list] = ([], [], [], [])  # entries, views, scale bars, basemap names
    used = {iplan.columns[pl.column].panel for pl in vflow.placed}
    map_credits = tuple(plan.setup.map_words().credits(plan.attribution))  # under each sheet: basemap, positions, boundaries
    for page in range(fmt.pages):
        if page:
            sheet.next_page()
        for mp in fmt.map_pages:
            if mp.page != page:
                continue
            origin_mm = (mp.frame_mm[0], mp.frame_mm[1])
            if mp.centre and maps.centre is not None:
                # central Pavia on a page of its own: its entries are drawn only here
                cp = maps.centre
                subtitle = texts.fill("libretto.centro_sottotitolo", pagina=mp.page)
                _draw_sheet_header(c, mp, cp.title, subtitle, fonts, theme, right=cp.words.scale_of(cp.sheet.port.scale))
                got = draw_sheet(c, cp, cp.sheet, basemaps.get(cp.view.name), origin_mm=origin_mm, theme=theme, attribution=map_credits)
                entries, view, bar, names = got
                layout = replace(
                    layout,
                    entries=tuple(sorted(layout.entries + tuple(replace(e, sheet=None) for e in entries), key=lambda e: e.number)),
                    views=layout.views + (view,),
                    scale_bars=layout.scale_bars + (bar,),
                    base_names=layout.base_names + tuple(names),
                    centre_labels_mm=tuple((lab.nome, _shift(lab.box_mm, origin_mm)) for lab in cp.sheet.labels),
                )
            elif maps.sheets is None:
                _draw_map_header(c, mp, texts, fonts, theme)
                layout = draw_map(c, maps.single, basemaps, origin_mm=origin_mm, theme=theme, fonts=fonts.text)
            elif mp.sheet == 0:
                sp = maps.sheets
                subtitle = texts.fill("tavole.quadro_sottotitolo", tavole=len(sp.sheets))
                _draw_sheet_header(c, mp, texts("tavole.quadro_titolo"), subtitle, fonts, theme)
                layout = draw_overview(c, sp, basemaps, origin_mm=origin_mm, theme=theme)
                sheet_parts = ([], [layout.views[0]], [layout.scale_bars[0]], list(layout.base_names))
            else:
                sp = maps.sheets
                sh = sp.sheets[mp.sheet - 1]
                title = texts.fill("tavole.titolo", numero=sh.number, tavole=len(sp.sheets))
                _draw_sheet_header(c, mp, title, ", ".join(sh.comuni), fonts, theme, right=sp.words.scale_of(sh.port.scale))
                got = draw_sheet(c, sp, sh, basemaps.get(sh.view.name), origin_mm=origin_mm, theme=theme, attribution=map_credits)
                for part, value in zip(sheet_parts, got):
                    part.extend(value) if isinstance(value, list) else part.append(value)
                if mp.sheet < len(sp.sheets):
                    continue
                layout = replace(
                    layout,
                    entries=tuple(sorted(sheet_parts[0], key=lambda e: e.number)),
                    views=tuple(sheet_parts[1]),
                    scale_bars=tuple(sheet_parts[2]),
                    base_names=tuple(sheet_parts[3]),
                )
            problems.extend(p for p in layout.problems if p not in problems)
        on_page = [i for i, p in enumerate(panels) if p.page == page]
        for i in on_page:
            p = panels[i]
            c.saveState()
            _enter_panel(c, p)
            if p.role == "copertina":
                q = draw_cover(c, p.w_mm, p.h_mm, cfg=cfg, texts=texts, fonts=fonts, theme=theme, links=links, bleed=_bleed_sides(p, fmt, version), counts=counts)
                qrs.append(QrSpec(q.url, q.min_mm, (page + 1,), p.to_page(*q.box_mm)))
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
            _draw_folio(c, fmt, page, page_flow, fonts, texts)

        def origin(panel_idx: int) -> None:
            _enter_panel(c, panels[panel_idx])

        draw_flow(c, page_flow, iplan.columns, origin, theme)
    name = f"{PRODUCT}-{version}.pdf"
    path = sheet.save(out_dir / name)
    check = PrintSpec(qr=tuple(qrs), folds=_folds(fmt, sheet.pages), texts_expected=plan.expected, links_expected=links)
    spec = file_spec(path, out_dir, version, fmt, sheet.pages, check)
    return Rendered(name, spec, file_record(path, spec, fmt), layout, tuple(problems))


def file_spec(path: Path, out_dir: Path, version: str, fmt: Format, pages: int, check: PrintSpec | None = None) -> FileSpec:
    """A file of the Mappa (``check`` None: a preview, which the preflight does not read)."""
    bleed = BLEED_MM if version == "stampa" else 0.0
    return FileSpec(path.relative_to(out_dir).as_posix(), PRODUCT, version, fmt.trim_mm, bleed, pages, check)


def file_record(path: Path, spec: FileSpec, fmt: Format) -> dict[str, Any]:
    return spec_record(spec, formato=fmt.name, sha256=sha256(path))


def _folds(fmt: Format, pages: int) -> tuple[Fold, ...]:
    """Text and QR codes keep off the folds on the text side; the map side is read unfolded, so
    there only QR codes are held to it (a marker must stay at its place, fold or not)."""
    map_pages = tuple(sorted({m.page + 1 for m in fmt.map_pages}))
    text_pages = tuple(p for p in range(1, pages + 1) if p not in map_pages)
    return tuple(
        Fold("x" if f.orientation == "vertical" else "y", f.position_mm, on, text)
        for f in fmt.spec.folds
        for on, text in ((text_pages, True), (map_pages, False))
        if on
    )


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


def _draw_map_header(c, mp, texts: Texts, fonts: Fonts, theme: Theme) -> None:
    from ...printing.typography import escape, paragraph, style

    x, y, w, h = mp.header_mm
    draw_band(c, theme, x, y + h - 1.6, 24.0, 1.6, "primario")
    title = paragraph(escape(texts("mappa.titolo")), style(fonts.titles.bold, 15.0, leading=1.1, hyphenate=False))
    sub = paragraph(escape(texts("mappa.sottotitolo")), style(fonts.titles.regular, 10.0, leading=1.2, hyphenate=False))
    _, th = title.wrap(w * mm, 1e9)
    title.drawOn(c, x * mm, (y + h - 3.5) * mm - th)
    _, sh = sub.wrap(w * mm, 1e9)
    sub.drawOn(c, x * mm, (y + h - 3.5) * mm - th - 1.0 * mm - sh)


def _draw_sheet_header(c, mp, title: str, subtitle: str, fonts: Fonts, theme: Theme, right: str = "") -> None:
    """The title band of the overview or of a map sheet: title, the comuni shown, the scale."""
    from ...printing.typography import TEXT_BLACK, draw_string, string_width

    x, y, w, h = mp.header_mm
    draw_band(c, theme, x, y + h - 1.6, 24.0, 1.6, "primario")
    c.saveState()
    c.setFillColor(TEXT_BLACK)
    draw_string(c, x * mm, (y + h - 8.8) * mm, title, fonts.titles.bold, 15.0)
    if right:
        draw_string(c, (x + w) * mm, (y + h - 8.8) * mm, right, fonts.titles.bold, 11.0, align="right")
    sub = subtitle
    while sub and string_width(sub, fonts.titles.regular, 10.0) > w * mm:
        sub = sub[: sub.rstrip().rfind(",")] + " …" if "," in sub[:-2] else sub[:-2]
    draw_string(c, x * mm, (y + h - 14.0) * mm, sub, fonts.titles.regular, 10.0)
    c.restoreState()


def _draw_folio(c, fmt: Format, page: int, page_flow: Flow, fonts: Fonts, texts: Texts) -> None:
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
        if len(numbers) > 1:
            what = texts.fill("libretto.piede_elenco", da=min(numbers), a=max(numbers))
        else:
            what = texts.fill("libretto.piede_elenco_una", numero=numbers[0])
        (c.drawString(left_x, y, what) if right_hand else c.drawRightString(right_x, y, what))
    c.setFont(fonts.text.bold, 7.5)
    (c.drawRightString(right_x, y, str(page + 1)) if right_hand else c.drawString(left_x, y, str(page + 1)))
    c.restoreState()


def _draw_notes(c, p: Panel, texts: Texts, fonts: Fonts, theme: Theme) -> None:
    from ...printing.typography import TEXT_BLACK, draw_string

    m = PANEL_MARGIN_MM + 2.0
    c.saveState()
    c.setFillColor(TEXT_BLACK)
    draw_string(c, m * mm, (p.h_mm - m - 6.0) * mm, texts("libretto.pagina_note"), fonts.titles.bold, 15.0)
    c.setStrokeColor(theme.color("confine"))
    c.setLineWidth(0.4)
    y = p.h_mm - m - 20.0
    while y > m:
        c.line(m * mm, y * mm, (p.w_mm - m) * mm, y * mm)
        y -= 9.0
    c.restoreState()
