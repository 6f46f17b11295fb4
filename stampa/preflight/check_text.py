"""Text: nothing printed smaller than 6 pt, nothing running off the page (overflow), and every
text the product promised (each entry's name and number…) actually printed."""

from __future__ import annotations

import math
import re
import unicodedata

import numpy as np

from ..problems import ERROR
from .document import PageBoxes, PdfFile, Rect, streamed
from .model import PT_PER_MM, Finding, TextSpec, finding, mm, num, pt_to_mm
from .textlayer import SIZE_SLACK_PT as OBJECT_SIZE_SLACK_PT
from .textlayer import Char, CharsLayer, PageLayer, objects_within, runs, snippet

SIZE_SLACK_PT = 0.05  # 5.999 pt from rounding is 6 pt
EDGE_SLACK_PT = 0.3  # glyph boxes are exact; ~0.1 mm of rounding is not an overflow


class TextSize:
    """Nothing printed smaller than the minimum (6 pt)."""

    def __init__(self, doc: PdfFile):
        self.spec = doc.spec
        self.limit = self.spec.min_text_pt - SIZE_SLACK_PT
        self.out: list[Finding] = []

    def page(self, page: PageBoxes, layer: PageLayer) -> None:
        limit = self.limit
        objects = layer.objects
        if objects is not None and not any(0 < o.size_pt < limit + OBJECT_SIZE_SLACK_PT for o in objects):
            return  # every character has its object's size
        chars = layer.chars
        small = [i for i, c in enumerate(chars) if c.box is not None and 0 < c.size_pt < limit]
        if not small:
            return
        spec = self.spec
        smallest = min(small, key=lambda i: chars[i].size_pt)
        start, end = next((a, b) for a, b in runs(small) if a <= smallest < b)
        self.out.append(
            finding(
                ERROR, "corpo", f"testo più piccolo di {num(spec.min_text_pt, 0)} pt", spec, page.number,
                found=f"{num(chars[smallest].size_pt)} pt: «{snippet(chars, start, end)}»",
                expected=f"almeno {num(spec.min_text_pt, 0)} pt",
                fix="Aumenta il corpo del testo o accorcialo: sotto i 6 pt non si legge e la tipografia lo segnala.",
            )
        )

    def finish(self) -> list[Finding]:
        return self.out


def check_text_size(doc: PdfFile) -> list[Finding]:
    return streamed(doc, TextSize)


check_text_size.visitor = TextSize  # type: ignore[attr-defined]


class Overflow:
    """Text cut by the trim: glyphs that cross the finished page's edge or lie between it and the end
    of the bleed. Text wholly beyond the bleed (notes in the slug) is cut away on purpose and ignored."""

    def __init__(self, doc: PdfFile):
        self.spec = doc.spec
        self.out: list[Finding] = []

    def page(self, page: PageBoxes, layer: PageLayer) -> None:
        finished = page.finished
        outer = page.bleed or page.visible
        # Inlined Rect.contains / Rect.intersects: this runs once per character of the file.
        fx0, fy0 = finished.x0 - EDGE_SLACK_PT, finished.y0 - EDGE_SLACK_PT
        fx1, fy1 = finished.x1 + EDGE_SLACK_PT, finished.y1 + EDGE_SLACK_PT
        objects = layer.objects
        if objects is not None and objects_within(objects, fx0, fy0, fx1, fy1):
            return  # every character is inside its object's bounds
        chars = layer.chars
        over = []
        for i, c in enumerate(chars):
            b = c.box
            if b is None:
                continue
            x0, y0, x1, y1 = b
            if x0 >= fx0 and y0 >= fy0 and x1 <= fx1 and y1 <= fy1:
                continue
            if outer.intersects(b):
                over.append(i)
        if not over:
            return
        a, b = runs(over)[0]
        box = _union(chars[i].box for i in range(a, b))
        self.out.append(
            finding(
                ERROR, "fuori", "testo fuori dal formato finito (verrebbe tagliato)", self.spec, page.number,
                found=f"«{snippet(chars, a, b)}» a {mm(-pt_to_mm(finished.inset_distance(box)))} oltre il bordo",
                expected="tutto il testo dentro il formato finito",
                fix="Il testo è troppo lungo per il suo spazio: accorcialo (dati o testi in layout/) o riduci le voci per pagina.",
            )
        )

    def finish(self) -> list[Finding]:
        return self.out


def check_overflow(doc: PdfFile) -> list[Finding]:
    return streamed(doc, Overflow)


check_overflow.visitor = Overflow  # type: ignore[attr-defined]


# --- expected texts ------------------------------------------------------------------------------

_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")
_QUOTES = dict.fromkeys(map(ord, "‘’ʼ′`´"), "'") | dict.fromkeys(map(ord, "“”«»„"), '"')
# Soft hyphens (and what pdfium reports for them: U+0002, U+FFFE), zero-width spaces, BOMs: never
# seen on paper, never part of a name.
_INVISIBLE = {"\u00ad", "\u0002", "\ufffe", "\u200b", "\ufeff"}
# What ends a line when a word is hyphenated there: the hyphens, and the soft-hyphen marks.
_LINE_HYPHENS = {"-", "\u2010", "\u2011", "\u00ad", "\u0002", "\ufffe"}
_BREAKS = "\r\n"

# How a hyphen at the end of a line is read: as a space (no hyphenation), as hyphenation (the
# hyphen goes, the word is joined: "Labo-/ratorio"), or as a real hyphen in a compound broken at it
# ("Borgo-/Ticino").
SPACE, JOIN, KEEP = "space", "join", "keep"


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_QUOTES).casefold()
    return _utf16_units(" ".join(text.split()))


def _utf16_units(text: str) -> str:
    """``text`` with each character beyond U+FFFF (an emoji, 🌱) as its two UTF-16 halves: pdfium
    counts such a character as two, one half each (see textlayer), and the search compares the
    page's characters one by one."""
    if text.isascii() or max(text) < "\U00010000":
        return text
    return "".join(ch if ch < "\U00010000" else _surrogate_pair(ord(ch) - 0x10000) for ch in text)


def _surrogate_pair(offset: int) -> str:
    """The character U+10000 + ``offset`` as its two UTF-16 halves."""
    return chr(0xD800 + (offset >> 10)) + chr(0xDC00 + (offset & 0x3FF))


_NORMALISED: dict[str, str] = {}


def _normalise_char(ch: str) -> str:
    """``normalise(ch) or " "``, remembered: a page has thousands of characters, a few hundred distinct."""
    got = _NORMALISED.get(ch)
    if got is None:
        got = _NORMALISED[ch] = normalise(ch) or " "
    return got


# A page's characters as the expected-text search reads them: ``text`` (one code point per
# character) and ``box(i)``; a PageLayer (pdfium, boxes read only for the characters of a hit) or a
# CharsLayer (characters already read, or put in reading order).
Source = PageLayer | CharsLayer


def _line_end(src: Source, i: int) -> int:
    """The index after the breaks and generated blanks (no box) that follow ``i``."""
    text = src.text
    n = len(text)
    j = i + 1
    while j < n and (text[j] in _BREAKS or (text[j] in " \t" and src.box(j) is None)):
        j += 1
    return j


def _line_hyphen_at(src: Source, i: int) -> bool:
    """Whether the hyphen at ``i`` ends a line (only breaks and generated blanks follow it up to the
    next line)."""
    j = _line_end(src, i)
    return j > i + 1 and any(src.text[k] in _BREAKS for k in range(i + 1, j))


def _plain_text(src: Source) -> tuple[tuple[str, list[int]], bool]:
    """:func:`_page_text` for SPACE, and whether any line ends with a hyphen (if none, JOIN and
    KEEP read the same). Made with numpy (a page has thousands of characters, a few hundred
    distinct), as :func:`_plain_text_loop` makes it one character at a time."""
    plain = _plain_arrays(src.text)
    if plain is None:
        return _plain_text_loop(src)
    return plain, _has_line_hyphen(src)


_LINE_HYPHEN = re.compile("[" + re.escape("".join(sorted(_LINE_HYPHENS))) + "]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def _has_line_hyphen(src: Source) -> bool:
    return any(_line_hyphen_at(src, m.start()) for m in _LINE_HYPHEN.finditer(src.text))


def _plain_arrays(text: str) -> tuple[str, list[int]] | None:
    """The SPACE reading of ``text`` (see :func:`_plain_text_loop`): invisible characters dropped,
    every other character normalised, and a blank kept (as one space) only right after a printed
    character whose reading does not end in a space. None for a text with lone surrogates."""
    if not text:
        return "", []
    if _SURROGATES.search(text):
        return None
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    distinct, inverse = np.unique(codes, return_inverse=True)
    inverse = inverse.reshape(-1)
    kinds = np.empty(len(distinct), np.int8)  # 0 invisible, 1 blank, 2 printed
    parts = np.empty(len(distinct), object)
    spaced = np.zeros(len(distinct), bool)  # a printed character that reads as ending in a space
    for u, code in enumerate(distinct.tolist()):
        ch = chr(code)
        if ch in _INVISIBLE:
            kinds[u], parts[u] = 0, ""
        elif not ch.strip():
            kinds[u], parts[u] = 1, " "
        else:
            part = _normalise_char(ch)
            kinds[u], parts[u], spaced[u] = 2, part, part[-1] == " "
    lengths = np.fromiter((len(p) for p in parts), np.int64, len(parts))
    kind = kinds[inverse]
    seen = np.flatnonzero(kind)  # every character but the invisible ones
    k = kind[seen]
    after_printed = np.zeros(len(seen), bool)
    after_printed[1:] = (k[:-1] == 2) & ~spaced[inverse[seen[:-1]]]
    kept = seen[(k == 2) | after_printed]
    which = inverse[kept]
    return "".join(parts[which].tolist()), np.repeat(kept, lengths[which]).tolist()


def _plain_text_loop(src: Source) -> tuple[tuple[str, list[int]], bool]:
    """:func:`_plain_text`, one character at a time."""
    text: list[str] = []
    index: list[int] = []
    last = ""
    hyphenated = False
    for i, ch in enumerate(src.text):
        if ch in _LINE_HYPHENS and not hyphenated and _line_hyphen_at(src, i):
            hyphenated = True
        if ch in _INVISIBLE:
            continue
        if not ch.strip():  # spaces and the line breaks pdfium generates
            if text and last != " ":
                text.append(" ")
                index.append(i)
                last = " "
            continue
        part = _normalise_char(ch)
        if len(part) == 1:
            text.append(part)
            index.append(i)
        else:
            text.extend(part)
            index.extend([i] * len(part))
        last = part[-1]
    return ("".join(text), index), hyphenated


def _page_text(src: Source, hyphens: str) -> tuple[str, list[int]]:
    """The page as one normalised string and, for each of its characters, the index of the char it
    came from: line breaks count as spaces, spacing collapsed, invisible characters dropped, and a
    hyphen at the end of a line read as ``hyphens`` says."""
    text: list[str] = []
    index: list[int] = []
    i = 0
    source = src.text
    n = len(source)
    while i < n:
        ch = source[i]
        if hyphens != SPACE and ch in _LINE_HYPHENS:
            j = _line_end(src, i)
            if j > i + 1 and any(source[k] in _BREAKS for k in range(i + 1, j)):
                if hyphens == KEEP and ch not in _INVISIBLE:
                    text.append("-")
                    index.append(i)
                i = j
                continue
        if ch in _INVISIBLE:
            i += 1
            continue
        if not ch.strip():  # spaces and the line breaks pdfium generates
            if text and text[-1] != " ":
                text.append(" ")
                index.append(i)
            i += 1
            continue
        for part in _normalise_char(ch):
            text.append(part)
            index.append(i)
        i += 1
    return "".join(text), index


def _reading_order(chars: list[Char]) -> list[Char]:
    """The chars with each line put in the order a reader reads it.

    pdfium keeps the order of the content stream and puts on one line whatever shares a baseline:
    the index draws an entry's number badge after the first line of its name, so a name that wraps
    came out as "Associazione di promozione sociale 1 / «Insieme per…" and was not found. Within a
    line, a char that jumps back against the line's direction (rotated panels included) starts a
    new run; runs are then sorted along that direction."""
    out: list[Char] = []
    line: list[Char] = []
    for ch in chars:
        if ch.text in _BREAKS:
            out += _reorder_line(line)
            line = []
            out.append(ch)
        else:
            line.append(ch)
    return out + _reorder_line(line)


def _centre(c: Char) -> tuple[float, float]:
    b = c.box
    return ((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2)  # type: ignore[union-attr]


def _reorder_line(line: list[Char]) -> list[Char]:
    boxed = [_centre(c) for c in line if c.box is not None]
    if len(boxed) < 3:
        return line
    steps = [(b[0] - a[0], b[1] - a[1]) for a, b in zip(boxed, boxed[1:])]
    # The line's direction: the axis and sense most steps go along (text may be rotated).
    votes: dict[tuple[int, int], int] = {}
    for dx, dy in steps:
        axis = (1 if dx > 0 else -1, 0) if abs(dx) >= abs(dy) else (0, 1 if dy > 0 else -1)
        votes[axis] = votes.get(axis, 0) + 1
    ux, uy = max(votes, key=votes.get)  # type: ignore[arg-type]
    # pdfium does not always break a line after a soft hyphen: a glyph that does not overlap, across
    # the baseline, the band of the glyphs before it is on the next line, and text is never
    # reordered across lines. (Comparing centres would split "l'" from its apostrophe.)
    pieces: list[list[Char]] = [[]]
    band: tuple[float, float] | None = None
    for c in line:
        if c.box is not None:
            b = c.box
            a0, a1 = (-b.x1 * uy, -b.x0 * uy) if uy > 0 else (-b.x0 * uy, -b.x1 * uy)
            if ux:
                a0, a1 = (b.y0 * ux, b.y1 * ux) if ux > 0 else (b.y1 * ux, b.y0 * ux)
            if band is not None and (a1 < band[0] or a0 > band[1]):
                pieces.append([])
                band = None
            band = (a0, a1) if band is None else (min(band[0], a0), max(band[1], a1))
        pieces[-1].append(c)
    out: list[Char] = []
    for k, piece in enumerate(pieces):
        if k:
            out.append(Char("\n", 0.0, None))
        out += _reorder_runs(piece, ux, uy)
    return out


def _reorder_runs(line: list[Char], ux: int, uy: int) -> list[Char]:
    """One baseline's chars with its runs sorted along (ux, uy)."""
    runs_: list[list[Char]] = [[]]
    last = None
    for c in line:
        if c.box is not None:
            x, y = _centre(c)
            pos = x * ux + y * uy
            size = max(c.box.x1 - c.box.x0, c.box.y1 - c.box.y0)
            if last is not None and pos < last - size:  # jumped back: another piece of text
                runs_.append([])
            last = pos
        runs_[-1].append(c)
    if len(runs_) == 1:
        return line

    def start(run: list[Char]) -> float:
        first = next((c for c in run if c.box is not None), None)
        if first is None:
            return math.inf
        x, y = _centre(first)
        return x * ux + y * uy

    ordered: list[Char] = []
    for run in sorted(runs_, key=start):
        if ordered:
            ordered.append(Char(" ", 0.0, None))
        ordered += run
    return ordered


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


Reading = tuple[Source, str, list[int]]  # the characters, the normalised text, its char indices


class PageText:
    """A page's text prepared for many searches: as drawn and in reading order, each with the three
    readings of a hyphen at the end of a line. Each reading is made only when a search needs it,
    and once; a page without hyphenated lines has one reading for the three. The text as drawn
    needs only the page's text (and the boxes of what is found); reading order needs every
    character's box, and is made only for a text not found as drawn."""

    def __init__(self, layer: Source):
        self.layer = layer
        self._readings: dict[str, list[Reading]] = {}
        self._hyphenated: dict[str, bool] = {}
        self._reordered: CharsLayer | None | bool = False
        self._squeezed: dict[int, tuple[list[int], str]] = {}

    def _source(self, group: str) -> Source | None:
        if group == "drawn":
            return self.layer
        if self._reordered is False:
            chars = self.layer.chars
            ordered = _reading_order(chars)
            self._reordered = CharsLayer(ordered) if ordered != chars else None
        return self._reordered  # type: ignore[return-value]

    def _reading(self, group: str, n: int) -> Reading | None:
        """Reading ``n`` (0 SPACE, 1 JOIN, 2 KEEP) of the group; None when it is the same as
        reading 0 or the group does not exist (text already in reading order)."""
        made = self._readings.get(group)
        if made is None:
            src = self._source(group)
            if src is None:
                made = self._readings[group] = []
            else:
                plain, hyphenated = _plain_text(src)
                made = self._readings[group] = [(src, *plain)]
                self._hyphenated[group] = hyphenated
        if not made:
            return None
        if n == 0:
            return made[0]
        if not self._hyphenated[group]:
            return None
        while len(made) <= n:
            src = made[0][0]
            made.append((src, *_page_text(src, (SPACE, JOIN, KEEP)[len(made)])))
        return made[n]

    def _group(self, group: str) -> list[Reading]:
        """The three readings of a group, the same object where they are the same."""
        first = self._reading(group, 0)
        if first is None:
            return []
        return [first, self._reading(group, 1) or first, self._reading(group, 2) or first]

    @property
    def variants(self) -> list[Reading]:
        return self._group("drawn")

    @property
    def ordered(self) -> list[Reading]:
        return self._group("ordered")

    def locate(self, text: str, every: bool = True) -> list[Rect]:
        """Boxes (user space) of every whole-word occurrence of ``text`` on the page; with
        ``every`` False, those of the first reading that has any (enough to know it is there)."""
        return self._search(text, every, True)

    def contains(self, text: str) -> bool:
        """Whether ``text`` is on the page: ``locate(text, every=False)`` is not empty, found
        without the boxes (only whether one character of an occurrence has one)."""
        return bool(self._search(text, False, False))

    def _search(self, text: str, every: bool, boxes: bool) -> list:
        needle = normalise(text)
        for group in ("drawn", "ordered"):
            found: list = []
            for n in range(3):
                variant = self._reading(group, n)
                if variant is None:  # no such group, or the same as reading 0 (already searched)
                    continue
                found += self._exact(variant, needle, boxes)
                if found and not every:
                    return found
            if found:
                return found
        # Last resort: spacing ignored altogether (words drawn separately may come out glued),
        # still whole words at both ends.
        squeezed = re.sub(r"\s+", "", needle)
        for n, variant in enumerate(self.variants[1:2] + self.ordered[1:2]):
            found = self._squeezed_hits(n, variant, squeezed, boxes)
            if found:
                return found
        return []

    @staticmethod
    def _exact(variant: Reading, needle: str, boxes: bool = True) -> list:
        """The boxes of the occurrences that have a box; without ``boxes``, [True] at the first."""
        src, hay, index = variant
        found: list = []
        for k in _find_all(hay, needle):
            if not boxes:
                if any(src.box(index[j]) is not None for j in range(k, k + len(needle))):
                    return [True]
                continue
            got = [src.box(index[j]) for j in range(k, k + len(needle))]
            if any(b is not None for b in got):
                found.append(_union(got))
        return found

    def _squeezed_hits(self, n: int, variant: Reading, squeezed: str, boxes: bool = True) -> list:
        src, hay, index = variant
        if n not in self._squeezed:
            plain = [j for j, c in enumerate(hay) if c != " "]
            self._squeezed[n] = (plain, "".join(hay[j] for j in plain))
        plain, s = self._squeezed[n]
        found: list[Rect] = []
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
            if not boxes:
                if any(src.box(index[j]) is not None for j in plain[k : k + len(squeezed)]):
                    return [True]
                continue
            got = [src.box(index[j]) for j in plain[k : k + len(squeezed)]]
            if any(b is not None for b in got):
                found.append(_union(got))
        return found


def locate(chars: list[Char], text: str) -> list[Rect]:
    """Boxes (user space) of every whole-word occurrence of ``text`` on the page."""
    return PageText(CharsLayer(chars)).locate(text)


class ExpectedTexts:
    """Every text the product promised, found on its pages. Each page is searched only for the
    texts expected on it (a large booklet says the page of each entry), so the work grows with
    the file, not with texts × pages; texts without pages are looked for on every page."""

    def __init__(self, doc: PdfFile):
        self.doc = doc
        count = len(doc.pages)
        self.wants = doc.spec.texts_expected
        self.numbers: list[list[int]] = []
        self.on_page: dict[int, list[int]] = {}  # page → indices of the texts expected there
        self.anywhere: list[int] = []
        for k, want in enumerate(self.wants):
            if want.pages:
                numbers = [p for p in want.pages if 1 <= p <= count]
                for p in dict.fromkeys(numbers):
                    self.on_page.setdefault(p, []).append(k)
            else:
                numbers = list(range(1, count + 1))
                self.anywhere.append(k)
            self.numbers.append(numbers)
        # text → page where it was found → its boxes (a text without a position: none needed)
        self.hits: dict[int, dict[int, list[Rect]]] = {}

    def page(self, page: PageBoxes, layer: PageLayer) -> None:
        here = self.on_page.get(page.number, [])
        if not here and not self.anywhere:
            return
        text = PageText(layer)
        for k in (*here, *self.anywhere):
            want = self.wants[k]
            # Only a text with a position needs all its occurrences (the nearest one counts) and
            # their boxes; for the others, that it is there.
            if want.at_mm is None:
                if text.contains(want.text):
                    self.hits.setdefault(k, {})[page.number] = []
                continue
            boxes = text.locate(want.text)
            if boxes:
                self.hits.setdefault(k, {})[page.number] = boxes

    def finish(self) -> list[Finding]:
        doc, spec = self.doc, self.doc.spec
        out: list[Finding] = []
        for k, want in enumerate(self.wants):
            by_page = self.hits.get(k, {})
            if not any(p in by_page for p in self.numbers[k]):
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
                out += _position(doc, want, [(p, box) for p in self.numbers[k] for box in by_page.get(p, ())])
        return out


def check_expected_texts(doc: PdfFile) -> list[Finding]:
    return streamed(doc, ExpectedTexts)


check_expected_texts.visitor = ExpectedTexts  # type: ignore[attr-defined]


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
