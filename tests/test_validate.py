"""Checks on entries: each with the exact message staff will read."""

from __future__ import annotations

import pytest

from stampa.config import Distretto
from stampa.district import load_district
from stampa.entries.model import Origin, RawRecord
from stampa.entries.validate import validate
from stampa.numbering import number_entries

CODES = ("018110", "018030", "018041", "018091", "018135", "018137", "018151", "018159", "018162", "018179", "018189", "018190")
FILE = "dati/voci.csv"


@pytest.fixture(scope="module")
def district():
    return load_district(Distretto(nome="Distretto sociale pavese", comuni=CODES, anno_confini=2023))


def rec(row: int, lat: float | None = 45.1855, lon: float | None = 9.1563, **fields: str) -> RawRecord:
    base = {"id": f"V{row}", "nome": f"Voce {row}", "tipo": "laboratorio", "comune": "Pavia"}
    base.update(fields)
    return RawRecord(Origin(FILE, row=row), {k: v for k, v in base.items() if v is not None}, lon=lon, lat=lat)


def messages(problems):
    return [p.format() for p in problems]


def test_good_entry_becomes_an_entry(district):
    edition, problems = validate([rec(2, nome="Orti & <Merende>", tipo="Gruppo di cittadini", comune="PAVIA")], district)
    assert problems == []
    (entry,) = edition.entries
    assert entry.nome == "Orti & <Merende>"
    assert entry.tipo == "gruppo"
    assert entry.comune == "Pavia" and entry.istat == "018110"


@pytest.mark.parametrize(
    "typed, kind",
    [("Laboratorio Sociale", "laboratorio"), ("LABORATORI SOCIALI", "laboratorio"), ("gruppo di cittadini", "gruppo"), ("Gruppo informale", "gruppo")],
)
def test_kind_synonyms(district, typed, kind):
    edition, problems = validate([rec(2, tipo=typed)], district)
    assert problems == [] and edition.entries[0].tipo == kind


def test_missing_name_type_and_position(district):
    _, problems = validate([rec(3, lat=None, lon=None, nome="", tipo="")], district)
    assert messages(problems) == [
        "dati/voci.csv, riga 3, campo «nome»: manca il nome: scrivi il nome del laboratorio o del gruppo.",
        "dati/voci.csv, riga 3, campo «tipo»: manca il tipo: scrivi «laboratorio» oppure «gruppo».",
        "dati/voci.csv, riga 3, campo «posizione»: manca la posizione: aggiungi latitudine e longitudine "
        "(es. 45,1855 e 9,1563) o un punto sulla mappa.",
    ]


def test_unknown_kind(district):
    _, problems = validate([rec(4, tipo="associazione")], district)
    assert messages(problems) == [
        "dati/voci.csv, riga 4, campo «tipo», valore «associazione»: tipo non riconosciuto: scrivi «laboratorio» "
        "(Laboratorio Sociale) oppure «gruppo» (Gruppo di cittadini)."
    ]


def test_kind_from_kml_folder(district):
    r = RawRecord(Origin("mappa.kml", feature=2, name="Spazio Q"), {"id": "Q", "nome": "Spazio Q"}, 9.1563, 45.1855, layer="Laboratori Sociali")
    edition, problems = validate([r], district)
    assert problems == [] and edition.entries[0].tipo == "laboratorio"


def test_swapped_coordinates_hint(district):
    _, problems = validate([rec(5, lat=9.1563, lon=45.1855)], district)
    assert messages(problems) == [
        "dati/voci.csv, riga 5, campo «posizione», valore «9.156300, 45.185500»: la posizione è fuori dal Distretto "
        "sociale pavese, e non cade in nessun comune italiano. Latitudine e longitudine scambiate? Scambiandole il punto cade a Pavia."
    ]


def test_outside_district_without_swap(district):
    _, problems = validate([rec(6, lat=45.4642, lon=9.19)], district)  # Milano
    assert messages(problems) == [
        "dati/voci.csv, riga 6, campo «posizione», valore «45.464200, 9.190000»: la posizione cade nel comune di Milano (MI), "
        "fuori dal Distretto sociale pavese. Controlla le coordinate (latitudine intorno a 45,1 e longitudine intorno a 9,1 per Pavia)."
    ]


def test_outside_names_the_comune_and_the_declared_foreign_comune(district):
    # The Certosa itself: a real comune next to the district, typed as staff would.
    _, problems = validate([rec(8, lat=45.2560, lon=9.1330, comune="Certosa di Pavia")], district)
    assert messages(problems) == [
        "dati/voci.csv, riga 8, campo «posizione», valore «45.256000, 9.133000»: la posizione cade nel comune di "
        "Certosa di Pavia (PV), fuori dal Distretto sociale pavese. Anche il comune indicato, Certosa di Pavia (PV), "
        "non fa parte del Distretto sociale pavese: togli la voce o correggi comune e posizione."
    ]


def test_outside_with_swapped_coordinates_in_italy(district):
    # 9.2, 45.18 → swapped it is (lon 45.18, lat 9.2): nowhere in Italy; the swap hint stays.
    _, problems = validate([rec(9, lat=45.4642, lon=9.19, comune="Pavia"), rec(10, lat=9.1563, lon=45.1855, comune="Milano")], district)
    assert messages(problems)[1].endswith(
        "non cade in nessun comune italiano. Anche il comune indicato, Milano (MI), non fa parte del Distretto sociale "
        "pavese: togli la voce o correggi comune e posizione. Latitudine e longitudine scambiate? Scambiandole il punto "
        "cade a Pavia."
    )


def test_all_comuni_loaded_only_when_a_point_is_outside(district):
    """Naming where an outside point falls reads ~7,900 boundaries: a clean file must not pay for it."""
    import time

    from stampa import district as district_module

    district_module._italy.cache_clear()
    validate([rec(2), rec(3, lat=45.19, lon=9.16)], district)
    assert district_module._italy.cache_info().currsize == 0
    t0 = time.perf_counter()
    validate([rec(4, lat=45.4642, lon=9.19)], district)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    validate([rec(5, lat=45.4642, lon=9.19)], district)
    again = time.perf_counter() - t0
    print(f"\ncomuni d'Italia: prima ricerca {first:.3f} s, poi {again:.3f} s")
    assert district_module._italy.cache_info().currsize == 1
    assert again < first and first < 5


def test_declared_comune_differs_from_point(district):
    # A point in central Pavia declared as Cava Manara.
    _, problems = validate([rec(7, comune="Cava Manara")], district)
    (p,) = problems
    assert p.level == "errore"
    assert p.format().startswith(
        "dati/voci.csv, riga 7, campo «comune», valore «Cava Manara»: il punto cade a Pavia, non a Cava Manara ("
    )
    assert p.format().endswith("km dal confine): correggi la posizione o il comune.")


def test_comune_outside_district(district):
    _, problems = validate([rec(8, comune="Certosa di Pavia")], district)
    assert messages(problems) == [
        "dati/voci.csv, riga 8, campo «comune», valore «Certosa di Pavia»: il comune Certosa di Pavia (PV) non fa parte "
        "del Distretto sociale pavese: togli la voce o correggi il comune (il punto cade a Pavia)."
    ]


@pytest.mark.parametrize("typed", ["Travaco' Siccomario", "TRAVACÒ SICCOMARIO", "travaco siccomario"])
def test_comune_spellings(district, typed):
    edition, problems = validate([rec(9, lat=45.1475, lon=9.1797, comune=typed)], district)
    assert problems == [] and edition.entries[0].comune == "Travacò Siccomario"


def test_unknown_comune(district):
    _, problems = validate([rec(10, comune="Paviaa")], district)
    assert messages(problems) == [
        "dati/voci.csv, riga 10, campo «comune», valore «Paviaa»: comune sconosciuto: controlla come è scritto "
        "(il punto cade a Pavia)."
    ]


def test_missing_comune_is_filled_from_point(district):
    edition, problems = validate([rec(11, lat=45.1265, lon=9.1302, comune="")], district)
    assert problems == [] and edition.entries[0].comune == "Cava Manara"


def test_duplicate_ids(district):
    _, problems = validate([rec(2, id="LAB-01"), rec(3, id="LAB-01")], district)
    assert messages(problems) == [
        "dati/voci.csv, riga 3, campo «id», valore «LAB-01»: id ripetuto (è già usato in riga 2): ogni voce deve avere un id diverso."
    ]


def test_missing_id_is_generated_with_warning(district):
    edition, problems = validate([rec(2, id="", nome="Spazio Q")], district)
    assert messages(problems) == [
        "dati/voci.csv, riga 2, campo «id»: manca l'id: uso «spazio-q-pavia». Scrivilo nel file, così la voce resta "
        "la stessa nelle prossime edizioni."
    ]
    assert problems[0].level == "avviso" and edition.entries[0].id == "spazio-q-pavia"


def test_bad_contacts(district):
    _, problems = validate([rec(12, email="nome@gmail", telefono="chiamare", sito="javascript:alert(1)")], district)
    assert messages(problems) == [
        "dati/voci.csv, riga 12, campo «email», valore «nome@gmail»: indirizzo email non valido: controlla che sia del "
        "tipo nome@dominio.it, senza spazi.",
        "dati/voci.csv, riga 12, campo «telefono», valore «chiamare»: numero di telefono non valido: usa solo cifre, "
        "spazi e un + iniziale (es. 0382 123456).",
        "dati/voci.csv, riga 12, campo «sito», valore «javascript:alert(1)»: tipo di indirizzo non ammesso "
        "(javascript:): sono ammessi solo http:, https: Scrivi l'indirizzo del sito come https://www.esempio.it.",
    ]


def test_contacts_normalised(district):
    edition, problems = validate([rec(2, email="mailto:info@example.org", telefono="tel:+39 0382 000 001", sito="www.example.org/lab")], district)
    assert problems == []
    e = edition.entries[0]
    assert (e.email, e.telefono, e.sito) == ("info@example.org", "+39 0382 000 001", "https://www.example.org/lab")


@pytest.mark.parametrize("typed", ["mailto:info@example.org", "info@example.org", " MAILTO: info@example.org "])
def test_email_in_sito_moved_to_email(district, typed):
    edition, problems = validate([rec(2, sito=typed)], district)
    assert messages(problems) == [
        f"dati/voci.csv, riga 2, campo «sito», valore «{typed.strip()}»: indirizzo email spostato da «sito» a «email»: "
        "nel file scrivilo nella colonna «email»."
    ]
    e = edition.entries[0]
    assert (e.email, e.sito) == ("info@example.org", "")


@pytest.mark.parametrize(
    "typed, why",
    [
        ("mailto:altro@example.org", "tipo di indirizzo non ammesso (mailto:): sono ammessi solo http:, https:"),
        ("altro@example.org", "è un indirizzo email, non un sito."),
    ],
)
def test_email_in_sito_when_email_is_set_stays_an_error_with_a_hint(district, typed, why):
    edition, problems = validate([rec(2, email="info@example.org", sito=typed)], district)
    assert messages(problems) == [
        f"dati/voci.csv, riga 2, campo «sito», valore «{typed}»: {why} Scrivi l'indirizzo del sito come "
        "https://www.esempio.it. «altro@example.org» è un indirizzo email, ma la colonna «email» ha già "
        "«info@example.org»: toglilo da «sito», o mettilo in «email» al posto dell'altro se è quello giusto."
    ]


def test_web_address_with_an_at_sign_stays_a_website(district):
    edition, problems = validate([rec(2, sito="www.example.org/@spazioq")], district)
    assert problems == [] and edition.entries[0].sito == "https://www.example.org/@spazioq"


def test_inactive_entries_left_out(district):
    edition, problems = validate([rec(2, attivo="no"), rec(3, attivo="Sì"), rec(4, attivo="forse")], district)
    assert [e.id for e in edition.entries] == ["V3"]
    assert [r.origin.row for r in edition.inactive] == [2]
    assert messages(problems) == [
        "dati/voci.csv, riga 4, campo «attivo», valore «forse»: valore non riconosciuto: scrivi «sì» per includere "
        "la voce o «no» per lasciarla fuori."
    ]


def test_control_characters_refused(district):
    _, problems = validate([rec(2, nome="Spazio\x07Q")], district)
    assert messages(problems) == [
        "dati/voci.csv, riga 2, campo «nome», valore «Spazio\N{REPLACEMENT CHARACTER}Q»: il testo contiene caratteri di "
        "controllo invisibili (U+0007): cancellali e riscrivi il testo."
    ]


def test_geometry_problem_reported(district):
    r = RawRecord(Origin("voci.geojson", feature=3, name="Parco"), {"id": "P", "nome": "Parco", "tipo": "gruppo"}, geometry_problem="geometria non puntuale (Polygon): serve un punto.")
    _, problems = validate([r], district)
    assert messages(problems) == ["voci.geojson, elemento 3 «Parco», campo «posizione»: geometria non puntuale (Polygon): serve un punto."]


def test_numbering_pavia_first_then_quartiere_then_name(district):
    records = [
        rec(2, id="a", nome="Zeta", quartiere="Scala"),
        rec(3, id="b", nome="Alfa", lat=45.1265, lon=9.1302, comune="Cava Manara"),
        rec(4, id="c", nome="Èmme", quartiere="Borgo Ticino"),
        rec(5, id="d", nome="Beta", quartiere="Scala"),
        rec(6, id="e", nome="Senza quartiere"),
    ]
    edition, problems = validate(records, district)
    assert problems == []
    assert [(n.number, n.entry.id) for n in number_entries(edition.entries)] == [(1, "c"), (2, "d"), (3, "a"), (4, "e"), (5, "b")]


def test_bad_coordinate_reported_once(tmp_path, district):
    from stampa.entries.read import read_records

    path = tmp_path / "voci.csv"
    path.write_text("id;nome;tipo;latitudine;longitudine\nA;Spazio Q;laboratorio;quarantacinque;9,1563\n", encoding="utf-8")
    records, read_problems = read_records(path)
    _, problems = validate(records, district, read_problems=read_problems)
    assert [p.format() for p in read_problems] == [
        f"{path}, riga 2, campo «lat», valore «quarantacinque»: coordinata non leggibile: scrivi un numero come 45,1942 o 45.1942."
    ]
    assert problems == []  # no second "manca la posizione" for the same row
