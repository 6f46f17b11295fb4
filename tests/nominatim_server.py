"""A Nominatim-compatible server on 127.0.0.1 for the tests: ``/search`` with structured
parameters (``street``, ``city``, ``country``), ``format=jsonv2``, ``addressdetails=1``, and every
way the service fails.

    server = NominatimServer()        # or the ``nominatim_server`` fixture
    server.mode = "ok"                # see MODES; fail_times=N fails N times, then answers "ok"
    server.street_modes["via roma"] = "molti"   # a mode for the streets containing this text
    server.url                        # http://127.0.0.1:PORT
    server.requests                   # list of Request(params, user_agent, arrival)
    server.max_active                 # most requests served at the same time
    server.gaps()                     # seconds between consecutive arrivals

Known addresses (PLACES) answer with a house; «Via Sintetica <n>» in any comune answers with house number n
near the comune's interior point (bench, bulk tests); anything else is not found.
Every handler ends by itself (hang and drip stop at ``stop()`` or after 30 s).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest

try:
    from fake_server import HANDLER_LIMIT_S, FakeServer, serving
except ImportError:  # imported as tests.nominatim_server with only the project root on sys.path
    from tests.fake_server import HANDLER_LIMIT_S, FakeServer, serving

MODES = ("ok", "429", "503", "blocca", "goccia", "vuota", "molti", "altro-comune", "fuori", "malformata", "via",
         "500")  # fmt: skip
LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright"

# Interior points of the comuni (/work/shared/facts/district.md).
COMUNI = {
    "pavia": (45.1942, 9.1671), "carbonara al ticino": (45.1776, 9.0794), "cava manara": (45.1265, 9.1302),
    "mezzana rabattone": (45.0991, 9.0359), "san genesio ed uniti": (45.2354, 9.1843),
    "san martino siccomario": (45.1595, 9.1125), "sommo": (45.1237, 9.0821), "torre d'isola": (45.2209, 9.0730),
    "travacò siccomario": (45.1475, 9.1797), "villanova d'ardenghi": (45.1629, 9.0424), "zerbolò": (45.2123, 9.0195),
    "zinasco": (45.1134, 9.0065),
}
# (street as asked, lower case, "<number> <street>"; city lower case) → (lat, lon, suburb)
PLACES = {
    ("40 piazzale torino", "pavia"): (45.19050, 9.14200, "Vallone"),
    ("14 corso mazzini", "pavia"): (45.18610, 9.16080, "Centro storico"),
    ("15 piazza della vittoria", "pavia"): (45.18570, 9.15790, "Centro storico"),
    ("65 strada nuova", "pavia"): (45.18670, 9.15610, "Centro storico"),
    ("10 viale matteotti", "pavia"): (45.19150, 9.15800, "Centro storico"),
    ("2 via sant'ennodio", "pavia"): (45.18720, 9.15300, "Centro storico"),
    ("35 via roma", "san martino siccomario"): (45.16250, 9.13650, ""),
}


@dataclass
class Request:
    params: dict[str, str]
    user_agent: str
    arrival: float  # time.monotonic() when the request line was read


def result(lat: float, lon: float, *, street: str, number: str, city: str, suburb: str = "", kind: str = "house",
           place_id: int = 1) -> dict:
    """A jsonv2 result with address details, as Nominatim 4.x gives them."""
    house = kind == "house"
    address = {}
    if house and number:
        address["house_number"] = number
    address["road"] = street
    if suburb:
        address["suburb"] = suburb
    address.update({"city" if city == "Pavia" else "village": city, "county": "Pavia", "state": "Lombardia",
                    "postcode": "27100", "country": "Italia", "country_code": "it"})
    display = ", ".join(x for x in ([number] if house and number else []) + [street, suburb, city, "Lombardia", "Italia"] if x)
    return {
        "place_id": place_id, "licence": LICENCE, "osm_type": "node" if house else "way", "osm_id": 1000 + place_id,
        "lat": f"{lat:.7f}", "lon": f"{lon:.7f}",
        "category": "place" if house else "highway", "type": "house" if house else "residential",
        "place_rank": 30 if house else 26, "importance": 0.00001, "addresstype": "place" if house else "road",
        "name": "" if house else street, "display_name": display, "address": address,
        "boundingbox": [f"{lat - 0.0001:.7f}", f"{lat + 0.0001:.7f}", f"{lon - 0.0001:.7f}", f"{lon + 0.0001:.7f}"],
    }


def _split_street(street: str) -> tuple[str, str]:
    m = re.match(r"^(\d+\S*)\s+(.*)$", street.strip())
    return (m.group(1), m.group(2)) if m else ("", street.strip())


class NominatimServer(FakeServer):
    content_type = "application/json; charset=utf-8"
    handler_timeout_s = HANDLER_LIMIT_S

    def __init__(self, *, mode: str = "ok", fail_times: int = 1_000_000, retry_after: str | None = "1",
                 drip_s: float = 0.5):
        self.mode = mode
        self.fail_times = fail_times
        self.failed = 0
        self.retry_after = retry_after
        self.drip_s = drip_s
        self.street_modes: dict[str, str] = {}
        self.requests: list[Request] = []
        self.active = self.max_active = 0
        self._lock = threading.Lock()
        super().__init__()
        self.url = f"http://127.0.0.1:{self.port}"

    def do_get(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self._handle(h, parts.path, params)

    # -- what was asked --------------------------------------------------------------------------
    def gaps(self) -> list[float]:
        t = [r.arrival for r in self.requests]
        return [b - a for a, b in zip(t, t[1:])]

    # -- answers ---------------------------------------------------------------------------------
    def lookup(self, params: dict[str, str]) -> list[dict]:
        street = params.get("street", "").strip()
        city = params.get("city", "").strip()
        number, name = _split_street(street)
        key = (street.lower(), city.lower())
        if key in PLACES:
            lat, lon, suburb = PLACES[key]
            return [result(lat, lon, street=name, number=number, city=city, suburb=suburb)]
        m = re.fullmatch(r"(\d+) via sintetica", street.lower())
        if m and city.lower() in COMUNI:
            lat0, lon0 = COMUNI[city.lower()]
            k = int(m.group(1))
            lat, lon = lat0 + ((k * 37) % 100 - 50) * 0.00002, lon0 + ((k * 53) % 100 - 50) * 0.00002
            return [result(lat, lon, street=name.title(), number=number, city=city, place_id=k)]
        return []

    def _handle(self, h: BaseHTTPRequestHandler, path: str, params: dict[str, str]) -> None:
        arrival = time.monotonic()
        with self._lock:
            self.requests.append(Request(params, h.headers.get("User-Agent", ""), arrival))
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            mode = self.mode
            street = params.get("street", "").lower()
            for text, m in self.street_modes.items():
                if text in street:
                    mode = m
            if mode != "ok" and self.failed >= self.fail_times:
                mode = "ok"
            elif mode != "ok":
                self.failed += 1
        try:
            if path.rstrip("/") != "/search":
                self._send(h, 404, b'{"error":"not found"}')
            else:
                self._serve(h, mode, params)
        finally:
            with self._lock:
                self.active -= 1

    def _serve(self, h, mode: str, params: dict[str, str]) -> None:
        city = params.get("city", "")
        number, name = _split_street(params.get("street", ""))
        if mode == "ok":
            self._json(h, self.lookup(params))
        elif mode in ("429", "503"):
            extra = {"Retry-After": self.retry_after} if self.retry_after is not None else {}
            self._send(h, int(mode), b"<html><body>Too many requests</body></html>", "text/html", extra)
        elif mode == "500":
            self._send(h, 500, b"Internal Server Error", "text/plain")
        elif mode == "vuota":
            self._json(h, [])
        elif mode == "molti":  # the same street in the capoluogo and in a frazione, 2 km apart
            lat0, lon0 = COMUNI.get(city.lower(), COMUNI["pavia"])
            self._json(h, [
                result(lat0, lon0, street=name, number="", city=city, suburb="Centro", kind="road", place_id=1),
                result(lat0 + 0.018, lon0 + 0.002, street=name, number="", city=city, suburb="Fossarmato", kind="road",
                       place_id=2),
            ])
        elif mode == "via":  # only the street, no house number
            lat0, lon0 = COMUNI.get(city.lower(), COMUNI["pavia"])
            self._json(h, [result(lat0, lon0, street=name, number="", city=city, kind="road")])
        elif mode == "altro-comune":  # found, but in San Martino Siccomario
            lat, lon = COMUNI["san martino siccomario"]
            self._json(h, [result(lat, lon, street=name, number=number, city="San Martino Siccomario")])
        elif mode == "fuori":  # found, but in Milano
            self._json(h, [result(45.4642, 9.1900, street=name, number=number, city="Milano")])
        elif mode == "malformata":
            self._send(h, 200, b'[{"place_id":1,"lat":"45.1",,}]')
        elif mode == "blocca":
            self.hang(h)
        elif mode == "goccia":
            body = json.dumps(self.lookup(params)).encode()
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            self.drip(h, body, self.drip_s)
        else:  # pragma: no cover
            raise ValueError(mode)

    def _json(self, h, results: list[dict]) -> None:
        self._send(h, 200, json.dumps(results, ensure_ascii=False).encode("utf-8"))


@pytest.fixture
def nominatim_server():
    yield from serving(NominatimServer)
