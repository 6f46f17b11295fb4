"""Pages: how many, their finished size, and the boxes a print shop relies on (TrimBox: where to
cut; BleedBox: how far the ink runs past the cut)."""

from __future__ import annotations

from ..problems import ERROR, WARNING
from .document import PageBoxes, PdfFile, Rect
from .model import Finding, finding, mm, num, pt_to_mm

SIZE_TOLERANCE_MM = 0.5  # rounding of mm ↔ pt in the products is far below this
BLEED_TOLERANCE_MM = 0.25

FIX_REBUILD = "Ricostruisci il file con «stampa edizione»: stampa imposta formato e riquadri su ogni pagina."


def check_pages(doc: PdfFile) -> list[Finding]:
    spec = doc.spec
    out: list[Finding] = []
    pages = doc.pages
    if spec.expected_pages is not None and len(pages) != spec.expected_pages:
        out.append(
            finding(
                ERROR, "pagine", "numero di pagine diverso da quello del prodotto", spec,
                found=_pages(len(pages)), expected=_pages(spec.expected_pages),
                fix="Controlla di consegnare il file giusto; se è quello giusto, ricostruiscilo con «stampa edizione».",
            )
        )
    for page in pages:
        out += _boxes(doc, page)
        out += _size(doc, page)
    return out


def _pages(n: int) -> str:
    return "1 pagina" if n == 1 else f"{n} pagine"


def _size(doc: PdfFile, page: PageBoxes) -> list[Finding]:
    spec = doc.spec
    if spec.trim_mm is None:
        return []
    if spec.is_print and page.trim is None:
        return []  # reported as a missing TrimBox: the finished size is unknown
    box = page.finished
    w, h = pt_to_mm(box.width), pt_to_mm(box.height)
    if page.rotate in (90, 270):
        w, h = h, w
    ew, eh = spec.trim_mm
    if abs(w - ew) <= SIZE_TOLERANCE_MM and abs(h - eh) <= SIZE_TOLERANCE_MM:
        return []
    rotated = abs(w - eh) <= SIZE_TOLERANCE_MM and abs(h - ew) <= SIZE_TOLERANCE_MM
    message = "pagina ruotata rispetto al prodotto" if rotated else "formato della pagina diverso da quello del prodotto"
    return [
        finding(
            ERROR, "formato", message, spec, page.number,
            found=f"{num(w)} × {num(h)} mm", expected=f"{num(ew)} × {num(eh)} mm",
            fix="Controlla il formato scelto nella configurazione (stampa.toml) e ricostruisci il file.",
        )
    ]


def _boxes(doc: PdfFile, page: PageBoxes) -> list[Finding]:
    spec = doc.spec
    if not spec.is_print:
        return []
    out: list[Finding] = []
    if page.trim is None:
        out.append(
            finding(
                ERROR, "rifilo", "manca il TrimBox (il formato finito, dove tagliare)", spec, page.number,
                found="nessun TrimBox", expected="TrimBox su ogni pagina", fix=FIX_REBUILD,
            )
        )
    if spec.bleed_mm > 0 and page.bleed is None:
        out.append(
            finding(
                ERROR, "abbondanza", "manca il BleedBox (l'abbondanza oltre il taglio)", spec, page.number,
                found="nessun BleedBox", expected=f"BleedBox di {mm(spec.bleed_mm)} per lato", fix=FIX_REBUILD,
            )
        )
    if page.trim is not None and page.bleed is not None:
        out += _bleed(doc, page, page.trim, page.bleed)
    outer = page.bleed or page.trim
    if outer is not None and not page.media.contains(outer, tol=0.01):
        which = "BleedBox" if page.bleed is not None else "TrimBox"
        out.append(
            finding(
                ERROR, "abbondanza", f"il {which} esce dalla pagina (MediaBox)", spec, page.number,
                found=_rect_mm(outer), expected=f"dentro {_rect_mm(page.media)}", fix=FIX_REBUILD,
            )
        )
    return out


def _bleed(doc: PdfFile, page: PageBoxes, trim: Rect, bleed: Rect) -> list[Finding]:
    spec = doc.spec
    sides = {
        "sinistra": trim.x0 - bleed.x0,
        "destra": bleed.x1 - trim.x1,
        "sotto": trim.y0 - bleed.y0,
        "sopra": bleed.y1 - trim.y1,
    }
    sides_mm = {k: pt_to_mm(v) for k, v in sides.items()}
    low = {k: v for k, v in sides_mm.items() if v < spec.bleed_mm - BLEED_TOLERANCE_MM}
    high = {k: v for k, v in sides_mm.items() if v > spec.bleed_mm + BLEED_TOLERANCE_MM}
    expected = f"{mm(spec.bleed_mm)} per lato"
    out = []
    if low:
        out.append(
            finding(
                ERROR, "abbondanza", "abbondanza insufficiente", spec, page.number,
                found=_sides(low), expected=expected,
                fix="Gli sfondi devono continuare oltre il taglio: ricostruisci il file con «stampa edizione».",
            )
        )
    if high:
        out.append(
            finding(
                WARNING, "abbondanza", "abbondanza più larga del previsto", spec, page.number,
                found=_sides(high), expected=expected,
                fix="Chiedi alla tipografia se va bene così, o ricostruisci il file con «stampa edizione».",
            )
        )
    return out


def _sides(values: dict[str, float]) -> str:
    return ", ".join(f"{k} {mm(v)}" for k, v in values.items())


def _rect_mm(r: Rect) -> str:
    return f"{num(pt_to_mm(r.width))} × {num(pt_to_mm(r.height))} mm"
