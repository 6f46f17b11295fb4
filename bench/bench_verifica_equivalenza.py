"""The preflight before and after a change: the same damaged edition checked by two versions of
stampa, whose findings must be the same (verifica.json, durations aside), with the CPU, time and
memory of each.

    .venv/bin/python bench/bench_verifica_equivalenza.py --prima main            # 3,000 entries
    .venv/bin/python bench/bench_verifica_equivalenza.py --prima main --voci 30000 --senza-danni

``--prima`` is a git ref of this repository: its files are extracted (git archive) to a temporary
folder and run from there; «dopo» is this working tree. The edition (an atlas of synthetic
entries, vector basemap) is built once, with this tree, and damaged (unless ``--senza-danni``) in
two ways, each checked by both versions:

- «pdf»: the Mappa's PDFs changed where the preflight may take shortcuts: QR codes pasted where
  none is expected (stampa's one-path drawing, one square per module, an image inside a form
  XObject), 4 pt text (on a map page, an index page, inside a form), text across the trim edge,
  text 2 mm from the bottom edge; the report as built but for a horizontal fold on pages 5–7,
  the print file's QR pointing elsewhere, 40 expected texts altered, 20 on the wrong page and two
  that do not exist;
- «spec»: the same PDFs with a report that asks much more (8.5 pt minimum, 22 mm margin, a
  vertical fold on every page): nearly every page has a finding.

Exit status 1 if any pair of reports differs.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from measure import run_measured  # noqa: E402
from synthetic import generate_entries, write_csv  # noqa: E402

PY = sys.executable


def make_project(where: Path) -> Path:
    from run import make_project as make

    return make(where, formato="automatico")


def build(project: Path, entries: int, out: Path) -> None:
    data = project.parent / f"voci-{entries}.csv"
    write_csv(data, generate_entries(entries, seed=1))
    args = ["edizione", "--dati", str(data), "--out", str(out), "--sfondo", "vettoriale", "--senza-verifica"]
    run = run_measured([PY, "-m", "stampa", *args, "--config", str(project / "stampa.toml")], cwd=project,
                       env={"PYTHONPATH": str(ROOT), "STAMPA_CACHE": str(project.parent / "cache")}, timeout_s=1800)
    if run.returncode != 0:
        raise SystemExit(f"costruzione non riuscita:\n{run.output[-2000:]}")


# --- damage ----------------------------------------------------------------------------------------


def _overlay(size: tuple[float, float], draw):  # noqa: ANN001, ANN202 - a pikepdf.Pdf of one page
    import pikepdf
    from reportlab.pdfgen.canvas import Canvas

    from stampa.printing.fonts import register_family

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=size, invariant=1, initialFontName=register_family("Atkinson Hyperlegible").regular)
    draw(c)
    c.showPage()
    c.save()
    return pikepdf.open(io.BytesIO(buf.getvalue()))


def _append(pdf, index: int, ov, tag: str) -> None:  # noqa: ANN001
    """The overlay's operators added to the page's own content (no form XObject), its resources
    renamed so they do not clash with the page's."""
    import pikepdf

    src, dst = ov.pages[0], pdf.pages[index]
    contents = src.obj.Contents
    data = b"".join(s.read_bytes() + b"\n" for s in (contents if isinstance(contents, pikepdf.Array) else [contents]))
    res = dst.obj.Resources
    theirs = pdf.copy_foreign(ov.make_indirect(src.obj.Resources))
    for cat in ("/Font", "/XObject", "/ExtGState", "/ColorSpace"):
        if cat not in theirs:
            continue
        if cat not in res:
            res[cat] = pikepdf.Dictionary()
        for name in list(theirs[cat].keys()):
            res[cat][f"{name}{tag}"] = theirs[cat][name]
            data = re.sub(re.escape(name.encode()) + rb"(?![A-Za-z0-9])", f"{name}{tag}".encode(), data)
    # The page's own content leaves its crop-mark offset in the matrix: wrap it in q/Q first.
    dst.contents_add(pdf.make_stream(b"q\n"), prepend=True)
    dst.contents_add(pdf.make_stream(b"\nQ\nq\n" + data + b"\nQ\n"), prepend=False)


def _as_form(pdf, index: int, ov) -> None:  # noqa: ANN001
    import pikepdf

    page = pdf.pages[index]
    page.add_overlay(pdf.copy_foreign(ov.pages[0].as_form_xobject()), pikepdf.Rectangle(*[float(v) for v in page.mediabox]))


def _squares(c, url: str, x: float, y: float, side: float) -> None:  # noqa: ANN001
    from stampa.printing.qr import qr_matrix

    m = qr_matrix(url)
    module = side / len(m)
    c.setFillColorCMYK(0, 0, 0, 0)
    c.rect(x, y, side, side, stroke=0, fill=1)
    c.setFillColorCMYK(0, 0, 0, 1)
    for r, row in enumerate(m):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x + col * module, y + (len(m) - 1 - r) * module, module, module, stroke=0, fill=1)


def _image_qr(c, url: str, x: float, y: float, side: float) -> None:  # noqa: ANN001
    import qrcode
    from reportlab.lib.utils import ImageReader

    buf = io.BytesIO()
    qrcode.make(url, border=4).get_image().convert("L").save(buf, "PNG")
    buf.seek(0)
    c.drawImage(ImageReader(buf), x, y, side, side)


def damage_pdf(path: Path) -> None:
    import pikepdf
    from reportlab.lib.units import mm

    from stampa.printing.fonts import register_family
    from stampa.printing.qr import draw_qr

    font = register_family("Atkinson Hyperlegible").regular
    pdf = pikepdf.open(path, allow_overwriting_input=True)
    first = pdf.pages[0]
    media = [float(v) for v in first.mediabox]
    size = (media[2] - media[0], media[3] - media[1])
    trim = [float(v) for v in first.obj.get("/TrimBox", first.mediabox)]
    mid = len(pdf.pages) // 2

    def tiny(c) -> None:  # noqa: ANN001
        c.setFont(font, 4)
        c.drawString(200, 400, "Testo minuscolo di prova")

    def over(c) -> None:  # noqa: ANN001
        c.setFont(font, 9)
        c.drawString(trim[2] - 30, 500, "Testo oltre il bordo della pagina")

    def margin(c) -> None:  # noqa: ANN001
        c.setFont(font, 9)
        c.drawString(200, trim[1] + 2 * mm, "Testo nel margine")

    _append(pdf, mid, _overlay(size, lambda c: draw_qr(c, "https://example.org/incollato", 60, 100, 30)), "a")
    _append(pdf, mid + 1, _overlay(size, lambda c: _squares(c, "https://example.org/quadrati", 150, 300, 90)), "b")
    _as_form(pdf, mid + 2, _overlay(size, lambda c: _image_qr(c, "https://example.org/immagine", 100, 200, 100)))
    _append(pdf, min(60, len(pdf.pages) - 1), _overlay(size, tiny), "c")
    _append(pdf, mid + 3, _overlay(size, tiny), "c")
    _append(pdf, mid + 4, _overlay(size, over), "d")
    _append(pdf, mid + 5, _overlay(size, margin), "e")
    _as_form(pdf, mid + 6, _overlay(size, lambda c: (tiny(c), over(c))))
    pdf.save(path)


def damage_report(out: Path, demanding: bool) -> None:
    path = out / "rapporto.json"
    d = json.loads(path.read_text(encoding="utf-8"))
    rng = random.Random(3)
    for f in d["file"]:
        v = f.get("verifica")
        if not v or f.get("prodotto") != "mappa" or f.get("versione") not in ("stampa", "digitale"):
            continue
        printed = f["versione"] == "stampa"
        if demanding:
            v["corpo_minimo_pt"] = 8.5 if printed else 6.0
            v["margine_mm"] = 22 if printed else 5.0
        if printed:
            folds = [{"asse": "y", "mm": 148.5, "pagine": [5, 6, 7], "testo": True}]
            v["pieghe"] = ([{"asse": "x", "mm": 105.0, "pagine": [], "testo": True}] if demanding else []) + folds
            v["qr"][0]["url"] = "https://example.org/altro"
        t = v["testi"]
        for k in rng.sample(range(len(t)), 40):
            t[k] = t[k] + " zzz" if isinstance(t[k], str) else {**t[k], "testo": t[k]["testo"] + " zzz"}
        for k in rng.sample(range(len(t)), 20):
            text = t[k] if isinstance(t[k], str) else t[k]["testo"]
            moved = t[k]["pagine"][0] + 3 if isinstance(t[k], dict) and t[k].get("pagine") else 5 + k % 50
            t[k] = {"testo": text, "pagine": [min(f["pagine"], moved)]}
        t += ["Banda dei Compiti", "Inesistente davvero"]
    path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")


# --- the two versions ------------------------------------------------------------------------------


def extract(ref: str, where: Path) -> Path:
    where.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    return where


def verify(code: Path, out: Path, project: Path) -> tuple[dict, dict]:
    load = os.getloadavg()[0]
    run = run_measured([PY, "-m", "stampa", "verifica", "--out", str(out), "--config", str(project / "stampa.toml")],
                       cwd=project, env={"PYTHONPATH": str(code), "STAMPA_CACHE": str(project.parent / "cache")},
                       timeout_s=3600)
    report = json.loads((out / "verifica.json").read_text(encoding="utf-8"))
    figures = {"tempo_s": round(run.wall_s, 1), "cpu_s": round(run.cpu_s, 1), "picco_mb": round(run.peak_mb),
               "picco_pss_mb": round(run.peak_pss_mb), "carico": round(load, 1), "uscita": run.returncode}
    return report, figures


def comparable(report: dict) -> dict:
    return {"esito": report["esito"], "risultati": report["risultati"],
            "file": [{k: v for k, v in f.items() if k != "durata_s"} for f in report["file"]]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prima", required=True, help="git ref della versione di confronto (es. main)")
    ap.add_argument("--voci", type=int, default=3000)
    ap.add_argument("--senza-danni", action="store_true", help="solo l'edizione come costruita")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="stampa-equivalenza-") as tmp:
        t = Path(tmp)
        before = extract(args.prima, t / "prima")
        project = make_project(t / "progetto")
        built = t / "costruita"
        build(project, args.voci, built)
        cases = {"come costruita": built} if args.senza_danni else {}
        if not args.senza_danni:
            for name, demanding in (("pdf", False), ("spec", True)):
                folder = t / name
                shutil.copytree(built, folder)
                for pdf in ("mappa-stampa.pdf", "mappa-digitale.pdf"):
                    damage_pdf(folder / pdf)
                damage_report(folder, demanding)
                cases[name] = folder
        same = True
        for name, folder in cases.items():
            a, fa = verify(before, folder, project)
            b, fb = verify(ROOT, folder, project)
            equal = comparable(a) == comparable(b)
            same &= equal
            print(f"{name}: {len(a['risultati'])} risultati, identici: {'sì' if equal else 'NO'}")
            print(f"  prima {json.dumps(fa)}")
            print(f"  dopo  {json.dumps(fb)}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
