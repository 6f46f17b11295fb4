"""Whether the Mappa's fixed texts (cover, back matter, index header, map title) fit their boxes,
for the formats the edition may print, without planning the map or the index (seconds of work):
the panels are laid out exactly as the build lays them out (the same functions, on a canvas that
is never saved), and a text that does not fit is told by how much («troppo lungo di 2 righe»).

Used by the app's Testi page on every save; the build itself still finds the same overflows.
"""

from __future__ import annotations

import io
import math
from collections.abc import Collection
from dataclasses import replace

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ...cartography.plan import SAMPLE_ATTRIBUTION
from ...config import Config
from ...printing.theme import Theme
from ...printing.typography import MIN_PT, Overflow, escape, paragraph, style
from ...problems import Problem, StampaError, error
from .formats import PANEL_MARGIN_MM, Format, get_format
from .panels import BackMatter, draw_cover, header_height, index_header
from .styles import Fonts
from .texts import Texts

AUTOMATIC = "automatico"
# With «automatico» the data decide between these two: both must hold the texts.
AUTOMATIC_FORMATS = ("A3-pieghevole", "libretto")
# The cover's «{voci} luoghi in {comuni} comuni» is measured with the widest usual numbers.
SAMPLE_COUNTS = (9999, 99)
HOW = {"A3-pieghevole": "pieghevole", "A4": "foglio", "libretto": "libretto"}


def _cover_keys(box: str, fmt_name: str) -> tuple[str, ...]:
    """The texts of layout/mappa.toml in a box of the cover (fit_paragraphs' ``box`` names)."""
    return {
        "copertina: titolo": ("copertina.occhiello",),
        "copertina: introduzione": (
            "copertina.introduzione_titolo",
            "copertina.laboratori",
            "copertina.gruppi",
            f"copertina.come_leggere_{HOW[fmt_name]}",
        ),
        "copertina: numeri": ("copertina.numeri",),
    }.get(box, ("copertina.qr_didascalia",))


BACK_KEYS = (
    "retro.partecipare_titolo",
    "retro.partecipare",
    "retro.legenda_titolo",
    "retro.legenda_laboratorio",
    "retro.legenda_gruppo",
    "retro.legenda_nota",
    "retro.crediti_titolo",
    "retro.crediti",
    "retro.sfondo",
)
INDEX_KEYS = ("indice.titolo", "indice.introduzione")
MAP_KEYS = ("mappa.titolo", "mappa.sottotitolo")
MAP_TITLE_TOP_MM = 3.5  # the map page's title starts this far below the header's top (render.py)
MAP_TITLE_GAP_MM = 1.0


def formats_of(cfg: Config) -> tuple[str, ...]:
    asked = cfg.mappa.formato
    return AUTOMATIC_FORMATS if asked == AUTOMATIC else (asked,)


def check_fit(cfg: Config, texts: Texts, fonts: Fonts, theme: Theme, *, changed: Collection[str] = ()) -> list[Problem]:
    """The texts that do not fit, for every format the edition may print; ``changed``: the dotted
    keys just edited, named first when a box holds several texts."""
    problems: list[Problem] = []
    for name in formats_of(cfg):
        fmt = get_format(name)
        fcfg = replace(cfg, mappa=replace(cfg.mappa, formato=name))
        problems += _check_format(fcfg, fmt, texts, fonts, theme, changed)
    return problems


def _check_format(cfg: Config, fmt: Format, texts: Texts, fonts: Fonts, theme: Theme, changed: Collection[str]) -> list[Problem]:
    found: list[Problem] = []

    def too_long(keys: tuple[str, ...], over_mm: float, line_mm: float, what: str) -> None:
        lines = max(1, math.ceil(over_mm / line_mm - 1e-6))
        named = [k for k in keys if k in changed] or list(keys)
        where = ("chiave " if len(named) == 1 else "chiavi ") + ", ".join(f"«{k}»" for k in named)
        one = len(named) == 1
        found.append(
            error(
                f"{'troppo lungo' if one else 'troppo lunghi'} di {lines} {'riga' if lines == 1 else 'righe'} "
                f"({over_mm:.0f} mm) per {fmt.product}: {what}. {'Accorcialo' if one else 'Accorciane almeno uno'}.",
                file=str(texts.file),
                where=where,
            )
        )

    canvas = Canvas(io.BytesIO())  # laid out on, never saved
    m = PANEL_MARGIN_MM
    header_done = False
    for panel in fmt.print_panels:
        inner_w = panel.w_mm - 2 * m
        if panel.role == "copertina":
            canvas.saveState()
            try:
                draw_cover(canvas, panel.w_mm, panel.h_mm, cfg=cfg, texts=texts, fonts=fonts, theme=theme, links=False, counts=SAMPLE_COUNTS)
            except Overflow as exc:
                what = f"il riquadro «{exc.box}» non li contiene nemmeno a {MIN_PT:g} pt"
                if exc.too_wide and exc.over_mm <= 0:
                    message = exc.problems[0].message.replace(": accorcialo.", f" per {fmt.product}: accorcialo.")
                    found.append(replace(exc.problems[0], message=message, file=str(texts.file)))
                else:
                    too_long(_cover_keys(exc.box, fmt.name), exc.over_mm, exc.line_mm, what)
            except StampaError as exc:  # the A4 cover's QR caption: no shrinking, the build's own message
                found += [replace(p, file=str(texts.file), message=p.message.replace(": accorciala.", f" ({fmt.product}): accorciala."))
                          for p in exc.problems]
            finally:
                canvas.restoreState()
        elif panel.role == "retro":
            strip = panel.w_mm > 2 * panel.h_mm  # the A4 strip under the map (as plan.index_columns)
            bm = BackMatter(inner_w, cfg=cfg, texts=texts, fonts=fonts, attribution=SAMPLE_ATTRIBUTION, links=False,
                            compact=strip, row=strip)
            room = panel.h_mm - m - 2.0 if strip else panel.h_mm - 2 * m
            if bm.height_mm > room + 1e-6:
                body_line = 8.0 * 1.25 / mm  # BackMatter's body text: 8 pt on 10 pt
                where = "sotto la mappa" if strip else "nel retro"
                too_long(BACK_KEYS, bm.height_mm - room, body_line, f"i testi di [retro] non entrano {where}")
        elif panel.role == "indice" and not header_done:
            header_done = True
            header = index_header(inner_w, texts, fonts)
            room = panel.h_mm - 2 * m
            height = header_height(header, inner_w)
            if height > room + 1e-6:
                too_long(INDEX_KEYS, height - room, header[1][0].style.leading / mm, "il titolo dell'elenco non entra nella pagina")
    for mp in fmt.map_pages[:1]:
        _, _, w, h = mp.header_mm
        title = paragraph(escape(texts("mappa.titolo")), style(fonts.titles.bold, 15.0, leading=1.1, hyphenate=False))
        sub = paragraph(escape(texts("mappa.sottotitolo")), style(fonts.titles.regular, 10.0, leading=1.2, hyphenate=False))
        _, th = title.wrap(w * mm, 1e9)
        _, sh = sub.wrap(w * mm, 1e9)
        need = MAP_TITLE_TOP_MM + (th + sh) / mm + MAP_TITLE_GAP_MM
        if need > h + 1e-6:
            too_long(MAP_KEYS, need - h, title.style.leading / mm, "titolo e sottotitolo non entrano nella fascia sopra la mappa")
    return found
