"""The benchmark of stampa: one command, one table, one JSON file.

    .venv/bin/python bench/run.py                 # everything (a few minutes on 2 cores)
    .venv/bin/python bench/run.py --solo esempio  # only the cases whose name contains "esempio"

Every case is a whole `stampa` command in its own process, measured with bench/measure.py (wall
time, CPU of the process tree, peak memory of the tree). Tiles come from a tile server started
here on 127.0.0.1 (tests/tileserver.py): the benchmark never uses the internet.

Cases: the OpenStreetMap basemap (a local Overpass server, tests/overpass_server.py, with about
38,000 synthetic ways: 30,000 streets and buildings in central Pavia, 8,000 country roads, ditches,
woods and built-up areas over the whole district): `stampa sfondo` freezing it, the sample edition and a 1,000-entry atlas
built over the frozen data with the server stopped; the sample edition with tiles (cold cache, warm cache), with the frozen basemap (server
stopped), with the vector basemap; synthetic editions of 100, 1,000 and 10,000 entries as a
booklet; 10, 100 and 1,000 per-lab posters (bench/bench_manifesto.py). Results:
bench/risultati/benchmark.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the tile server used by the tests
sys.path.insert(0, str(ROOT / "bench"))

from measure import Run, run_measured  # noqa: E402
from synthetic import generate_entries, write_csv  # noqa: E402
from overpass_server import OverpassServer, generate_osm  # noqa: E402
from tileserver import TileServer  # noqa: E402

RESULTS = ROOT / "bench" / "risultati" / "benchmark.json"
PY = sys.executable


def make_project(where: Path, *, formato: str = "A3-pieghevole", fonte: str | None = None) -> Path:
    """A copy of the sample project (config, layout, sample data) with a few settings changed."""
    where.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "layout", where / "layout", dirs_exist_ok=True)
    (where / "dati").mkdir(exist_ok=True)
    shutil.copy(ROOT / "dati" / "voci-esempio.csv", where / "dati" / "voci-esempio.csv")
    shutil.copy(ROOT / "dati" / "geocodifica.csv", where / "dati" / "geocodifica.csv")  # the sample addresses' points
    text = (ROOT / "stampa.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^formato = ".*"$', f'formato = "{formato}"', text)
    if fonte is not None:
        text = re.sub(
            r'(?m)^fonte = ".*"$',
            f'fonte = "{fonte}"\nattribuzione = "Tessere di prova del benchmark"\nzoom_massimo = 18',
            text,
        )
    (where / "stampa.toml").write_text(text, encoding="utf-8")
    return where


def stampa(project: Path, *args: str, cache: Path, env: dict | None = None) -> Run:
    return run_measured(
        [PY, "-m", "stampa", *args, "--config", str(project / "stampa.toml")],
        cwd=project,
        env={"STAMPA_CACHE": str(cache), "PYTHONPATH": str(ROOT), **(env or {})},
    )


def osm_cases(tmp: Path) -> list[dict]:
    """The default basemap: freeze from a local Overpass, then build with the server stopped."""
    rows = []
    project = make_project(tmp / "esempio-osm", fonte=None)
    text = (project / "stampa.toml").read_text(encoding="utf-8")
    (project / "stampa.toml").write_text(re.sub(r'(?m)^fonte = ".*"$', 'fonte = "osm"', text), encoding="utf-8")
    atlas = tmp / "voci-osm-1000.csv"
    write_csv(atlas, generate_entries(1000, seed=1))
    server = OverpassServer(generate_osm(streets=15_000, buildings=15_000, district=8_000))
    ways = sum(1 for e in server.elements if e["type"] == "way")
    env = {"STAMPA_SERVER_OSM": server.url}
    try:
        run = stampa(project, "sfondo", cache=tmp / "c-osm", env=env)
        rows.append(row(f"stampa sfondo osm ({ways} vie dal server locale)", run, richieste=len(server.requests)))
        frozen = project / "dati" / "sfondo-osm-2026.gpkg"
        size = round(frozen.stat().st_size / 1e6, 2) if frozen.exists() else None
        # the atlas has its own views (the sheets): freeze them too, in another project folder
        big = make_project(tmp / "atlante-osm", formato="libretto")
        text = (big / "stampa.toml").read_text(encoding="utf-8")
        (big / "stampa.toml").write_text(re.sub(r'(?m)^fonte = ".*"$', 'fonte = "osm"', text), encoding="utf-8")
        run = stampa(big, "sfondo", "--dati", str(atlas), cache=tmp / "c-osm", env=env)
        rows.append(row("stampa sfondo osm (atlante di 1000 voci)", run, richieste=len(server.requests)))
    finally:
        server.stop()
    off = {"STAMPA_SERVER_OSM": "http://127.0.0.1:9/api/interpreter"}  # nothing listens: any request would fail
    run = stampa(project, "edizione", "--out", str(tmp / "osm1"), "--senza-verifica", cache=tmp / "c-osm", env=off)
    pdf = tmp / "osm1" / "mappa-stampa.pdf"
    rows.append(row("esempio, sfondo osm congelato, server spento", run, gpkg_mb=size,
                    pdf_mb=round(pdf.stat().st_size / 1e6, 2) if pdf.exists() else None))
    # the same build without any basemap: what the OpenStreetMap data itself costs
    run = stampa(project, "edizione", "--sfondo", "vettoriale", "--out", str(tmp / "osm0"), "--senza-verifica", cache=tmp / "c-osm", env=off)
    pdf = tmp / "osm0" / "mappa-stampa.pdf"
    rows.append(row("esempio, sfondo vettoriale (per confronto)", run, pdf_mb=round(pdf.stat().st_size / 1e6, 2) if pdf.exists() else None))
    run = stampa(big, "edizione", "--dati", str(atlas), "--out", str(tmp / "osm2"), "--senza-verifica", cache=tmp / "c-osm", env=off)
    pdf = tmp / "osm2" / "mappa-stampa.pdf"
    rows.append(row("1000 voci, libretto a tavole, sfondo osm congelato", run,
                    pdf_mb=round(pdf.stat().st_size / 1e6, 2) if pdf.exists() else None))
    return rows


def row(name: str, run: Run, **extra: object) -> dict:
    if run.returncode not in (0,):
        tail = "\n".join(run.output.strip().splitlines()[-15:])
        print(f"  ! {name}: codice di uscita {run.returncode}\n{tail}", file=sys.stderr)
    return {"caso": name, "tempo_s": run.wall_s, "cpu_s": run.cpu_s, "core": round(run.cores, 2), "picco_mb": run.peak_mb, "picco_pss_mb": run.peak_pss_mb, "uscita": run.returncode, **extra}


def sample_cases(tmp: Path) -> list[dict]:
    rows = []
    server = TileServer()
    try:
        project = make_project(tmp / "esempio-tessere", fonte=server.url)
        cache = tmp / "cache"
        run = stampa(project, "edizione", "--out", str(tmp / "o1"), "--senza-verifica", cache=cache)
        rows.append(row("esempio, tessere, cache fredda", run, richieste=server.requests))
        before = server.requests
        run = stampa(project, "edizione", "--out", str(tmp / "o2"), "--senza-verifica", cache=cache)
        rows.append(row("esempio, tessere, cache calda", run, richieste=server.requests - before))
        run = stampa(project, "sfondo", cache=tmp / "cache-congela")
        rows.append(row("stampa sfondo (congela)", run))
    finally:
        server.stop()
    run = stampa(project, "edizione", "--out", str(tmp / "o3"), "--senza-verifica", cache=tmp / "cache-vuota")
    rows.append(row("esempio, sfondo congelato, server spento", run))
    run = stampa(project, "edizione", "--out", str(tmp / "o3"), cache=tmp / "cache-vuota")
    rows.append(row("esempio, sfondo congelato, con verifica", run))
    vector = make_project(tmp / "esempio-vettoriale")
    run = stampa(vector, "edizione", "--out", str(tmp / "o4"), "--sfondo", "vettoriale", "--senza-verifica", cache=tmp / "c4")
    rows.append(row("esempio, sfondo vettoriale", run))
    run = stampa(vector, "verifica", "--out", str(tmp / "o4"), cache=tmp / "c4")
    rows.append(row("stampa verifica (esempio)", run))
    return rows


def synthetic_cases(tmp: Path, sizes: list[int]) -> list[dict]:
    rows = []
    project = make_project(tmp / "sintetica", formato="libretto")
    for n in sizes:
        data = tmp / f"voci-{n}.csv"
        write_csv(data, generate_entries(n, seed=1))
        run = stampa(
            project, "edizione", "--dati", str(data), "--out", str(tmp / f"s{n}"), "--sfondo", "vettoriale", "--senza-verifica", cache=tmp / "c"
        )
        rows.append(row(f"{n} voci, libretto, vettoriale", run))
    return rows


def large_cases(tmp: Path, sizes: list[int]) -> list[dict]:
    """Large editions as staff build them: ``formato = "automatico"`` (the booklet with map sheets),
    `stampa controlla`, the build without and with the preflight; the time of each stage is read
    from rapporto.json. One at a time: each case takes the machine's two cores."""
    rows = []
    project = make_project(tmp / "grandi", formato="automatico")
    for n in sizes:
        data = tmp / f"voci-grandi-{n}.csv"
        write_csv(data, generate_entries(n, seed=1))
        run = stampa(project, "controlla", "--dati", str(data), cache=tmp / "c")
        rows.append(row(f"stampa controlla, {n} voci", run))
        for check in (False, True):
            out = tmp / f"g{n}-{int(check)}"
            args = ["edizione", "--dati", str(data), "--out", str(out), "--sfondo", "vettoriale"]
            run = stampa(project, *args, *(() if check else ("--senza-verifica",)), cache=tmp / "c")
            report = out / "rapporto.json"
            stages = json.loads(report.read_text(encoding="utf-8")).get("tempi_s", {}) if report.exists() else {}
            name = f"{n} voci, automatico (atlante), vettoriale" + (", con verifica" if check else "")
            rows.append(row(name, run, fasi_s=stages))
            shutil.rmtree(out, ignore_errors=True)
    return rows


def poster_cases(cases: str) -> list[dict]:
    out = ROOT / "bench" / "risultati" / "manifesto.json"
    subprocess.run([PY, str(ROOT / "bench" / "bench_manifesto.py"), "--casi", cases], cwd=ROOT, check=False)
    if not out.exists():
        return []
    data = json.loads(out.read_text(encoding="utf-8"))
    rows = []
    for case in data.get("casi", []):
        per_lab = "un PDF" if case.get("un_file") else "un PDF per laboratorio"
        rows.append(
            {
                "caso": f"{case['laboratori']} manifesti per laboratorio ({per_lab})",
                "tempo_s": case["tempo_s"],
                "cpu_s": round(case["cpu_processo_principale_s"] + case["cpu_processi_figli_s"], 2),
                "core": case["cpu_su_tempo"],
                "picco_mb": case["picco_memoria_totale_mb"],
                "uscita": 0,
            }
        )
    return rows


def print_table(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="stampa: benchmark", title_justify="left")
    for col, just in (("caso", "left"), ("tempo_s", "right"), ("cpu_s", "right"), ("core", "right"), ("picco_mb", "right"), ("picco_pss_mb", "right"), ("uscita", "right")):
        table.add_column(col, justify=just)
    for r in rows:
        table.add_row(*(str(r.get(c, "")) for c in ("caso", "tempo_s", "cpu_s", "core", "picco_mb", "picco_pss_mb", "uscita")))
        if r.get("fasi_s"):
            table.add_row("  fasi: " + ", ".join(f"{k} {v:.1f} s" for k, v in r["fasi_s"].items()), "", "", "", "", "", "")
    Console(width=120).print(table)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--solo", default="", help="solo i gruppi di casi il cui nome contiene questo testo: osm, esempio, voci, grandi, manifesti")
    ap.add_argument("--voci", default="100,1000,10000", help="dimensioni delle edizioni sintetiche")
    ap.add_argument("--grandi", default="10000,30000", help="edizioni grandi (formato automatico, con e senza verifica)")
    ap.add_argument("--manifesti", default="10,100,1000", help="numeri di manifesti per laboratorio")
    args = ap.parse_args(argv)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="stampa-bench-") as tmp:
        t = Path(tmp)
        if args.solo in ("", "osm"):
            rows += osm_cases(t)
        if args.solo in ("", "esempio"):
            rows += sample_cases(t)
        if args.solo in ("", "voci"):
            rows += synthetic_cases(t, [int(n) for n in args.voci.split(",") if n])
        if args.solo in ("", "grandi"):
            rows += large_cases(t, [int(n) for n in args.grandi.split(",") if n])
        if args.solo in ("", "manifesti"):
            rows += poster_cases(args.manifesti)
    print_table(rows)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    machine = {"python": platform.python_version(), "cpu": platform.processor() or platform.machine(), "core": __import__("os").cpu_count()}
    RESULTS.write_text(json.dumps({"macchina": machine, "casi": rows}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"Risultati in {RESULTS.relative_to(ROOT)}")
    return 0 if all(r.get("uscita", 0) == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
