"""Benchmark: the Testi page's fit check of layout/mappa.toml (the sample project), the time a
«Controlla e salva» waits for: copy of layout/, loading and checking the texts, fonts, the fixed
panels laid out in every format the edition may print (two with «automatico»).

    /work/main/.venv/bin/python bench/bench_testi.py

Prints the import of the modules (paid once, when the app starts), the first check (fonts
registered) and the median of the next ten.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    t0 = time.perf_counter()
    from stampa.app import texts
    from stampa.config import load_config

    imported = time.perf_counter() - t0
    cfg = load_config(ROOT / "stampa.toml")
    layout = ROOT / "layout"
    text = (layout / "mappa.toml").read_text(encoding="utf-8")
    runs = []
    for _ in range(11):
        t = time.perf_counter()
        problems = texts.check(layout, "mappa.toml", text, cfg)
        runs.append(time.perf_counter() - t)
        assert not problems, problems
    print(f"import dei moduli (all'avvio dell'app): {imported:.2f} s")
    print(f"primo controllo: {runs[0] * 1000:.0f} ms; i successivi (mediana di 10): {statistics.median(runs[1:]) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
