"""Typography shared by the products: paragraph styles, escaping of user text, Italian hyphenation
and fitting text into a box.

Rules enforced here: text prints in 100 % K; nothing is ever set under :data:`MIN_PT` (6 pt);
text that does not fit its box even at the minimum size is a :class:`StampaError` that names the
text, never a silent overflow or truncation. User text is data: :func:`escape` it before any
ReportLab ``Paragraph`` parses it.

Characters the font lacks (emoji, Greek and Cyrillic in a Latin-only family…) print in a fallback
font (see :mod:`stampa.printing.fonts`): build paragraphs with :func:`paragraph` (or
:class:`Block`) and draw single lines with :func:`draw_string` / :func:`string_width`, never with
``canvas.drawString`` on user text. Characters no font has are left out, never printed as boxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from reportlab.lib.colors import CMYKColor
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph
from reportlab.platypus import paragraph as _rl_paragraph

from ..problems import StampaError, error, shorten
from .fonts import split_runs

MIN_PT = 6.0  # print shops' floor: nothing smaller, anywhere
TEXT_BLACK = CMYKColor(0, 0, 0, 1)  # 100 % K: crisp on every press, no registration halo
HYPHENATION_LANG = "it_IT"

_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}


def escape(text: str) -> str:
    """User text made safe for ReportLab's paragraph markup: ``&``, ``<`` and ``>`` print as typed
    and line breaks become ``<br/>``."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\n", "<br/>")


def with_fallbacks(p: Paragraph) -> Paragraph:
    """``p`` with every text fragment split into runs of the fonts that print it: the fragment's
    own font, a fallback for characters it lacks; characters no font has are left out. Works on
    the parsed fragments, so bold, italic and links are kept, and escaping stays where it was."""
    frags = getattr(p, "frags", None)
    if frags:
        split = fallback_frags(frags)
        if split is not frags:
            p.frags = split
    return p


def fallback_frags(frags: list) -> list:
    """The fragments split by font (see :func:`with_fallbacks`); the same list when nothing changes."""
    out: list = []
    changed = False
    for f in frags:
        text = getattr(f, "text", "")
        font = getattr(f, "fontName", None)
        if not text or font is None or getattr(f, "cbDefn", None) is not None:
            out.append(f)
            continue
        runs = split_runs(text, font)
        if len(runs) == 1 and runs[0] == (font, text):
            out.append(f)
            continue
        changed = True
        out.extend(f.clone(text=t, fontName=name) for name, t in runs)
    return out if changed else frags


def paragraph(markup: str, st: ParagraphStyle) -> Paragraph:
    """A ReportLab Paragraph of (escaped) ``markup`` in ``st``, with fallback fonts where needed."""
    return with_fallbacks(Paragraph(markup, st))


def string_width(text: str, font: str, size_pt: float) -> float:
    """Width in points of one line of ``text`` as :func:`draw_string` prints it (fallbacks included)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return sum(stringWidth(t, name, size_pt) for name, t in split_runs(str(text), font))


def draw_string(canvas, x_pt: float, y_pt: float, text: str, font: str, size_pt: float, *, align: str = "left") -> float:
    """Draw one line of ``text`` with its baseline at ``y_pt``, ``align`` ("left", "center",
    "right") about ``x_pt``, each run in the font that has its characters; leaves ``font`` set on
    the canvas. Returns the width drawn, in points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    runs = split_runs(str(text), font)
    width = sum(stringWidth(t, name, size_pt) for name, t in runs)
    x = x_pt - (width / 2 if align == "center" else width if align == "right" else 0.0)
    if len(runs) <= 1:
        canvas.setFont(font, size_pt)
        if runs:
            canvas.drawString(x, y_pt, runs[0][1])
        return width
    t = canvas.beginText(x, y_pt)
    text_out(t, text, font, size_pt, runs=runs)
    canvas.drawText(t)
    canvas.setFont(font, size_pt)
    return width


def text_out(textobj, text: str, font: str, size_pt: float, *, runs=None) -> None:
    """Append ``text`` to a ReportLab text object run by run (fallback fonts included)."""
    for name, t in runs if runs is not None else split_runs(str(text), font):
        textobj.setFont(name, size_pt)
        textobj.textOut(t)


def quote(text: str, limit: int = 50) -> str:
    """User text as quoted in a message: one line, spaces collapsed, at most ``limit`` characters."""
    flat = " ".join(str(text).split())
    short = shorten(flat, limit)
    if short == flat:
        return short
    head = short[:-1]
    if " " in head and flat[len(head)] != " ":  # cut at a word boundary, not inside a word
        head = head[: head.rindex(" ")]
    return head.rstrip() + "…"


def hyphenation_problem() -> str | None:
    """Why Italian hyphenation would be silently off (ReportLab ignores ``hyphenationLang`` without
    pyphen), or None when it works."""
    if _rl_paragraph.pyphen is None:
        return "manca il pacchetto pyphen: senza di esso il testo non va a capo con la sillabazione italiana."
    import pyphen

    if not pyphen.language_fallback(HYPHENATION_LANG):
        return "il dizionario di sillabazione italiano (it_IT) di pyphen non è installato."
    return None


def require_hyphenation() -> None:
    why = hyphenation_problem()
    if why:
        raise StampaError(error(why + " Reinstalla stampa con le sue dipendenze."))


def style(
    font: str,
    size_pt: float,
    *,
    name: str = "testo",
    leading: float = 1.25,
    color: CMYKColor = TEXT_BLACK,
    align: str = "left",
    space_before_pt: float = 0.0,
    space_after_pt: float = 0.0,
    hyphenate: bool = True,
) -> ParagraphStyle:
    """A paragraph style in a registered font, ``leading`` as a multiple of the size, Italian
    hyphenation on. Sizes under :data:`MIN_PT` are a programming error."""
    if size_pt < MIN_PT - 1e-9:
        raise ValueError(f"font size {size_pt:.2f} pt is under the {MIN_PT} pt minimum")
    return ParagraphStyle(
        name,
        fontName=font,
        fontSize=size_pt,
        leading=size_pt * leading,
        textColor=color,
        alignment=_ALIGN[align],
        spaceBefore=space_before_pt,
        spaceAfter=space_after_pt,
        hyphenationLang=HYPHENATION_LANG if hyphenate else "",
        embeddedHyphenation=1,
        # Words longer than the column are not chopped without a hyphen: fit_paragraphs sees
        # the overflow and shrinks the text instead.
        splitLongWords=0,
        allowWidows=0,
        allowOrphans=0,
    )


def scaled(st: ParagraphStyle, factor: float) -> ParagraphStyle:
    """The style with size, leading and spacing multiplied by ``factor``."""
    return ParagraphStyle(
        st.name,
        parent=st,
        fontSize=st.fontSize * factor,
        leading=st.leading * factor,
        spaceBefore=st.spaceBefore * factor,
        spaceAfter=st.spaceAfter * factor,
    )


@dataclass(frozen=True)
class Block:
    """One paragraph to fit: ``text`` is the user's plain text (quoted in messages); ``markup``
    is what ReportLab parses (``escape(text)`` when not given)."""

    text: str
    style: ParagraphStyle
    markup: str | None = None

    def paragraph(self, st: ParagraphStyle | None = None) -> Paragraph:
        return paragraph(self.markup if self.markup is not None else escape(self.text), st or self.style)


@dataclass(frozen=True)
class Fitted:
    """Paragraphs wrapped to a box, with the scale that made them fit (1.0 = as designed)."""

    paragraphs: tuple[Paragraph, ...]
    heights_pt: tuple[float, ...]
    gaps_pt: tuple[float, ...]  # space above each paragraph (0 for the first)
    width_pt: float
    height_pt: float  # total height used
    scale: float
    hyphenations: int  # words ReportLab hyphenated: > 0 shows hyphenation is in effect

    @property
    def smallest_pt(self) -> float:
        return min(p.style.fontSize for p in self.paragraphs)

    def draw(self, canvas, x_pt: float, top_pt: float) -> float:
        """Draw from the top-left corner down; returns the y of the bottom of the last paragraph."""
        y = top_pt
        for p, h, gap in zip(self.paragraphs, self.heights_pt, self.gaps_pt):
            y -= gap + h
            p.drawOn(canvas, x_pt, y)
        return y


def _layout(blocks: Sequence[Block], width_pt: float, factor: float):
    paras, heights, gaps = [], [], []
    total = 0.0
    widest = 0.0
    hyph = 0
    prev_after = 0.0
    for i, b in enumerate(blocks):
        st = scaled(b.style, factor) if factor != 1.0 else b.style
        p = b.paragraph(st)
        _, h = p.wrap(width_pt, 1e9)
        hyph += getattr(p, "_hyphenations", 0)
        widest = max(widest, _widest_line(p))
        gap = 0.0 if i == 0 else max(prev_after, st.spaceBefore)
        paras.append(p)
        heights.append(h)
        gaps.append(gap)
        total += gap + h
        prev_after = st.spaceAfter
    return paras, heights, gaps, total, widest, hyph


def _widest_line(p: Paragraph) -> float:
    """Width of the longest wrapped line: a word too long for the column (after hyphenation)
    sticks out, which shows as a negative ``extraSpace``."""
    bl = getattr(p, "blPara", None)
    if bl is None or not bl.lines:
        return 0.0
    extras = [line[0] if isinstance(line, tuple) else line.extraSpace for line in bl.lines]
    return p.width - min(extras)


class Overflow(StampaError):
    """Text that does not fit its box even at the smallest size, with by how much: a caller can
    say «troppo lungo di 2 righe» instead of only «accorcialo»."""

    def __init__(self, problems, *, box: str, over_mm: float, line_mm: float, too_wide: bool = False):
        super().__init__(problems)
        self.box = box
        self.over_mm = over_mm  # height beyond the box at the smallest size
        self.line_mm = line_mm  # one line of the longest paragraph at that size
        self.too_wide = too_wide  # a single word wider than the box


def fit_paragraphs(
    blocks: Sequence[Block],
    width_mm: float,
    height_mm: float,
    *,
    box: str,
    min_pt: float = MIN_PT,
    step: float = 0.96,
) -> Fitted:
    """Fit ``blocks`` in a box of ``width_mm`` × ``height_mm``, shrinking every style by the same
    factor (in steps of ``step``) until the text fits, never below ``min_pt`` for the smallest
    style. Raises :class:`StampaError` naming the longest text when it cannot fit."""
    if not blocks:
        return Fitted((), (), (), width_mm * mm, 0.0, 1.0, 0)
    min_pt = max(min_pt, MIN_PT)
    width_pt, height_pt = width_mm * mm, height_mm * mm
    smallest = min(b.style.fontSize for b in blocks)
    floor = min(1.0, min_pt / smallest)
    factor = 1.0
    while True:
        paras, heights, gaps, total, widest, hyph = _layout(blocks, width_pt, factor)
        if total <= height_pt + 1e-6 and widest <= width_pt + 0.5:
            return Fitted(tuple(paras), tuple(heights), tuple(gaps), width_pt, total, factor, hyph)
        if factor <= floor + 1e-9:
            break
        factor = max(floor, factor * step)
    longest_block = max(blocks, key=lambda b: len(b.text))
    longest = longest_block.text
    raise Overflow(
        error(
            f"il testo «{quote(longest)}» non entra nel riquadro «{box}» "
            f"({width_mm:.0f} × {height_mm:.0f} mm) nemmeno a {min_pt:g} pt: accorcialo."
        ),
        box=box,
        over_mm=max(0.0, (total - height_pt) / mm),
        line_mm=scaled(longest_block.style, factor).leading / mm,
        too_wide=widest > width_pt + 0.5,
    )


def fit_one_line(text: str, font: str, size_pt: float, width_mm: float, *, box: str, min_pt: float = MIN_PT) -> float:
    """The largest size ≤ ``size_pt`` at which ``text`` fits on one line of ``width_mm``; raises
    like :func:`fit_paragraphs` when even ``min_pt`` is too wide."""
    width_pt = width_mm * mm
    w = string_width(text, font, size_pt)
    if w <= width_pt:
        return size_pt
    size = size_pt * width_pt / w
    if size >= max(min_pt, MIN_PT):
        return size
    raise StampaError(
        error(
            f"il testo «{quote(text)}» non entra nel riquadro «{box}» "
            f"({width_mm:.0f} mm di larghezza) nemmeno a {max(min_pt, MIN_PT):g} pt: accorcialo."
        )
    )


__all__ = [
    "MIN_PT",
    "TEXT_BLACK",
    "Block",
    "Fitted",
    "Overflow",
    "draw_string",
    "escape",
    "fit_one_line",
    "fit_paragraphs",
    "hyphenation_problem",
    "paragraph",
    "require_hyphenation",
    "scaled",
    "string_width",
    "style",
    "text_out",
    "with_fallbacks",
]
