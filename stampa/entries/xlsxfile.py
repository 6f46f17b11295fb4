"""XLSX workbooks, read with openpyxl (read-only, cached values of formulas).

Cells become text as the spreadsheet shows them, without float noise: 45.1942 stays "45.1942"
(shortest repr that round-trips), 12.0 becomes "12", dates "dd/mm/yyyy" (with " hh:mm" when they
carry a time), times "hh:mm", booleans "VERO"/"FALSO" as Italian Excel shows them. The sheet is
``dati.foglio`` (default: the first one). The zip is checked for bombs before openpyxl sees it.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import warnings

from defusedxml import DefusedXmlException

from ..problems import Problem, StampaError, error
from .model import RawRecord
from .safety import fail, open_zip, read_member
from .xlsxfast import FastBook
from .tabular import records_from_rows


def cell_text(value: object) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "VERO" if value else "FALSO"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.timedelta):
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    return str(value)


def read_xlsx(data: bytes, file: str, sheet: str = "", crs: str = "") -> tuple[list[RawRecord], list[Problem]]:
    zf = open_zip(data, file, "XLSX")
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names:
        if any(n.lower().endswith(".kml") for n in names):
            raise fail(file, "è un file KMZ (mappa Google), non un XLSX: rinominalo con estensione .kmz.")
        if "content.xml" in names:
            raise fail(
                file,
                "è un foglio di calcolo OpenDocument (.ods), non un XLSX: salvalo come «Cartella di "
                "lavoro Excel (.xlsx)» o come CSV.",
            )
        raise fail(file, "è un archivio zip ma non un file XLSX: esporta le voci come .xlsx o .csv.")
    try:
        title, rows = _rows_fast(zf, file, sheet)
    except StampaError:
        raise
    except DefusedXmlException:
        raise fail(
            file,
            "il file XLSX contiene dichiarazioni di entità XML, che non leggo per sicurezza: "
            "aprilo con il foglio di calcolo e salvalo di nuovo.",
        ) from None
    except Exception:  # Unsupported or a surprise in the lean reader: openpyxl is the reference
        title, rows = _rows_openpyxl(data, file, sheet)
    if not any(any(c.strip() for c in cells) for _, cells in rows):
        raise fail(file, f"il foglio «{title}» è vuoto: scegli il foglio con le voci in «dati.foglio».")
    return records_from_rows(rows, file, crs)


def _missing_sheet(file: str, sheet: str, sheets: list[str]) -> StampaError:
    shown = ", ".join(f"«{s}»" for s in sheets)
    return StampaError(
        error(
            f"il foglio «{sheet}» non c'è; i fogli del file sono: {shown}. Correggi "
            "«dati.foglio» nella configurazione.",
            file=file,
        )
    )


def _rows_fast(zf, file: str, sheet: str) -> tuple[str, list[tuple[int, list[str]]]]:
    book = FastBook(zf, lambda name: read_member(zf, name, file, "XLSX"))
    names = book.sheetnames
    if sheet and sheet not in names:
        raise _missing_sheet(file, sheet, names)
    title = sheet or names[0]
    return title, [(number, [cell_text(v) for v in values]) for number, values in book.rows(title)]


def _rows_openpyxl(data: bytes, file: str, sheet: str) -> tuple[str, list[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files; all mean the same
        raise fail(
            file,
            f"il file XLSX è danneggiato e non si apre ({type(exc).__name__}): aprilo con il foglio "
            "di calcolo e salvalo di nuovo.",
        ) from None
    try:
        sheets = wb.sheetnames
        if sheet and sheet not in sheets:
            raise _missing_sheet(file, sheet, sheets)
        ws = wb[sheet or sheets[0]]
        # Some programs write a wrong <dimension>: read-only openpyxl would stop there.
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()
        rows = []
        try:
            for row in ws.iter_rows():
                number = next((c.row for c in row if getattr(c, "row", None)), None)
                if number is None:  # a row of empty cells: nothing to read, nothing to number
                    continue
                rows.append((number, [cell_text(c.value) for c in row]))
        except Exception as exc:
            raise fail(
                file,
                f"il foglio «{ws.title}» è danneggiato e non si legge ({type(exc).__name__}): aprilo "
                "con il foglio di calcolo e salvalo di nuovo.",
            ) from None
        return ws.title, rows
    finally:
        try:
            wb.close()
        except Exception:
            pass
