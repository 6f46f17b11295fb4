"""Images: the effective resolution of every image at the size it is printed (pixels ÷ inches on
paper, the lower of the two directions). Print files only: on screen any resolution will do."""

from __future__ import annotations

from ..problems import ERROR, WARNING
from .document import PdfFile, Rect
from .model import Finding, finding, num, pt_to_mm

FIX_LOW = (
    "Usa un'immagine con più pixel o stampala più piccola; per lo sfondo della mappa alza lo zoom o "
    "sfondo.ppi in stampa.toml e ricostruisci."
)


def check_images(doc: PdfFile) -> list[Finding]:
    spec = doc.spec
    if not spec.is_print:
        return []
    low, warn = spec.ppi_limits()
    out = []
    for page, content in zip(doc.pages, doc.content):
        area = page.bleed or page.visible
        for image in content.images:
            xs = [x for x, _ in image.corners()]
            ys = [y for _, y in image.corners()]
            if not area.intersects(Rect(min(xs), min(ys), max(xs), max(ys))):
                continue  # drawn off the page: never printed
            ppi = image.ppi
            if ppi >= warn:
                continue
            w, h = image.size_pt
            found = (
                f"{num(ppi, 0)} ppi ({image.width_px}×{image.height_px} px stampati a "
                f"{num(pt_to_mm(w))}×{num(pt_to_mm(h))} mm)"
            )
            if ppi < low:
                out.append(
                    finding(ERROR, "risoluzione", "immagine a bassa risoluzione", spec, page.number,
                            found=found, expected=f"almeno {num(low, 0)} ppi", fix=FIX_LOW)
                )
            else:
                out.append(
                    finding(WARNING, "risoluzione", "immagine sotto la risoluzione consigliata", spec, page.number,
                            found=found, expected=f"almeno {num(warn, 0)} ppi",
                            fix="Su un manifesto letto da lontano può bastare; per la massima qualità usa più pixel.")
                )
    return out
