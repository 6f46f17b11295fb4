"""The fixed panels of the Mappa: the cover (title, edition, intro, QR code) and the back matter
(taking part with the contact block, legend reminders, credits). All drawn in panel coordinates:
upright, mm, origin at the panel's bottom-left as read; the caller sets the canvas transform.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence
from xml.sax.saxutils import quoteattr

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from ...config import Config
from ...printing.qr import draw_qr, qr_size_mm
from ...printing.theme import Theme
from ...printing.typography import Block, escape, fit_paragraphs, paragraph, style
from ...problems import StampaError, error
from .formats import PANEL_MARGIN_MM
from .styles import Fonts, MARKER_MM, draw_marker
from .texts import Texts

BAND_MM = 4.0  # the coloured bar along the top of cover and back


@dataclass(frozen=True)
class QrPlaced:
    url: str
    box_mm: tuple[float, float, float, float]  # x, y, w, h in panel coordinates, quiet zone included
    min_mm: float


def _para(markup: str, st) -> Paragraph:
    return paragraph(markup, st)


def _stack(canvas, paras: Sequence[tuple[Paragraph, float]], x_mm: float, top_mm: float, width_mm: float) -> float:
    """Draw paragraphs top-down (each with the gap in mm above it); returns the bottom y in mm."""
    y = top_mm * mm
    for p, gap in paras:
        _, h = p.wrap(width_mm * mm, 1e9)
        y -= gap * mm + h
        p.drawOn(canvas, x_mm * mm, y)
    return y / mm


def _height(paras: Sequence[tuple[Paragraph, float]], width_mm: float) -> float:
    total = 0.0
    for p, gap in paras:
        _, h = p.wrap(width_mm * mm, 1e9)
        total += gap + h / mm
    return total


def draw_band(canvas, theme: Theme, x_mm: float, y_mm: float, w_mm: float, h_mm: float, colour: str) -> None:
    canvas.saveState()
    canvas.setFillColor(theme.color(colour))
    canvas.rect(x_mm * mm, y_mm * mm, w_mm * mm, h_mm * mm, stroke=0, fill=1)
    canvas.restoreState()


def draw_cover(
    canvas,
    w_mm: float,
    h_mm: float,
    *,
    cfg: Config,
    texts: Texts,
    fonts: Fonts,
    theme: Theme,
    links: bool,
    bleed: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0),
    counts: tuple[int, int] = (0, 0),
) -> QrPlaced:
    """The cover in a panel of w × h mm. Portrait panels stack title, intro and the QR row;
    landscape ones (the A4 sheet) put the QR code beside the intro."""
    m = PANEL_MARGIN_MM + 2.0
    inner = w_mm - 2 * m
    url = cfg.collegamenti.mappa_digitale
    qr = max(qr_size_mm(url, cfg.mappa.distanza_lettura_cm), 30.0)
    portrait = h_mm > w_mm * 1.1

    # Title block on a light tint with the primary bar above it.
    # Sizes grow with the panel: an A4 booklet cover is not an A5 leaflet panel.
    grow = min(1.35, max(1.0, w_mm / 148.5))
    t_title = 27.0 * grow if portrait else 18.0
    title_blocks = [
        Block(texts("copertina.occhiello").upper(), style(fonts.titles.bold, 9.5 * grow, leading=1.2, space_after_pt=3)),
        Block(cfg.edizione.titolo, style(fonts.titles.bold, t_title, leading=1.05, hyphenate=False)),
        Block(cfg.edizione.sottotitolo, style(fonts.titles.regular, 13 * grow, leading=1.2, space_before_pt=5)),
        Block(cfg.edizione.nome, style(fonts.titles.bold, 10.5 * grow, leading=1.2, space_before_pt=3)),
    ]
    # Landscape panels keep a column on the right for the QR code and its caption.
    title_w = inner if portrait else inner - qr - 8.0
    fitted = fit_paragraphs(title_blocks, title_w, (h_mm * 0.45), box="copertina: titolo")
    tint_h = fitted.height_pt / mm + m + 8.0
    bl, br, _, bt = bleed  # tints run into the bleed where the panel edge is a trim edge
    draw_band(canvas, theme, -bl, h_mm - tint_h, w_mm + bl + br, tint_h + bt, "fondo_chiaro")
    draw_band(canvas, theme, -bl, h_mm - BAND_MM, w_mm + bl + br, BAND_MM + bt, "primario")
    fitted.draw(canvas, m * mm, (h_mm - m - 3.0) * mm)
    body_top = h_mm - tint_h - 7.0

    intro_st = style(fonts.text.regular, 10.5 * grow if portrait else 8.5, leading=1.3)
    head_st = style(fonts.titles.bold, 13.5 * grow if portrait else 10.5, leading=1.15, space_after_pt=5)
    indent = MARKER_MM + 2.5
    kind_st = style(fonts.text.regular, intro_st.fontSize, leading=1.3, space_before_pt=5)
    kind_st.leftIndent = indent * mm
    # Room for the intro: above the QR row (portrait) or left of the QR code (landscape).
    caption_st = style(fonts.text.regular, 8.5, leading=1.3, hyphenate=False)
    if portrait:
        text_w = inner
        # The QR row sits on a light tint across the panel: the call to action of the cover.
        pad = PANEL_MARGIN_MM  # the code sits centred in the band, as far from the trim as the text
        band_h = qr + 2 * pad
        qr_x, qr_y = m + 2.0, pad
        caption_st = style(fonts.titles.bold, 11.0 * grow, leading=1.25, hyphenate=False)
        caption = _para(escape(texts("copertina.qr_didascalia")), caption_st)
        cap_w = inner - qr - 2.0 - 6.0
        bottom = band_h + 8.0
        bb = bleed[2]
        draw_band(canvas, theme, -bleed[0], -bb, w_mm + bleed[0] + bleed[1], band_h + bb, "fondo_chiaro")
    else:
        text_w = inner - qr - 8.0
        qr_x, qr_y = w_mm - m - qr, h_mm - m - 3.0 - qr
        caption = _para(escape(texts("copertina.qr_didascalia")), caption_st)
        cap_w = qr + 2.0
        bottom = m
    intro = [
        Block(texts("copertina.introduzione_titolo"), head_st),
        Block(texts("copertina.laboratori"), kind_st),
        Block(texts("copertina.gruppi"), kind_st),
    ]
    how = {"A3-pieghevole": "pieghevole", "A4": "foglio", "libretto": "libretto"}[cfg.mappa.formato]
    intro.append(Block(texts(f"copertina.come_leggere_{how}"), style(fonts.text.italic, intro_st.fontSize, leading=1.3, space_before_pt=7)))
    fitted_intro = fit_paragraphs(intro, text_w, body_top - bottom, box="copertina: introduzione")
    y = body_top * mm
    for i, (p, hgt, gap) in enumerate(zip(fitted_intro.paragraphs, fitted_intro.heights_pt, fitted_intro.gaps_pt)):
        y -= gap + hgt
        p.drawOn(canvas, m * mm, y)
        if i in (1, 2):  # a marker beside each kind, like on the map
            first_line_top = (y + hgt) / mm
            kind = "laboratorio" if i == 1 else "gruppo"
            lift = (MARKER_MM - p.style.leading / mm) / 2  # centred on the first line
            _legend_marker(canvas, kind, m, first_line_top + lift - 0.7, theme)

    if portrait and counts[0]:
        # The edition in one line, just above the QR band: how much the leaflet holds.
        line = texts("copertina.numeri").replace("{voci}", str(counts[0])).replace("{comuni}", str(counts[1]))
        numbers = fit_paragraphs(
            [Block(line, style(fonts.titles.bold, 15.0 * grow, leading=1.15, hyphenate=False))], inner, 20.0, box="copertina: numeri"
        )
        room = (body_top - fitted_intro.height_pt / mm) - bottom
        if room >= numbers.height_pt / mm + 8.0:
            numbers.draw(canvas, m * mm, (bottom - 2.0) * mm + numbers.height_pt)
    draw_qr(canvas, url, qr_x, qr_y, qr, link=links)
    if portrait:
        _, ch = caption.wrap(cap_w * mm, 1e9)
        caption.drawOn(canvas, (qr_x + qr + 6.0) * mm, (qr_y + qr / 2) * mm - ch / 2)
    else:
        _, ch = caption.wrap(cap_w * mm, 1e9)
        cy = qr_y * mm - 2 * mm - ch
        if cy < (m - 3.0) * mm:
            raise StampaError(error("la didascalia del codice QR non entra sotto il codice: accorciala.", where="copertina.qr_didascalia"))
        caption.drawOn(canvas, (qr_x - 1.0) * mm, cy)
    return QrPlaced(url, (qr_x, qr_y, qr, qr), qr_size_mm(url, cfg.mappa.distanza_lettura_cm))


def _legend_marker(canvas, kind: str, x_mm: float, top_mm: float, theme: Theme) -> None:
    draw_marker(canvas, kind, None, x_mm, top_mm + 0.4, theme, "")


def contact_markup(cfg: Config, links: bool) -> str:
    k = cfg.contatti
    parts = [f"<b>{escape(k.ente)}</b>"]
    if k.referente:
        parts.append(escape(k.referente))
    if k.email:
        parts.append(f"<a href={quoteattr('mailto:' + k.email)}>{escape(k.email)}</a>" if links else escape(k.email))
    if k.telefono:
        parts.append(escape(k.telefono))
    if k.sito:
        shown = escape(k.sito.split("://", 1)[-1].rstrip("/"))
        parts.append(f"<a href={quoteattr(k.sito)}>{shown}</a>" if links else shown)
    return " · ".join(parts)


class BackMatter:
    """Taking part, legend and credits, measured for a width, drawn bottom-aligned (or top-aligned
    when the panel carries nothing else)."""

    def __init__(
        self,
        width_mm: float,
        *,
        cfg: Config,
        texts: Texts,
        fonts: Fonts,
        attribution: Sequence[str],
        links: bool,
        compact: bool = False,
        row: bool = False,
        extra_credits: Sequence[str] = (),
    ):
        """``row``: the three sections side by side (the strip under the A4 map) instead of stacked.
        ``extra_credits``: more lines after the basemap's (OpenStreetMap's for geocoded positions)."""
        self.row = row
        self.full_width_mm = width_mm
        self.gap_row_mm = 6.0
        if row:
            width_mm = (width_mm - 2 * self.gap_row_mm) / 3
        self.width_mm = width_mm
        body = style(fonts.text.regular, 8.0, leading=1.25)
        small = style(fonts.text.regular, 7.0, leading=1.25)
        head = style(fonts.titles.bold, 10.5 if compact else 11.5, leading=1.15)
        self.head_st = head
        indent = MARKER_MM + 2.5
        legend_st = style(fonts.text.regular, body.fontSize, leading=1.3)
        legend_st.leftIndent = indent * mm
        credits = texts("retro.crediti").split("\n")
        lines = [escape(line) for line in credits if line.strip()]
        if attribution:
            lines.append(escape(texts("retro.sfondo")) + " " + "; ".join(escape(a) for a in attribution))
        lines += [escape(line) for line in extra_credits]
        self.sections: list[list[tuple[Paragraph, float]]] = [
            [
                (_para(escape(texts("retro.partecipare_titolo")), head), 0.0),
                (_para(escape(texts("retro.partecipare")), body), 1.5),
                (_para(contact_markup(cfg, links), body), 1.5),
            ],
            [
                (_para(escape(texts("retro.legenda_titolo")), head), 0.0),
                (_para(escape(texts("retro.legenda_laboratorio")), legend_st), 2.6),
                (_para(escape(texts("retro.legenda_gruppo")), legend_st), 2.2),
                (_para(escape(texts("retro.legenda_nota")), body), 1.5),
            ],
            [
                (_para(escape(texts("retro.crediti_titolo")), head), 0.0),
                *[(_para(line, small), 1.0 if i else 2.0) for i, line in enumerate(lines)],
            ],
        ]
        self.gap_mm = 5.0 if not compact else 4.0
        if row:
            self.height_mm = max(_height(s, width_mm) for s in self.sections) + 4.0
        else:
            self.height_mm = sum(_height(s, width_mm) for s in self.sections) + self.gap_mm * (len(self.sections) - 1) + 4.0

    def draw(self, canvas, x_mm: float, top_mm: float, theme: Theme) -> None:
        if self.row:
            draw_band(canvas, theme, x_mm, top_mm - 1.2, 18.0, 1.2, "primario")
            for i, sec in enumerate(self.sections):
                x = x_mm + i * (self.width_mm + self.gap_row_mm)
                _stack(canvas, sec, x, top_mm - 4.0, self.width_mm)
                if i == 1:
                    self._legend_markers(canvas, sec, x, top_mm - 4.0, theme)
            return
        y = top_mm
        # A short rule in the primary colour opens the back matter.
        draw_band(canvas, theme, x_mm, y - 1.2, 18.0, 1.2, "primario")
        y -= 4.0
        for i, sec in enumerate(self.sections):
            if i:
                y -= self.gap_mm
            top = y
            y = _stack(canvas, sec, x_mm, y, self.width_mm)
            if i == 1:
                self._legend_markers(canvas, sec, x_mm, top, theme)

    def _legend_markers(self, canvas, sec, x_mm: float, top: float, theme: Theme) -> None:
        """Markers beside the two legend lines."""
        _, h0 = sec[0][0].wrap(self.width_mm * mm, 1e9)
        _, h1 = sec[1][0].wrap(self.width_mm * mm, 1e9)
        # each marker centred on the first line of its legend text
        lift = (MARKER_MM - sec[1][0].style.leading / mm) / 2
        first = top - h0 / mm - sec[1][1]
        _legend_marker(canvas, "laboratorio", x_mm, first + lift + 0.1, theme)
        second = first - h1 / mm - sec[2][1]
        _legend_marker(canvas, "gruppo", x_mm, second + lift + 0.1, theme)


def index_header(width_mm: float, texts: Texts, fonts: Fonts, scale: float = 1.0) -> list[tuple[Paragraph, float]]:
    return [
        (_para(escape(texts("indice.titolo")), style(fonts.titles.bold, 15.0, leading=1.1)), 0.0),
        (_para(escape(texts("indice.introduzione")), style(fonts.text.italic, 8.5, leading=1.25)), 1.5),
    ]


def header_height(paras, width_mm: float) -> float:
    return _height(paras, width_mm)


def draw_header(canvas, paras, x_mm: float, top_mm: float, width_mm: float) -> float:
    return _stack(canvas, paras, x_mm, top_mm, width_mm)
