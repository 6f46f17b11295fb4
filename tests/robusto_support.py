"""Helpers of the robustness tests: a throw-away project folder, `python -m stampa` as a real
subprocess, and a check of what a reader finds in an output folder."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CSV = ROOT / "dati" / "voci-esempio.csv"
URL = "https://www.farebenecomunepv.it/la-mappa-dei-laboratori/"
# The temp files of stampa.outputs.atomic_path: ".<final name>.<random>.tmp".
TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")


def sample_rows() -> list[dict[str, str]]:
    """The sample's rows, every one with coordinates: the few with only an address get the point of
    the sample record (dati/geocodifica.csv), so conversions to other formats keep every entry."""
    text = SAMPLE_CSV.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    record = (SAMPLE_CSV.parent / "geocodifica.csv").read_text(encoding="utf-8-sig")
    points = {r["indirizzo"]: (r["lat"], r["lon"]) for r in csv.DictReader(io.StringIO(record), delimiter=";")}
    for r in rows:
        if not r["latitudine"] and r["indirizzo"] in points:
            r["latitudine"], r["longitudine"] = points[r["indirizzo"]]
    return rows


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    fields = list(sample_rows()[0].keys())
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, delimiter=";", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: r.get(k, "") for k in fields})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def make_project(folder: Path, rows: list[dict[str, str]] | None = None, *, verifica: bool = False,
                 extra_toml: str = "") -> Path:
    """A copy of the sample project in ``folder`` (vector basemap, no network), with ``rows`` as
    its entries file. Returns the path of its stampa.toml."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "layout", folder / "layout", dirs_exist_ok=True)
    write_rows(folder / "dati" / "voci.csv", sample_rows() if rows is None else rows)
    shutil.copy(ROOT / "dati" / "geocodifica.csv", folder / "dati" / "geocodifica.csv")  # the sample addresses' points
    text = (ROOT / "stampa.toml").read_text(encoding="utf-8")
    text = text.replace('voci = "dati/voci-esempio.csv"', 'voci = "dati/voci.csv"')
    text = text.replace('fonte = "CartoDB.Positron"', 'fonte = "vettoriale"')
    text = text.replace('cartella = "out"', f'cartella = "out"\nverifica = {"true" if verifica else "false"}')
    text += "\n" + extra_toml
    toml = folder / "stampa.toml"
    toml.write_text(text, encoding="utf-8")
    return toml


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e["COLUMNS"] = "200"  # rich wraps at 80 columns otherwise: messages stay on one line
    e.setdefault("STAMPA_CACHE", str(Path("/tmp") / "stampa-test-cache"))
    return e


def stampa_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "stampa", *args]


def run_stampa(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(stampa_cmd(*args), cwd=cwd, env=env(), capture_output=True, text=True, timeout=timeout)


STAGING = ".stampa-nuova"  # stampa.staging: where a build writes before moving files into place


def output_files(out: Path) -> list[Path]:
    """The files under their final names (not those of a build still in the staging folder)."""
    return sorted(p for p in out.rglob("*") if p.is_file() and STAGING not in p.relative_to(out).parts)


def stray_temps(out: Path) -> list[Path]:
    """Temp files of stampa.outputs anywhere, the staging folder included."""
    return sorted(p for p in out.rglob("*") if p.is_file() and TEMP.match(p.name))


def leftovers(out: Path) -> list[Path]:
    """What a build that did not finish leaves behind: temp files and a staging folder."""
    staging = out / STAGING
    return stray_temps(out) + ([staging] if staging.exists() else [])


def assert_readable(out: Path) -> None:
    """Every file under its final name is whole: PDFs open and list their pages, PNGs decode,
    the JSON reports parse, the web page ends with its closing tag."""
    for p in output_files(out):
        if TEMP.match(p.name) or p.name == ".stampa.lock":
            continue
        if p.suffix == ".pdf":
            reader = PdfReader(p, strict=True)
            assert len(reader.pages) >= 1, p
            for page in reader.pages:
                page.extract_text()
        elif p.suffix == ".png":
            with Image.open(p) as img:
                img.load()
        elif p.suffix in (".json", ".geojson", ".umap"):
            json.loads(p.read_text(encoding="utf-8"))
        elif p.suffix == ".zip":
            import zipfile

            with zipfile.ZipFile(p) as z:
                assert z.testzip() is None, p
        elif p.suffix == ".html":
            assert p.read_text(encoding="utf-8").rstrip().endswith("</html>"), p
        else:
            raise AssertionError(f"unexpected file in the output folder: {p}")


def hashes(out: Path) -> dict[str, str]:
    from stampa.outputs import sha256

    return {
        p.relative_to(out).as_posix(): sha256(p)
        for p in output_files(out)
        if not TEMP.match(p.name) and p.name != ".stampa.lock"
    }
