"""One entry point for every format: look at the file's extension AND its bytes, pick the reader.

The bytes win over the extension (an XLSX saved as "voci.csv" is read as XLSX, with a warning);
bytes that are no format we read (an image, a PDF, an old .xls) give one clear error naming the
file and what to do. The file is opened once, read-only; nothing is ever written next to it.
"""

from __future__ import annotations

from pathlib import Path

from ..problems import Problem, StampaError, warning
from .csvfile import read_csv
from .kml import parse_kml, read_kmz
from .model import RawRecord
from .safety import damaged, fail, open_zip, read_bytes, sniff
from .vector import read_vector
from .xlsxfile import read_xlsx

EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".kml": "kml",
    ".kmz": "kmz",
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".shp": "shp",
}

NAMES = {
    "csv": "CSV",
    "xlsx": "XLSX",
    "kml": "KML",
    "kmz": "KMZ",
    "geojson": "GeoJSON",
    "gpkg": "GeoPackage",
    "shp": "Shapefile",
}

_SUPPORTED = "CSV, XLSX, KML, KMZ, GeoJSON, GeoPackage o Shapefile"


def _zip_kind(data: bytes, file: str, extension: str) -> str:
    zf = open_zip(data, file, {"xlsx": "XLSX", "xlsm": "XLSX", "kmz": "KMZ"}.get(extension, "compresso"))
    names = zf.namelist()
    lower = [n.lower() for n in names]
    if "xl/workbook.xml" in names:
        return "xlsx"
    if any(n.endswith(".kml") for n in lower):
        return "kmz"
    if extension == "kmz":
        return "kmz"  # its reader says what is missing
    if "content.xml" in names:
        raise fail(
            file,
            "è un file OpenDocument (per esempio un foglio .ods): salva le voci come «Cartella di "
            "lavoro Excel (.xlsx)» o come CSV.",
        )
    if "word/document.xml" in names:
        raise fail(file, "è un documento Word, non un elenco di voci: usa un file " + _SUPPORTED + ".")
    if any(n.endswith(".shp") for n in lower):
        raise fail(file, "è uno Shapefile compresso: estrai i file dall'archivio e indica il file .shp.")
    raise fail(file, "è un archivio zip che non contiene un elenco di voci: usa un file " + _SUPPORTED + ".")


def content_kind(data: bytes, file: str, extension: str) -> str:
    """The reader the bytes call for, or StampaError for bytes we do not read."""
    kind = sniff(data)
    if kind == "zip":
        return _zip_kind(data, file, extension)
    if kind == "sqlite":
        return "gpkg"
    if kind == "shp":
        return "shp"
    if kind == "xml":
        head = data[:4096].lower()
        if b"<kml" in head or b"opengis.net/kml" in head or extension == "kml":
            return "kml"
        if b"<html" in head or b"<!doctype html" in head:
            raise fail(file, "è una pagina web (HTML), non un elenco di voci: scarica il file vero e proprio.")
        return "kml"  # let the KML reader say what the XML is
    if kind == "json":
        return "geojson"
    if kind in ("text", "utf16"):
        return "csv"
    if kind == "binary":
        raise fail(
            file,
            "il file contiene dati binari (caratteri nulli): non è un testo né un formato che "
            f"conosco. Esporta le voci come {_SUPPORTED}.",
        )
    if kind == "ole":
        raise fail(file, "è un file Excel 97-2003 (.xls): aprilo e salvalo come «Cartella di lavoro Excel (.xlsx)».")
    raise fail(file, f"il file è {kind}, non un elenco di voci: usa un file {_SUPPORTED}.")


def read_records(path: Path, *, sheet: str = "", crs: str = "") -> tuple[list[RawRecord], list[Problem]]:
    """Read an entries file of any supported format.

    Returns the records in file order and the problems found (warnings, and errors about single
    rows such as unreadable coordinates). A file that cannot be read at all raises StampaError.
    ``sheet`` is the XLSX sheet (empty: the first); ``crs`` the CRS of coordinates typed in
    columns (empty: WGS84 degrees).
    """
    path = Path(path)
    file = str(path)
    extension = path.suffix.lower()
    data = read_bytes(path)
    kind = content_kind(data, file, extension.lstrip("."))
    problems: list[Problem] = []
    expected = EXTENSIONS.get(extension)
    if expected and expected != kind:
        problems.append(
            warning(
                f"il file ha estensione {extension} ma il contenuto è {NAMES[kind]}: lo leggo come "
                f"{NAMES[kind]}. Conviene rinominarlo.",
                file=file,
            )
        )
    if kind == "shp" and extension != ".shp":
        raise fail(file, "è la parte .shp di uno Shapefile ma ha un altro nome: rinominala .shp (con .dbf e .shx accanto).")
    if kind == "csv" and expected not in (None, "csv"):
        try:
            records, more = _read_as("csv", data, path, sheet, crs)
        except StampaError:
            raise fail(
                file,
                f"il file ha estensione {extension} ma non è un file {NAMES[expected]}: contiene "
                "testo che non è nemmeno un CSV con le intestazioni previste. Esportalo di nuovo.",
            ) from None
    else:
        records, more = _read_as(kind, data, path, sheet, crs)
    return records, problems + more


def _read_as(kind: str, data: bytes, path: Path, sheet: str, crs: str) -> tuple[list[RawRecord], list[Problem]]:
    """The reader for ``kind``, with one guarantee on top: whatever a reader or the library under
    it raises on a damaged or cut-short file (zlib, zip, XML, SQLite, GDAL, encodings, ...), the
    user gets one Italian line naming the file and what to do, never a traceback. The readers
    give more precise messages where they can; this catches what they could not foresee."""
    file = str(path)
    try:
        if kind == "csv":
            return read_csv(data, file, crs)
        if kind == "xlsx":
            return read_xlsx(data, file, sheet, crs)
        if kind == "kml":
            return parse_kml(data, file)
        if kind == "kmz":
            return read_kmz(data, file)
        return read_vector(data, path, kind, crs)
    except StampaError:
        raise
    except Exception as exc:  # includes MemoryError and RecursionError on absurd declared sizes/nesting
        raise damaged(file, NAMES[kind], exc) from None


__all__ = ["read_records", "StampaError"]
