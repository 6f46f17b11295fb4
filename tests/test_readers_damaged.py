"""Damaged copies of real files, in every format: whatever byte is changed and wherever the file is
cut, a reader gives the entries or one Italian StampaError naming the file; never another exception
(zlib.error, BadZipFile, XML, SQLite, GDAL, encodings), which would reach staff as a traceback.

The real files are the sample edition (dati/voci-esempio.csv) written in each format the way the
programs staff use write it. Damage is drawn with a fixed seed, so every run checks the same copies.
"""

from __future__ import annotations

import csv
import html
import io
import random
import zipfile
from pathlib import Path

import pytest

from stampa.entries.read import read_records
from stampa.problems import StampaError

from robusto_support import SAMPLE_CSV, sample_rows

SEED = 20261130
DAMAGED = "è danneggiato o incompleto"


def _decimal(text: str) -> float:
    return float(text.replace(",", "."))


def _xlsx(rows) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Voci"
    ws.append(["Mappa dei Laboratori 2026"])  # a title row above the table, as staff keep it
    ws.append([])
    ws.append(list(rows[0]))
    for r in rows:
        ws.append([_decimal(v) if k in ("latitudine", "longitudine") else v for k, v in r.items()])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _kml(rows) -> bytes:
    """As Google My Maps exports it: one folder per layer, a data table per placemark."""
    marks = []
    for r in rows:
        data = "".join(
            f'<Data name="{html.escape(k)}"><value>{html.escape(v)}</value></Data>'
            for k, v in r.items() if k not in ("nome", "latitudine", "longitudine")
        )
        marks.append(
            f"<Placemark><name>{html.escape(r['nome'])}</name><ExtendedData>{data}</ExtendedData>"
            f"<Point><coordinates>{_decimal(r['longitudine'])},{_decimal(r['latitudine'])},0</coordinates>"
            "</Point></Placemark>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<name>Mappa</name><Folder><name>Voci</name>{''.join(marks)}</Folder></Document></kml>"
    ).encode()


def _kmz(kml: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("doc.kml", (2026, 1, 1, 0, 0, 0)), kml, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _frame(rows):
    import geopandas as gpd
    from shapely.geometry import Point

    return gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k not in ("latitudine", "longitudine")} for r in rows],
        geometry=[Point(_decimal(r["longitudine"]), _decimal(r["latitudine"])) for r in rows],
        crs=4326,
    )


@pytest.fixture(scope="module")
def real_files(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """Format → {file name: bytes}; a Shapefile is several files."""
    rows = sample_rows()
    folder = tmp_path_factory.mktemp("veri")
    frame = _frame(rows)
    frame.to_file(folder / "voci.gpkg", layer="voci", driver="GPKG")
    frame.to_file(folder / "voci.geojson", driver="GeoJSON")
    frame.to_file(folder / "voci.shp", driver="ESRI Shapefile", encoding="UTF-8")
    kml = _kml(rows)
    return {
        "csv": {"voci.csv": SAMPLE_CSV.read_bytes()},
        "csv-cp1252": {"voci.csv": SAMPLE_CSV.read_text(encoding="utf-8-sig").replace("–", "-").encode("cp1252")},
        "xlsx": {"voci.xlsx": _xlsx(rows)},
        "kml": {"voci.kml": kml},
        "kmz": {"voci.kmz": _kmz(kml)},
        "geojson": {"voci.geojson": (folder / "voci.geojson").read_bytes()},
        "gpkg": {"voci.gpkg": (folder / "voci.gpkg").read_bytes()},
        "shp": {f"voci{ext}": (folder / f"voci{ext}").read_bytes() for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg")},
    }


def damaged_copies(data: bytes, rng: random.Random) -> list[tuple[str, bytes]]:
    """Single changed bytes all over the file (the header, the middle, the end), a few bursts of
    changed bytes, and the file cut at several lengths (as an interrupted download or copy)."""
    n = len(data)
    copies = []
    offsets = sorted({0, 4, 10, 30, 64, n // 3, n // 2, n - 30, n - 2} | {rng.randrange(n) for _ in range(12)})
    for at in offsets:
        at = max(0, min(at, n - 1))
        copy = bytearray(data)
        copy[at] ^= rng.randrange(1, 256)
        copies.append((f"byte {at} cambiato", bytes(copy)))
    for _ in range(6):
        copy = bytearray(data)
        start = rng.randrange(n)
        for at in range(start, min(n, start + rng.randrange(2, 40))):
            copy[at] = rng.randrange(256)
        copies.append((f"byte {start}… cambiati", bytes(copy)))
    for cut in sorted({1, 16, 100, 512, n // 10, n // 4, n // 2, 3 * n // 4, n - 100, n - 10, n - 1}):
        if 0 < cut < n:
            copies.append((f"tagliato a {cut} byte", data[:cut]))
    return copies


def _cases():
    formats = ["csv", "csv-cp1252", "xlsx", "xlsx-openpyxl", "kml", "kmz", "geojson", "gpkg"]
    return formats + ["shp:.shp", "shp:.shx", "shp:.dbf"]


@pytest.mark.parametrize("case", _cases())
def test_damaged_real_files_give_a_stampa_error_or_entries(case, real_files, tmp_path, monkeypatch):
    fmt, _, part = case.partition(":")
    if fmt == "xlsx-openpyxl":
        # The fallback reader sees damaged files too (whenever calamine refuses one): force it.
        from stampa.entries import xlsxfile

        def refuse(*args, **kwargs):
            raise RuntimeError("calamine refuses")

        monkeypatch.setattr(xlsxfile, "_rows_calamine", refuse)
        fmt = "xlsx"
    files = real_files[fmt]
    main = next(name for name in files if not name.endswith((".shx", ".dbf", ".prj", ".cpg")))
    target = next(name for name in files if name.endswith(part)) if part else main
    rng = random.Random(f"{SEED}-{case}")
    outcomes = {"voci": 0, "errore": 0, "danneggiato": 0}
    for i, (how, data) in enumerate(damaged_copies(files[target], rng)):
        folder = tmp_path / str(i)
        folder.mkdir()
        for name, body in files.items():
            (folder / name).write_bytes(data if name == target else body)
        path = folder / main
        try:
            records, _ = read_records(path)
        except StampaError as exc:
            messages = [p.format() for p in exc.problems if p.level == "errore"]
            assert messages, (case, how)
            assert any(str(path) in m or str(folder) in m for m in messages), (case, how, messages)
            outcomes["errore"] += 1
            outcomes["danneggiato"] += any(DAMAGED in m for m in messages)
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"{case}, {how}: {type(exc).__name__}: {exc}")
        else:
            assert records, (case, how)
            outcomes["voci"] += 1
    # Not vacuous: the damage did stop some reads, and (for binary formats) with the damaged message.
    assert outcomes["errore"] > 0, outcomes
    if fmt not in ("csv", "csv-cp1252", "geojson"):
        assert outcomes["danneggiato"] > 0, outcomes


def test_damaged_message_wording(tmp_path):
    """The wording staff see, pinned: file, what is wrong, what to do."""
    kml = _kml(sample_rows()[:3])
    data = bytearray(_kmz(kml))
    data[45] ^= 0xFF  # inside the deflated doc.kml (its local header is 30 + 7 bytes)
    path = tmp_path / "mappa.kmz"
    path.write_bytes(bytes(data))
    with pytest.raises(StampaError) as e:
        read_records(path)
    text = e.value.problems[0].format()
    assert text.startswith(f"{path}: il file KMZ è danneggiato o incompleto: «doc.kml» non si estrae (")
    assert text.endswith("); riesportalo dal programma da cui viene.")
