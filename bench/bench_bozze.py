"""Benchmark: `stampa bozze` (one proof page per entry) for 100 and 1,000 synthetic entries.

Each case is the real command in a fresh process, on a throw-away project with the sample's
layout and a synthetic list (bench/synthetic.py); measured from outside with bench/measure.py:
wall time, CPU time of the process tree (CPU / wall > 1: both cores busy), peak memory.
Target (issue 14): 1,000 proofs in ≤ 30 s on the two cores.

    /work/main/.venv/bin/python bench/bench_bozze.py            # 100 and 1,000
    /work/main/.venv/bin/python bench/bench_bozze.py --casi 1000

Results: bench/risultati/bozze.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "risultati" / "bozze.json"
sys.path.insert(0, str(ROOT / "bench"))

from measure import run_measured


def one(n: int) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bozze-{n}-") as tmp:
        t = Path(tmp)
        (t / "dati").mkdir()
        (t / "layout").symlink_to(ROOT / "layout")
        text = (ROOT / "stampa.toml").read_text(encoding="utf-8")
        text = re.sub(r'(?m)^voci = ".*"$', 'voci = "dati/voci.csv"', text) + '\n[bozze]\nentro = "2027-01-31"\n'
        (t / "stampa.toml").write_text(text, encoding="utf-8")
        subprocess.run([sys.executable, str(ROOT / "bench" / "synthetic.py"), str(n), "--out", str(t / "dati" / "voci.csv")],
                       check=True, capture_output=True)
        run = run_measured([sys.executable, "-m", "stampa", "bozze", "--config", str(t / "stampa.toml")], cwd=t,
                           env={"PYTHONPATH": str(ROOT)})
        folder = t / "out" / "bozze"
        pdfs = list(folder.glob("bozza-*.pdf"))
        return {
            "voci": n,
            "bozze_pdf": len(pdfs),
            "secondi": round(run.wall_s, 2),
            "cpu_s": round(run.cpu_s, 2),
            "cpu_su_tempo": round(run.cores, 2),
            "picco_mb": round(run.peak_mb, 1),
            "mb_scritti": round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1),
            "uscita": run.returncode,
            "carico_medio_1min": round(os.getloadavg()[0], 2),
            **({"errore": run.output[-600:]} if run.returncode else {}),
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--casi", default="100,1000", help="numeri di voci, separati da virgole")
    args = ap.parse_args()
    rows = []
    for n in (int(x) for x in args.casi.split(",")):
        r = one(n)
        rows.append(r)
        print(f"{r['voci']:>6} voci  {r['bozze_pdf']:>6} bozze  {r['secondi']:>7.2f} s  CPU {r['cpu_s']:>7.2f} s "
              f"(CPU/tempo {r['cpu_su_tempo']:.2f})  picco {r['picco_mb']:.0f} MB  {r['mb_scritti']:.1f} MB scritti  "
              f"(carico medio {r['carico_medio_1min']})", flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    meta = {"macchina": platform.machine(), "python": platform.python_version(), "cpu": os.cpu_count()}
    OUT.write_text(json.dumps({"ambiente": meta, "casi": rows}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"risultati in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
