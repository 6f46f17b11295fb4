"""The index: every entry with its number, grouped like the numbering (comune; Pavia by
quartiere) and flowed into the columns of the index panels.

An entry is a card that never breaks across columns; a group heading always travels with the
card after it. The whole index shrinks by one factor until it fits, never below
:data:`styles.MIN_SCALE` (details at 6 pt). Nothing is ever truncated: a card taller than a
column is a :class:`StampaError` naming the entry, an edition too large for the format is one
saying how many entries the format holds (counted by flowing the real text at minimum size).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence
from xml.sax.saxutils import quoteattr

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from ...numbering import FIRST_COMUNE, Numbered
from ...problems import StampaError, error, shorten
from ...printing.typography import escape, fallback_frags, paragraph, with_fallbacks
from .styles import Fonts, IndexStyles, MARKER_MM, draw_marker, index_styles, marker_size_mm, MIN_SCALE
from .texts import Texts

SCALE_STEP = 0.97
INDENT_MM = MARKER_MM + 1.8  # text starts right of the marker


@dataclass(frozen=True)
class Column:
    """A column of the index: (x, y, w, h) in panel coordinates (upright, mm)."""

    panel: int  # index into the format's panels (for the version being drawn)
    x_mm: float
    y_mm: float
    w_mm: float
    h_mm: float


@dataclass(frozen=True)
class Heading:
    level: int  # 1 comune, 2 quartiere
    text: str


@dataclass(frozen=True)
class Card:
    numbered: Numbered
    sheet: int | None = None  # the map sheet (tavola) showing the entry, when the map has sheets
    largest: int = 0  # the largest number of the edition (sets the text indent)


Item = Heading | Card


def index_items(numbered: Sequence[Numbered], texts: Texts, sheets: Mapping[int, int] | None = None) -> list[Item]:
    """Headings and cards in numbering order (the numbering already sorts by comune, quartiere).
    ``sheets``: entry number → map sheet, printed on each card."""
    items: list[Item] = []
    comune = quartiere = None
    largest = max((n.number for n in numbered), default=0)
    for n in numbered:
        e = n.entry
        if e.comune != comune:
            comune, quartiere = e.comune, None
            items.append(Heading(1, e.comune))
        if e.istat == FIRST_COMUNE:
            q = e.quartiere or texts("indice.senza_quartiere")
            if q != quartiere:
                quartiere = q
                items.append(Heading(2, q))
        items.append(Card(n, sheets.get(n.number) if sheets else None, largest))
    return items


def _display_site(url: str) -> str:
    shown = url.split("://", 1)[-1]
    return shown[:-1] if shown.endswith("/") and shown.count("/") == 1 else shown


def _link(text: str, href: str, links: bool) -> str:
    shown = escape(text)
    return f"<a href={quoteattr(href)}>{shown}</a>" if links else shown


def break_long(text: str, font: str, size_pt: float, width_pt: float) -> list[str]:
    """``text`` (an address or e-mail, no spaces) cut into pieces no wider than ``width_pt``,
    preferably after "/", "-", ".", "@" or "_"; never silently shortened."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pieces: list[str] = []
    rest = text
    while stringWidth(rest, font, size_pt) > width_pt and len(rest) > 1:
        cut = 0
        for i in range(1, len(rest)):
            if stringWidth(rest[:i], font, size_pt) > width_pt:
                break
            if rest[i - 1] in "/-.@_":
                cut = i
        if cut == 0:  # no good break point within the width: cut at the last character that fits
            cut = max(1, i - 1)
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def card_markup(n: Numbered, texts: Texts, links: bool, fit=None, sheet: int | None = None) -> list[tuple[str, str]]:
    """(style name, markup) of each paragraph of a card; user text escaped. ``fit(text)`` breaks
    a long address or e-mail into pieces that fit the column (none: keep whole)."""
    e = n.entry
    fit = fit or (lambda t: [t])
    kind = texts(f"indice.{e.tipo}")
    meta = [kind]
    if e.indirizzo:
        meta.append(e.indirizzo)
    if e.istat != FIRST_COMUNE and e.quartiere:
        meta.append(e.quartiere)
    if e.ente:
        meta.append(f"{texts('indice.a_cura_di')} {e.ente}")
    meta_markup = escape(" · ".join(meta))
    if sheet is not None:
        meta_markup = f"<b>{escape(texts.fill('tavole.rimando', numero=sheet))}</b> · " + meta_markup
    if n.novita:  # first on the line of details, for entries new since the archived edition
        meta_markup = f"<b>{escape(texts('indice.novita'))}</b> · " + meta_markup
    paras = [("name", escape(e.nome)), ("meta", meta_markup)]
    if e.attivita:
        paras.append(("detail", escape(e.attivita)))
    when = []
    if e.orari:
        when.append(f"<b>{escape(texts('indice.orari'))}</b> {escape(e.orari)}")
    if e.telefono:
        tel = "tel:" + "".join(ch for ch in e.telefono if ch.isdigit() or ch == "+")
        # No-break spaces keep a phone number on one line.
        shown = e.telefono.replace(" ", "\u00a0")
        when.append(f"{escape(texts('indice.telefono'))}\u00a0{_link(shown, tel, links)}")
    if when:
        paras.append(("detail", " · ".join(when)))
    online = []
    if e.email:
        online.append(_link_pieces(fit(e.email), "mailto:" + e.email, links))
    if e.sito:
        online.append(_link_pieces(fit(_display_site(e.sito)), e.sito, links))
    if online:
        paras.append(("detail", " · ".join(online)))
    return paras


def _link_pieces(pieces: list[str], href: str, links: bool) -> str:
    return "<br/>".join(_link(p, href, links) for p in pieces)


class WrappedCard:
    def __init__(self, n: Numbered, paras: list[Paragraph], heights: list[float], st: IndexStyles, marker_font: str):
        self.numbered = n
        self.paras = paras
        self.heights = heights  # pt
        self.st = st
        self.marker_font = marker_font
        self.height_pt = sum(heights) + 0.35 * mm * st.scale * (len(paras) - 1)
        self.height_pt = max(self.height_pt, MARKER_MM * mm)
        self.markups: list[tuple[str, str]] = []  # (style name, markup) of each paragraph
        self.indent_mm = INDENT_MM  # where the text starts, right of the marker

    def draw(self, canvas, x_pt: float, top_pt: float, theme) -> None:
        n = self.numbered
        draw_marker(canvas, n.entry.tipo, n.number, x_pt / mm, top_pt / mm + 0.3, theme, self.marker_font)
        y = top_pt
        gap = 0.35 * mm * self.st.scale
        for i, (p, h) in enumerate(zip(self.paras, self.heights)):
            if i:
                y -= gap
            y -= h
            p.drawOn(canvas, x_pt + self.indent_mm * mm, y)


class WrappedHeading:
    def __init__(self, heading: Heading, para: Paragraph, height_pt: float, rule: bool):
        self.heading = heading
        self.para = para
        self.height_pt = height_pt + (1.6 * mm if rule else 0.0)
        self.text_h = height_pt
        self.rule = rule

    def draw(self, canvas, x_pt: float, top_pt: float, theme, width_pt: float) -> None:
        self.para.drawOn(canvas, x_pt, top_pt - self.text_h)
        if self.rule:
            canvas.saveState()
            canvas.setStrokeColor(theme.color("primario"))
            canvas.setLineWidth(0.8)
            y = top_pt - self.text_h - 0.9 * mm
            canvas.line(x_pt, y, x_pt + width_pt, y)
            canvas.restoreState()


def _wrap_card(item: Card, width_mm: float, st: IndexStyles, texts: Texts, fonts: Fonts, links: bool, like: WrappedCard | None = None) -> WrappedCard:
    """The card's paragraphs wrapped to the column. ``like``: the same card already wrapped
    (the print version of the digital one): its paragraphs with the same markup are reused, so
    only those holding links are wrapped again."""
    paras, heights, markups = [], [], []
    reuse = dict(zip(like.markups, zip(like.paras, like.heights))) if like is not None and like.st.scale == st.scale else {}
    indent = like.indent_mm if like is not None else _indent_for(item, fonts)
    w = (width_mm - indent) * mm
    detail = st.detail

    def fit(text: str) -> list[str]:
        return break_long(text, detail.fontName, detail.fontSize, w - 1.0)

    for style_name, markup in card_markup(item.numbered, texts, links, fit, item.sheet):
        key = (style_name, markup)
        if key in reuse:
            p, h = reuse[key]
        else:
            p = _paragraph(markup, getattr(st, style_name))
            _, h = p.wrap(w, 1e9)
            if _too_wide(p, w):
                return None  # type: ignore[return-value]
        paras.append(p)
        heights.append(h)
        markups.append(key)
    card = WrappedCard(item.numbered, paras, heights, st, fonts.text.bold)
    card.markups = markups
    card.indent_mm = indent
    return card


_TEMPLATES: dict[int, tuple[object, object]] = {}  # id(style) → (style, its text fragment)


def _paragraph(markup: str, style) -> Paragraph:
    """A Paragraph; plain text (most of a card: names, places, activities) skips ReportLab's
    markup parser, which is half the cost of wrapping an index of thousands of cards. The text is
    the same the parser would give: the escaped entities turned back into characters."""
    if "<" in markup:
        return with_fallbacks(Paragraph(markup, style))
    held = _TEMPLATES.get(id(style))
    if held is None or held[0] is not style:
        held = (style, Paragraph("x", style).frags[0])
        _TEMPLATES[id(style)] = held
    text = " ".join(markup.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").split())
    return Paragraph(text, style, frags=fallback_frags([held[1].clone(text=text)]))


def indent_mm(largest_number: int, fonts: Fonts) -> float:
    """Where card text starts: right of the widest marker of the edition (one indent for all
    cards, so the names align; the designed indent up to two digits)."""
    w, _ = marker_size_mm(largest_number, fonts.text.bold)
    return max(INDENT_MM, w + 1.8)


def _indent_for(item: Card, fonts: Fonts) -> float:
    return indent_mm(item.largest, fonts) if item.largest else INDENT_MM


def _too_wide(p: Paragraph, width_pt: float) -> bool:
    bl = getattr(p, "blPara", None)
    if bl is None or not bl.lines:
        return False
    extras = [line[0] if isinstance(line, tuple) else line.extraSpace for line in bl.lines]
    return min(extras) < -2.0  # ReportLab overshoots by up to ~1 pt when it hyphenates


def _wrap_heading(item: Heading, width_mm: float, st: IndexStyles) -> WrappedHeading:
    p = paragraph(escape(item.text if item.level == 1 else item.text.upper()), st.comune if item.level == 1 else st.quartiere)
    _, h = p.wrap(width_mm * mm, 1e9)
    return WrappedHeading(item, p, h, rule=item.level == 1)


def _stack_height(kinds: Sequence[Item], blocks, y_used: float, st: IndexStyles) -> tuple[float, list[float]]:
    """Where each block's top goes (mm from the column top) and the new used height."""
    tops = []
    y = y_used
    for j, (k, b) in enumerate(zip(kinds, blocks)):
        if y > 0:
            if isinstance(k, Card) and j > 0 and isinstance(kinds[j - 1], Heading):
                y += 1.4 * st.scale
            elif isinstance(k, Card):
                y += st.gap_entry_mm
            elif j > 0 and isinstance(kinds[j - 1], Heading):
                y += 1.6 * st.scale
            else:
                y += st.gap_group_mm
        tops.append(y)
        y += b.height_pt / mm
    return y, tops


@dataclass
class Placed:
    column: int
    top_mm: float  # from the column's bottom (panel coordinates)
    block: object  # WrappedCard | WrappedHeading


@dataclass
class Flow:
    placed: list[Placed]
    fitted: int  # entries placed
    total: int
    scale: float
    too_tall: list[Numbered]  # cards taller than a column (or with a word wider than it)

    @property
    def complete(self) -> bool:
        return self.fitted == self.total and not self.too_tall


def flow(
    items: Sequence[Item], columns: Sequence[Column], scale: float, texts: Texts, fonts: Fonts, links: bool, cache: dict | None = None
) -> Flow:
    """Place items top-down in the columns in order; stop at the first card that fits nowhere.

    ``cache``: wrapped blocks kept across calls with the same ``items``, texts and fonts (keyed by
    item, column width, scale and links), so that trying several page counts wraps each card once:
    wrapping (ReportLab Paragraphs) is nearly all the cost of a flow."""
    st = index_styles(fonts, scale)
    total = sum(isinstance(i, Card) for i in items)
    placed: list[Placed] = []
    too_tall: list[Numbered] = []
    cache = {} if cache is None else cache

    def wrapped(idx: int, width: float):
        key = (idx, round(width, 4), round(scale, 6), links)
        if key not in cache:
            item = items[idx]
            like = cache.get((idx, key[1], key[2], False)) if links else None
            cache[key] = (
                _wrap_card(item, width, st, texts, fonts, links, like) if isinstance(item, Card) else (like or _wrap_heading(item, width, st))
            )
        return cache[key]

    col = 0
    y_used = 0.0  # mm used from the top of the current column
    fitted = 0
    i = 0
    where: dict[int, str] = {}  # heading level → text of the group being listed
    segue = texts("indice.segue")
    while i < len(items) and col < len(columns):
        c = columns[col]
        # A heading goes with the card that follows it (and a comune heading with its quartiere).
        group = [i]
        while isinstance(items[group[-1]], Heading) and group[-1] + 1 < len(items):
            group.append(group[-1] + 1)
        blocks = [wrapped(j, c.w_mm) for j in group]
        if any(b is None for b in blocks):
            too_tall.append(items[group[-1]].numbered)
            break
        kinds = [items[j] for j in group]
        # A column that opens in the middle of a group repeats where we are, "(segue)".
        if y_used == 0.0 and isinstance(items[i], Card) and where:
            label = " · ".join(where[k] for k in sorted(where)) + f" {segue}"
            cont = Heading(3, label)
            # Wrapped once per label and width: a long index repeats the same few reminders.
            key = ("segue", label, round(c.w_mm, 4), round(scale, 6))
            if key not in cache:
                cache[key] = _wrap_heading(cont, c.w_mm, st)
            blocks = [cache[key]] + blocks
            kinds = [cont] + kinds
        y, tops = _stack_height(kinds, blocks, y_used, st)
        if y > c.h_mm + 1e-6 and y_used == 0.0 and isinstance(kinds[0], Heading) and kinds[0].level == 3:
            kinds, blocks = kinds[1:], blocks[1:]  # no room for the reminder: the card comes first
            y, tops = _stack_height(kinds, blocks, y_used, st)
        if y <= c.h_mm + 1e-6:
            for top, b in zip(tops, blocks):
                placed.append(Placed(col, c.h_mm - top, b))
            for k in kinds:
                if isinstance(k, Heading) and k.level < 3:
                    where = {lv: t for lv, t in where.items() if lv < k.level}
                    where[k.level] = k.text
            fitted += 1
            y_used = y
            i = group[-1] + 1
            continue
        if y_used == 0.0:  # alone in an empty column and still too tall
            card = items[group[-1]]
            too_tall.append(card.numbered)
            break
        col += 1
        y_used = 0.0
    return Flow(placed, fitted, total, scale, too_tall)


class CapacityError(StampaError):
    """The edition has more entries than a fixed format holds, even with the smallest text."""


def fit_index(
    items: Sequence[Item],
    columns: Sequence[Column],
    texts: Texts,
    fonts: Fonts,
    links: bool,
    *,
    product: str,
    growable: bool = False,
    cache: dict | None = None,
) -> Flow:
    """The largest scale (≤ 1) at which the whole index fits the columns.

    For a growable format (the booklet) a flow that runs out of columns is returned as is at
    scale 1 so the caller adds pages. Raises StampaError for a card too tall for a column even at
    the minimum size, or (fixed formats) for an edition larger than the format holds.

    A fixed format is first tried at the smallest text: an edition it cannot hold is refused
    after one flow (a flow stops when the columns are full, so this costs what the format holds,
    not what the edition has)."""
    if not growable:
        smallest = flow(items, columns, MIN_SCALE, texts, fonts, links, cache)
        if not smallest.complete and not smallest.too_tall:
            raise _capacity_error(smallest, product)
    scale = 1.0
    while True:
        f = flow(items, columns, scale, texts, fonts, links, cache)
        if f.too_tall and scale <= MIN_SCALE + 1e-9:
            n = f.too_tall[0]
            raise StampaError(
                error(
                    f"la voce {n.number} «{shorten(n.entry.nome, 50)}» non entra in una colonna dell'indice "
                    "nemmeno con il testo al minimo (6 pt): accorcia le attività, gli orari o l'ente.",
                    where=f"voce {n.number}",
                    value=n.entry.id,
                )
            )
        if f.complete or (growable and not f.too_tall):
            return f
        if scale <= MIN_SCALE + 1e-9:
            raise _capacity_error(f, product)
        scale = max(MIN_SCALE, scale * SCALE_STEP)


def _capacity_error(f: Flow, product: str) -> CapacityError:
    return CapacityError(
        error(
            f"l'edizione ha {f.total} voci e {product} ne contiene al massimo {f.fitted}: "
            'usa formato = "libretto" (o "automatico") in [mappa]'
        )
    )


def draw_flow(canvas, f: Flow, columns: Sequence[Column], panel_origin, theme) -> None:
    """Draw the placed blocks; ``panel_origin(panel_idx)`` sets the canvas to that panel's
    upright coordinates (and must be undone by restoreState, which this function calls)."""
    current = None
    for p in f.placed:
        c = columns[p.column]
        if c.panel != current:
            if current is not None:
                canvas.restoreState()
            canvas.saveState()
            panel_origin(c.panel)
            current = c.panel
        x = c.x_mm * mm
        top = (c.y_mm + p.top_mm) * mm
        if isinstance(p.block, WrappedCard):
            p.block.draw(canvas, x, top, theme)
        else:
            p.block.draw(canvas, x, top, theme, c.w_mm * mm)
    if current is not None:
        canvas.restoreState()
