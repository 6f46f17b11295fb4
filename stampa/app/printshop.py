"""What goes to the print shop: the print PDFs of the last build and a one-page A4 sheet in
Italian saying, for each file, format, folds, pages, colours and bleed, with blank fields for
quantity, paper and notes that staff fill in by hand or on screen. Built from rapporto.json, so
it describes exactly the files in the zip."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from ..printing.fonts import register_family
from ..units import PT_PER_MM

SHEET_NAME = "scheda-tipografia.pdf"
MARGIN_MM = 18.0


def print_files(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The files of the report meant for the press (versione «stampa»)."""
    return [f for f in report.get("file", []) if f.get("versione") == "stampa" and f["path"].endswith(".pdf")]


def _fmt_mm(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def folds_text(record: dict[str, Any]) -> str:
    """«2 pieghe: verticale a 148,5 mm dal bordo sinistro, orizzontale a 210 mm dal bordo inferiore»,
    or «nessuna (foglio piano)». From the record's print spec (stampa.printspec: axis "x" is a
    vertical fold measured from the left edge of the trim, "y" a horizontal one from the bottom)."""
    folds = (record.get("verifica") or {}).get("pieghe") or []
    seen: list[tuple[str, float]] = []
    for f in folds:
        key = (str(f.get("asse")), float(f.get("mm", 0.0)))
        if key not in seen:
            seen.append(key)
    if not seen:
        return "nessuna (foglio piano)"
    words = {"x": "verticale a {} mm dal bordo sinistro", "y": "orizzontale a {} mm dal bordo inferiore"}
    parts = ", ".join(words.get(axis, axis + " a {} mm").format(_fmt_mm(mm)) for axis, mm in seen)
    return f"{len(seen)} {'piega' if len(seen) == 1 else 'pieghe'}: {parts} (del formato finito)"


def sheet_rows(record: dict[str, Any]) -> list[tuple[str, str]]:
    w, h = record.get("rifilo_mm") or (0, 0)
    pages = record.get("pagine") or 0
    sides = "fronte e retro" if pages == 2 else ("solo fronte" if pages == 1 else f"{pages} pagine")
    return [
        ("Formato finito (rifilo)", f"{record.get('formato', '')} · {_fmt_mm(w)} × {_fmt_mm(h)} mm"),
        ("Pagine", f"{pages} ({sides})"),
        ("Abbondanza", f"{_fmt_mm(record.get('abbondanza_mm') or 0)} mm per lato, con crocini di taglio"),
        ("Pieghe", folds_text(record)),
        ("Colori", "quadricromia CMYK (nessun colore speciale)"),
    ]


def make_sheet(report: dict[str, Any], contacts: Sequence[str], *, verified: bool = False) -> bytes:
    """The one-page A4 sheet, as PDF bytes. ``verified``: the files passed the preflight (said on the sheet)."""
    fonts = register_family("Atkinson Hyperlegible")
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle("Scheda per la tipografia")
    c.setAuthor("stampa")
    width, height = A4
    left = MARGIN_MM * PT_PER_MM
    right = width - left
    y = height - MARGIN_MM * PT_PER_MM

    def line(text: str, size: float, *, bold: bool = False, gap_pt: float = 4.0) -> None:
        nonlocal y
        y -= size
        c.setFont(fonts.bold if bold else fonts.regular, size)
        c.drawString(left, y, text)
        y -= gap_pt

    line("Scheda per la tipografia", 20, bold=True, gap_pt=6)
    line(f"{report.get('edizione', '')}", 12, gap_pt=2)
    for text in contacts:
        line(text, 10, gap_pt=2)
    y -= 8
    files = print_files(report)
    label_w = 48 * PT_PER_MM
    for n, record in enumerate(files):
        if y < 260:  # points: room for one more block and the notes; the sheet stays one page
            line(f"… e altri {len(files) - n} file per la stampa, tutti nello zip: formato e pagine di ciascuno sono in rapporto.json.", 10, gap_pt=6)
            break
        c.setLineWidth(0.6)
        c.line(left, y, right, y)
        y -= 6
        line(f"{record['path']}", 12.5, bold=True, gap_pt=5)
        for label, value in sheet_rows(record):
            y -= 10
            c.setFont(fonts.bold, 10)
            c.drawString(left, y, label)
            c.setFont(fonts.regular, 10)
            lines = simpleSplit(value, fonts.regular, 10, right - left - label_w)
            for i, text in enumerate(lines):
                if i:
                    y -= 12
                c.drawString(left + label_w, y, text)
            y -= 4
        y -= 10
        c.setFont(fonts.bold, 10)
        c.drawString(left, y, "Copie")
        c.drawString(left + label_w + 45 * PT_PER_MM, y, "Carta")
        c.setLineWidth(0.5)
        c.line(left + label_w, y - 2, left + label_w + 38 * PT_PER_MM, y - 2)
        c.line(left + label_w + 60 * PT_PER_MM, y - 2, right, y - 2)
        y -= 16
    c.setLineWidth(0.6)
    c.line(left, y, right, y)
    y -= 6
    line("Note", 12.5, bold=True, gap_pt=4)
    bottom = MARGIN_MM * PT_PER_MM + 40
    c.setLineWidth(0.4)
    while y - 20 > bottom:
        y -= 20
        c.line(left, y, right, y)
    c.setFont(fonts.regular, 9)
    foot = (
        "Consegna entro il ____ / ____ / ________        Firma per l'approvazione ______________________________",
        *(["I file hanno superato la verifica per la tipografia (rifilo, abbondanza, caratteri, colori)."] if verified else []),
        "Per dubbi: il referente indicato in alto.",
    )
    for i, text in enumerate(foot):
        c.drawString(left, MARGIN_MM * PT_PER_MM + 12 * (len(foot) - 1 - i), text)
    c.showPage()
    c.save()
    return buf.getvalue()


def make_zip(out_dir: Path, report: dict[str, Any], contacts: Sequence[str], *, verified: bool = False) -> bytes:
    """The print PDFs and the sheet, in one zip (built in memory: nothing is left on disk)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(SHEET_NAME, make_sheet(report, contacts, verified=verified))
        for record in print_files(report):
            z.write(out_dir / record["path"], arcname=record["path"])
    return buf.getvalue()
