"""Load time of 10,000 entries per format (the assertion is loose; figures go to the report:
run with -s to see them)."""

import io
import json
import time

import openpyxl
import pytest

from stampa.entries.read import read_records

pytestmark = pytest.mark.lento  # whole builds or subprocesses: left out of the quick run

N = 10_000


def timed(path, **kw):
    t0, c0 = time.perf_counter(), time.process_time()
    records, problems = read_records(path, **kw)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert len(records) == N
    assert not [p for p in problems if p.level == "errore"]
    print(f"\n{path.name}: {N} voci in {elapsed:.2f} s ({cpu:.2f} s di CPU)")
    return records, elapsed


def row(i):
    return [f"V{i}", f"Laboratorio «{i}» & co.", "laboratorio", "Pavia", f"Via Roma {i}", "ACLI",
            "Cena sociale, lettura", "lun 15-18", "0382 123456", f"info{i}@example.org",
            "https://example.org", "sì", f"45,{1900 + i % 99}", f"9,{1600 + i % 97}"]


HEADER = ["ID", "Nome", "Tipo", "Comune", "Indirizzo", "Ente gestore", "Attività", "Orari", "Telefono",
          "E-mail", "Sito web", "Attivo", "Latitudine", "Longitudine"]


def test_csv_10000(tmp_path):
    text = "\r\n".join(";".join(r) for r in [HEADER] + [row(i) for i in range(N)])
    path = tmp_path / "voci.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    records, elapsed = timed(path)
    assert records[-1].fields["nome"] == f"Laboratorio «{N - 1}» & co."
    assert elapsed < 10


def test_csv_10000_with_crs(tmp_path):
    lines = ["Nome;Est;Nord"] + [f"A{i};{500000 + i},5;{5000000 + i},25" for i in range(N)]
    path = tmp_path / "voci.csv"
    path.write_text("\n".join(lines))
    records, elapsed = timed(path, crs="EPSG:32632")
    assert records[0].lon == pytest.approx(9.0, abs=1e-3)
    assert elapsed < 10


def test_xlsx_10000(tmp_path):
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Voci")
    ws.append(HEADER)
    for i in range(N):
        r = row(i)
        r[-2], r[-1] = 45.19 + i * 1e-6, 9.16 + i * 1e-6
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    path = tmp_path / "voci.xlsx"
    path.write_bytes(out.getvalue())
    records, elapsed = timed(path)
    assert records[1].fields["lat"] == "45.190001"
    assert elapsed < 10


def test_geojson_10000(tmp_path):
    features = [
        {"type": "Feature", "properties": dict(zip(HEADER[:-2], row(i)[:-2])),
         "geometry": {"type": "Point", "coordinates": [9.16 + i * 1e-6, 45.19 + i * 1e-6]}}
        for i in range(N)
    ]
    path = tmp_path / "voci.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    records, elapsed = timed(path)
    assert records[5].lat == pytest.approx(45.190005)
    assert elapsed < 10
