"""Benchmark: per-lab manifesto posters (A3, print + digital) for 10, 100 and 1,000 synthetic labs.

Each case runs in a fresh Python process so its times and peak memory are its own. For each it
reports wall time, CPU time of the parent and of the worker processes (CPU / wall > 1 means more
than one core was busy), the peak RSS of the parent, of the largest worker, and of the whole process
tree (sampled every 50 ms with psutil), and the output size.

    /work/main/.venv/bin/python bench/bench_manifesto.py            # all cases, table + JSON
    /work/main/.venv/bin/python bench/bench_manifesto.py --casi 10,100

Results: bench/risultati/manifesto.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "risultati" / "manifesto.json"

CONFIG = """
[edizione]
anno = 2026
[distretto]
comuni = ["018110"]
[dati]
voci = "dati/voci.csv"
[collegamenti]
mappa_digitale = "https://www.farebenecomunepv.it/la-mappa-dei-laboratori/"
[contatti]
ente = "Centro Servizi Volontariato"
referente = "Maria Piccio"
email = "m.piccio@csvlombardia.it"
[manifesto]
formati = ["A3"]
per_laboratorio = true
un_file = {un_file}
"""


def _labs(n: int):
    from stampa.entries.model import Entry

    quartieri = ["Centro storico", "Borgo Ticino", "Scala", "Crosione", "Vallone", "Pavia Ovest"]
    return [
        Entry(
            id=f"LAB-{i:04d}",
            nome=f"Laboratorio Sociale {quartieri[i % len(quartieri)]} {i}",
            tipo="laboratorio",
            comune="Pavia",
            istat="018110",
            lon=9.15,
            lat=45.19,
            quartiere=quartieri[i % len(quartieri)],
            indirizzo=f"Via dei Mille {i + 1}",
            orari="martedì e giovedì 16–19",
            sito=f"https://www.esempio.it/laboratori/{i:04d}" if i % 3 else "",
        )
        for i in range(n)
    ]


def one(n: int, un_file: bool) -> dict:
    """Build one case in this process and measure it."""
    import psutil

    from stampa.config import load_config
    from stampa.printing.theme import load_theme
    from stampa.products.manifesto import build_manifesto

    work = Path(tempfile.mkdtemp(prefix="bench-manifesto-"))
    try:
        (work / "layout").mkdir()
        shutil.copy(ROOT / "layout" / "manifesto.toml", work / "layout")
        shutil.copy(ROOT / "layout" / "tema.toml", work / "layout")
        (work / "stampa.toml").write_text(CONFIG.format(un_file="true" if un_file else "false"), encoding="utf-8")
        cfg = load_config(work / "stampa.toml")
        labs = _labs(n)

        me = psutil.Process()
        peak = {"tree": 0}
        worker_cpu: dict[int, float] = {}  # pid → last CPU seconds seen (user + system)
        worker_rss: dict[int, int] = {}
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                total = me.memory_info().rss
                for child in me.children(recursive=True):
                    try:
                        with child.oneshot():
                            t = child.cpu_times()
                            rss = child.memory_info().rss
                    except psutil.Error:
                        continue
                    worker_cpu[child.pid] = t.user + t.system
                    worker_rss[child.pid] = max(worker_rss.get(child.pid, 0), rss)
                    total += rss
                peak["tree"] = max(peak["tree"], total)
                stop.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        t0, c0 = time.perf_counter(), time.process_time()
        result = build_manifesto(cfg, labs, work / "out", theme=load_theme(work / "layout" / "tema.toml"), layout_dir=work / "layout")
        wall = time.perf_counter() - t0
        cpu_parent = time.process_time() - c0
        stop.set()
        sampler.join()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        size = sum(p.stat().st_size for p in (work / "out").rglob("*") if p.is_file())
        pdfs = [f for f in result.files if f["versione"] in ("stampa", "digitale")]
        return {
            "laboratori": n,
            "un_file": un_file,
            "file_pdf": len(pdfs),
            "pagine_pdf": sum(f["pagine"] for f in pdfs),
            "anteprime": sum(1 for f in result.files if f["versione"] == "anteprima"),
            "tempo_s": round(wall, 2),
            "cpu_processo_principale_s": round(cpu_parent, 2),
            "cpu_processi_figli_s": round(children.ru_utime + children.ru_stime, 2),
            "cpu_su_tempo": round((cpu_parent + children.ru_utime + children.ru_stime) / wall, 2),
            "picco_memoria_principale_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "picco_memoria_figlio_mb": round(children.ru_maxrss / 1024, 1),
            "picco_memoria_totale_mb": round(peak["tree"] / 2**20, 1),
            # Worker processes that did real work (> 0.5 s of CPU), as sampled while they ran.
            "cpu_per_processo_figlio_s": sorted((round(v, 1) for v in worker_cpu.values() if v > 0.5), reverse=True),
            "memoria_per_processo_figlio_mb": sorted((round(v / 2**20) for v in worker_rss.values() if v > 50 * 2**20), reverse=True),
            "carico_medio_1min": round(os.getloadavg()[0], 2),
            "byte_scritti_mb": round(size / 2**20, 2),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--casi", default="10,100,1000", help="numeri di laboratori, separati da virgole")
    ap.add_argument("--uno", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--un-file", default="true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.uno is not None:
        print(json.dumps(one(args.uno, args.un_file == "true")))
        return
    cases = [(int(n), True) for n in args.casi.split(",")] + [(100, False)]
    rows = []
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for n, un_file in cases:
        done = subprocess.run(
            [sys.executable, __file__, "--uno", str(n), "--un-file", "true" if un_file else "false"],
            check=True, capture_output=True, text=True, env=env, cwd=ROOT,
        )
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        print(
            f"{r['laboratori']:>6} lab  {'un file' if un_file else 'un file per lab':<15} "
            f"{r['file_pdf']:>5} PDF {r['pagine_pdf']:>5} pagine {r['anteprime']:>3} PNG  "
            f"{r['tempo_s']:>7.2f} s  CPU {r['cpu_processo_principale_s'] + r['cpu_processi_figli_s']:>7.2f} s "
            f"(CPU/tempo {r['cpu_su_tempo']:.2f})  memoria: princ. {r['picco_memoria_principale_mb']:.0f} MB, "
            f"figlio max {r['picco_memoria_figlio_mb']:.0f} MB, totale {r['picco_memoria_totale_mb']:.0f} MB  "
            f"{r['byte_scritti_mb']:.1f} MB scritti  CPU per processo figlio {r['cpu_per_processo_figlio_s']} s  "
            f"(carico medio {r['carico_medio_1min']})",
            flush=True,
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    meta = {"macchina": platform.machine(), "python": platform.python_version(), "cpu": os.cpu_count(),
            "carico_medio_1min_alla_fine": round(os.getloadavg()[0], 2)}
    OUT.write_text(json.dumps({"ambiente": meta, "casi": rows}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"risultati in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
