"""Addresses as staff type them → structured Nominatim queries; precision and choice of answers."""

from __future__ import annotations

import pytest

from stampa.geocoding.answers import AMBIGUOUS, NOT_FOUND, choose, precision
from stampa.geocoding.query import address_key, parse_address, split_comune

from nominatim_server import result


@pytest.mark.parametrize(
    "typed, street, number",
    [
        ("P.zza della Vittoria 15", "Piazza della Vittoria", "15"),
        ("P.za Petrarca", "Piazza Petrarca", ""),
        ("P.le Torino 40", "Piazzale Torino", "40"),
        ("V.le Matteotti, 10", "Viale Matteotti", "10"),
        ("C.so Mazzini n. 14", "Corso Mazzini", "14"),
        ("Str. Nuova 65", "Strada Nuova", "65"),
        ("V. Roma 35", "Via Roma", "35"),
        ("L.go Panizza 3", "Largo Panizza", "3"),
        ("Via Sant'Ennodio 2/a", "Via Sant'Ennodio", "2/a"),
        ("Via Sant\u2019Ennodio 2", "Via Sant'Ennodio", "2"),
        ("Piazza Petrarca", "Piazza Petrarca", ""),
        ("Viale Cremona 12b", "Viale Cremona", "12b"),
        ("Via 4 Novembre", "Via 4 Novembre", ""),
        ("Via XX Settembre 3", "Via XX Settembre", "3"),
        ("Corso Strada Nuova", "Corso Strada Nuova", ""),
        ("Vicolo Santa Maria Gualtieri", "Vicolo Santa Maria Gualtieri", ""),
        ("Travacò, via Marconi", "Travacò, via Marconi", ""),
        # «senza numero civico»: the street alone is asked for
        ("Via Riviera snc", "Via Riviera", ""),
        ("Strada Cascinazza, s.n.c.", "Strada Cascinazza", ""),
        ("V.le Lodi S.N.", "Viale Lodi", ""),
        ("Via Roma senza numero civico", "Via Roma", ""),
        ("Via S. Nicola", "Via S. Nicola", ""),
        # bis, ter: part of the house number, as OpenStreetMap writes it
        ("Via dei Mille 12 bis", "Via dei Mille", "12 bis"),
        ("Via dei Mille 12bis", "Via dei Mille", "12 bis"),
        ("C.so Garibaldi, 3 ter", "Corso Garibaldi", "3 ter"),
    ],
)
def test_abbreviations_numbers_apostrophes(typed, street, number):
    a = parse_address(typed, "Pavia")
    assert (a.street, a.number) == (street, number)
    assert a.typed == typed  # the record shows the address as typed


def test_structured_query_limited_to_italy_and_biased_to_the_district():
    a = parse_address("P.le Torino 40", "Pavia")
    params = a.params((8.948, 45.063, 9.251, 45.263))
    assert params == {
        "street": "40 Piazzale Torino", "city": "Pavia", "country": "Italia", "countrycodes": "it",
        "viewbox": "8.9480,45.2630,9.2510,45.0630", "bounded": "0", "format": "jsonv2", "addressdetails": "1",
        "limit": "5", "accept-language": "it",
    }
    assert a.text == "Piazzale Torino 40, Pavia"
    snc = parse_address("Via Riviera snc", "Pavia")
    assert (snc.params((8.948, 45.063, 9.251, 45.263))["street"], snc.text) == ("Via Riviera", "Via Riviera, Pavia")
    assert parse_address("Via dei Mille 12bis", "Pavia").params((8.948, 45.063, 9.251, 45.263))["street"] == "12 bis Via dei Mille"


def test_comune_written_in_the_address_is_recognised():
    match = {"pavia": "018110", "travacò siccomario": "018162"}.get
    assert split_comune("Piazzale Torino 40, 27100 Pavia", lambda s: match(s.lower())) == ("Piazzale Torino 40", "018110")
    assert split_comune("Piazzale Torino 40, Pavia (PV)", lambda s: match(s.lower())) == ("Piazzale Torino 40", "018110")
    assert split_comune("Via Roma, 40", lambda s: match(s.lower())) == ("Via Roma, 40", None)


def test_precision_from_the_answer():
    house = result(45.19, 9.14, street="Piazzale Torino", number="40", city="Pavia")
    road = result(45.19, 9.14, street="Via Roma", number="", city="Pavia", kind="road")
    assert precision(house) == "civico"
    assert precision(road) == "via"
    hamlet = {"lat": "45.2", "lon": "9.2", "category": "place", "type": "hamlet", "addresstype": "hamlet",
              "place_rank": 20, "name": "Fossarmato", "address": {"hamlet": "Fossarmato", "city": "Pavia"}}
    assert precision(hamlet, "Pavia") == "frazione"
    city = {"lat": "45.2", "lon": "9.2", "category": "boundary", "type": "administrative", "addresstype": "city",
            "place_rank": 16, "name": "Pavia", "address": {"city": "Pavia"}}
    assert precision(city, "Pavia") == "comune"
    village = {"lat": "45.2", "lon": "9.1", "category": "place", "type": "village", "addresstype": "village",
               "place_rank": 19, "name": "Sommo", "address": {"village": "Sommo"}}
    assert precision(village, "Sommo") == "comune"
    school = {"lat": "45.2", "lon": "9.1", "category": "amenity", "type": "school", "addresstype": "amenity",
              "place_rank": 30, "name": "Scuola", "address": {"road": "Via Roma"}}
    assert precision(school) == "civico"


def test_choice_prefers_the_declared_comune_then_precision_and_sees_ambiguity():
    in_pavia = lambda lon, lat: lat > 45.17  # noqa: E731 - a stand-in for the district's comune test
    a = result(45.16, 9.13, street="Via Roma", number="3", city="San Martino Siccomario")
    b = result(45.19, 9.15, street="Via Roma", number="", city="Pavia", kind="road")
    c = result(45.1901, 9.1501, street="Via Roma", number="3", city="Pavia")
    assert choose([a, b, c], "Pavia", in_pavia).precision == "civico"
    assert choose([a, b, c], "Pavia", in_pavia).lat == pytest.approx(45.1901)
    assert choose([a, b], "Pavia", in_pavia).precision == "via"
    far = result(45.21, 9.15, street="Via Roma", number="", city="Pavia", kind="road")
    assert choose([b, far], "Pavia", in_pavia).precision == AMBIGUOUS
    assert choose([], "Pavia", in_pavia).precision == NOT_FOUND


@pytest.mark.parametrize(
    "typed, street, number, locality",
    [
        ("Fraz. Fossarmato, Via Roma 3", "Via Roma", "3", "Fossarmato"),
        ("Fraz.Fossarmato; V. Roma 3", "Via Roma", "3", "Fossarmato"),
        ("Frazione Mirabello - Via Bramante 5", "Via Bramante", "5", "Mirabello"),
        ("Via Roma 3, Fraz. Fossarmato", "Via Roma", "3", "Fossarmato"),
        ("Loc. Ca' de Vecchi, Strada Cascinazza snc", "Strada Cascinazza", "", "Ca' de Vecchi"),
        ("Loc. Cascina Rossa", "", "", "Cascina Rossa"),
        ("Località Boschetto", "", "", "Boschetto"),
        ("Frazione Fossarmato", "", "", "Fossarmato"),
        # street names that merely begin like the words
        ("Via Locatelli 3", "Via Locatelli", "3", ""),
        ("Via Frazzini 2", "Via Frazzini", "2", ""),
    ],
)
def test_a_frazione_or_localita_is_a_place_not_the_street(typed, street, number, locality):
    a = parse_address(typed, "Pavia")
    assert (a.street, a.number, a.locality) == (street, number, locality)
    params = a.params((8.948, 45.063, 9.251, 45.263))
    if street:  # the street is asked for in the comune; the frazione picks among the answers
        assert (params["street"], params["city"]) == (f"{number} {street}".strip(), "Pavia") and "q" not in params
        assert a.text == ", ".join(x for x in (f"{street} {number}".strip(), locality, "Pavia") if x)
    else:  # the place alone: a free-form search (a structured «street» would look for a street so named)
        assert params["q"] == f"{locality}, Pavia, Italia" and "street" not in params and "city" not in params
        assert a.text == f"{locality}, Pavia"
    assert (params["countrycodes"], params["bounded"]) == ("it", "0")


def test_the_frazione_named_in_the_address_settles_an_ambiguous_street():
    centre = result(45.1942, 9.1671, street="Via Roma", number="", city="Pavia", suburb="Centro", kind="road")
    hamlet = result(45.2122, 9.1691, street="Via Roma", number="", city="Pavia", suburb="Fossarmato", kind="road", place_id=2)
    anywhere = lambda lon, lat: True  # noqa: E731
    assert choose([centre, hamlet], "Pavia", anywhere).precision == AMBIGUOUS
    picked = choose([centre, hamlet], "Pavia", anywhere, "Fossarmato")
    assert (picked.precision, picked.lat) == ("via", pytest.approx(45.2122))
    # a frazione no result mentions: as without it
    assert choose([centre, hamlet], "Pavia", anywhere, "Mirabello").precision == AMBIGUOUS


def test_the_record_matches_a_comune_however_its_accent_is_typed():
    official = address_key("Via Marconi 3", "Travacò Siccomario")
    for typed in ("Travaco' Siccomario", "TRAVACÒ SICCOMARIO", "Travaco Siccomario", "travacò  siccomario"):
        assert address_key("Via Marconi 3", typed) == official
    assert address_key("via marconi  3", "Travacò Siccomario") == official
