"""Benchmark: the whole `stampa edizione` for 100, 1,000 and 10,000 synthetic entries as a booklet
([mappa] formato = "libretto") with the vector basemap.

Each case runs `python -m stampa edizione` in its own process; the wall time and the peak RSS of
the whole process TREE (the build and any worker it starts, sampled every 50 ms with psutil) are
measured from outside, the time of each stage is read from the rapporto.json it writes.

    /work/main/.venv/bin/python bench/bench_scala.py                 # 100, 1000, 10000
    /work/main/.venv/bin/python bench/bench_scala.py --casi 100,1000
    /work/main/.venv/bin/python bench/bench_scala.py --radice /altra/copia --json /tmp/prima.json

Results: bench/risultati/scala.json (table on the terminal).
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
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "risultati" / "scala.json"
LIMIT_S = 60.0
LIMIT_MB = 1536.0


def _config(root: Path) -> str:
    """The project's stampa.toml as a booklet reading dati/voci.csv."""
    text = (root / "stampa.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^formato = ".*"$', 'formato = "libretto"', text)
    text = re.sub(r'(?m)^voci = ".*"$', 'voci = "dati/voci.csv"', text)
    return text


def _watch(proc: subprocess.Popen, peak: list[float], stop: threading.Event) -> None:
    import psutil

    try:
        root = psutil.Process(proc.pid)
    except psutil.NoSuchProcess:
        return
    while not stop.is_set():
        try:
            procs = [root, *root.children(recursive=True)]
            rss = 0
            for p in procs:
                try:
                    rss += p.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            peak[0] = max(peak[0], rss / 2**20)
        except psutil.NoSuchProcess:
            return
        stop.wait(0.05)


def one(n: int, root: Path, timeout_s: float) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"scala-{n}-") as tmp:
        t = Path(tmp)
        (t / "dati").mkdir()
        (t / "layout").symlink_to(root / "layout")
        if (root / "fonts").exists():
            (t / "fonts").symlink_to(root / "fonts")
        (t / "stampa.toml").write_text(_config(root), encoding="utf-8")
        subprocess.run([sys.executable, str(ROOT / "bench" / "synthetic.py"), str(n), "--out", str(t / "dati" / "voci.csv")], check=True, capture_output=True)
        cmd = [sys.executable, "-m", "stampa", "edizione", "--config", str(t / "stampa.toml"), "--out", str(t / "out"), "--sfondo", "vettoriale", "--senza-verifica"]
        env = {**os.environ, "PYTHONPATH": str(root)}
        peak = [0.0]
        stop = threading.Event()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        watcher = threading.Thread(target=_watch, args=(proc, peak, stop), daemon=True)
        watcher.start()
        try:
            out, err = proc.communicate(timeout=timeout_s)
            code = proc.returncode
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            code = "timeout"
        wall = time.perf_counter() - t0
        stop.set()
        watcher.join()
        row: dict = {"voci": n, "secondi": round(wall, 2), "picco_mb": round(peak[0], 1), "uscita": code}
        report = t / "out" / "rapporto.json"
        if report.exists() and code == 0:
            data = json.loads(report.read_text(encoding="utf-8"))
            row["tempi_s"] = data.get("tempi_s")
            for f in data.get("file", []):
                if f.get("path") == "mappa-stampa.pdf":
                    row["pagine_mappa"] = f.get("pagine")
            row["mb_uscita"] = round(sum(p.stat().st_size for p in (t / "out").rglob("*") if p.is_file()) / 2**20, 1)
        elif code != 0:
            row["errore"] = (err or out)[-600:]
        return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--casi", default="100,1000,10000", help="numeri di voci, separati da virgole")
    ap.add_argument("--radice", type=Path, default=ROOT, help="la copia di stampa da misurare (default: questa)")
    ap.add_argument("--json", type=Path, default=OUT, help="dove scrivere i risultati")
    ap.add_argument("--tempo-massimo", type=float, default=900.0, help="secondi oltre i quali un caso si interrompe")
    args = ap.parse_args(argv)
    rows = []
    print(f"{'voci':>7} {'secondi':>8} {'picco MB':>9} {'pagine':>7} {'uscita':>8}  tempi per fase (s)")
    for n in (int(x) for x in args.casi.split(",")):
        row = one(n, args.radice.resolve(), args.tempo_massimo)
        rows.append(row)
        stages = " ".join(f"{k}={v}" for k, v in (row.get("tempi_s") or {}).items())
        ok = "" if row["uscita"] != 0 or (row["secondi"] <= LIMIT_S and row["picco_mb"] <= LIMIT_MB) else ""
        print(f"{n:>7} {row['secondi']:>8.1f} {row['picco_mb']:>9.0f} {row.get('pagine_mappa', '-')!s:>7} {row['uscita']!s:>8}  {stages}{ok}", flush=True)
        if row.get("errore"):
            print("         " + row["errore"].strip().splitlines()[-1][:200])
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "macchina": {"cpu": os.cpu_count(), "python": platform.python_version(), "sistema": platform.platform()},
                "radice": str(args.radice),
                "limiti": {"secondi": LIMIT_S, "picco_mb": LIMIT_MB},
                "casi": rows,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"risultati in {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
