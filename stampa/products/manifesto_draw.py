"""Drawing one manifesto poster on a page. One design for every format: every size is a fixed
proportion of the trim width (the A3 design scaled by ``k = width / 297 mm``), so an A4 is an A3
in small and a 70×100 one in large; only the QR code follows the reading distance.

Top to bottom: a full-bleed title band; the parts (big numeral, heading, keywords as coloured
labels, short text), spread over the free height; at the bottom either the contact block with the
QR code (the manifesto) or, on a lab's own poster, a contact strip and the lab's coloured band
("Qui trovi il Laboratorio Sociale …", address, hours, QR to its page).

Vertical room is shared by measuring: the header and the bottom block take what they need, the
parts get the rest; when the parts do not fit they shrink together, down to 6 pt for the body
text, and then the build stops with a message naming the text to shorten.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import CMYKColor
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

from ..printing.fonts import FontSet
from ..printing.page import SAFE_MARGIN_MM, PageSpec, Sheet
from ..printing.qr import draw_qr, qr_size_mm
from ..printing.theme import Theme
from ..printing.typography import MIN_PT, Block, Fitted, draw_string, escape, fit_paragraphs, quote, string_width, style
from ..problems import Problem, StampaError, error, warning
from .manifesto_text import ManifestoText

WHITE = CMYKColor(0, 0, 0, 0)
A3_WIDTH_MM = 297.0

# QR code size as a share of the trim width: never smaller (it is the poster's call to action),
# never larger (it would crowd out the text). Between the two the reading distance decides.
QR_MIN_SHARE = 0.25
QR_MAX_SHARE = 0.34

# Vertical rhythm, in grid units (hundredths of the trim width).
HEADER_TOP, HEADER_GAP, HEADER_BOTTOM = 5.5, 2.2, 5.0
FOOTER_PAD = 4.0
PARTS_MARGIN = 4.5  # between the parts and the header / the bottom block
MIN_PART_GAP = 4.0
# Type sizes at A3 (pt), before the parts shrink to fit: body text readable from 1 m.
BODY_PT = 18.5
NUMERAL_PT = 84.0


@dataclass(frozen=True)
class Contacts:
    """The contact block, from [contatti] in stampa.toml, and the credits line."""

    ente: str
    referente: str = ""
    email: str = ""
    telefono: str = ""
    sito: str = ""
    crediti: str = ""


@dataclass(frozen=True)
class LabBand:
    """What the band of a lab's own poster prints."""

    id: str
    nome: str
    indirizzo: str  # one line: address, quartiere, comune
    orari: str
    url: str  # the QR target: the lab's own page, or the digital map when it has none
    own_page: bool


@dataclass(frozen=True)
class Design:
    """Everything that depends on the format, computed once per format."""

    formato: str
    spec: PageSpec
    heading: FontSet
    body: FontSet
    theme: Theme
    qr_mm: float

    @property
    def k(self) -> float:
        return self.spec.trim_w_mm / A3_WIDTH_MM

    @property
    def u(self) -> float:
        """One hundredth of the trim width, in mm: the design's grid unit."""
        return self.spec.trim_w_mm / 100.0

    @property
    def margin_mm(self) -> float:
        return max(SAFE_MARGIN_MM, 7.0 * self.u)

    def pt(self, at_a3: float) -> float:
        """A type size given for A3, scaled to this format (never under 6 pt)."""
        return max(MIN_PT, at_a3 * self.k)


def plan_qr(formato: str, trim_w_mm: float, url: str, distance_cm: float, what: str) -> tuple[float, Problem | None]:
    """QR size (mm, quiet zone included) for a format, and a warning when the format is too
    small for the reading distance."""
    required = qr_size_mm(url, distance_cm)
    lo, hi = QR_MIN_SHARE * trim_w_mm, QR_MAX_SHARE * trim_w_mm
    size = float(int(min(max(required, lo), hi)))  # whole mm
    if size < required:
        reach_cm = size  # width ≥ distance / 10 → readable from about 10 × width
        return size, warning(
            f"il codice QR{' ' + what if what else ''} misura {size:.0f} mm, meno dei {required:.0f} mm che "
            f"servono per leggerlo da {distance_cm:.0f} cm; si legge da circa {reach_cm:.0f} cm. "
            "Per una bacheca letta da lontano scegli un formato più grande (A3 o superiore) "
            "o riduci [manifesto] distanza_lettura_cm.",
            where=f"manifesto {formato}",
        )
    return size, None


def _link(text: str, url: str, links: bool) -> str:
    """Escaped text, clickable in the digital version only."""
    if not links or not url:
        return escape(text)
    href = escape(url).replace('"', "&quot;")
    return f'<a href="{href}">{escape(text)}</a>'


def _contact_lines(c: Contacts, links: bool) -> list[str]:
    lines = []
    first = " · ".join(x for x in (c.ente, c.referente) if x)
    if first:
        lines.append(f"<b>{escape(first)}</b>")
    if c.email:
        lines.append(_link(c.email, f"mailto:{c.email}", links))
    if c.telefono:
        tel = "tel:" + "".join(ch for ch in c.telefono if ch.isdigit() or ch == "+")
        lines.append(_link(c.telefono, tel, links))
    if c.sito:
        shown = c.sito.split("://", 1)[-1].rstrip("/")
        lines.append(_link(shown, c.sito, links))
    return lines


# --- header --------------------------------------------------------------------------------------


@dataclass
class _Header:
    height_mm: float
    title: Fitted
    subtitle: Fitted | None


def _one_line_size(text: str, font: str, design_pt: float, width_mm: float, floor: float = 0.72) -> float:
    """The size that keeps ``text`` on one line, down to ``floor`` × the design size; below that
    the design size is kept (times 0.85) and the text wraps: a name on two lines reads better
    than one in small type."""
    fit = width_mm * mm / max(string_width(text, font, 1.0), 1e-6) * 0.995
    if fit >= design_pt:
        return design_pt
    return fit if fit >= floor * design_pt else max(MIN_PT, 0.85 * design_pt)


def _title_block(d: Design, title: str, width_mm: float) -> Fitted:
    """The title on one line as large as the width allows (up to the design size); a title too long
    for one line at a poster size wraps onto two or more lines instead of shrinking further."""
    design, one_line_floor = d.pt(100), d.pt(64)
    size = min(design, width_mm * mm / max(string_width(title, d.heading.bold, 1.0), 1e-6) * 0.995)
    if size < one_line_floor:
        size = d.pt(80)
    return fit_paragraphs(
        [Block(title, style(d.heading.bold, size, leading=0.98, color=WHITE, hyphenate=False, name="titolo"))],
        width_mm,
        0.3 * d.spec.trim_h_mm,
        box="titolo",
    )


def _header(d: Design, text: ManifestoText) -> _Header:
    u, inner = d.u, d.spec.trim_w_mm - 2 * d.margin_mm
    title = _title_block(d, text.titolo, inner)
    sub = None
    if text.sottotitolo:
        sub = fit_paragraphs(
            [Block(text.sottotitolo, style(d.body.regular, d.pt(21), leading=1.25, color=WHITE, name="sottotitolo"))],
            inner * 0.85,
            0.12 * d.spec.trim_h_mm,
            box="sottotitolo",
        )
    h = HEADER_TOP * u + (_over_h(d) + HEADER_GAP * u if text.occhiello else 0)
    h += title.height_pt / mm + (HEADER_GAP * u + sub.height_pt / mm if sub else 0) + HEADER_BOTTOM * u
    return _Header(h, title, sub)


def _over_h(d: Design) -> float:
    face = getFont(d.heading.bold).face
    return (face.ascent - face.descent) / 1000 * d.pt(15) / mm


def _draw_header(c, d: Design, text: ManifestoText, hd: _Header) -> None:
    W, H, b, u = d.spec.trim_w_mm, d.spec.trim_h_mm, d.spec.bleed_mm, d.u
    x = d.margin_mm * mm
    c.setFillColor(d.theme.color("primario"))
    c.rect(-b * mm, (H - hd.height_mm) * mm, (W + 2 * b) * mm, (hd.height_mm + b) * mm, stroke=0, fill=1)
    y = (H - HEADER_TOP * u) * mm
    if text.occhiello:
        size = d.pt(15)
        face = getFont(d.heading.bold).face
        c.saveState()  # the letterspacing must not leak into the rest of the page
        t = c.beginText(x, y - face.ascent / 1000 * size)
        t.setFont(d.heading.bold, size)
        t.setCharSpace(size * 0.2)  # letterspaced capitals: a label, not a sentence
        t.setFillColor(WHITE)
        t.textOut(text.occhiello.upper())
        c.drawText(t)
        c.restoreState()
        y -= (_over_h(d) + HEADER_GAP * u) * mm
    y = hd.title.draw(c, x, y)
    if hd.subtitle:
        hd.subtitle.draw(c, x, y - HEADER_GAP * u * mm)


# --- bottom blocks -------------------------------------------------------------------------------


@dataclass
class _Bottom:
    height_mm: float
    draw: object  # callable(canvas)


def _credits(d: Design, contacts: Contacts, width_mm: float, color) -> Fitted:
    return fit_paragraphs(
        [Block(contacts.crediti, style(d.body.regular, d.pt(10.5), leading=1.3, color=color, name="crediti", hyphenate=False))],
        width_mm,
        30,
        box="crediti",
    )


def _footer(d: Design, text: ManifestoText, contacts: Contacts, url: str, links: bool) -> _Bottom:
    """The manifesto's bottom block: contacts (and the credits under them) on the left, the QR
    code on the right; the block is as tall as the QR code."""
    u, W, b = d.u, d.spec.trim_w_mm, d.spec.bleed_mm
    m = d.margin_mm
    pad = FOOTER_PAD * u
    qr = d.qr_mm
    left_w = W - 2 * m - qr - 6 * u
    credits = _credits(d, contacts, left_w, d.theme.color("testo")) if contacts.crediti else None
    cred_h = credits.height_pt / mm + 2.5 * u if credits else 0.0
    blocks = [Block(text.contatti.titolo, style(d.heading.bold, d.pt(28), leading=1.08, space_after_pt=d.pt(6), name="contatti-titolo"))]
    if text.contatti.testo:
        blocks.append(Block(text.contatti.testo, style(d.body.regular, d.pt(18), leading=1.3, name="contatti")))
    lines = _contact_lines(contacts, links)
    if lines:
        st = style(d.body.regular, d.pt(18), leading=1.3, space_before_pt=d.pt(9), name="recapiti")
        blocks.append(Block(" ".join(lines), st, markup="<br/>".join(lines)))
    if text.contatti.invito_qr:
        st = style(d.body.bold, d.pt(16), leading=1.3, space_before_pt=d.pt(10), name="invito", color=d.theme.color("primario"))
        blocks.append(Block(text.contatti.invito_qr, st))
    left = fit_paragraphs(blocks, left_w, qr - cred_h, box="contatti")
    height = pad + max(qr, left.height_pt / mm + cred_h) + pad

    def draw(c) -> None:
        c.setFillColor(d.theme.color("fondo_chiaro"))
        c.rect(-b * mm, -b * mm, (W + 2 * b) * mm, (height + b) * mm, stroke=0, fill=1)
        top = height - pad
        left.draw(c, m * mm, top * mm)
        draw_qr(c, url, W - m - qr, top - qr, qr, link=links)
        if credits:
            credits.draw(c, m * mm, (pad + credits.height_pt / mm) * mm)

    return _Bottom(height, draw)


def _lab_bottom(d: Design, text: ManifestoText, contacts: Contacts, lab: LabBand, links: bool) -> _Bottom:
    """A lab's poster: the lab's coloured band across the bottom, as tall as the generic footer.
    Left: where and when to find the lab, and under it the network's contacts and the credits;
    right: the QR code to the lab's page (or to the digital manifesto when it has none)."""
    u, W, b = d.u, d.spec.trim_w_mm, d.spec.bleed_mm
    m = d.margin_mm
    pad = FOOTER_PAD * u
    qr = d.qr_mm
    left_w = W - 2 * m - qr - 6 * u
    lt = text.laboratorio
    where = f"laboratorio «{quote(lab.nome, 40)}» (id {lab.id})"

    # Bottom group first: its height is taken from the room of the lab's own lines.
    lines = _contact_lines(contacts, links)
    head = escape(text.contatti.titolo)
    markup = f"<b>{head}</b><br/>" + "<br/>".join(lines) if lines else f"<b>{head}</b>"
    # White on a three-ink colour: never under 8 pt, or a slight misregistration fills it in.
    knockout_min = 8.0
    small = [
        Block(text.contatti.titolo, style(d.body.regular, max(knockout_min, d.pt(14)), leading=1.3, color=WHITE,
                                          name="contatti", hyphenate=False), markup=markup)
    ]
    if contacts.crediti:
        small.append(Block(contacts.crediti, style(d.body.regular, max(knockout_min, d.pt(10)), leading=1.3, color=WHITE,
                                                   space_before_pt=d.pt(4), name="crediti", hyphenate=False)))
    foot = fit_paragraphs(small, left_w, 0.45 * qr, box="contatti")
    foot_h = foot.height_pt / mm

    blocks = [
        Block(lt.fascia, style(d.body.regular, d.pt(20), leading=1.2, color=WHITE, name="fascia")),
        Block(lab.nome, style(d.heading.bold, _one_line_size(lab.nome, d.heading.bold, d.pt(42), left_w), leading=1.02,
                              color=WHITE, hyphenate=False, space_before_pt=d.pt(2), name="laboratorio")),
    ]
    if lab.indirizzo:
        blocks.append(Block(lab.indirizzo, style(d.body.bold, d.pt(19), leading=1.3, color=WHITE, space_before_pt=d.pt(10), name="indirizzo", hyphenate=False)))
    if lab.orari:
        label = f"{lt.etichetta_orari}: " if lt.etichetta_orari else ""
        st = style(d.body.regular, d.pt(19), leading=1.3, color=WHITE, space_before_pt=d.pt(3), name="orari")
        blocks.append(Block(label + lab.orari, st, markup=f"<b>{escape(label)}</b>{escape(lab.orari)}" if label else None))
    invite = lt.invito_qr if lab.own_page else text.contatti.invito_qr
    if invite:
        blocks.append(Block(invite, style(d.body.regular, d.pt(16), leading=1.3, color=WHITE, space_before_pt=d.pt(10), name="invito")))
    try:
        left = fit_paragraphs(blocks, left_w, qr - foot_h - 3 * u, box="fascia del laboratorio")
    except StampaError as exc:
        raise StampaError([error(p.message, where=where, field="nome") for p in exc.problems]) from None
    height = 2 * pad + max(qr, left.height_pt / mm + 3 * u + foot_h)

    def draw(c) -> None:
        c.setFillColor(d.theme.color("laboratorio"))
        c.rect(-b * mm, -b * mm, (W + 2 * b) * mm, (height + b) * mm, stroke=0, fill=1)
        top = height - pad
        left.draw(c, m * mm, top * mm)
        foot.draw(c, m * mm, (pad + foot_h) * mm)
        draw_qr(c, lab.url, W - m - qr, top - qr, qr, link=links)

    return _Bottom(height, draw)


# --- the parts -----------------------------------------------------------------------------------


@dataclass
class _Pill:
    text: str
    x: float  # pt, from the content column's left
    row: int
    w: float


@dataclass
class _PartLayout:
    numeral: str
    heading: Fitted
    pills: list[_Pill]
    pill_h: float  # pt
    pill_gap_y: float
    pill_size: float
    body: Fitted
    gap1: float
    gap2: float
    num_size: float

    @property
    def rows(self) -> int:
        return (max(p.row for p in self.pills) + 1) if self.pills else 0

    @property
    def pills_h(self) -> float:
        return self.rows * self.pill_h + max(0, self.rows - 1) * self.pill_gap_y

    @property
    def height(self) -> float:
        return self.heading.height_pt + self.gap1 + self.pills_h + self.gap2 + self.body.height_pt


def _flow_pills(words, font, size, width_pt, pad, gap) -> list[_Pill] | None:
    pills, x, row = [], 0.0, 0
    for word in words:
        w = string_width(word, font, size) + 2 * pad
        if w > width_pt:
            return None
        if x > 0 and x + w > width_pt:
            row, x = row + 1, 0.0
        pills.append(_Pill(word, x, row, w))
        x += w + gap
    return pills


def _layout_part(d: Design, i: int, part, s: float, content_w_mm: float) -> _PartLayout | None:
    u = d.u
    head = fit_paragraphs(
        [Block(part.titolo, style(d.heading.bold, d.pt(38) * s, leading=1.05, hyphenate=False, name="parte"))],
        content_w_mm,
        1e4,
        box=f"titolo della parte {i}",
        min_pt=MIN_PT,
    )
    size = d.pt(23) * s
    pad, gap = 0.6 * size, 0.4 * size
    pills = _flow_pills(part.parole_chiave, d.heading.bold, size, content_w_mm * mm, pad, gap)
    if pills is None:
        return None
    body = fit_paragraphs(
        [Block(part.testo, style(d.body.regular, d.pt(BODY_PT) * s, leading=1.32, name="testo"))],
        content_w_mm,
        1e4,
        box=f"parte {i}",
    )
    return _PartLayout(
        numeral=str(i),
        heading=head,
        pills=pills,
        pill_h=1.6 * size,
        pill_gap_y=0.4 * size,
        pill_size=size,
        body=body,
        gap1=1.8 * u * s * mm,
        gap2=2.2 * u * s * mm,
        num_size=d.pt(NUMERAL_PT) * s,
    )


def _layout_parts(d: Design, text: ManifestoText, avail_mm: float):
    """Lay the parts out at the largest common scale that fits ``avail_mm``."""
    u = d.u
    inner = d.spec.trim_w_mm - 2 * d.margin_mm
    smallest = d.pt(BODY_PT)
    floor = MIN_PT / smallest
    s = 1.0
    while True:
        num_w = stringWidth("4", d.heading.bold, d.pt(NUMERAL_PT) * s) / mm + 3.0 * u * s
        content_w = inner - num_w
        parts = []
        ok = True
        for i, part in enumerate(text.parti, start=1):
            try:
                lay = _layout_part(d, i, part, s, content_w)
            except StampaError:
                lay = None
            if lay is None:
                ok = False
                break
            parts.append(lay)
        if ok:
            min_gap = MIN_PART_GAP * u * s * mm
            total = sum(p.height for p in parts) + min_gap * (len(parts) - 1)
            if total <= avail_mm * mm:
                return parts, num_w, s
        if s <= floor + 1e-9:
            break
        s = max(floor, s * 0.95)
    i, longest = max(enumerate(text.parti, start=1), key=lambda ip: len(ip[1].testo))
    raise StampaError(
        error(
            f"il testo «{quote(longest.testo)}» non entra nel riquadro «parti del manifesto {d.formato}» "
            f"({inner:.0f} × {max(avail_mm, 0):.0f} mm) nemmeno a {MIN_PT:g} pt: accorcialo.",
            file=text.file or None,
            where=f"chiave «parti[{i}].testo»",
        )
    )


def _draw_parts(c, d: Design, parts: list[_PartLayout], num_w_mm: float, top_mm: float, bottom_mm: float) -> None:
    u = d.u
    m = d.margin_mm
    avail = (top_mm - bottom_mm) * mm
    natural = sum(p.height for p in parts)
    n = len(parts)
    # Spread the free height between the parts, up to a generous gap; what is left frames the block.
    gap = min((avail - natural) / (n - 1), 16 * u * mm) if n > 1 else 0.0
    used = natural + gap * (n - 1)
    y = top_mm * mm - (avail - used) / 2
    x_num = m * mm
    x = (m + num_w_mm) * mm
    content_w = (d.spec.trim_w_mm - m) * mm - x
    accent = d.theme.color("accento")
    for idx, p in enumerate(parts):
        top = y
        # numeral: cap top aligned with the heading's cap top
        face = getFont(d.heading.bold).face
        head_size = p.heading.paragraphs[0].style.fontSize
        head_asc = face.ascent / 1000 * head_size
        c.setFillColor(d.theme.color("primario"))
        c.setFont(d.heading.bold, p.num_size)
        cap = 0.70  # cap height of Titillium Web, in em
        c.drawString(x_num - 0.06 * p.num_size, top - head_asc + cap * head_size - cap * p.num_size, p.numeral)
        y = p.heading.draw(c, x, y)
        y -= p.gap1
        # keywords: white on the accent colour, in rounded labels
        c.setFont(d.heading.bold, p.pill_size)
        for pill in p.pills:
            py = y - (pill.row + 1) * p.pill_h - pill.row * p.pill_gap_y
            c.setFillColor(accent)
            c.roundRect(x + pill.x, py, pill.w, p.pill_h, p.pill_h / 2, stroke=0, fill=1)
            c.setFillColor(WHITE)
            draw_string(c, x + pill.x + pill.w / 2, py + p.pill_h / 2 - 0.33 * p.pill_size, pill.text, d.heading.bold, p.pill_size, align="center")
        y -= p.pills_h + p.gap2
        y = p.body.draw(c, x, y)
        if idx < n - 1:
            rule_y = y - gap / 2
            c.setStrokeColor(d.theme.color("primario", alpha=1.0))
            c.setLineWidth(max(0.5, 1.2 * d.k))
            c.line(x, rule_y, x + content_w, rule_y)
            y -= gap


# --- the whole poster ----------------------------------------------------------------------------


def draw_poster(
    sheet: Sheet,
    d: Design,
    text: ManifestoText,
    contacts: Contacts,
    url: str,
    lab: LabBand | None = None,
    cache: dict | None = None,
) -> None:
    """Draw one poster on the sheet's current page (trim coordinates).

    With a ``cache`` (one dict per file), the part every poster of the file shares — the header
    and the parts — is laid out once and written once as a PDF form XObject that each page
    reuses: a thousand per-lab posters cost one body plus a thousand bands, in time and in bytes.
    """
    c = sheet.canvas
    u = d.u
    bottom = _lab_bottom(d, text, contacts, lab, sheet.links) if lab else _footer(d, text, contacts, url, sheet.links)
    low = bottom.height_mm + PARTS_MARGIN * u
    if cache is None:
        _draw_body(c, d, text, low)
    else:
        key = ("corpo", round(low, 3))
        name = cache.get(key)
        if name is None:
            name = f"corpo{len(cache) + 1}"
            W, H, b = d.spec.trim_w_mm, d.spec.trim_h_mm, d.spec.bleed_mm
            c.beginForm(name, lowerx=-b * mm, lowery=-b * mm, upperx=(W + b) * mm, uppery=(H + b) * mm)
            _draw_body(c, d, text, low)
            c.endForm()
            cache[key] = name
        c.doForm(name)
    bottom.draw(c)


def _draw_body(c, d: Design, text: ManifestoText, low_mm: float) -> None:
    """The header and the parts, above ``low_mm``."""
    hd = _header(d, text)
    top = d.spec.trim_h_mm - hd.height_mm - PARTS_MARGIN * d.u
    parts, num_w, _ = _layout_parts(d, text, top - low_mm)
    _draw_header(c, d, text, hd)
    _draw_parts(c, d, parts, num_w, top, low_mm)
