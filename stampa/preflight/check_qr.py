"""QR codes: each one the product promises must be found by decoding a render of the page, lead
to the configured address, be printed at least as wide as its reading distance needs, and keep
clear of folds and of the trim (a fold through a code, or a code cut at the edge, will not scan)."""

from __future__ import annotations

import math

from ..problems import ERROR, WARNING
from .check_layout import describe_fold, fold_distance, folds_on
from .document import PdfFile
from .model import PT_PER_MM, Finding, finding, mm, num, pt_to_mm
from .qr import FoundQr

SIZE_SLACK_MM = 0.5  # zxing's corners are ±1 px of the render
QUIET_INK_MAX = 0.02  # anti-aliasing and a stray pixel are fine; a frame or text in the quiet zone is not


def check_qr(doc: PdfFile) -> list[Finding]:
    spec = doc.spec
    if not spec.qr:
        return []
    out: list[Finding] = []
    all_pages = range(1, len(doc.pages) + 1)
    matched: set[int] = set()
    wanted = {q.url for q in spec.qr}
    codes: list[FoundQr] = [c for page in doc.barcodes for c in page]
    for want in spec.qr:
        pages = [p for p in (want.pages or all_pages) if 1 <= p <= len(doc.pages)]
        here = [c for c in codes if c.page in pages]
        good = [c for c in here if c.text == want.url]
        matched.update(id(c) for c in good)
        if not good:
            # A code promised by another spec is not "this one pointing elsewhere".
            others = [c for c in here if c.text not in wanted]
            if others:
                out.append(
                    finding(
                        ERROR, "qr", "il codice QR porta a un altro indirizzo", spec, others[0].page,
                        found=others[0].text[:100], expected=want.url,
                        fix="Controlla [collegamenti] in stampa.toml e ricostruisci il file: un QR sbagliato spreca "
                        "tutta la tiratura.",
                    )
                )
                matched.update(id(c) for c in others)
            else:
                out.append(
                    finding(
                        ERROR, "qr", "codice QR non trovato o illeggibile", spec, tuple(want.pages),
                        found="nessun codice QR leggibile", expected=want.url,
                        fix="Il codice manca, è coperto o è troppo piccolo per essere letto: ricostruisci il file con "
                        "«stampa edizione».",
                    )
                )
            continue
        if want.box_mm is not None:
            out += _position(doc, want.box_mm, good)
        for code in good:
            out += _size(doc, code, want.min_mm)
            out += _quiet_zone(doc, code)
            out += _placement(doc, code)
    for code in codes:
        if id(code) not in matched:
            out.append(
                finding(
                    WARNING, "qr", "codice QR non previsto", spec, code.page,
                    found=code.text[:100], expected=", ".join(q.url for q in spec.qr),
                    fix="Controlla dove porta questo codice: potrebbe essere di un'edizione precedente.",
                )
            )
    return out


POSITION_TOLERANCE_MM = 2.0


def _position(doc: PdfFile, box_mm: tuple[float, float, float, float], codes: list[FoundQr]) -> list[Finding]:
    """The code must be where the product drew it (centre within 2 mm): a code found elsewhere is
    another one, e.g. left over from an older layout."""
    x, y, w, h = box_mm
    best = None
    for code in codes:
        page = doc.pages[code.page - 1]
        cx, cy = doc.to_trim_mm(page, (code.outer.x0 + code.outer.x1) / 2, (code.outer.y0 + code.outer.y1) / 2)
        d = math.hypot(cx - (x + w / 2), cy - (y + h / 2))
        if best is None or d < best[0]:
            best = (d, code)
    if best is None or best[0] <= POSITION_TOLERANCE_MM:
        return []
    d, code = best
    return [
        finding(
            ERROR, "qr", "codice QR fuori dalla posizione prevista", doc.spec, code.page,
            found=f"a {mm(d)} dal punto previsto", expected=f"centro in x {num(x + w / 2)}, y {num(y + h / 2)} mm",
            fix="Il codice stampato non è quello impaginato da stampa: ricostruisci il file con «stampa edizione».",
        )
    ]


def _size(doc: PdfFile, code: FoundQr, min_mm: float) -> list[Finding]:
    """``min_mm`` is the side with the quiet zone, as the products size their codes."""
    if code.outer_mm >= min_mm - SIZE_SLACK_MM:
        return []
    return [
        finding(
            ERROR, "qr", "codice QR troppo piccolo per la distanza di lettura", doc.spec, code.page,
            found=f"{mm(code.outer_mm)} con il margine bianco", expected=f"almeno {num(min_mm, 0)} mm",
            fix="Un QR va largo almeno un decimo della distanza da cui si legge: ingrandiscilo (o accorcia l'indirizzo).",
        )
    ]


def _quiet_zone(doc: PdfFile, code: FoundQr) -> list[Finding]:
    if code.quiet_ink <= QUIET_INK_MAX:
        return []
    return [
        finding(
            ERROR, "qr", "margine bianco del codice QR non libero", doc.spec, code.page,
            found=f"{num(code.quiet_ink * 100, 0)}% del margine coperto", expected="4 moduli bianchi tutto intorno",
            fix="Allontana testo, cornici e sfondi dal codice: senza margine bianco molti telefoni non lo leggono.",
        )
    ]


def _placement(doc: PdfFile, code: FoundQr) -> list[Finding]:
    spec = doc.spec
    if not spec.is_print:
        return []  # a digital file is neither cut nor folded
    page = doc.pages[code.page - 1]
    margin = spec.safe_margin_mm * PT_PER_MM
    out = []
    for fold in folds_on(doc, page):
        d = fold_distance(doc, page, fold, code.outer)
        if d < 0:
            out.append(
                finding(ERROR, "qr", "codice QR sulla piega", spec, code.page,
                        found=f"attraversato dalla {describe_fold(fold)}", expected="nessuna piega sul codice",
                        fix="Sposta il codice dentro un pannello: una piega lo rende illeggibile.")
            )
        elif d < margin:
            out.append(
                finding(ERROR, "qr", "codice QR troppo vicino alla piega", spec, code.page,
                        found=f"{mm(pt_to_mm(d))} dalla {describe_fold(fold)}",
                        expected=f"almeno {mm(spec.safe_margin_mm)}",
                        fix="Allontana il codice dalla piega.")
            )
    edge = page.finished.inset_distance(code.outer)
    if edge < margin:
        where = f"{mm(pt_to_mm(edge))} dal bordo" if edge >= 0 else f"oltre il bordo di {mm(-pt_to_mm(edge))}"
        out.append(
            finding(ERROR, "qr", "codice QR troppo vicino al bordo", spec, code.page,
                    found=f"{where} (margine bianco compreso)", expected=f"almeno {mm(spec.safe_margin_mm)}",
                    fix="Allontana il codice dal bordo: il taglio può spostarsi e il codice ha bisogno di margine bianco.")
        )
    return out
