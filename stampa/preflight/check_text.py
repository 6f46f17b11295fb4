"""Text: nothing printed smaller than 6 pt, nothing running off the page (overflow), and every
text the product promised (each entry's name and number…) actually printed."""

from __future__ import annotations

import math
import re
import unicodedata

from ..problems import ERROR
from .document import PdfFile, Rect
from .model import PT_PER_MM, Finding, TextSpec, finding, mm, num, pt_to_mm
from .textlayer import Char, runs, snippet

SIZE_SLACK_PT = 0.05  # 5.999 pt from rounding is 6 pt
EDGE_SLACK_PT = 0.3  # glyph boxes are exact; ~0.1 mm of rounding is not an overflow


def check_text_size(doc: PdfFile) -> list[Finding]:
    spec = doc.spec
    out = []
    for number, chars in enumerate(doc.text, start=1):
        small = [i for i, c in enumerate(chars) if c.box is not None and 0 < c.size_pt < spec.min_text_pt - SIZE_SLACK_PT]
        if not small:
            continue
        smallest = min(small, key=lambda i: chars[i].size_pt)
        start, end = next((a, b) for a, b in runs(small) if a <= smallest < b)
        out.append(
            finding(
                ERROR, "corpo", f"testo più piccolo di {num(spec.min_text_pt, 0)} pt", spec, number,
                found=f"{num(chars[smallest].size_pt)} pt: «{snippet(chars, start, end)}»",
                expected=f"almeno {num(spec.min_text_pt, 0)} pt",
                fix="Aumenta il corpo del testo o accorcialo: sotto i 6 pt non si legge e la tipografia lo segnala.",
            )
        )
    return out


def check_overflow(doc: PdfFile) -> list[Finding]:
    """Text cut by the trim: glyphs that cross the finished page's edge or lie between it and the end
    of the bleed. Text wholly beyond the bleed (notes in the slug) is cut away on purpose and ignored."""
    spec = doc.spec
    out = []
    for page, chars in zip(doc.pages, doc.text):
        finished = page.finished
        outer = page.bleed or page.visible
        over = [
            i
            for i, c in enumerate(chars)
            if c.box is not None and not finished.contains(c.box, tol=EDGE_SLACK_PT) and outer.intersects(c.box)
        ]
        if not over:
            continue
        a, b = runs(over)[0]
        box = _union(chars[i].box for i in range(a, b))
        out.append(
            finding(
                ERROR, "fuori", "testo fuori dal formato finito (verrebbe tagliato)", spec, page.number,
                found=f"«{snippet(chars, a, b)}» a {mm(-pt_to_mm(finished.inset_distance(box)))} oltre il bordo",
                expected="tutto il testo dentro il formato finito",
                fix="Il testo è troppo lungo per il suo spazio: accorcialo (dati o testi in layout/) o riduci le voci per pagina.",
            )
        )
    return out


# --- expected texts ------------------------------------------------------------------------------

_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")
_QUOTES = dict.fromkeys(map(ord, "‘’ʼ′`´"), "'") | dict.fromkeys(map(ord, "“”«»„"), '"')
_INVISIBLE = {"\u00ad", "\u0002", "\u200b", "\ufeff"}


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_QUOTES).casefold()
    return " ".join(text.split())


def _page_text(chars: list[Char], join_hyphens: bool) -> tuple[str, list[int]]:
    """The page as one normalised string and, for each of its characters, the index of the char it
    came from. Line breaks count as spaces; with ``join_hyphens`` a hyphen at the end of a line is
    taken as hyphenation and the word is joined ("Labo-/ratorio" → "laboratorio")."""
    text: list[str] = []
    index: list[int] = []
    i = 0
    n = len(chars)
    while i < n:
        ch = chars[i].text
        if ch in _INVISIBLE:
            i += 1
            continue
        if join_hyphens and ch in "-\u2010" and i + 1 < n and chars[i + 1].text in "\r\n":
            j = i + 1
            while j < n and chars[j].text in "\r\n":
                j += 1
            i = j
            continue
        if not ch.strip():  # spaces and the line breaks pdfium generates
            if text and text[-1] != " ":
                text.append(" ")
                index.append(i)
            i += 1
            continue
        for part in normalise(ch) or " ":
            text.append(part)
            index.append(i)
        i += 1
    return "".join(text), index


def _find_all(haystack: str, needle: str) -> list[int]:
    """Start offsets of ``needle`` as whole words (no letter or digit glued on either side)."""
    if not needle:
        return []
    out = []
    start = 0
    while True:
        k = haystack.find(needle, start)
        if k < 0:
            return out
        before = haystack[k - 1] if k > 0 else " "
        after = haystack[k + len(needle)] if k + len(needle) < len(haystack) else " "
        if not (needle[0].isalnum() and before.isalnum()) and not (needle[-1].isalnum() and after.isalnum()):
            out.append(k)
        start = k + 1


def _union(boxes) -> Rect:  # noqa: ANN001
    boxes = [b for b in boxes if b is not None]
    r = boxes[0]
    for b in boxes[1:]:
        r = r.union(b)
    return r


class PageText:
    """A page's text prepared once for many searches: with line-end hyphens kept and joined, and
    with all spacing removed."""

    def __init__(self, chars: list[Char]):
        self.chars = chars
        self.variants = [_page_text(chars, False), _page_text(chars, True)]
        hay, index = self.variants[1]
        self.plain = [j for j, c in enumerate(hay) if c != " "]
        self.squeezed = "".join(hay[j] for j in self.plain)

    def locate(self, text: str) -> list[Rect]:
        """Boxes (user space) of every whole-word occurrence of ``text`` on the page."""
        chars = self.chars
        needle = normalise(text)
        found: list[Rect] = []
        for hay, index in self.variants:
            for k in _find_all(hay, needle):
                boxes = [chars[index[j]].box for j in range(k, k + len(needle))]
                if any(b is not None for b in boxes):
                    found.append(_union(boxes))
            if found:
                return found
        # Last resort: spacing ignored altogether (words drawn separately may come out glued),
        # still whole words at both ends.
        squeezed = re.sub(r"\s+", "", needle)
        hay, index = self.variants[1]
        plain, s = self.plain, self.squeezed
        start = 0
        while squeezed:
            k = s.find(squeezed, start)
            if k < 0:
                break
            start = k + 1
            first, last = plain[k], plain[k + len(squeezed) - 1]
            before = hay[first - 1] if first > 0 else " "
            after = hay[last + 1] if last + 1 < len(hay) else " "
            if (squeezed[0].isalnum() and before.isalnum()) or (squeezed[-1].isalnum() and after.isalnum()):
                continue
            found.append(_union(chars[index[j]].box for j in plain[k : k + len(squeezed)]))
        return found


def locate(chars: list[Char], text: str) -> list[Rect]:
    """Boxes (user space) of every whole-word occurrence of ``text`` on the page."""
    return PageText(chars).locate(text)


def check_expected_texts(doc: PdfFile) -> list[Finding]:
    spec = doc.spec
    out = []
    pages = doc.pages
    prepared: dict[int, PageText] = {}

    def page_text(number: int) -> PageText:
        if number not in prepared:
            prepared[number] = PageText(doc.text[number - 1])
        return prepared[number]

    for want in spec.texts_expected:
        numbers = [p for p in (want.pages or range(1, len(pages) + 1)) if 1 <= p <= len(pages)]
        hits = [(p, box) for p in numbers for box in page_text(p).locate(want.text)]
        if not hits:
            where = "" if not want.pages else (" a pagina " if len(want.pages) == 1 else " alle pagine ") + ", ".join(map(str, want.pages))
            out.append(
                finding(
                    ERROR, "testi", "testo atteso non trovato", spec, tuple(want.pages),
                    found=f"nessun «{want.text}»{where}", expected=f"«{want.text}»",
                    fix="Una voce o un testo manca dal file: ricostruiscilo con «stampa edizione»; se manca ancora è un "
                    "errore di stampa da segnalare.",
                )
            )
            continue
        if want.at_mm is not None:
            out += _position(doc, want, hits)
    return out


def _position(doc: PdfFile, want: TextSpec, hits: list[tuple[int, Rect]]) -> list[Finding]:
    spec = doc.spec
    best = math.inf
    best_page = hits[0][0]
    for number, box in hits:
        px, py = doc.from_trim_mm(doc.pages[number - 1], *want.at_mm)  # type: ignore[misc]
        dx = max(box.x0 - px, 0.0, px - box.x1)
        dy = max(box.y0 - py, 0.0, py - box.y1)
        d = math.hypot(dx, dy) / PT_PER_MM
        if d < best:
            best, best_page = d, number
    if best <= want.tolerance_mm:
        return []
    x, y = want.at_mm  # type: ignore[misc]
    return [
        finding(
            ERROR, "testi", "testo atteso non nella sua posizione", spec, best_page,
            found=f"«{want.text}» a {mm(best)} dal punto previsto",
            expected=f"entro {mm(want.tolerance_mm)} da x {num(x)}, y {num(y)} mm",
            fix="Il numero sulla mappa non corrisponde al punto della voce: ricostruisci il file; se resta, è un errore "
            "di stampa da segnalare.",
        )
    ]
