"""A real Overpass API on 127.0.0.1 for the tests: generated OpenStreetMap data around Pavia, and
every way an Overpass server fails.

Use the ``overpass_server`` fixture:

    def test_x(overpass_server):
        overpass_server.mode = "ok"      # or see MODES; fail_times=N fails N times, then answers ok
        overpass_server.url              # http://127.0.0.1:PORT/api/interpreter
        overpass_server.requests         # list of Request(method, query, user_agent)
        overpass_server.max_active       # most requests served at the same time

The answer is ``out geom`` JSON: the elements of :func:`generate_osm` whose bounding box meets one
of the query's boxes, whole (not clipped), limited to what the query asks for (minor streets only
when it asks for "residential", buildings only when it asks for "building"), like a real server.
Every handler ends by itself (hang and drip stop at ``stop()`` or after 30 s).
"""

from __future__ import annotations

import gzip
import json
import math
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest

try:
    from fake_server import HANDLER_LIMIT_S, FakeServer, serving
except ImportError:  # imported as tests.overpass_server with only the project root on sys.path
    from tests.fake_server import HANDLER_LIMIT_S, FakeServer, serving

MODES = (
    "ok", "429", "504", "500", "400", "blocca", "goccia", "troncata", "troncata-gz", "malformata", "html", "vuota",
    "remark", "senza-elements",
)  # fmt: skip
TIMESTAMP = "2026-11-28T10:00:00Z"
LAT0, LON0 = 45.185, 9.155  # Pavia, centro
M_LAT = 111_200.0  # metres per degree of latitude
M_LON = 111_320.0 * math.cos(math.radians(LAT0))


def _pt(x_m: float, y_m: float) -> dict:
    """A node position x_m east, y_m north of Pavia's centre."""
    return {"lat": round(LAT0 + y_m / M_LAT, 7), "lon": round(LON0 + x_m / M_LON, 7)}


class _Ids:
    def __init__(self, start: int = 1000):
        self.n = start

    def __call__(self) -> int:
        self.n += 1
        return self.n


def _way(ids, pts_m, tags) -> dict:
    geom = [_pt(x, y) for x, y in pts_m]
    nodes = [ids() for _ in pts_m]
    if len(pts_m) > 2 and pts_m[0] == pts_m[-1]:
        nodes[-1] = nodes[0]
    return {"type": "way", "id": ids(), "nodes": nodes, "geometry": geom, "tags": tags}


def _ring(x0, y0, x1, y1):
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]


def generate_osm(*, streets: int = 40, buildings: int = 60, district: int = 0, seed: int = 7) -> list[dict]:
    """OSM elements around Pavia, ``out geom`` style.

    Always there: the Ticino as a multipolygon whose outer ring is made of three ways and has an
    island (inner ring); the Naviglio Pavese (canal line) and the Ticino (river line); the railway
    Milano–Genova crossing the whole district and the station «Pavia»; a park (Castello Visconteo);
    residential and industrial landuse; places (Pavia city, San Martino Siccomario village,
    frazioni Fossarmato and Cà della Terra, quartiere Borgo Ticino, one unnamed hamlet); main roads
    of every class (one with ``name:it``). Then ``streets`` minor streets (residential, service,
    pedestrian…) on a grid and ``buildings`` buildings, ids in a fixed order; and about ``district``
    features of the district query spread over the whole district (:func:`_countryside`: country
    roads, ditches and canals, built-up areas, woods, ponds, hamlets), as dense as the real
    OpenStreetMap data of the Pavese, for the bench.
    """
    import random

    rnd = random.Random(seed)
    ids = _Ids()
    els: list[dict] = []
    # The Ticino: a 12 km band south of the centre, outer ring split into three ways.
    south, north, west, east = -1500.0, -1100.0, -6000.0, 6000.0
    a = [(west, north), (0.0, north), (east, north)]
    b = [(east, north), (east, south), (0.0, south)]
    c = [(0.0, south), (west, south), (west, north)]
    outer = [_way(ids, pts, {}) for pts in (a, b, c)]
    island = _way(ids, _ring(-500, -1400, 500, -1200), {})
    els += outer + [island]
    els.append(
        {
            "type": "relation",
            "id": 7001,
            "tags": {"type": "multipolygon", "natural": "water", "water": "river", "name": "Ticino"},
            "members": [{"type": "way", "ref": w["id"], "role": "outer", "geometry": w["geometry"]} for w in outer]
            + [{"type": "way", "ref": island["id"], "role": "inner", "geometry": island["geometry"]}],
        }
    )
    els.append(_way(ids, [(west, -1300), (0, -1320), (east, -1300)], {"waterway": "river", "name": "Ticino"}))
    els.append(_way(ids, [(200, 9000), (150, 3000), (100, 0), (0, -1100)], {"waterway": "canal", "name": "Naviglio Pavese"}))
    els.append(_way(ids, [(-3000, 14000), (-600, 300), (0, -3000), (1000, -16000)], {"railway": "rail", "name": "Milano-Genova"}))
    els.append({"type": "node", "id": 9001, **_pt(-560, 250), "tags": {"railway": "station", "name": "Pavia"}})
    els.append(_way(ids, _ring(-100, 600, 300, 900), {"leisure": "park", "name": "Castello Visconteo"}))
    els.append(_way(ids, _ring(-2000, -1000, 2000, 2000), {"landuse": "residential"}))
    els.append(_way(ids, _ring(2500, 1500, 4000, 2500), {"landuse": "industrial"}))
    places = [
        (0, 0, {"place": "city", "name": "Pavia"}),
        (-2500, -2500, {"place": "village", "name": "San Martino Siccomario"}),
        (3500, 3500, {"place": "hamlet", "name": "Fossarmato"}),
        (-3500, 3000, {"place": "hamlet", "name": "Cà della Terra"}),
        (-300, -1700, {"place": "suburb", "name": "Borgo Ticino"}),
        (5000, 5000, {"place": "hamlet"}),  # no name: not drawn
    ]
    for k, (x, y, tags) in enumerate(places):
        els.append({"type": "node", "id": 8001 + k, **_pt(x, y), "tags": tags})
    mains = [
        ("motorway", "Autostrada A7", [(-9000, 9000), (-7000, -9000)]),
        ("primary", "Viale Cremona", [(0, 0), (6000, 2000)]),
        ("secondary", "Via Riviera", [(-4000, -800), (0, -900)]),
        ("tertiary", "Via Olevano", [(-2000, 2500), (0, 2600)]),
        ("primary_link", "", [(6000, 2000), (6100, 2200)]),
    ]
    for hw, name, pts in mains:
        els.append(_way(ids, pts, {"highway": hw, "name": name} if name else {"highway": hw}))
    els.append(_way(ids, [(0, 0), (0, 3000)], {"highway": "secondary", "name": "Strada Nuova", "name:it": "Strada Nuova (it)"}))
    minor = ("residential", "residential", "service", "pedestrian", "unclassified", "living_street")
    side = max(1, int(math.ceil(math.sqrt(streets))))
    for k in range(streets):
        gx, gy = k % side, k // side
        x, y = -1500 + gx * 3000 / side, -900 + gy * 2700 / side
        pts = [(x, y), (x + 60 + rnd.random() * 80, y + rnd.random() * 40), (x + 160, y + 10)]
        els.append(_way(ids, pts, {"highway": minor[k % len(minor)], "name": f"Via {k + 1}"}))
    side = max(1, int(math.ceil(math.sqrt(buildings))))
    for k in range(buildings):
        gx, gy = k % side, k // side
        x, y = -800 + gx * 1600 / side, -800 + gy * 1600 / side
        w = 8 + rnd.random() * 10
        els.append(_way(ids, _ring(x, y, x + w, y + w * 0.7), {"building": "yes"}))
    if district:
        els += _countryside(ids, district, rnd)
    return els


# The district around Pavia's centre, in metres (x east, y north), as the Mappa's views frame it.
DISTRICT_M = (-16_000.0, -13_000.0, 7_500.0, 19_000.0)
# Shares of the district features, roughly as in OpenStreetMap around Pavia (November 2026).
_COUNTRY = (
    ("strada", 0.27), ("fosso", 0.38), ("canale", 0.02), ("abitato", 0.10), ("produttivo", 0.05),
    ("bosco", 0.13), ("stagno", 0.03), ("cascina", 0.02),
)  # fmt: skip


def _countryside(ids, n: int, rnd) -> list[dict]:
    """About ``n`` district-level features spread over :data:`DISTRICT_M`."""
    x0, y0, x1, y1 = DISTRICT_M
    out: list[dict] = []

    def walk(k: int, step: float) -> list[tuple[float, float]]:
        x, y = rnd.uniform(x0, x1), rnd.uniform(y0, y1)
        heading = rnd.uniform(0, 2 * math.pi)
        pts = [(x, y)]
        for _ in range(k - 1):
            heading += rnd.gauss(0, 0.35)
            x = min(x1, max(x0, x + step * math.cos(heading)))
            y = min(y1, max(y0, y + step * math.sin(heading)))
            pts.append((round(x, 1), round(y, 1)))
        return pts

    def blob(radius: float, k: int) -> list[tuple[float, float]]:
        cx, cy = rnd.uniform(x0, x1), rnd.uniform(y0, y1)
        pts = []
        for j in range(k):
            a = 2 * math.pi * j / k
            r = radius * rnd.uniform(0.6, 1.0)
            pts.append((round(cx + r * math.cos(a), 1), round(cy + r * math.sin(a), 1)))
        return pts + [pts[0]]

    for kind, share in _COUNTRY:
        for k in range(max(1, round(n * share))):
            if kind == "strada":
                hw = ("secondary", "tertiary", "tertiary", "tertiary")[k % 4]
                out.append(_way(ids, walk(rnd.randint(6, 16), rnd.uniform(120, 260)), {"highway": hw, "name": f"Strada Provinciale {k + 1}"}))
            elif kind == "fosso":
                ww = ("ditch", "drain", "ditch", "stream")[k % 4]
                tags = {"waterway": ww, **({"name": f"Roggia {k + 1}"} if k % 3 == 0 else {})}
                out.append(_way(ids, walk(rnd.randint(5, 14), rnd.uniform(80, 200)), tags))
            elif kind == "canale":
                out.append(_way(ids, walk(rnd.randint(20, 40), 250.0), {"waterway": "canal", "name": f"Canale {k + 1}"}))
            elif kind == "abitato":
                out.append(_way(ids, blob(rnd.uniform(80, 350), 12), {"landuse": "residential"}))
            elif kind == "produttivo":
                out.append(_way(ids, blob(rnd.uniform(60, 250), 8), {"landuse": ("industrial", "commercial")[k % 2]}))
            elif kind == "bosco":
                tags = {"natural": "wood"} if k % 2 else {"landuse": "forest"}
                out.append(_way(ids, blob(rnd.uniform(60, 500), 16), tags))
            elif kind == "stagno":
                out.append(_way(ids, blob(rnd.uniform(20, 120), 10), {"natural": "water"}))
            else:
                x, y = rnd.uniform(x0, x1), rnd.uniform(y0, y1)
                out.append({"type": "node", "id": ids(), **_pt(x, y), "tags": {"place": "hamlet", "name": f"Cascina {k + 1}"}})
    return out


def _bbox(el: dict) -> tuple[float, float, float, float] | None:
    pts = []
    if el["type"] == "node":
        pts = [el]
    elif el["type"] == "way":
        pts = el["geometry"]
    else:
        pts = [p for m in el.get("members", []) for p in m.get("geometry", [])]
    if not pts:
        return None
    lats = [p["lat"] for p in pts]
    lons = [p["lon"] for p in pts]
    return min(lats), min(lons), max(lats), max(lons)


def _group(el: dict) -> str:
    tags = el.get("tags") or {}
    if "building" in tags:
        return "edifici"
    if tags.get("highway") in ("residential", "unclassified", "living_street", "pedestrian", "service"):
        return "strade"
    return "distretto"


_BOX = re.compile(r"\((-?[\d.]+),(-?[\d.]+),(-?[\d.]+),(-?[\d.]+)\)")


@dataclass
class Request:
    method: str
    query: str
    user_agent: str


class OverpassServer(FakeServer):
    handler_timeout_s = HANDLER_LIMIT_S

    def __init__(self, elements: list[dict] | None = None) -> None:
        self.elements = generate_osm() if elements is None else elements
        self._boxes = [_bbox(el) for el in self.elements]
        self._groups = [_group(el) for el in self.elements]
        self.mode = "ok"
        self.fail_times = 10**9  # failing modes fail this many times, then the server answers ok
        self.retry_after: str | None = "1"  # for 429/504; None: no header
        self.drip_s = 1.0
        self.gzip = True  # compress "ok" answers when the client accepts gzip, as Overpass does
        self.delay_s = 0.0  # "ok" answers wait this long first (to see whether requests overlap)
        self.requests: list[Request] = []
        self.active = 0
        self.max_active = 0
        self.failed = 0
        self._lock = threading.Lock()
        self._cache: dict[str, bytes] = {}
        super().__init__()
        self.url = f"http://127.0.0.1:{self.port}/api/interpreter"

    def do_get(self, h: BaseHTTPRequestHandler) -> None:
        self._handle(h, parse_qs(urlsplit(h.path).query).get("data", [""])[0])

    def do_post(self, h: BaseHTTPRequestHandler) -> None:
        n = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(n).decode("utf-8", "replace")
        self._handle(h, parse_qs(raw).get("data", [""])[0])

    # -- answers ---------------------------------------------------------------------------
    def answer(self, query: str) -> bytes:
        """The OK answer to ``query`` (cached: the bench asks for tens of MB)."""
        if query not in self._cache:
            boxes = [tuple(map(float, m.groups())) for m in _BOX.finditer(query)]
            wanted = {"distretto"}
            if '["highway"~"^(residential' in query:
                wanted = {"strade"}
            if '["building"]' in query:
                wanted = {"edifici"}
            out = []
            for el, bb, group in zip(self.elements, self._boxes, self._groups):
                if group not in wanted or bb is None:
                    continue
                if not (el.get("tags") or {}):
                    continue  # untagged member ways come inside their relation (out geom)
                if any(bb[0] <= n and bb[2] >= s and bb[1] <= e and bb[3] >= w for s, w, n, e in boxes):
                    out.append(el)
            self._cache[query] = self.document(out)
        return self._cache[query]

    def answer_gz(self, query: str) -> bytes:
        key = "gz:" + query
        if key not in self._cache:
            self._cache[key] = gzip.compress(self.answer(query), compresslevel=1, mtime=0)
        return self._cache[key]

    @staticmethod
    def document(elements: list[dict], **extra) -> bytes:
        doc = {
            "version": 0.6,
            "generator": "Overpass API 0.7.62 (finto, test di stampa)",
            "osm3s": {"timestamp_osm_base": TIMESTAMP, "copyright": "The data included in this document is from www.openstreetmap.org."},
            **extra,
            "elements": elements,
        }
        return json.dumps(doc, separators=(",", ":")).encode()

    def _handle(self, h: BaseHTTPRequestHandler, query: str) -> None:
        with self._lock:
            self.requests.append(Request(h.command, query, h.headers.get("User-Agent", "")))
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            mode = self.mode
            if mode != "ok" and self.failed >= self.fail_times:
                mode = "ok"
            elif mode != "ok":
                self.failed += 1
        try:
            self._serve(h, mode, query)
        finally:
            with self._lock:
                self.active -= 1

    def _serve(self, h, mode: str, query: str) -> None:
        if mode == "ok":
            if self.delay_s:
                self._closing.wait(self.delay_s)
            if self.gzip and "gzip" in h.headers.get("Accept-Encoding", ""):
                self._send(h, 200, self.answer_gz(query), extra={"Content-Encoding": "gzip"})
            else:
                self._send(h, 200, self.answer(query))
        elif mode in ("429", "504"):
            extra = {"Retry-After": self.retry_after} if self.retry_after is not None else {}
            self._send(h, int(mode), b"<html><body><p>Too many requests</p></body></html>", "text/html", extra)
        elif mode == "500":
            self._send(h, 500, b"Internal Server Error", "text/plain")
        elif mode == "400":
            body = (
                b'<?xml version="1.0" encoding="UTF-8"?><html><body><p><strong style="color:#FF0000">Error</strong>: '
                b"line 2: parse error: Unknown type &quot;wy&quot; </p></body></html>"
            )
            self._send(h, 400, body, "text/html")
        elif mode == "html":
            body = (
                b"<!DOCTYPE html><html><head><title>OSM3S Response</title></head><body>"
                b'<p><strong style="color:#FF0000">Error</strong>: runtime error: open64: 0 Success '
                b"/osm3s_osm_base Dispatcher_Client::request_read_and_idx::timeout.</p></body></html>"
            )
            self._send(h, 200, body, "text/html")
        elif mode == "blocca":
            self.hang(h)
        elif mode == "goccia":
            body = self.answer(query)
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            self.drip(h, body, self.drip_s)
        elif mode == "troncata":  # the stream stopped halfway, Content-Length matching the cut
            body = self.answer(query)
            self._send(h, 200, body[: len(body) // 2])
        elif mode == "troncata-gz":  # the same, compressed
            body = self.answer_gz(query)
            self._send(h, 200, body[: len(body) // 2], extra={"Content-Encoding": "gzip"})
        elif mode == "malformata":
            self._send(h, 200, b'{"version":0.6,"elements":[{"type":"node",,}]}')
        elif mode == "vuota":
            self._send(h, 200, self.document([]))
        elif mode == "senza-elements":
            self._send(h, 200, b'{"version":0.6,"osm3s":{"timestamp_osm_base":"2026-11-28T10:00:00Z"}}')
        elif mode == "remark":
            half = json.loads(self.answer(query))["elements"][:3]
            remark = 'runtime error: Query timed out in "query" at line 3 after 25 seconds.'
            self._send(h, 200, self.document(half, remark=remark))
        else:  # pragma: no cover
            raise ValueError(mode)


@pytest.fixture
def overpass_server():
    yield from serving(OverpassServer)
