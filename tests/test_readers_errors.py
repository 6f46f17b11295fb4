"""Unreadable files: one clear Italian error naming the file, never a traceback; bombs refused
fast; inputs never modified."""

import hashlib
import io
import struct
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from stampa.entries import safety
from stampa.entries.read import read_records
from stampa.problems import StampaError


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def save(name, data: bytes) -> Path:
    Path(name).write_bytes(data)
    return Path(name)


def error_of(path, **kw) -> str:
    with pytest.raises(StampaError) as e:
        read_records(path, **kw)
    assert len(e.value.problems) == 1
    assert e.value.problems[0].level == "errore"
    return e.value.problems[0].format()


SUPPORTED = "CSV, XLSX, KML, KMZ, GeoJSON, GeoPackage o Shapefile"


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("voci.csv", b"", "il file è vuoto: esporta di nuovo le voci dal foglio di calcolo o dalla mappa."),
        ("voci.csv", b" \r\n\t\n", "il file è vuoto: esporta di nuovo le voci dal foglio di calcolo o dalla mappa."),
        ("voci.csv", b"Nome;Tipo\x00\x00\x01\x02;x\n",
         f"il file contiene dati binari (caratteri nulli): non è un testo né un formato che conosco. Esporta le voci come {SUPPORTED}."),
        ("voci.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", f"il file è un'immagine PNG, non un elenco di voci: usa un file {SUPPORTED}."),
        ("voci.csv", b"%PDF-1.7\n%\xe2\xe3", f"il file è un PDF, non un elenco di voci: usa un file {SUPPORTED}."),
        ("voci.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
         "è un file Excel 97-2003 (.xls): aprilo e salvalo come «Cartella di lavoro Excel (.xlsx)»."),
        ("voci.csv", b"<!DOCTYPE html><html><body>Accedi</body></html>",
         "è una pagina web (HTML), non un elenco di voci: scarica il file vero e proprio."),
        ("voci.kmz", b"PK\x03\x04\x14\x00\x00\x00", "il file KMZ è danneggiato o incompleto: non si apre come archivio zip (BadZipFile: File is not a zip file); riesportalo dal programma da cui viene."),
        ("voci.gpkg", b"SQLite format 3\x00" + b"\x00" * 200, None),
    ],
)
def test_unreadable_bytes(name, data, message):
    text = error_of(save(name, data))
    if message is None:
        assert text.startswith(f"{name}: il file GeoPackage è danneggiato o incompleto: il database non si apre (")
    else:
        assert text == f"{name}: {message}"


def test_missing_file_and_folder():
    assert error_of(Path("manca.csv")) == (
        "manca.csv: il file non esiste: controlla il percorso (in «dati.voci» o in --dati)."
    )
    Path("cartella.csv").mkdir()
    assert error_of(Path("cartella.csv")) == (
        "cartella.csv: è una cartella, non un file: indica il file delle voci che contiene."
    )


def test_permission_denied(monkeypatch):
    path = save("voci.csv", b"Nome;Tipo\nA;gruppo\n")

    def refuse(self, *a, **kw):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)  # tests may run as root, where chmod 000 does not bite
    assert error_of(path) == (
        "voci.csv: non ho il permesso di leggere il file: controlla i permessi o copialo altrove."
    )


def test_too_big_file(monkeypatch):
    monkeypatch.setattr(safety, "MAX_FILE_BYTES", 1000)
    path = save("voci.csv", b"Nome;Tipo\n" + b"A;gruppo\n" * 200)
    assert error_of(path) == (
        "voci.csv: il file è troppo grande (0 MB, massimo 0 MB): non sembra un elenco di voci; "
        "controlla di aver indicato il file giusto."
    )


def bomb_zip(members: dict[str, bytes], big: str, size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
        with zf.open(big, "w", force_zip64=True) as fh:
            chunk = b"\x00" * (1 << 20)
            for _ in range(size >> 20):
                fh.write(chunk)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["Nome", "Tipo"])
    wb.active.append(["A", "gruppo"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_ratio_bomb_in_kmz_refused_fast():
    data = bomb_zip({"doc.kml": b"<kml/>"}, "images/big.png", 64 << 20)
    t0 = time.perf_counter()
    text = error_of(save("mappa.kmz", data))
    assert time.perf_counter() - t0 < 2
    assert text.startswith("mappa.kmz: il file KMZ contiene «images/big.png», compresso ")
    assert text.endswith(" volte (massimo 100): sembra un archivio malevolo («zip bomb»); non lo apro.")


def test_ratio_bomb_in_xlsx_refused_fast():
    src = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    members = {i.filename: src.read(i) for i in src.infolist() if i.filename != "xl/sharedStrings.xml"}
    data = bomb_zip(members, "xl/sharedStrings.xml", 64 << 20)
    t0 = time.perf_counter()
    text = error_of(save("voci.xlsx", data))
    assert time.perf_counter() - t0 < 2
    assert "il file XLSX contiene «xl/sharedStrings.xml», compresso" in text


def forge_sizes(data: bytes, declared: int) -> bytes:
    """Rewrite the uncompressed size in every central-directory entry: a zip that *declares*
    ``declared`` bytes, as a crafted bomb would."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos != -1:
        out[pos + 24 : pos + 28] = struct.pack("<I", declared)
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


def test_declared_total_over_cap_refused_before_extracting():
    data = forge_sizes(xlsx_bytes(), 30 << 20)  # 10 members × 30 MB declared
    t0 = time.perf_counter()
    text = error_of(save("voci.xlsx", data))
    assert time.perf_counter() - t0 < 2
    assert text.startswith("voci.xlsx: il file XLSX si espanderebbe a ")
    assert text.endswith(" MB (massimo 200 MB): è troppo grande o è un archivio malevolo («zip bomb»); non lo apro.")


def test_kmz_member_lying_about_its_size():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", b"<kml><Document>" + b"<Placemark><name>x</name></Placemark>" * 500 + b"</Document></kml>")
    data = out.getvalue()
    pos = data.find(b"PK\x01\x02")
    lying = bytearray(data)
    lying[pos + 24 : pos + 28] = struct.pack("<I", 100)  # declares 100 bytes, holds ~19 kB
    text = error_of(save("mappa.kmz", bytes(lying)))
    assert text.startswith("mappa.kmz: il file KMZ è danneggiato")


# -- inputs are never modified ---------------------------------------------------------------

def _gpkg(path):
    import geopandas as gpd
    from shapely.geometry import Point

    gpd.GeoDataFrame({"nome": ["A"], "tipo": ["gruppo"]}, geometry=[Point(9.16, 45.19)], crs=4326).to_file(path)


BUILDERS = {
    "voci.csv": lambda p: p.write_bytes("Nome;Tipo\nCaffè;gruppo\n".encode("cp1252")),
    "voci.xlsx": lambda p: p.write_bytes(xlsx_bytes()),
    "mappa.kml": lambda p: p.write_text("<kml><Placemark><name>A</name><Point><coordinates>9.1,45.1</coordinates></Point></Placemark></kml>"),
    "voci.geojson": lambda p: p.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"nome":"A"},"geometry":{"type":"Point","coordinates":[9.1,45.1]}}]}'),
    "voci.gpkg": _gpkg,
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_inputs_never_modified(tmp_path, name):
    path = Path(name)
    BUILDERS[name](path)
    before = {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    records, _ = read_records(path)
    assert records
    after = {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    assert after == before  # same bytes, same times, no lock or sidecar file left behind


@pytest.mark.parametrize("name, what", [("mappa.kml", "KML"), ("voci.geojson", "GeoJSON"), ("voci.gpkg", "GeoPackage")])
def test_plain_text_under_another_extension(name, what):
    ext = name[name.index("."):]
    assert error_of(save(name, b"solo un appunto, niente dati\n")) == (
        f"{name}: il file ha estensione {ext} ma non è un file {what}: contiene testo che non è "
        "nemmeno un CSV con le intestazioni previste. Esportalo di nuovo."
    )
