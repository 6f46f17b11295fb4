"""Typography shared by the products: paragraph styles, escaping of user text, Italian hyphenation
and fitting text into a box.

Rules enforced here: text prints in 100 % K; nothing is ever set under :data:`MIN_PT` (6 pt);
text that does not fit its box even at the minimum size is a :class:`StampaError` that names the
text, never a silent overflow or truncation. User text is data: :func:`escape` it before any
ReportLab ``Paragraph`` parses it.
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
        return Paragraph(self.markup if self.markup is not None else escape(self.text), st or self.style)


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
    longest = max(blocks, key=lambda b: len(b.text)).text
    raise StampaError(
        error(
            f"il testo «{quote(longest)}» non entra nel riquadro «{box}» "
            f"({width_mm:.0f} × {height_mm:.0f} mm) nemmeno a {min_pt:g} pt: accorcialo."
        )
    )


def fit_one_line(text: str, font: str, size_pt: float, width_mm: float, *, box: str, min_pt: float = MIN_PT) -> float:
    """The largest size ≤ ``size_pt`` at which ``text`` fits on one line of ``width_mm``; raises
    like :func:`fit_paragraphs` when even ``min_pt`` is too wide."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    width_pt = width_mm * mm
    w = stringWidth(text, font, size_pt)
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
    "escape",
    "fit_one_line",
    "fit_paragraphs",
    "hyphenation_problem",
    "require_hyphenation",
    "scaled",
    "style",
]
