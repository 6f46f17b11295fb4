"""CSV as Italian spreadsheets export it: separators, encodings, quoting, row numbers."""

import hashlib
from pathlib import Path

import pytest

from stampa.entries.read import read_records
from stampa.problems import StampaError

NAME = 'Caffè & <Bistrot> "Il Naviglio"'


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative paths, as staff pass them: messages name "voci.csv"


def write(tmp_path, name, data: bytes):
    (tmp_path / name).write_bytes(data)
    return Path(name)


def messages(problems):
    return [p.format() for p in problems]


def test_semicolon_decimal_comma_bom(tmp_path):
    text = (
        "Nome;Tipo;Comune;Latitudine;Longitudine;E-mail;Attività\r\n"
        f'"{NAME.replace(chr(34), 2 * chr(34))}";laboratorio;Pavia;45,1942;9,1671;info@naviglio.it;Cena; lettura\r\n'
        "Spazio Q;laboratorio;Pavia; 45,1990 ;9,1530;;\r\n"
    )
    path = write(tmp_path, "voci.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
    records, problems = read_records(path)
    assert problems == [] or all(p.level == "avviso" for p in problems)
    assert [r.fields["nome"] for r in records] == [NAME, "Spazio Q"]
    assert records[0].fields == {
        "nome": NAME, "tipo": "laboratorio", "comune": "Pavia", "lat": "45,1942", "lon": "9,1671",
        "email": "info@naviglio.it", "attivita": "Cena",
    }
    assert (records[0].lon, records[0].lat) == (9.1671, 45.1942)
    assert (records[1].lon, records[1].lat) == (9.1530, 45.1990)
    assert [r.origin.row for r in records] == [2, 3]


def test_semicolon_extra_cells_warned(tmp_path):
    path = write(tmp_path, "voci.csv", "Nome;Tipo\nA;gruppo;oltre\nB;gruppo\n".encode())
    records, problems = read_records(path)
    assert len(records) == 2
    assert messages(problems) == [
        "voci.csv: alcune righe hanno celle piene oltre l'ultima colonna con un nome (righe 2): quelle "
        "celle sono ignorate; dai un nome alla colonna o sposta i dati."
    ]


@pytest.mark.parametrize("word", ["Città", "Attività", "Però", "più", "Zerbolò", "Travacò Siccomario"])
def test_cp1252_short_files_with_accents(tmp_path, word):
    path = write(tmp_path, "voci.csv", f"Nome;Comune\n{word};Zerbolò\n".encode("cp1252"))
    records, problems = read_records(path)
    assert records[0].fields == {"nome": word, "comune": "Zerbolò"}
    assert problems == []


def test_cp1252_typographic_quotes_and_euro(tmp_path):
    text = "Nome;Ente\nBar “Il Naviglio” – 5 €;Caritas\n"
    records, _ = read_records(write(tmp_path, "voci.csv", text.encode("cp1252")))
    assert records[0].fields["nome"] == "Bar “Il Naviglio” – 5 €"


def test_utf16_unicode_text_from_excel(tmp_path):
    text = "Nome\tComune\tLat\tLon\nCaffè\tPavia\t45,1942\t9,1671\n"
    records, problems = read_records(write(tmp_path, "voci.txt", text.encode("utf-16")))
    assert records[0].fields["nome"] == "Caffè" and records[0].lat == 45.1942
    assert problems == []


def test_comma_separator_with_quoted_decimal_comma(tmp_path):
    text = 'nome,tipo,lat,lon,indirizzo\n"Spazio Q",laboratorio,"45,1990","9,1530","Piazzale Torino, 40"\n'
    records, problems = read_records(write(tmp_path, "voci.csv", text.encode()))
    assert problems == []
    assert records[0].fields["indirizzo"] == "Piazzale Torino, 40"
    assert (records[0].lat, records[0].lon) == (45.1990, 9.1530)


def test_tab_separator(tmp_path):
    text = "Nome\tTipo\tCoordinate\nIn Scala\tlaboratorio\t45.2012, 9.1620\n"
    records, problems = read_records(write(tmp_path, "voci.tsv", text.encode()))
    assert problems == []
    assert records[0].fields == {"nome": "In Scala", "tipo": "laboratorio"}
    assert (records[0].lat, records[0].lon) == (45.2012, 9.1620)


def test_quoted_newlines_keep_spreadsheet_row_numbers(tmp_path):
    text = 'Nome;Orari;Lat;Lon\nA;"lun 15-18\nmer 10-12";45,1;9,1\n\nB;;x;9\n'
    records, problems = read_records(write(tmp_path, "voci.csv", text.encode()))
    assert [r.origin.row for r in records] == [2, 4]
    assert records[0].fields["orari"] == "lun 15-18\nmer 10-12"
    assert messages(problems) == [
        "voci.csv, riga 4, campo «lat», valore «x»: coordinata non leggibile: scrivi un numero come 45,1942 o 45.1942."
    ]


def test_title_rows_above_header(tmp_path):
    text = "Mappa dei laboratori 2026;;\n;;\nNome;Comune;Tipo\nSpazio Q;Pavia;laboratorio\n"
    records, _ = read_records(write(tmp_path, "voci.csv", text.encode()))
    assert records[0].origin.row == 4
    assert records[0].fields == {"nome": "Spazio Q", "comune": "Pavia", "tipo": "laboratorio"}


def test_coordinates_in_utm_with_crs(tmp_path):
    text = "Nome;Est;Nord\nA;514730,0;5004570,0\n"
    records, problems = read_records(write(tmp_path, "voci.csv", text.encode()), crs="EPSG:32632")
    assert problems == []
    assert records[0].lon == pytest.approx(9.1876, abs=1e-3)
    assert records[0].lat == pytest.approx(45.1942, abs=1e-3)


def test_fields_kept_exactly_as_typed(tmp_path):
    text = "Nome;Telefono;Attivo;Tipo\n  Spazio  Q  ;0382 123456;Sì;LAB\n"
    records, _ = read_records(write(tmp_path, "voci.csv", text.encode()))
    assert records[0].fields == {"nome": "Spazio  Q", "telefono": "0382 123456", "attivo": "Sì", "tipo": "LAB"}


def test_only_header_is_an_error(tmp_path):
    with pytest.raises(StampaError) as e:
        read_records(write(tmp_path, "voci.csv", b"Nome;Tipo;Comune\n;;\n"))
    assert messages(e.value.problems) == [
        "voci.csv: c'è la riga di intestazione (riga 1) ma nessuna voce sotto: aggiungi "
        "le voci o esporta di nuovo il file."
    ]


def test_no_header_is_an_error(tmp_path):
    with pytest.raises(StampaError) as e:
        read_records(write(tmp_path, "voci.csv", b"Spazio Q;Pavia\nIn Scala;Pavia\n"))
    assert messages(e.value.problems) == [
        "voci.csv: non trovo la riga di intestazione: serve una riga con i nomi delle "
        "colonne, almeno due tra nome, tipo, comune, indirizzo, lat, lon… (vedi «Formati dei dati» nel "
        "README). La prima riga piena contiene: «Spazio Q», «Pavia»."
    ]


def test_duplicate_columns_error(tmp_path):
    with pytest.raises(StampaError) as e:
        read_records(write(tmp_path, "voci.csv", "Nome;E-mail;Mail\nA;a@b.it;c@d.it\n".encode()))
    assert messages(e.value.problems) == [
        "voci.csv, riga 1: due colonne indicano lo stesso campo «email»: «E-mail» e "
        "«Mail». Tienine una sola (rinomina o cancella l'altra)."
    ]


def test_unclosed_quote_at_end(tmp_path):
    with pytest.raises(StampaError) as e:
        read_records(write(tmp_path, "voci.csv", b'Nome;Tipo\nA;gruppo\n"B;gruppo\nC;gruppo\n'))
    assert messages(e.value.problems) == [
        "voci.csv: virgolette non chiuse: il campo che inizia alla riga 3 continua fino "
        'alla fine del file (il file è troncato o manca un "). Correggi e salva di nuovo.'
    ]


def test_input_never_modified(tmp_path):
    path = write(tmp_path, "voci.csv", "Nome;Tipo\nA;gruppo\n".encode("cp1252"))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    mtime = path.stat().st_mtime_ns
    read_records(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["voci.csv"]


def test_excel_sep_directive(tmp_path):
    text = "sep=,\r\nNome,Orari,Tipo\r\nSpazio Q,lun; mer,laboratorio\r\n"
    records, problems = read_records(write(tmp_path, "voci.csv", text.encode()))
    assert problems == []
    assert records[0].origin.row == 2
    assert records[0].fields == {"nome": "Spazio Q", "orari": "lun; mer", "tipo": "laboratorio"}


def test_mixed_encodings_warned(tmp_path):
    data = "Nome;Comune\nCaffè;".encode() + "Zerbolò\n".encode("cp1252")
    records, problems = read_records(write(tmp_path, "voci.csv", data))
    assert records[0].fields == {"nome": "CaffÃ¨", "comune": "Zerbolò"}
    assert [p.format() for p in problems] == [
        "voci.csv: il file mescola due codifiche dei caratteri (UTF-8 e Windows-1252): alcune lettere "
        "accentate appariranno come «Ã¨». Salvalo di nuovo come «CSV UTF-8»."
    ]


SAMPLE = Path(__file__).resolve().parent.parent / "dati" / "voci-esempio.csv"


@pytest.mark.parametrize(
    "encoding, said",
    [("cp850", "la codifica DOS (cp850)"), ("mac_roman", "la codifica dei vecchi Mac (Mac Roman)")],
)
def test_legacy_encodings_read_right_with_a_warning(tmp_path, encoding, said):
    """Neither UTF-8 nor Windows-1252: the sample edition as an old DOS or Mac program writes it
    comes back with the same accented letters as the UTF-8 file, and a warning says so."""
    text = SAMPLE.read_text(encoding="utf-8-sig")
    text = text.translate(str.maketrans({"–": "-", "’": "'", "“": '"', "”": '"', "«": '"', "»": '"', "…": "..."}))
    data = text.encode(encoding)
    with pytest.raises(UnicodeDecodeError):
        data.decode("cp1252")  # the case this is about
    reference, _ = read_records(write(tmp_path, "utf8.csv", text.encode("utf-8")))
    records, problems = read_records(write(tmp_path, "voci.csv", data))
    assert [r.fields for r in records] == [r.fields for r in reference]
    assert messages(problems)[0] == (
        f"voci.csv: il file non è né UTF-8 né Windows-1252: dalle lettere accentate sembra {said}, e l'ho letto così. "
        "Controlla le lettere accentate nei risultati; meglio salvarlo come «CSV UTF-8»."
    )
