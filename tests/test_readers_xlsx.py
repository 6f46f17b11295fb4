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
        "voci.xlsx: il file XLSX è danneggiato o incompleto (non si apre come archivio zip): esportalo di nuovo."
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
    assert msg.startswith("voci.xlsx: il file XLSX è danneggiato e non si apre (")
    assert msg.endswith("): aprilo con il foglio di calcolo e salvalo di nuovo.")
