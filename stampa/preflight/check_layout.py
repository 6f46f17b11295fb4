"""Folds and the safe margin: text must not run across a fold, and should keep the safe margin
(5 mm) from the trim and from the folds, where cutting and folding tolerances eat into the page.
QR codes are stricter (see check_qr): a fold through a code or a code at the very edge stops it
from scanning."""

from __future__ import annotations

from ..problems import ERROR, WARNING
from .document import PageBoxes, PdfFile, Rect, streamed
from .model import PT_PER_MM, Fold, Finding, finding, mm, num, pt_to_mm
from .textlayer import BOX_SLACK_PT, PageLayer, TextObject, objects_within, runs, snippet

FOLD_SLACK_PT = 0.3


def fold_line(doc: PdfFile, page: PageBoxes, fold: Fold) -> float:
    """The fold's position in user space (x for vertical folds, y for horizontal ones)."""
    t = page.finished
    return (t.x0 if fold.axis == "x" else t.y0) + fold.mm * PT_PER_MM


def folds_on(doc: PdfFile, page: PageBoxes) -> list[Fold]:
    """The folds of a page; a digital file is never folded or cut, so it has none."""
    if not doc.spec.is_print:
        return []
    return [f for f in doc.spec.folds if not f.pages or page.number in f.pages]


def fold_distance(doc: PdfFile, page: PageBoxes, fold: Fold, box: Rect) -> float:
    """Distance (pt) from ``box`` to the fold line; negative when the box crosses it."""
    line = fold_line(doc, page, fold)
    lo, hi = (box.x0, box.x1) if fold.axis == "x" else (box.y0, box.y1)
    if lo < line - FOLD_SLACK_PT and hi > line + FOLD_SLACK_PT:
        return -min(line - lo, hi - line)
    return max(lo - line, line - hi, 0.0)


def describe_fold(fold: Fold) -> str:
    kind = "verticale" if fold.axis == "x" else "orizzontale"
    edge = "dal bordo sinistro" if fold.axis == "x" else "dal bordo inferiore"
    return f"piega {kind} a {num(fold.mm)} mm {edge}"


class TextLayout:
    """Text across or near a fold, and text in the safe margin (print files only)."""

    def __init__(self, doc: PdfFile):
        self.doc = doc
        self.spec = doc.spec
        self.margin = self.spec.safe_margin_mm * PT_PER_MM
        self.out: list[Finding] = []

    def page(self, page: PageBoxes, layer: PageLayer) -> None:
        doc, spec, margin, out = self.doc, self.spec, self.margin, self.out
        if not spec.is_print:
            return  # nothing is cut or folded
        folds = [f for f in folds_on(doc, page) if f.check_text]
        objects = layer.objects
        if objects is not None and self._clear(page, folds, objects):
            return
        chars = layer.chars
        boxed = [(i, c.box) for i, c in enumerate(chars) if c.box is not None] if folds else []
        for fold in folds:
            line = fold_line(doc, page, fold)
            lo_k, hi_k = (0, 2) if fold.axis == "x" else (1, 3)
            # fold_distance inlined (once per character and fold); a box that ends before
            # ``line - reach`` or starts after ``line + reach`` is neither across nor near.
            reach = max(margin, FOLD_SLACK_PT) + 1.0
            across: list[int] = []
            near: list[tuple[int, float]] = []
            for i, box in boxed:
                lo, hi = box[lo_k], box[hi_k]
                if hi < line - reach or lo > line + reach:
                    continue
                d = fold_distance(doc, page, fold, box)
                if d < 0:
                    across.append(i)
                elif margin > 0 and d < margin:
                    near.append((i, d))
            if across:
                a, b = runs(across)[0]
                out.append(
                    finding(
                        ERROR, "piega", "testo sulla piega", spec, page.number,
                        found=f"«{snippet(chars, a, b)}» sulla {describe_fold(fold)}",
                        expected="nessun testo sulla piega",
                        fix="Sposta il testo lontano dalla piega (dentro il suo pannello; sulla mappa, l'etichetta): "
                        "la piega lo spezza e con l'uso lo consuma.",
                    )
                )
            elif near:
                i, d = min(near, key=lambda t: t[1])
                out.append(
                    finding(
                        WARNING, "piega", "testo troppo vicino alla piega", spec, page.number,
                        found=f"«{snippet(chars, i, i + 1)}» a {mm(pt_to_mm(d))} dalla {describe_fold(fold)}",
                        expected=f"almeno {mm(spec.safe_margin_mm)}",
                        fix="Allontana il testo dalla piega: la piegatura non è mai esatta al millimetro.",
                    )
                )
        if margin <= 0:
            return
        finished = page.finished
        # Rect.contains (0.3 pt of slack) and Rect.inset_distance inlined: once per character.
        tx0, ty0, tx1, ty1 = finished
        lo_x, lo_y, hi_x, hi_y = tx0 - 0.3, ty0 - 0.3, tx1 + 0.3, ty1 + 0.3
        # A box at least ``margin`` (and a hair, against rounding) inside every edge is not in the
        # margin: only the others need the distance.
        in_x0, in_y0 = tx0 + margin + 1e-6, ty0 + margin + 1e-6
        in_x1, in_y1 = tx1 - margin - 1e-6, ty1 - margin - 1e-6
        closest: tuple[int, float] | None = None
        for i, c in enumerate(chars):
            b = c.box
            if b is None:
                continue
            x0, y0, x1, y1 = b
            if x0 > in_x0 and y0 > in_y0 and x1 < in_x1 and y1 < in_y1:
                continue
            if x0 >= lo_x and y0 >= lo_y and x1 <= hi_x and y1 <= hi_y:
                d = min(x0 - tx0, y0 - ty0, tx1 - x1, ty1 - y1)
                if d < margin and (closest is None or d < closest[1]):
                    closest = (i, d)
        if closest is not None:
            i, d = closest
            out.append(
                finding(
                    WARNING, "margine", "testo nel margine di sicurezza", spec, page.number,
                    found=f"«{snippet(chars, i, i + 1)}» a {mm(max(pt_to_mm(d), 0.0))} dal bordo",
                    expected=f"almeno {mm(spec.safe_margin_mm)} dal bordo",
                    fix="Il taglio può spostarsi di 1–2 mm: allontana il testo dal bordo.",
                )
            )

    def _clear(self, page: PageBoxes, folds: list[Fold], objects: list[TextObject]) -> bool:
        """Whether no character can be near a fold or in the margin: every text object (and the
        slack its characters may reach beyond it) is farther from each fold than the characters
        looked at below, and inside the margin (the characters' own tests, on the bounds)."""
        margin, s = self.margin, BOX_SLACK_PT
        reach = max(margin, FOLD_SLACK_PT) + 1.0
        for fold in folds:
            line = fold_line(self.doc, page, fold)
            k = 0 if fold.axis == "x" else 1
            if any(not (b[k + 2] + s < line - reach or b[k] - s > line + reach) for _, b in objects):
                return False
        if margin <= 0:
            return True
        tx0, ty0, tx1, ty1 = page.finished
        return objects_within(objects, tx0 + margin + 1e-6, ty0 + margin + 1e-6, tx1 - margin - 1e-6, ty1 - margin - 1e-6)

    def finish(self) -> list[Finding]:
        return self.out


def check_text_layout(doc: PdfFile) -> list[Finding]:
    return streamed(doc, TextLayout)


check_text_layout.visitor = TextLayout  # type: ignore[attr-defined]
