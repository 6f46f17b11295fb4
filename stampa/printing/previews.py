"""PNG previews of every page of a built PDF (for staff to look at before going to the print shop)."""

from __future__ import annotations

import io
from pathlib import Path

from ..outputs import write_bytes


def render_page(pdf_path: Path, page_index: int, dpi: float):
    """One page as a PIL image at ``dpi`` (the whole media box, marks included)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return pdf[page_index].render(scale=dpi / 72.0).to_pil()
    finally:
        pdf.close()


def write_previews(pdf_path: Path, out_dir: Path, stem: str, dpi: float) -> list[Path]:
    """Write ``<stem>-p<N>.png`` (N from 1) for every page of ``pdf_path`` into ``out_dir``,
    each atomically; returns the paths in page order. ``dpi`` usually comes from
    ``cfg.uscita.anteprime_dpi``."""
    import pypdfium2 as pdfium

    written = []
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        for i in range(len(pdf)):
            image = pdf[i].render(scale=dpi / 72.0).to_pil()
            buf = io.BytesIO()
            # Fixed PNG settings and no metadata: the same page gives the same bytes.
            image.save(buf, format="PNG", optimize=False, compress_level=6)
            written.append(write_bytes(Path(out_dir) / f"{stem}-p{i + 1}.png", buf.getvalue()))
    finally:
        pdf.close()
    return written
