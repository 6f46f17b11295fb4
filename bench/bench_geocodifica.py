"""Benchmark of the geocoding stage: N addresses against a local Nominatim-compatible server (the
fake of tests/nominatim_server.py, in a child process), then the same edition from the record.

1. `stampa geocodifica` on N new addresses (default 300): the time is the rate limit's, one
   request a second (≈ N s); the bench checks the spacing the server saw (min gap, concurrency).
2. The server is stopped; `stampa edizione --sfondo vettoriale` builds the edition from the record
   alone, and the same edition with the coordinates written in the entries file: the difference is
   the cost of taking positions from the record (target ≤ 1 s). Both runs give the same PDFs.
3. In-process: place_records (read the record, match, check the points) for the N entries.

    /work/main/.venv/bin/python bench/bench_geocodifica.py [--n 300] [--ripetizioni 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

COMUNI = ["Pavia", "Pavia", "Pavia", "San Martino Siccomario", "Cava Manara", "Sommo", "Zinasco", "Torre d'Isola",
          "Travacò Siccomario", "Carbonara al Ticino", "San Genesio ed Uniti", "Zerbolò"]
HEADER = "id;nome;tipo;comune;indirizzo;latitudine;longitudine"
SERVER = """
import sys, json
sys.path.insert(0, {tests!r})
from nominatim_server import NominatimServer
s = NominatimServer()
print(s.url, flush=True)
sys.stdin.read()
print(json.dumps({{"n": len(s.requests), "gaps": s.gaps(), "max_active": s.max_active}}), flush=True)
s.stop()
"""


def make_project(where: Path, n: int, coords: dict[str, tuple[str, str]] | None = None) -> Path:
    shutil.copytree(ROOT / "layout", where / "layout")
    (where / "dati").mkdir()
    rows = []
    for i in range(n):
        lat, lon = (coords or {}).get(f"B{i:04d}", ("", ""))
        rows.append(f"B{i:04d};Voce {i:04d};{'laboratorio' if i % 3 == 0 else 'gruppo'};{COMUNI[i % len(COMUNI)]};"
                    f"Via Sintetica {i + 1};{lat};{lon}")
    (where / "dati" / "voci.csv").write_bytes(("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode())
    toml = (ROOT / "stampa.toml").read_text(encoding="utf-8")
    toml = re.sub(r'(?m)^fonte = ".*"$', 'fonte = "vettoriale"', toml)
    toml = toml.replace('voci = "dati/voci-esempio.csv"', 'voci = "dati/voci.csv"').replace('formati = ["A3"]', "formati = []")
    (where / "stampa.toml").write_text(toml, encoding="utf-8")
    return where / "stampa.toml"


def run(cwd: Path, env: dict[str, str], *args: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "stampa", *args], cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"stampa {' '.join(args)} è uscito con {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def pdf_hashes(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.glob("*.pdf"))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=300, help="indirizzi da cercare (predefinito 300: circa 5 minuti)")
    ap.add_argument("--ripetizioni", type=int, default=3, help="costruzioni per lato nel confronto (il minimo conta)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-geocodifica-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-c", SERVER.format(tests=str(ROOT / "tests"))], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    url = server.stdout.readline().strip()
    env["STAMPA_SERVER_GEOCODIFICA"] = url
    env["STAMPA_SERVER_OSM"] = "http://127.0.0.1:9/api/interpreter"
    project = make_project(tmp / "indirizzi", args.n)
    print(f"1. stampa geocodifica: {args.n} indirizzi nuovi dal server locale {url} …", flush=True)
    t_geo = run(project.parent, env, "geocodifica")
    server.stdin.close()
    seen = json.loads(server.stdout.readline())
    server.wait()
    gaps = seen["gaps"]
    print(f"   {t_geo:.1f} s, {seen['n']} richieste ({t_geo / max(1, seen['n']):.3f} s ciascuna), intervallo minimo "
          f"{min(gaps) if gaps else 0:.3f} s, richieste contemporanee al massimo {seen['max_active']}")

    # The same edition with the coordinates in the entries file, copied from the record.
    from stampa.geocoding.record import read_record

    record = read_record(project.parent / "dati" / "geocodifica.csv")
    by_address = {r.indirizzo: r for r in record.rows}
    coords = {f"B{i:04d}": (f"{by_address[f'Via Sintetica {i + 1}'].lat:.6f}".replace(".", ","),
                            f"{by_address[f'Via Sintetica {i + 1}'].lon:.6f}".replace(".", ","))
              for i in range(args.n)}
    with_coords = make_project(tmp / "coordinate", args.n, coords)

    env["STAMPA_SERVER_GEOCODIFICA"] = "http://127.0.0.1:9"  # the server is gone: the record only
    build = ("edizione", "--sfondo", "vettoriale", "--senza-verifica", "--out")
    t_record, t_file = [], []
    for k in range(args.ripetizioni):
        t_record.append(run(project.parent, env, *build, str(tmp / f"out-registro-{k}")))
        t_file.append(run(with_coords.parent, env, *build, str(tmp / f"out-file-{k}")))
    same = pdf_hashes(tmp / "out-registro-0") == pdf_hashes(tmp / "out-file-0")
    identical = all(pdf_hashes(tmp / f"out-registro-{k}") == pdf_hashes(tmp / "out-registro-0") for k in range(args.ripetizioni))
    print(f"2. stampa edizione a server spento, posizioni dal registro: {min(t_record):.2f} s (minimo di "
          f"{args.ripetizioni}); con le coordinate nel file: {min(t_file):.2f} s; differenza "
          f"{min(t_record) - min(t_file):+.2f} s; PDF identici fra le ripetizioni: {identical}; "
          f"uguali a quelli con le coordinate nel file: {same}")

    from stampa.config import load_config
    from stampa.district import load_district
    from stampa.entries.read import read_records
    from stampa.geocoding.stage import place_records

    cfg = load_config(project)
    district = load_district(cfg.distretto)
    records, _ = read_records(cfg.dati.voci)
    place_records(records, district, cfg.geocodifica.registro, root=cfg.root)  # warm (boundaries loaded)
    start = time.perf_counter()
    placed = place_records(records, district, cfg.geocodifica.registro, root=cfg.root)
    t_stage = time.perf_counter() - start
    print(f"3. place_records in processo: {t_stage * 1000:.0f} ms per {placed.geocoded} voci dal registro")
    out = ROOT / "bench" / "risultati"
    out.mkdir(parents=True, exist_ok=True)
    (out / "geocodifica.json").write_text(json.dumps({
        "indirizzi": args.n, "geocodifica_s": round(t_geo, 2), "richieste": seen["n"],
        "intervallo_minimo_s": round(min(gaps), 4) if gaps else None, "contemporanee_max": seen["max_active"],
        "edizione_registro_s": round(min(t_record), 2), "edizione_coordinate_s": round(min(t_file), 2),
        "differenza_s": round(min(t_record) - min(t_file), 2), "pdf_identici": identical and same,
        "place_records_ms": round(t_stage * 1000, 1),
    }, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
