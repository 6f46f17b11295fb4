"""Benchmark of the OpenStreetMap basemap stage: fetch from a local Overpass, parse, freeze.

The fake Overpass of tests/overpass_server.py runs in a child process (so this process's peak RSS
is stampa's own) with ~30,000 generated ways (the district's fixed features, ``--streets`` minor
streets and ``--buildings`` buildings). The stage is run for the district map, the inset and one
atlas sheet at 1:10,000 (so all three queries are made), cold (empty ``dati/``), then warm (the
frozen file covers the views: no request). Prints wall times, peak RSS and the file size.

    /work/main/.venv/bin/python bench/bench_osm_freeze.py [--streets 15000] [--buildings 15000]
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

X0, Y0 = 512177.0, 5003514.0  # Pavia's centre, EPSG:32632
NEEDS = [
    ((X0 - 10000, Y0 - 12000, X0 + 10000, Y0 + 12000), 90_000.0),  # the district map
    ((X0 - 1800, Y0 - 1800, X0 + 1800, Y0 + 1800), 25_000.0),  # the inset
    ((X0 - 1000, Y0 - 1000, X0 + 1000, Y0 + 1000), 10_000.0),  # an atlas sheet
]
SERVER = """
import sys
sys.path.insert(0, {tests!r})
from overpass_server import OverpassServer, generate_osm
s = OverpassServer(generate_osm(streets={streets}, buildings={buildings}))
print(s.url, len([e for e in s.elements if e["type"] == "way"]), flush=True)
sys.stdin.read()
s.stop()
"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KB


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--streets", type=int, default=15_000)
    ap.add_argument("--buildings", type=int, default=15_000)
    args = ap.parse_args()

    code = SERVER.format(tests=str(ROOT / "tests"), streets=args.streets, buildings=args.buildings)
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        url, n_ways = child.stdout.readline().split()
        import geopandas  # noqa: F401 - imported up front, so the RSS after imports is known
        import pyogrio  # noqa: F401

        from stampa.basemap.osm import osm_data_for_views
        from stampa.basemap.osm_parse import osm_features
        from stampa.basemap.osm_store import write_osm_gpkg
        from stampa.basemap.overpass import fetch_overpass
        from stampa.basemap.overpass_query import overpass_queries
        from stampa.config import Sfondo

        rss_start = peak_rss_mb()
        cfg = dataclasses.replace(Sfondo(), server_osm=url, tempo_massimo_s=300)
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            t0 = time.perf_counter()
            cold = osm_data_for_views(cfg, NEEDS, root=root, year=2026)
            t_cold = time.perf_counter() - t0
            assert cold.fetched and not cold.problems, cold.problems
            size_mb = Path(cold.file).stat().st_size / 2**20
            t0 = time.perf_counter()
            warm = osm_data_for_views(cfg, NEEDS, root=root, year=2026)
            t_warm = time.perf_counter() - t0
            assert not warm.fetched and warm.requests == 0
            rss_stage = peak_rss_mb()

            # The parts, one by one (a second fetch: the server's answers are cached by then).
            t0 = time.perf_counter()
            result = fetch_overpass(url, overpass_queries(NEEDS), deadline_s=300)
            t_fetch = time.perf_counter() - t0
            t0 = time.perf_counter()
            gdf = osm_features(result.elements)
            t_parse = time.perf_counter() - t0
            t0 = time.perf_counter()
            write_osm_gpkg(root / "again.gpkg", dataclasses.replace(cold.data, features=gdf))
            t_write = time.perf_counter() - t0
        print(f"ways generated           {int(n_ways):>10,}")
        print(f"elements received        {len(result.elements):>10,}  ({cold.requests} requests, "
              f"{result.bytes_received / 2**20:.1f} MB received, gzip)")
        print(f"features frozen          {len(cold.data.features):>10,}")
        print(f"stage, cold (fetch+parse+freeze) {t_cold:6.2f} s")
        print(f"stage, warm (read frozen)        {t_warm:6.2f} s")
        print(f"  fetch (HTTP + JSON)            {t_fetch:6.2f} s")
        print(f"  parse (osm_features)           {t_parse:6.2f} s")
        print(f"  write GeoPackage               {t_write:6.2f} s")
        print(f"GeoPackage size                  {size_mb:6.1f} MB")
        print(f"peak RSS: {rss_start:.0f} MB after imports, {rss_stage:.0f} MB after the stage, {peak_rss_mb():.0f} MB at the end")
    finally:
        child.stdin.close()
        child.wait(timeout=30)


if __name__ == "__main__":
    main()
