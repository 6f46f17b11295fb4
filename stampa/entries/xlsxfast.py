"""A lean reader of one XLSX sheet's cached values, for speed.

openpyxl builds an object per cell and per shared string: 10,000 rows × 14 columns took 7–14 s
on the build machine. Entries need only each cell's cached value and whether its number format
is a date, so this module parses the sheet XML with the C parser of the standard library and
reuses openpyxl's own rules for dates (``is_date_format``, ``from_excel``). Safety: the big
parts (sheet, shared strings) are parsed only when they hold no DOCTYPE at all — without a DTD
expat cannot declare, expand or fetch any entity, so "billion laughs" and external entities are
impossible; a part with a DOCTYPE is refused. The small parts go through defusedxml.

Anything unexpected raises :class:`Unsupported`; the caller then falls back to openpyxl, which
stays the reference (tests compare the two on random workbooks).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile

import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


class Unsupported(Exception):
    """The workbook uses something this reader does not handle: use openpyxl."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(el, name: str) -> str | None:
    """An attribute by local name (r:id comes with a namespace)."""
    for key, value in el.attrib.items():
        if _local(key) == name:
            return value
    return None


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _string_of(el) -> str:
    """Text of a shared/inline string: <t>, or rich runs <r><t>, without phonetic <rPh>."""
    parts = []
    for child in el:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            for t in child:
                if _local(t.tag) == "t":
                    parts.append(t.text or "")
    return "".join(parts)


class DoctypeRefused(DefusedXmlException):
    """A workbook part declares a DTD: refused (entity expansion or external entities)."""


def _parse_big(data: bytes):
    """C-speed parse of a part that must carry no DTD (so no entity can be declared)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:200]:
        raise Unsupported("UTF-16 part")  # the byte check below would not see a UTF-16 DOCTYPE
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise DoctypeRefused()
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise Unsupported(str(exc)) from None


def _read(zf: zipfile.ZipFile, name: str, read_member) -> bytes:
    try:
        zf.getinfo(name)
    except KeyError:
        raise Unsupported(name) from None
    return read_member(name)


class FastBook:
    """Sheet names and the means to read one sheet's rows as cached Python values."""

    def __init__(self, zf: zipfile.ZipFile, read_member):
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        self._zf, self._read_member = zf, read_member
        try:
            workbook = fromstring(_read(zf, "xl/workbook.xml", read_member))
            rels = fromstring(_read(zf, "xl/_rels/workbook.xml.rels", read_member))
        except DefusedXmlException:
            raise
        except Exception as exc:
            raise Unsupported(str(exc)) from None
        targets: dict[str, str] = {}
        shared_path = styles_path = None
        for rel in rels:
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
            targets[rel.get("Id", "")] = path
            kind = rel.get("Type", "")
            if kind.endswith("/sharedStrings"):
                shared_path = path
            elif kind.endswith("/styles"):
                styles_path = path
        self.sheets: list[tuple[str, str]] = []
        self.epoch = CALENDAR_WINDOWS_1900
        for el in workbook.iter():
            tag = _local(el.tag)
            if tag == "sheet":
                rid = _attr(el, "id")
                if rid not in targets:
                    raise Unsupported("sheet without target")
                self.sheets.append((el.get("name", ""), targets[rid]))
            elif tag == "workbookPr" and el.get("date1904") in ("1", "true"):
                self.epoch = CALENDAR_MAC_1904
        if not self.sheets:
            raise Unsupported("no sheets")
        # Which style indexes are dates.
        self.date_styles: set[int] = set()
        if styles_path:
            styles = fromstring(_read(zf, styles_path, read_member))
            custom: dict[int, str] = {}
            xfs: list[int] = []
            for el in styles:
                tag = _local(el.tag)
                if tag == "numFmts":
                    for fmt in el:
                        custom[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
                elif tag == "cellXfs":
                    xfs = [int(xf.get("numFmtId", "0")) for xf in el]
            for index, fmt_id in enumerate(xfs):
                code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, ""))
                if code and is_date_format(code):
                    self.date_styles.add(index)
        self.shared: list[str] = []
        if shared_path:
            root = _parse_big(_read(zf, shared_path, read_member))
            self.shared = [_string_of(si) for si in root if _local(si.tag) == "si"]
        self._is_date_format = is_date_format

    @property
    def sheetnames(self) -> list[str]:
        return [name for name, _ in self.sheets]

    def rows(self, sheet: str):
        """(row number, [values]) for rows that have at least one cell element."""
        from openpyxl.utils.datetime import from_excel

        path = dict(self.sheets)[sheet]
        root = _parse_big(_read(self._zf, path, self._read_member))
        ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        sheet_data = root.find(f"{ns}sheetData")
        if sheet_data is None:
            return
        ROW, CELL, V, IS = f"{ns}row", f"{ns}c", f"{ns}v", f"{ns}is"
        shared, date_styles, epoch = self.shared, self.date_styles, self.epoch
        for el in sheet_data:
            if el.tag != ROW:
                continue
            number = int(el.get("r") or 0)
            values: list[object] = []
            for c in el:
                if c.tag != CELL:
                    continue
                ref = c.get("r")
                if ref:
                    m = _CELL_REF.fullmatch(ref)
                    if not m:
                        raise Unsupported(f"cell ref {ref}")
                    col = _column_index(m.group(1))
                    number = number or int(m.group(2))
                else:
                    col = len(values)
                if col < len(values) or col > 20000:
                    raise Unsupported("cells out of order")
                if col > len(values):
                    values.extend([None] * (col - len(values)))
                kind = c.get("t", "n")
                v_el = c.find(V)
                v = v_el.text if v_el is not None else None
                if kind == "inlineStr":
                    inline = c.find(IS)
                    value: object = _string_of(inline) if inline is not None else None
                elif v is None:
                    value = None
                elif kind == "s":
                    value = shared[int(v)]
                elif kind in ("str", "e"):
                    value = v
                elif kind == "b":
                    value = v.strip() in ("1", "true")
                elif kind == "d":
                    value = dt.datetime.fromisoformat(v.strip())
                elif kind == "n":
                    text = v.strip()
                    number_value = float(text) if any(ch in text for ch in ".eE") else int(text)
                    style = int(c.get("s", "0"))
                    if style in date_styles:
                        value = from_excel(number_value, epoch)
                    else:
                        value = number_value
                else:
                    raise Unsupported(f"cell type {kind}")
                values.append(value)
            if number <= 0:
                raise Unsupported("row without number")
            yield number, values
