"""One proof («bozza»): an A4 page for one organisation to check its entry before printing.

From the top: what it is and for which edition; the entry as the index prints it (the Mappa's own
card, at real size) beside the map detail with its number; the fields as data; the checks that
apply to it; the request to confirm or correct by a date, and whom to write to.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm

from ..entries.model import POSITION_FILE
from ..numbering import Numbered
from ..printing.page import DocInfo, PageSpec, open_canvas
from ..printing.theme import Theme
from ..printing.typography import draw_string, escape, paragraph
from ..products.mappa.styles import Fonts, text_style
from ..products.mappa.texts import Texts
from .detail import OSM_CREDIT, SPAN_M, DetailData, draw_detail

PAGE_W_MM, PAGE_H_MM = 210.0, 297.0
MARGIN_MM = 15.0
MAP_MM = 80.0
MONTHS = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
          "ottobre", "novembre", "dicembre")
FIELD_LABELS = (("nome", "Nome"), ("tipo", "Tipo"), ("comune", "Comune"), ("quartiere", "Quartiere"),
                ("indirizzo", "Indirizzo"), ("ente", "A cura di"), ("attivita", "Attività"), ("orari", "Orari"),
                ("telefono", "Telefono"), ("email", "Email"), ("sito", "Sito"))


@dataclass(frozen=True)
class ProofSetup:
    """Everything a proof page reads besides its entry: built once per run."""

    title: str
    edition: str
    deadline: str  # "31 gennaio 2027", or "" → «al più presto»
    contact: str  # «Maria Piccio, Centro Servizi Volontariato, m.piccio@…»
    contact_email: str
    texts: Texts
    fonts: Fonts
    theme: Theme
    detail: DetailData
    cards: object  # stampa.bozze.cards.PrintedCards: each entry's card as the index prints it


def italian_date(iso: str) -> str:
    if not iso:
        return ""
    d = datetime.date.fromisoformat(iso.strip())
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def checks_for(n: Numbered, problems: Sequence[str]) -> list[str]:
    """What to look at in this entry: the checks' own warnings, then what a reader would miss."""
    e = n.entry
    lines = list(problems)
    if not e.email:
        lines.append("Manca l'indirizzo email: se volete, scriveteci quello da stampare nell'elenco e a cui "
                     "ricevere le bozze dei prossimi anni.")
    if not e.orari:
        lines.append("Mancano giorni e orari: chi legge la Mappa non sa quando trovarvi.")
    if not (e.telefono or e.sito):
        lines.append("Né telefono né sito: chi legge la Mappa non ha un recapito.")
    if e.position_from != POSITION_FILE:
        how = f" (precisione: {e.precision})" if e.precision else ""
        lines.append(f"La posizione è stata trovata dall'indirizzo{how}: controllate che il numero sulla mappa sia "
                     "al posto giusto.")
    return lines


def draw_proof(path, n: Numbered, setup: ProofSetup, problems: Sequence[str]) -> int:
    """Write the proof of entry ``n`` to ``path`` (atomically). Returns the number of pages (1,
    or 2 when the fields are too long for one page even in small type)."""
    e = n.entry
    f, theme = setup.fonts, setup.theme
    sheet = open_canvas(PageSpec(PAGE_W_MM, PAGE_H_MM, bleed_mm=0.0, marks=False), "digitale", font=f.text.regular,
                        info=DocInfo(title=f"Bozza: {e.nome}", author=setup.contact, subject=setup.edition))
    c = sheet.canvas
    x0, right = MARGIN_MM, PAGE_W_MM - MARGIN_MM
    top = PAGE_H_MM - MARGIN_MM

    # Header: what this page is, under a rule inside the margins (office printers leave the
    # page's outer 4-5 mm white: a band to the edge would print cut).
    c.setFillColor(theme.color("primario"))
    c.rect(x0 * mm, (top + 2) * mm, (right - x0) * mm, 1.2 * mm, stroke=0, fill=1)
    draw_string(c, x0 * mm, (top - 3) * mm, f"BOZZA DA CONTROLLARE · {setup.edition}", f.titles.bold, 9)
    c.setFillColor(theme.color("testo"))
    y = _para(c, escape(e.nome), text_style(f, 17, bold=True, titles=True, leading=1.1), x0, top - 6, right - x0)
    y = _para(c, escape(f"{setup.title} · voce n. {n.number} · codice {e.id}"), text_style(f, 9), x0, y - 1, right - x0)

    # The entry as printed, and where it is on the map.
    y -= 7
    c.setFillColor(theme.color("primario"))
    draw_string(c, x0 * mm, y * mm, "Come apparirà nell'elenco (in grandezza reale)", f.titles.bold, 10)
    map_x = right - MAP_MM
    draw_string(c, map_x * mm, y * mm, "Sulla mappa", f.titles.bold, 10)
    y -= 4
    card = setup.cards.cards.get(e.id)
    card_bottom = y
    if card is not None:
        card.draw(c, x0 * mm, y * mm, theme)
        card_bottom = y - card.height_pt / mm
        # Why the lines break where they do: the card is set in the index's column, not this page.
        width = f"{setup.cards.width_mm[e.id]:.0f}"
        c.setFillColor(theme.color("testo"))
        card_bottom = _para(c, escape(f"Con gli stessi a capo dell'elenco stampato (colonna larga {width} mm)."),
                            text_style(f, 7), x0, card_bottom - 2.5, map_x - x0 - 8)
    draw_detail(c, setup.detail, n, (map_x, y - MAP_MM, right, y), theme, f.text)
    c.setFillColor(theme.color("testo"))
    side_km = f"{SPAN_M / 1000:.1f}".replace(".", ",")
    credit = f" · {OSM_CREDIT}" if setup.detail.osm is not None else ""
    _para(c, escape(f"Comune di {e.comune} · riquadro di {side_km} km{credit}"), text_style(f, 7), map_x,
          y - MAP_MM - 1.5, MAP_MM)
    y = min(card_bottom, y - MAP_MM - 6) - 8

    request_h = 27.0
    bottom = MARGIN_MM + request_h + 6
    # The fields as data, then the checks: in smaller type if needed to stay on one page.
    checks = checks_for(n, problems)
    rows = _rows(e, setup.texts)
    for size in (9.0, 8.0, 7.0, 6.5):
        if _data_height(rows, f, size, right - x0) + _checks_height(checks, f, size, right - x0) + 16 <= y - bottom:
            break
    y = _data(c, rows, f, theme, size, x0, y, right - x0)
    y = _checks(c, checks, f, theme, size, x0, y - 5, right - x0)
    if y < bottom:  # still too long: the request goes on a second page rather than over the text
        sheet.next_page()
    _request(c, setup, x0, MARGIN_MM, right - x0, request_h)
    sheet.save(path)
    return sheet.pages


def _para(c, markup: str, st, x_mm: float, top_mm: float, w_mm: float) -> float:
    p = paragraph(markup, st)
    _, h = p.wrap(w_mm * mm, 1e9)
    p.drawOn(c, x_mm * mm, top_mm * mm - h)
    return top_mm - h / mm


LABEL_W_MM = 28.0


def _rows(e, texts: Texts) -> list[tuple[str, str]]:
    """(label, value) of each field; the type in the index's own words (layout/mappa.toml)."""
    rows = []
    for key, label in FIELD_LABELS:
        value = getattr(e, key)
        if key == "tipo":
            value = texts(f"indice.{value}")
        rows.append((label, value))
    lat, lon = (f"{v:.5f}".replace(".", ",") for v in (e.lat, e.lon))
    rows.append(("Posizione", f"latitudine {lat}, longitudine {lon}"))
    return rows


def _data_height(rows: Sequence[tuple[str, str]], f: Fonts, size: float, w_mm: float) -> float:
    st = text_style(f, size)
    total = 8.0
    for _, value in rows:
        p = paragraph(escape(value or "—"), st)
        total += p.wrap((w_mm - LABEL_W_MM) * mm, 1e9)[1] / mm + 1.2
    return total


def _data(c, rows: Sequence[tuple[str, str]], f: Fonts, theme: Theme, size: float, x_mm: float, y_mm: float,
          w_mm: float) -> float:
    c.setFillColor(theme.color("primario"))
    draw_string(c, x_mm * mm, y_mm * mm, "I dati della voce", f.titles.bold, 10)
    y = y_mm - 3
    value_st, label_st = text_style(f, size), text_style(f, size, bold=True)
    for label, value in rows:
        c.setStrokeColor(theme.color("fondo_chiaro"))
        c.setLineWidth(0.5)
        c.line(x_mm * mm, (y + 0.6) * mm, (x_mm + w_mm) * mm, (y + 0.6) * mm)
        _para(c, escape(label), label_st, x_mm, y, LABEL_W_MM - 2)
        y = _para(c, escape(value) if value else "<i>(vuoto)</i>", value_st, x_mm + LABEL_W_MM, y, w_mm - LABEL_W_MM) - 1.2
    return y


def _checks_height(checks: Sequence[str], f: Fonts, size: float, w_mm: float) -> float:
    st = text_style(f, size)
    return 8.0 + sum(paragraph(escape(t), st).wrap((w_mm - 4) * mm, 1e9)[1] / mm + 1.0 for t in checks or ["-"])


def _checks(c, checks: Sequence[str], f: Fonts, theme: Theme, size: float, x_mm: float, y_mm: float, w_mm: float) -> float:
    c.setFillColor(theme.color("primario"))
    draw_string(c, x_mm * mm, y_mm * mm, "Da controllare", f.titles.bold, 10)
    y = y_mm - 3
    st = text_style(f, size)
    c.setFillColor(theme.color("testo"))
    if not checks:
        return _para(c, "Nessun problema trovato nei dati.", st, x_mm, y, w_mm)
    for text in checks:
        draw_string(c, x_mm * mm, (y - size * 0.3528 * 1.0) * mm, "•", f.text.regular, size)
        y = _para(c, escape(text), st, x_mm + 4, y, w_mm - 4) - 1.0
    return y


def _request(c, setup: ProofSetup, x_mm: float, y_mm: float, w_mm: float, h_mm: float) -> None:
    f, theme = setup.fonts, setup.theme
    c.setFillColor(theme.color("fondo_chiaro"))
    c.rect(x_mm * mm, y_mm * mm, w_mm * mm, h_mm * mm, stroke=0, fill=1)
    when = f"entro il {setup.deadline}" if setup.deadline else "al più presto"
    c.setFillColor(theme.color("testo"))
    top = y_mm + h_mm - 4
    top = _para(c, "Vi chiediamo di confermare o correggere questa voce", text_style(f, 11, bold=True, titles=True),
                x_mm + 4, top, w_mm - 8)
    body = (f"Rispondete {when} a {setup.contact}: scrivete «confermo» oppure le correzioni, campo per campo. "
            "Se non riceviamo risposta, la voce sarà stampata così come la vedete in questa pagina.")
    _para(c, escape(body).replace(escape(when), f"<b>{escape(when)}</b>", 1), text_style(f, 9), x_mm + 4, top - 1.5, w_mm - 8)


def proof_setup(cfg, texts: Texts, fonts: Fonts, theme: Theme, detail: DetailData, cards) -> ProofSetup:
    k = cfg.contatti
    who = ", ".join(p for p in (k.referente, k.ente) if p)
    contact = f"{who} ({k.email})" if k.email else (who or cfg.edizione.autore)
    return ProofSetup(cfg.edizione.titolo, cfg.edizione.nome, italian_date(cfg.bozze.entro), contact, k.email, texts,
                      fonts, theme, detail, cards)
