"""KML / KMZ as Google My Maps exports them."""

import io
import zipfile
from pathlib import Path

import pytest

from stampa.entries.read import read_records
from stampa.problems import StampaError

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
  <Document>
    <name>Mappa dei laboratori</name>
    <Style id="icon-1899-0288D1"><IconStyle><scale>1</scale></IconStyle></Style>
    <Folder>
      <name>Laboratori sociali</name>
      <Placemark>
        <name>Caffè &amp; &lt;Bistrot&gt; "Il Naviglio"</name>
        <description><![CDATA[Tipo: laboratorio<br>Indirizzo: Via Milazzo 1<br>Orari: lun &amp; mer 15-18<br>Note: solo d'estate]]></description>
        <styleUrl>#icon-1899-0288D1</styleUrl>
        <ExtendedData>
          <Data name="Tipo"><value>laboratorio</value></Data>
          <Data name="Indirizzo"><value>Via Milazzo 1, Pavia</value></Data>
          <Data name="Orari"><value>lun &amp; mer 15-18</value></Data>
          <Data name="Note"><value>solo d'estate</value></Data>
          <Data name="gx_media_links"><value>https://example.org/a.jpg</value></Data>
        </ExtendedData>
        <Point><coordinates>
            9.1671,45.1942,0
          </coordinates></Point>
      </Placemark>
      <Placemark>
        <name>Parco della Vernavola</name>
        <description>Un'area verde</description>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>9.17,45.20,0 9.18,45.20,0 9.18,45.21,0 9.17,45.20,0</coordinates></LinearRing></outerBoundaryIs></Polygon>
      </Placemark>
    </Folder>
    <Folder>
      <name>Gruppi di cittadini</name>
      <Folder>
        <name>Pavia Ovest</name>
        <Placemark>
          <name>Parchi Pavia Ovest</name>
          <description><![CDATA[<p>Cura del <b>parco</b> di via Flarer&nbsp;&egrave; aperta a tutti.</p><p>Ogni sabato</p>]]></description>
          <ExtendedData><SchemaData schemaUrl="#s1">
            <SimpleData name="Ente gestore">Comitato &quot;Pavia Ovest&quot;</SimpleData>
            <SimpleData name="E-mail">parchi@example.org</SimpleData>
          </SchemaData></ExtendedData>
          <Point><coordinates>9.1402,45.1901</coordinates></Point>
        </Placemark>
      </Folder>
    </Folder>
    <Placemark><name>Senza cartella</name></Placemark>
  </Document>
</kml>
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def save(name, data):
    Path(name).write_bytes(data.encode() if isinstance(data, str) else data)
    return Path(name)


def check_records(records):
    a, park, group, lone = records
    assert a.fields == {
        "tipo": "laboratorio",
        "indirizzo": "Via Milazzo 1, Pavia",  # ExtendedData wins over the description
        "orari": "lun & mer 15-18",
        "nome": 'Caffè & <Bistrot> "Il Naviglio"',
    }
    assert (a.lon, a.lat, a.layer, a.geometry_problem) == (9.1671, 45.1942, "Laboratori sociali", None)
    assert a.origin.feature == 1 and a.origin.name == 'Caffè & <Bistrot> "Il Naviglio"'
    assert park.geometry_problem == "geometria non puntuale (Polygon): serve un punto"
    assert (park.lon, park.lat) == (None, None)
    assert park.fields == {"nome": "Parco della Vernavola", "attivita": "Un'area verde"}
    assert group.layer == "Pavia Ovest"
    assert group.fields == {
        "ente": 'Comitato "Pavia Ovest"',
        "email": "parchi@example.org",
        "nome": "Parchi Pavia Ovest",
        "attivita": "Cura del parco di via Flarer è aperta a tutti.\nOgni sabato",
    }
    assert (group.lon, group.lat) == (9.1402, 45.1901)
    assert lone.layer is None and lone.fields == {"nome": "Senza cartella"}
    assert (lone.lon, lone.geometry_problem) == (None, None)


def test_my_maps_kml():
    records, problems = read_records(save("mappa.kml", KML))
    check_records(records)
    assert [p.format() for p in problems] == [
        "mappa.kml: ignoro i campi che non riconosco: «Note». Se contengono dati da stampare, cambia "
        "il nome con uno previsto (vedi «Formati dei dati» nel README)."
    ]


def test_description_key_value_lines_without_extended_data():
    kml = KML.replace("<ExtendedData>", "<!--", 1).replace("</ExtendedData>", "-->", 1)
    records, _ = read_records(save("mappa.kml", kml))
    assert records[0].fields == {
        "tipo": "laboratorio", "indirizzo": "Via Milazzo 1", "orari": "lun & mer 15-18",
        "nome": 'Caffè & <Bistrot> "Il Naviglio"',
    }


def kmz(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return out.getvalue()


def test_kmz():
    data = kmz({"doc.kml": KML.encode(), "images/icon-1.png": b"\x89PNG..."})
    records, _ = read_records(save("mappa.kmz", data))
    check_records(records)


def test_kmz_without_kml():
    with pytest.raises(StampaError) as e:
        read_records(save("mappa.kmz", kmz({"images/icon-1.png": b"\x89PNG"})))
    assert e.value.problems[0].format() == (
        "mappa.kmz: il KMZ non contiene un file .kml: esporta di nuovo la mappa da Google My Maps "
        "(«Esporta in KML/KMZ»)."
    )


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE kml [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<kml><Document><Placemark><name>&lol3;</name></Placemark></Document></kml>
"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<kml><Document><Placemark><name>&xxe;</name></Placemark></Document></kml>
"""

REFUSED = (
    "mappa.kml: il KML contiene dichiarazioni di entità o riferimenti esterni (DTD), che non leggo "
    "per sicurezza: esporta di nuovo la mappa da Google My Maps."
)


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL])
def test_entities_refused(text):
    with pytest.raises(StampaError) as e:
        read_records(save("mappa.kml", text))
    assert [p.format() for p in e.value.problems] == [REFUSED]


def test_truncated_kml():
    with pytest.raises(StampaError) as e:
        read_records(save("mappa.kml", KML[: len(KML) // 2]))
    msg = e.value.problems[0].format()
    assert msg.startswith("mappa.kml: il file KML è danneggiato o incompleto: l'XML si interrompe o è sbagliato alla riga ")
    assert msg.endswith("; riesportalo dal programma da cui viene.")


def test_kml_without_placemarks():
    with pytest.raises(StampaError) as e:
        read_records(save("mappa.kml", '<kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>'))
    assert e.value.problems[0].format() == (
        "mappa.kml: il KML non contiene segnaposti (Placemark): esporta il livello con le voci."
    )


def test_duplicate_keys_in_extended_data():
    kml = KML.replace('<Data name="Note">', '<Data name="Via">')
    with pytest.raises(StampaError) as e:
        read_records(save("mappa.kml", kml))
    assert e.value.problems[0].format() == (
        "mappa.kml: due campi indicano lo stesso campo «indirizzo»: «Indirizzo» e «Via». Tienine una "
        "sola (rinomina o cancella l'altra)."
    )


def test_deeply_nested_folders():
    depth = 5000
    kml = "<kml><Document>" + "<Folder>" * depth + "<Placemark><name>x</name></Placemark>" + "</Folder>" * depth + "</Document></kml>"
    records, _ = read_records(save("mappa.kml", kml))
    assert records[0].fields == {"nome": "x"}


def test_network_link_only():
    kml = (
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><NetworkLink><name>Mappa</name>'
        "<Link><href>https://www.google.com/maps/d/kml?mid=abc</href></Link></NetworkLink></Document></kml>"
    )
    with pytest.raises(StampaError) as e:
        read_records(save("mappa.kmz", kmz({"doc.kml": kml.encode()})))
    assert e.value.problems[0].format() == (
        "mappa.kmz: il KML contiene solo un collegamento alla mappa online (NetworkLink), non le voci: "
        "esporta di nuovo da Google My Maps senza spuntare «Mantieni i dati sincronizzati»."
    )


def test_placemark_without_point_uses_latlon_data():
    kml = (
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>A</name>'
        '<ExtendedData><Data name="Latitudine"><value>45,1942</value></Data>'
        '<Data name="Longitudine"><value>9,1671</value></Data></ExtendedData></Placemark>'
        '<Placemark><name>B</name><description>Coordinate: 45.2, nove</description></Placemark>'
        "</Document></kml>"
    )
    records, problems = read_records(save("mappa.kml", kml))
    assert (records[0].lon, records[0].lat) == (9.1671, 45.1942)
    assert records[0].fields == {"lat": "45,1942", "lon": "9,1671", "nome": "A"}
    assert [p.format() for p in problems] == [
        "mappa.kml, elemento 2 «B», campo «coordinate», valore «45.2, nove»: coordinate non leggibili: "
        "scrivi latitudine e longitudine separate da virgola e spazio, come le copia Google Maps (45.1942, 9.1671)."
    ]
