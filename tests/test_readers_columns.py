"""Column-name matching and coordinate parsing (stampa.entries.columns / coords)."""

import pytest

from stampa.entries.columns import field_for, map_columns, normalise
from stampa.entries.coords import parse_number, parse_pair, position
from stampa.entries.model import FIELDS, Origin
from stampa.problems import StampaError


@pytest.mark.parametrize(
    "name, field",
    [
        ("Nome", "nome"), ("NOME ", "nome"), ("Denominazione", "nome"), ("nome_laboratorio", "nome"),
        ("E-mail", "email"), ("e_mail", "email"), ("EMAIL", "email"), ("Posta elettronica", "email"),
        ("Sito web", "sito"), ("Sito internet", "sito"), ("Website", "sito"), ("sito_web", "sito"),
        ("Latitudine", "lat"), ("Lat", "lat"), ("LAT.", "lat"),
        ("Longitudine", "lon"), ("Lon", "lon"), ("Lng", "lon"), ("Long", "lon"),
        ("Telefono", "telefono"), ("Tel.", "telefono"), ("Cellulare", "telefono"),
        ("Orari", "orari"), ("Orario", "orari"), ("Giorni e orari", "orari"),
        ("Attività", "attivita"), ("Attivita'", "attivita"), ("ATTIVITÀ", "attivita"), ("Descrizione", "attivita"),
        ("Indirizzo", "indirizzo"), ("Ente gestore", "ente"), ("Gestore", "ente"), ("Chi lo gestisce", "ente"),
        ("Quartiere", "quartiere"), ("Rione", "quartiere"), ("Comune", "comune"), ("Città", "comune"),
        ("Tipo", "tipo"), ("Tipologia", "tipo"), ("Categoria", "tipo"),
        ("Attivo", "attivo"), ("Pubblicato", "attivo"), ("ID", "id"), ("Codice", "id"),
        ("Telefono (fisso)", "telefono"), ("Nome *", "nome"), ("  Sito   Web  ", "sito"),
        ("Coordinate", "coordinate"), ("Posizione", "coordinate"), ("Est", "x"), ("Nord", "y"),
        ("X", "x"), ("Y", "y"),
    ],
)
def test_column_synonyms(name, field):
    assert field_for(name) == field


def test_every_canonical_field_is_its_own_name():
    assert all(field_for(f) == f for f in FIELDS)


@pytest.mark.parametrize("name", ["Note", "Referente", "", "   ", "Colonna1", "?"])
def test_unknown_names(name):
    assert field_for(name) is None


def test_normalise():
    assert normalise("  E-Mail (ufficio) ") == "email"
    assert normalise("Attivita'") == normalise("Attività") == "attivita"


def test_unknown_columns_one_warning_listing_them():
    cmap = map_columns(["Nome", "Note", "Tipo", "Referente", "Quartire"], "voci.csv")
    assert cmap.fields == {0: "nome", 2: "tipo"}
    assert cmap.unknown == ("Note", "Referente", "Quartire")
    assert len(cmap.problems) == 1
    p = cmap.problems[0]
    assert p.level == "avviso"
    assert p.message == (
        "ignoro le colonne che non riconosco: «Note», «Referente», «Quartire» "
        "(«Quartire» → forse «quartiere»). Se contengono dati da stampare, cambia il nome con uno "
        "previsto (vedi «Formati dei dati» nel README)."
    )


def test_two_columns_for_one_field_is_an_error_naming_both():
    cmap = map_columns(["Nome", "Sito", "Email", "Sito web"], "voci.csv", where="riga 1")
    assert [p.level for p in cmap.problems] == ["errore"]
    assert cmap.problems[0].format() == (
        "voci.csv, riga 1: due colonne indicano lo stesso campo «sito»: «Sito» e «Sito web». "
        "Tienine una sola (rinomina o cancella l'altra)."
    )


@pytest.mark.parametrize(
    "text, value",
    [("45,1942", 45.1942), ("45.1942", 45.1942), (" 9,1671 ", 9.1671), ("-9,5", -9.5), ("45°", 45.0),
     ("512.345,67", 512345.67), ("512,345.67", 512345.67), ("5 012 345,6", 5012345.6)],
)
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "45,19,1", "nan", "inf", "1e5", "12,34.5", "--1"])
def test_parse_number_refuses(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(
    "text", ["45.1942, 9.1671", "45,1942, 9,1671", "45.1942,9.1671", "45,1942; 9,1671", "45,1942 9,1671",
             "(45.1942, 9.1671)", "45,1942,9,1671"],
)
def test_parse_pair_lat_first(text):
    assert parse_pair(text) == (pytest.approx(45.1942), pytest.approx(9.1671))


def test_position_messages():
    o = Origin("voci.csv", row=7)
    lon, lat, problems = position({"lat": "45,1942", "lon": ""}, o)
    assert (lon, lat) == (None, None)
    assert problems[0].format() == (
        "voci.csv, riga 7, campo «lon», valore «»: manca la longitudine: scrivi entrambe le coordinate o nessuna."
    )
    _, _, problems = position({"coordinate": "vicino alla chiesa"}, o)
    assert problems[0].format() == (
        "voci.csv, riga 7, campo «coordinate», valore «vicino alla chiesa»: coordinate non leggibili: "
        "scrivi latitudine e longitudine separate da virgola e spazio, come le copia Google Maps (45.1942, 9.1671)."
    )
    _, _, problems = position({"x": "512345", "y": "5004567"}, o)
    assert "indica il sistema in «dati.crs»" in problems[0].message
    assert position({}, o) == (None, None, [])


def test_position_reprojects_utm():
    lon, lat, problems = position({"x": "514730", "y": "5004570"}, Origin("f", row=2), "EPSG:32632")
    assert problems == []
    assert lon == pytest.approx(9.1876, abs=1e-3) and lat == pytest.approx(45.1942, abs=1e-3)


def test_bad_crs_is_one_clear_error():
    with pytest.raises(StampaError) as e:
        position({"x": "1", "y": "2"}, Origin("f", row=2), "EPSG:99999999")
    assert e.value.problems[0].format() == (
        "chiave «dati.crs», valore «EPSG:99999999»: sistema di riferimento non riconosciuto: scrivi un "
        "codice come «EPSG:32632» (UTM 32N, WGS84) o «EPSG:3003» (Monte Mario / Gauss-Boaga Ovest)."
    )
