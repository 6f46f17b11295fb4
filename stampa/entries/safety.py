"""Guards every reader goes through: read the file once (read-only, size-capped), recognise what
its bytes are, and refuse zip bombs before anything is extracted.

Limits (documented in the README, "Formati dei dati"):
- an entries file may be at most :data:`MAX_FILE_BYTES` (50 MB) on disk: a list of a few hundred
  labs and groups is a few hundred kB in any format;
- a zip container (XLSX, KMZ) may declare at most :data:`MAX_UNZIPPED_BYTES` (200 MB) in total
  once uncompressed, and at most :data:`MAX_MEMBERS` members; any member larger than
  :data:`RATIO_FLOOR_BYTES` (1 MB) uncompressed may not be compressed more than
  :data:`MAX_RATIO` (100:1). Sizes are the ones declared in the zip directory, checked before
  extracting; extraction then reads at most the declared size, so a lying header cannot grow it.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from ..problems import StampaError, error

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1024 * 1024


def fail(file: Path | str, message: str) -> StampaError:
    return StampaError(error(message, file=str(file)))


def _why(exc: BaseException) -> tuple[str, str]:
    """What an exception met while reading says about the file, in Italian, with the technical
    name in brackets for whoever helps staff (it is the only trace: there is no traceback)."""
    import sqlite3
    import xml.etree.ElementTree as ET

    name = type(exc).__name__
    text = " ".join(str(exc).split())[:120]
    technical = f"{name}: {text}" if text else name
    if isinstance(exc, (zlib.error, zipfile.BadZipFile)) or "crc" in text.lower():
        why = "i dati compressi non si estraggono"
    elif isinstance(exc, ET.ParseError) or "xml" in name.lower() or "expat" in name.lower():
        why = "il testo XML è interrotto o non valido"
    elif isinstance(exc, sqlite3.DatabaseError) or "not a database" in text or "malformed" in text:
        why = "il database non si apre"
    elif isinstance(exc, LookupError) and "encoding" in text:
        why = "dichiara una codifica dei caratteri che non esiste"
    elif isinstance(exc, UnicodeError):
        why = "contiene byte che non sono testo valido"
    elif isinstance(exc, EOFError) or "truncat" in text.lower() or "unexpected end" in text.lower():
        why = "finisce prima del previsto"
    elif isinstance(exc, MemoryError):
        why = "dichiara dimensioni impossibili"
    elif type(exc).__module__.startswith("pyogrio"):
        why = "GDAL non riesce a leggerlo"
    else:
        why = "non si legge"
    return why, technical


def damaged(file: Path | str, what: str, exc: BaseException | None = None, where: str = "") -> StampaError:
    """The one message for a file that is damaged or cut short, whatever the reader tripped on:
    «il file X è danneggiato o incompleto: <where> <why>; riesportalo dal programma da cui viene.»"""
    if exc is None:
        detail = where or "non si legge"
    else:
        why, technical = _why(exc)
        detail = f"{where or why} ({technical})"
    return fail(
        file,
        f"il file {what} è danneggiato o incompleto: {detail}; riesportalo dal programma da cui viene.",
    )


def read_bytes(path: Path) -> bytes:
    """The whole file, opened read-only, or StampaError saying why it cannot be read."""
    name = str(path)
    try:
        if not path.exists():
            raise fail(name, "il file non esiste: controlla il percorso (in «dati.voci» o in --dati).")
        if path.is_dir():
            raise fail(name, "è una cartella, non un file: indica il file delle voci che contiene.")
        if not path.is_file():
            # A pipe or a device would block the read forever (or never end): refuse it unopened.
            raise fail(name, "non è un file normale (è una pipe o un dispositivo): indica il file delle voci.")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise fail(
                name,
                f"il file è troppo grande ({size / 1024 / 1024:.0f} MB, massimo "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB): non sembra un elenco di voci; controlla "
                "di aver indicato il file giusto.",
            )
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except PermissionError:
        raise fail(name, "non ho il permesso di leggere il file: controlla i permessi o copialo altrove.") from None
    except StampaError:
        raise
    except OSError as exc:
        raise fail(name, f"il file non si può leggere ({exc.strerror or exc}): controlla il disco o copialo altrove.") from None
    if len(data) > MAX_FILE_BYTES:
        raise fail(name, "il file è cresciuto mentre lo leggevo: riprova quando è chiuso da altri programmi.")
    if not data.strip():
        raise fail(name, "il file è vuoto: esporta di nuovo le voci dal foglio di calcolo o dalla mappa.")
    return data


# What a file's first bytes say it is. Only kinds we read or that people plausibly rename.
_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"SQLite format 3\x00", "sqlite"),
    (b"\x89PNG", "un'immagine PNG"),
    (b"\xff\xd8\xff", "un'immagine JPEG"),
    (b"GIF8", "un'immagine GIF"),
    (b"%PDF", "un PDF"),
    (b"\xd0\xcf\x11\xe0", "ole"),
    (b"Rar!", "un archivio RAR"),
    (b"7z\xbc\xaf", "un archivio 7z"),
    (b"\x1f\x8b", "un archivio gzip"),
)


def sniff(data: bytes) -> str:
    """What the bytes look like: "zip", "sqlite", "xml", "json", "shp", "text", "utf16", or
    the Italian name of a foreign binary kind ("un'immagine PNG", ...), "ole" (old .xls/.doc), or "binary"."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"\x00\x00\x27\x0a":
        return "shp"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"\x00" in data[:65536]:
        return "binary"
    if head.startswith(b"<"):
        return "xml"
    if head.startswith((b"{", b"[")):
        return "json"
    return "text"


def open_zip(data: bytes, file: Path | str, what: str) -> zipfile.ZipFile:
    """A zip archive whose declared sizes passed the bomb checks, or StampaError."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception as exc:  # BadZipFile, LargeZipFile, OSError, ValueError, EOFError, ...
        raise damaged(file, what, exc, "non si apre come archivio zip") from None
    if len(infos) > MAX_MEMBERS:
        raise fail(file, f"il file {what} contiene troppi elementi ({len(infos)}): non lo apro.")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise fail(
            file,
            f"il file {what} si espanderebbe a {total / 1024 / 1024:.0f} MB (massimo "
            f"{MAX_UNZIPPED_BYTES // 1024 // 1024} MB): è troppo grande o è un archivio "
            "malevolo («zip bomb»); non lo apro.",
        )
    for info in infos:
        if info.file_size > RATIO_FLOOR_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_RATIO:
                raise fail(
                    file,
                    f"il file {what} contiene «{info.filename}», compresso {ratio:.0f} volte "
                    f"(massimo {MAX_RATIO}): sembra un archivio malevolo («zip bomb»); non lo apro.",
                )
    return zf


def read_member(zf: zipfile.ZipFile, name: str, file: Path | str, what: str) -> bytes:
    """One member, never more than its declared size; StampaError if it is damaged."""
    info = zf.getinfo(name)
    try:
        with zf.open(info) as fh:
            data = fh.read(info.file_size + 1)
    # zlib.error is what a damaged deflate stream raises (zipfile does not wrap it); BadZipFile a
    # wrong CRC; anything else from the decompressors means the same thing to the user.
    except Exception as exc:
        raise damaged(file, what, exc, f"«{name}» non si estrae") from None
    if len(data) > info.file_size:
        raise damaged(file, what, where=f"«{name}» è più grande di quanto dichiara")
    return data
