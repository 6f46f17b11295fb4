"""CSV (and .txt/.tsv) as Italian spreadsheets export it.

Encoding: a BOM decides (UTF-8, UTF-16 as Excel's "testo Unicode"); otherwise strict UTF-8, then
Windows-1252 (what Excel for Windows writes for "CSV (delimitato dal separatore di elenco)").
Measured: charset-normalizer guesses cp1250 or cp1006 for short cp1252 files with à è ò ù
(5 of 6 samples wrong), while strict UTF-8 then cp1252 was right on all of them: UTF-8 is
self-checking and Italian files are one of the two.

Separator: ``;``, ``,`` or tab, whichever makes a header row naming the most known columns
(then the most columns). Quoted fields may hold separators, quotes ("") and newlines; a record
spanning several lines is still one spreadsheet row, and row numbers are the spreadsheet's.
"""

from __future__ import annotations

import csv
import io
import re

from ..problems import Problem, StampaError, error, warning
from .columns import count_known
from .model import RawRecord
from .tabular import HEADER_SEARCH_ROWS, records_from_rows

DELIMITERS = (";", ",", "\t")
# UTF-8 accented letters read as Windows-1252: "è" → "Ã¨", "ò" → "Ã²", "à" → "Ã\xa0".
_MOJIBAKE = re.compile("Ã[\u00a0-\u00bf]")
_SEP_LINE = re.compile(r"\A\ufeff?sep=(.)\r?\n", re.IGNORECASE)


# Older programs still export CSV in these; both decode any byte, so the text decides. Measured on
# the sample edition: charset-normalizer took Mac Roman for cp850 or cp775 (Baltic), so it was not
# used; counting Italian accented letters against symbols no Italian list contains picks right.
_LEGACY = (("cp850", "la codifica DOS (cp850)"), ("mac_roman", "la codifica dei vecchi Mac (Mac Roman)"))
_ITALIAN = set("àèéìòùÀÈÉÌÒÙ")


def _legacy_italian(data: bytes) -> tuple[str, str] | None:
    best, best_score = None, 0
    for encoding, name in _LEGACY:
        text = data.decode(encoding)
        italian = sum(text.count(ch) for ch in _ITALIAN)
        odd = sum(1 for ch in text if ord(ch) > 0x7F and ch not in _ITALIAN and not ch.isalpha())
        score = italian - 2 * odd
        if score > best_score:
            best, best_score = (encoding, name), score
    return best


def decode(data: bytes, file: str) -> tuple[str, list[Problem]]:
    """Text of the file and a warning when the encoding had to be guessed loosely."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "cp1252" and _MOJIBAKE.search(text):
            return text, [
                warning(
                    "il file mescola due codifiche dei caratteri (UTF-8 e Windows-1252): alcune "
                    "lettere accentate appariranno come «Ã¨». Salvalo di nuovo come «CSV UTF-8».",
                    file=file,
                )
            ]
        return text, []
    if encodings == ("utf-8", "cp1252"):
        legacy = _legacy_italian(data)
        if legacy:
            encoding, name = legacy
            return data.decode(encoding), [
                warning(
                    f"il file non è né UTF-8 né Windows-1252: dalle lettere accentate sembra {name}, e l'ho letto "
                    "così. Controlla le lettere accentate nei risultati; meglio salvarlo come «CSV UTF-8».",
                    file=file,
                )
            ]
        return data.decode("latin-1"), [
            warning(
                "codifica dei caratteri non riconosciuta (né UTF-8 né Windows-1252): controlla le "
                "lettere accentate nei risultati, o salva il file come «CSV UTF-8».",
                file=file,
            )
        ]
    raise StampaError(
        error(
            "il file dichiara una codifica (BOM) ma i caratteri non la rispettano: è danneggiato "
            "o incompleto. Salvalo di nuovo come «CSV UTF-8».",
            file=file,
        )
    )


def _parse(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    if limit is None:
        return list(reader)
    out = []
    for row in reader:
        out.append(row)
        if len(out) >= limit:
            break
    return out


def sniff_delimiter(text: str) -> str:
    sample = text[:65536]
    best, best_score = DELIMITERS[0], (-1, -1)
    for delimiter in DELIMITERS:
        try:
            rows = _parse(sample, delimiter, HEADER_SEARCH_ROWS)
        except csv.Error:
            continue
        known = max((count_known(r) for r in rows), default=0)
        width = max((len(r) for r in rows[:5]), default=0)
        score = (known, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(data: bytes, file: str, crs: str = "") -> tuple[list[RawRecord], list[Problem]]:
    text, problems = decode(data, file)
    if "\x00" in text:
        raise StampaError(
            error("il file contiene caratteri nulli: non è un CSV di testo. Esportalo di nuovo.", file=file)
        )
    # Excel's "sep=;" first line chooses the separator and is not a row of the sheet.
    directive = _SEP_LINE.match(text)
    if directive:
        delimiter, text = directive.group(1), text[directive.end() :]
    else:
        delimiter = sniff_delimiter(text)
    try:
        rows = _parse(text, delimiter)
    except csv.Error as exc:
        raise StampaError(
            error(
                f"il CSV non si legge ({exc}): forse ci sono virgolette non chiuse. Aprilo con il "
                "foglio di calcolo e salvalo di nuovo.",
                file=file,
            )
        ) from None
    if rows and text.count('"') % 2 == 1 and any("\n" in c or "\r" in c for c in rows[-1]):
        raise StampaError(
            error(
                f"virgolette non chiuse: il campo che inizia alla riga {len(rows)} continua fino alla "
                "fine del file (il file è troncato o manca un \"). Correggi e salva di nuovo.",
                file=file,
            )
        )
    records, more = records_from_rows(((i + 1, r) for i, r in enumerate(rows)), file, crs)
    return records, problems + more
