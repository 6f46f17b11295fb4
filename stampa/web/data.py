"""The edition as plain data for the page: numbered entries grouped as in the printed index,
with only safe links (http, https, mailto, tel), and the comuni boundaries as GeoJSON."""

from __future__ import annotations

from typing import Any, Sequence

import shapely

from ..entries.model import Entry
from ..numbering import FIRST_COMUNE, Numbered
from ..urls import email_ok, normalise_website, phone_ok, url_problem

KIND_LABEL = {"laboratorio": "Laboratorio sociale", "gruppo": "Gruppo di cittadini"}
COORD_DIGITS = 5  # ~1 m: more than the boundaries' own precision, and a third of the file size


def links(entry: Entry) -> list[dict[str, str]]:
    """Clickable contacts of an entry: only http(s), mailto and tel, whatever the data says."""
    out = []
    if entry.sito:
        url = normalise_website(entry.sito)
        if url_problem(url, ("http", "https")) is None:
            out.append({"tipo": "sito", "href": url, "testo": entry.sito})
    if entry.email and email_ok(entry.email):
        out.append({"tipo": "email", "href": "mailto:" + entry.email.strip(), "testo": entry.email.strip()})
    if entry.telefono and phone_ok(entry.telefono):
        digits = "".join(ch for ch in entry.telefono if ch.isdigit() or ch == "+")
        out.append({"tipo": "telefono", "href": "tel:" + digits, "testo": entry.telefono.strip()})
    return out


def entry_fields(n: Numbered) -> dict[str, Any]:
    """What every published form of an entry shows first (the page's data, voci.geojson, uMap)."""
    e = n.entry
    return {
        "numero": n.number,
        "id": e.id,
        "nome": e.nome,
        "tipo": e.tipo,
        "tipo_etichetta": KIND_LABEL.get(e.tipo, e.tipo),
        "comune": e.comune,
        "quartiere": e.quartiere,
        "indirizzo": e.indirizzo,
        "ente": e.ente,
        "attivita": e.attivita,
        "orari": e.orari,
    }


def entry_record(n: Numbered) -> dict[str, Any]:
    e = n.entry
    return {
        **entry_fields(n),
        "collegamenti": links(e),
        "lat": round(e.lat, 6),
        "lon": round(e.lon, 6),
        # file, geocodificata (+ precisione) or corretta a mano, as in rapporto.json
        "posizione": e.position_from,
        "precisione": e.precision,
        "novita": n.novita,  # new since the archived edition ([mappa] segna_novita)
    }


NO_QUARTIERE = "Altre zone"  # the printed index's heading for Pavia entries without a quartiere


def groups(numbered: Sequence[Numbered], no_quartiere: str = NO_QUARTIERE) -> list[dict[str, Any]]:
    """Entries grouped as the printed index groups them: by comune (Pavia first) and, in Pavia
    only, by quartiere; the numbering order already is that order, so groups are runs of it."""
    out: list[dict[str, Any]] = []
    for n in numbered:
        e = n.entry
        if not out or out[-1]["comune"] != e.comune:
            out.append({"comune": e.comune, "capoluogo": e.istat == FIRST_COMUNE, "quartieri": []})
        quartiere = (e.quartiere or no_quartiere) if e.istat == FIRST_COMUNE else ""
        quartieri = out[-1]["quartieri"]
        if not quartieri or quartieri[-1]["quartiere"] != quartiere:
            quartieri.append({"quartiere": quartiere, "numeri": []})
        quartieri[-1]["numeri"].append(n.number)
    return out


def _round(coords: Any) -> Any:
    if isinstance(coords, (list, tuple)):
        if coords and isinstance(coords[0], (int, float)):
            return [round(float(c), COORD_DIGITS) for c in coords]
        return [_round(c) for c in coords]
    return coords


def boundaries(district) -> dict[str, Any]:  # noqa: ANN001 - stampa.district.District
    """The comuni as a GeoJSON FeatureCollection (WGS84), plus the district's outline."""
    features = []
    for istat, row in district.comuni.iterrows():
        geom = shapely.geometry.mapping(row.geometry)
        features.append(
            {
                "type": "Feature",
                "properties": {"istat": str(istat), "nome": str(row["nome"]), "ruolo": "comune"},
                "geometry": {"type": geom["type"], "coordinates": _round(geom["coordinates"])},
            }
        )
    outline = shapely.geometry.mapping(shapely.union_all(district.comuni.geometry.values))
    features.append(
        {
            "type": "Feature",
            "properties": {"nome": str(district.name), "ruolo": "distretto"},
            "geometry": {"type": outline["type"], "coordinates": _round(outline["coordinates"])},
        }
    )
    return {"type": "FeatureCollection", "features": features}
