"""OpenStreetMap's credit for geocoded positions: the service's answers are OpenStreetMap data
(ODbL), so every map that places them prints the credit, once; the sample record's rows and hand
corrections do not call for it, and a basemap that already credits OpenStreetMap is enough."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pypdfium2 as pdfium
from test_geocodifica import make_project

from stampa.basemap.sources import OSM_LINE
from stampa.cartography.words import MapWords
from stampa.cli import main
from stampa.geocoding.record import new_row

ROOT = Path(__file__).resolve().parents[1]
CREDIT = "Posizioni ricavate dagli indirizzi: © OpenStreetMap contributors, dati ODbL (openstreetmap.org/copyright)"
BOUNDARIES = "Confini comunali: elaborazione su dati ISTAT (CC BY 4.0)"
HEAD = "indirizzo;comune;ricerca;lat;lon;precisione;luogo trovato;data;fonte;corretto"
ROWS = [
    "A1;Spazio Q;laboratorio;Pavia;P.le Torino 40;;",
    "A2;Gioco;gruppo;Pavia;;45,1861;9,1608",
    "A3;Roma;gruppo;San Martino Siccomario;V. Roma 35;;",
]


def test_the_credit_is_added_once_unless_the_basemap_names_openstreetmap():
    words = MapWords(positions_credit=CREDIT)
    assert words.credits([]) == [CREDIT, BOUNDARIES]
    assert words.credits(["Stile © CARTO"]) == ["Stile © CARTO", CREDIT, BOUNDARIES]
    assert words.credits([OSM_LINE, "Stile © CARTO"]) == [OSM_LINE, "Stile © CARTO", BOUNDARIES]
    assert MapWords().credits([]) == [BOUNDARIES]  # no geocoded position: nothing added


def test_only_the_services_answers_are_openstreetmap_data():
    assert new_row(fonte="servizio").from_service
    assert new_row(fonte="").from_service  # what staff may leave empty: the service's
    assert not new_row(fonte="esempio").from_service
    assert not new_row(fonte="Esempio").from_service
    assert not new_row(fonte="corretto a mano", lat=45.19, lon=9.14).from_service
    assert not new_row(fonte="servizio", corretto=True, lat=45.19, lon=9.14).from_service


def _project(tmp_path: Path, source: str, mappa: str = "") -> Path:
    config = make_project(tmp_path, ROWS)
    record = [
        f"P.le Torino 40;Pavia;Piazzale Torino 40, Pavia;45,190500;9,142000;civico;40, Piazzale Torino, Pavia;2026-11-30;{source};",
        "V. Roma 35;San Martino Siccomario;Via Roma 35, San Martino Siccomario;45,162500;9,136500;civico;35, Via Roma;2026-11-30;esempio;",
    ]
    (tmp_path / "dati" / "geocodifica.csv").write_bytes(("\ufeff" + "\r\n".join([HEAD, *record]) + "\r\n").encode("utf-8"))
    if mappa:  # replaces the sample's «formato» line in [mappa]
        text = config.read_text(encoding="utf-8")
        config.write_text(re.sub(r"(?m)^formato = .*$", mappa, text, count=1), encoding="utf-8")
    return config


def _build(config: Path, out: Path) -> list[str]:
    assert main(["edizione", "--config", str(config), "--out", str(out), "--sfondo", "vettoriale", "--senza-verifica"]) == 0
    pdf = pdfium.PdfDocument(str(out / "mappa-stampa.pdf"))
    try:
        return [re.sub(r"\s+", " ", pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]
    finally:
        pdf.close()


def test_a_geocoded_position_prints_the_openstreetmap_credit_in_every_credits_box(tmp_path):
    pages = _build(_project(tmp_path / "p", "servizio"), tmp_path / "out")
    text = " ".join(pages)
    # the map's credits box and the back's «Fonti e crediti»: each carries the boundaries' credit and this one, once
    assert text.count("© OpenStreetMap contributors") == text.count(BOUNDARIES) == 2
    assert text.count(CREDIT) == 2
    report = json.loads((tmp_path / "out" / "rapporto.json").read_text(encoding="utf-8"))
    why = {v["id"]: v.get("dati_posizione") for v in report["voci"]}
    assert why == {"A1": "OpenStreetMap (ODbL), dal servizio di geocodifica", "A2": None, "A3": None}

    # The same edition when the only geocoded rows are the project's samples (or hand corrections): no credit.
    pages = _build(_project(tmp_path / "q", "corretto a mano"), tmp_path / "out2")
    assert "OpenStreetMap" not in " ".join(pages)


def test_the_booklets_sheets_and_overview_carry_the_credit(tmp_path):
    pages = _build(_project(tmp_path / "p", "servizio", 'formato = "libretto"\ntavole = "sì"\nvoci_per_mappa = 1'), tmp_path / "out")
    boxes = sum(p.count(BOUNDARIES) for p in pages)
    assert boxes >= 3  # the overview (quadro d'unione), each sheet's band, the back matter
    for page in pages:
        assert page.count(CREDIT) == page.count(BOUNDARIES), page[:200]
