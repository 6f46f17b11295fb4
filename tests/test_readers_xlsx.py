"""XLSX workbooks: title rows, cell types to text, sheets, damaged files."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from stampa.entries.read import read_records
from stampa.problems import StampaError

NAME = 'Caffè & <Bistrot> "Il Naviglio"'


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def workbook(rows, sheet="Voci", more=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for name, other_rows in (more or {}).items():
        other = wb.create_sheet(name)
        for row in other_rows:
            other.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def save(name, data):
    Path(name).write_bytes(data)
    return Path(name)


def test_title_rows_numbers_dates_booleans():
    rows = [
        ["Mappa dei Laboratori Sociali — edizione 2026"],
        [],
        ["ID", "Denominazione", "Tipologia", "Latitudine", "Longitudine", "Telefono", "Aggiornato", "Pubblicato", "Orario"],
        [7, NAME, "laboratorio", 45.1942, 9.1671, 382123456, dt.datetime(2026, 3, 5), True, dt.time(15, 30)],
        [None, None, None, None, None, None, None, None, None],
        [8.0, "Spazio Q", "laboratorio", 45.19900000000001, "9,1530", "0382 1", dt.date(2026, 1, 2), False, "lun"],
    ]
    records, problems = read_records(save("voci.xlsx", workbook(rows)))
    assert [r.origin.row for r in records] == [4, 6]
    assert records[0].fields == {
        "id": "7", "nome": NAME, "tipo": "laboratorio", "lat": "45.1942", "lon": "9.1671",
        "telefono": "382123456", "attivo": "VERO", "orari": "15:30",
    }
    assert records[1].fields["id"] == "8"
    assert records[1].fields["lat"] == "45.19900000000001"  # as stored: openpyxl gives the float
    assert (records[1].lon, records[1].lat) == (9.1530, pytest.approx(45.199))
    assert records[1].fields["attivo"] == "FALSO"
    assert [p.format() for p in problems] == [
        "voci.xlsx, riga 3: ignoro le colonne che non riconosco: «Aggiornato». Se contengono dati da "
        "stampare, cambia il nome con uno previsto (vedi «Formati dei dati» nel README)."
    ]


def test_no_float_noise():
    from stampa.entries.xlsxfile import cell_text

    assert cell_text(45.1942) == "45.1942"
    assert cell_text(0.1 + 0.2) == "0.30000000000000004"  # the float really stored; shortest repr
    assert cell_text(12.0) == "12"
    assert cell_text(dt.datetime(2026, 3, 5, 9, 5)) == "05/03/2026 09:05"
    assert cell_text(dt.date(2026, 3, 5)) == "05/03/2026"


def test_sheet_by_name_and_missing_sheet():
    data = workbook([["note"]], sheet="Leggimi", more={"Dati 2026": [["Nome", "Tipo"], ["A", "gruppo"]]})
    path = save("voci.xlsx", data)
    records, _ = read_records(path, sheet="Dati 2026")
    assert records[0].fields == {"nome": "A", "tipo": "gruppo"}
    with pytest.raises(StampaError) as e:
        read_records(path, sheet="Foglio1")
    assert e.value.problems[0].format() == (
        "voci.xlsx: il foglio «Foglio1» non c'è; i fogli del file sono: «Leggimi», «Dati 2026». "
        "Correggi «dati.foglio» nella configurazione."
    )
    with pytest.raises(StampaError) as e:  # default: the first sheet, which has no header
        read_records(path)
    assert "non trovo la riga di intestazione" in e.value.problems[0].message


def test_empty_sheet():
    with pytest.raises(StampaError) as e:
        read_records(save("voci.xlsx", workbook([])))
    assert e.value.problems[0].format() == (
        "voci.xlsx: il foglio «Voci» è vuoto: scegli il foglio con le voci in «dati.foglio»."
    )


def test_not_a_zip():
    with pytest.raises(StampaError) as e:
        read_records(save("voci.xlsx", b"questo non e' un foglio di calcolo\n"))
    assert e.value.problems[0].format() == (
        "voci.xlsx: il file ha estensione .xlsx ma non è un file XLSX: contiene testo che non è "
        "nemmeno un CSV con le intestazioni previste. Esportalo di nuovo."
    )


def test_text_named_xlsx_is_read_as_csv_with_warning():
    records, problems = read_records(save("voci.xlsx", b"Nome;Tipo\nA;gruppo\n"))
    assert records[0].fields == {"nome": "A", "tipo": "gruppo"}
    assert problems[0].format() == (
        "voci.xlsx: il file ha estensione .xlsx ma il contenuto è CSV: lo leggo come CSV. Conviene rinominarlo."
    )


def test_xlsx_named_csv_is_read_as_xlsx():
    records, problems = read_records(save("voci.csv", workbook([["Nome", "Tipo"], ["A", "gruppo"]])))
    assert records[0].fields == {"nome": "A", "tipo": "gruppo"}
    assert problems[0].message.startswith("il file ha estensione .csv ma il contenuto è XLSX")


def test_truncated_xlsx():
    data = workbook([["Nome", "Tipo"], ["A", "gruppo"]])
    with pytest.raises(StampaError) as e:
        read_records(save("voci.xlsx", data[: len(data) // 2]))
    assert e.value.problems[0].format() == (
        "voci.xlsx: il file XLSX è danneggiato o incompleto: non si apre come archivio zip "
        "(BadZipFile: File is not a zip file); riesportalo dal programma da cui viene."
    )


def test_zip_without_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    with pytest.raises(StampaError) as e:
        read_records(save("voci.xlsx", out.getvalue()))
    assert e.value.problems[0].format() == (
        "voci.xlsx: è un archivio zip che non contiene un elenco di voci: usa un file CSV, XLSX, KML, "
        "KMZ, GeoJSON, GeoPackage o Shapefile."
    )


def test_damaged_workbook_xml():
    data = workbook([["Nome", "Tipo"], ["A", "gruppo"]])
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/workbook.xml":
                body = body[: len(body) // 2]
            zf.writestr(info, body)
    with pytest.raises(StampaError) as e:
        read_records(save("voci.xlsx", out.getvalue()))
    msg = e.value.problems[0].format()
    assert msg.startswith("voci.xlsx: il file XLSX è danneggiato o incompleto: il testo XML è interrotto o non valido (")
    assert msg.endswith("); riesportalo dal programma da cui viene.")


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml"])
def test_entity_expansion_in_workbook_refused(part):
    data = workbook([["Nome", "Tipo"], ["A", "gruppo"]])
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == part:
                body = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' + body
            zf.writestr(info, body)
    with pytest.raises(StampaError) as e:
        read_records(save("voci.xlsx", out.getvalue()))
    assert e.value.problems[0].format() == (
        "voci.xlsx: il file XLSX contiene dichiarazioni di entità XML, che non leggo per sicurezza: "
        "aprilo con il foglio di calcolo e salvalo di nuovo."
    )


def excel_like_workbook() -> bytes:
    """A workbook written the way Excel writes it (shared strings, rich text, 17-digit numbers,
    date styles, errors, cached formula results), which openpyxl itself never produces.
    Like Excel, a run with a space at its end says xml:space="preserve" (calamine honours it
    strictly: without it the space goes)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {ns} {rel}>'
            '<sheets><sheet name="Voci 2026" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet {ns}>'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/></numFmts>'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            "</styleSheet>"
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {ns} count="8" uniqueCount="8">'
            "<si><t>Nome</t></si><si><t>Tipologia</t></si><si><t>Latitudine</t></si><si><t>Longitudine</t></si>"
            "<si><t>Aggiornato</t></si>"
            '<si><r><t xml:space="preserve">Caffè &amp; </t></r><r><rPr><b/></rPr><t xml:space="preserve">&lt;Bistrot&gt; "Il Naviglio"</t></r>'
            "<rPh sb=\"0\" eb=\"1\"><t>kana</t></rPh></si>"
            "<si><t>laboratorio</t></si><si><t>Mappa 2026</t></si></sst>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {ns}><dimension ref="A1:E4"/>'  # wrong on purpose: row 6 is past it
            '<sheetData>'
            '<row r="1"><c r="A1" t="s"><v>7</v></c></row>'
            '<row r="3"><c r="A3" t="s"><v>0</v></c><c r="B3" t="s"><v>1</v></c><c r="C3" t="s"><v>2</v></c>'
            '<c r="D3" t="s"><v>3</v></c><c r="E3" t="s"><v>4</v></c></row>'
            '<row r="4"><c r="A4" t="s"><v>5</v></c><c r="B4" t="s"><v>6</v></c>'
            '<c r="C4"><v>45.194200000000002</v></c><c r="D4" t="str"><f>9+0.1671</f><v>9.1671</v></c>'
            '<c r="E4" s="2"><v>46086</v></c></row>'
            '<row r="6"><c r="A6" t="e"><v>#N/A</v></c><c r="B6" t="b"><v>1</v></c><c r="C6" s="1"><v>46086.5</v></c>'
            '<c r="D6"><v>1.0000000000000001E-3</v></c></row>'
            "</sheetData></worksheet>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return out.getvalue()


def test_excel_written_workbook():
    records, problems = read_records(save("voci.xlsx", excel_like_workbook()))
    assert [r.origin.row for r in records] == [4, 6]
    assert records[0].fields == {"nome": NAME, "tipo": "laboratorio", "lat": "45.1942", "lon": "9.1671"}
    assert (records[0].lat, records[0].lon) == (45.1942, 9.1671)
    # An error cell (#N/A) reads as empty (calamine): «manca il nome» then points staff at the row,
    # where "#N/A" would have been printed as a name.
    assert records[1].fields == {"nome": "", "tipo": "VERO", "lat": "05/03/2026 12:00", "lon": "0.001"}
    assert [p.message for p in problems][0].startswith("ignoro le colonne che non riconosco: «Aggiornato»")


def test_excel_written_workbook_same_with_openpyxl():
    from stampa.entries.safety import open_zip
    from stampa.entries.xlsxfile import _rows_calamine, _rows_openpyxl

    data = excel_like_workbook()
    fast = _rows_calamine(open_zip(data, "f", "XLSX"), "f", "")
    reference = _rows_openpyxl(data, "f", "")
    assert fast[0] == reference[0] == "Voci 2026"
    assert [(n, [c for c in cells if c]) for n, cells in fast[1]] == [
        (n, [c for c in cells if c and c != "#N/A"]) for n, cells in reference[1] if any(cells)
    ]  # error cells: openpyxl gives their text, calamine an empty cell
    assert fast[1][2][1][4] == "05/03/2026"


def _rewrite(data: bytes, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in src.infolist():
            zf.writestr(info.filename, change(info.filename, src.read(info)))
    return out.getvalue()


def test_utf16_sheet_is_read_by_the_openpyxl_fallback():
    """calamine reads a sheet written in UTF-16 as empty, without an error: that is openpyxl's job."""
    def utf16(name, body):
        if name == "xl/worksheets/sheet1.xml":
            return body.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
        return body

    records, _ = read_records(save("voci.xlsx", _rewrite(excel_like_workbook(), utf16)))
    assert [r.origin.row for r in records] == [4, 6]
    assert records[0].fields["nome"] == NAME


def test_utf16_sheet_with_entities_refused():
    def utf16(name, body):
        if name == "xl/worksheets/sheet1.xml":
            text = body.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
            head, _, rest = text.partition("?>")
            return (head + '?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + rest).encode("utf-16")
        return body

    with pytest.raises(StampaError) as e:
        read_records(save("voci.xlsx", _rewrite(excel_like_workbook(), utf16)))
    assert "dichiarazioni di entità XML" in e.value.problems[0].format()
