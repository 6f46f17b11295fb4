"""OpenStreetMap-like data built directly with shapely (no network) for the basemap drawing tests
and the bench: a small named town around a point of Pavia, and a large synthetic district."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
from shapely.geometry import LineString, Point, Polygon, box

from stampa.basemap import View
from stampa.basemap.osm_model import UTM, Coverage, OsmData
from stampa.cartography.geometry import Viewport

CENTRE = (513_000.0, 5_003_000.0)  # EPSG:32632 metres, central Pavia

# east–west streets (south to north) and north–south streets (west to east), with their classes
EW_STREETS = [
    ("Viale Cesare Battisti", "secondaria"),
    ("Via Sant'Ennodio", "locale"),
    ("Via Luigi Porta", "locale"),
    ("Corso Cavour", "principale"),
    ("Via Mentana", "locale"),
    ("Via Scopoli", "locale"),
    ("Via Rismondo", "terziaria"),
    ("Via Lanfranco", "locale"),
    ("Via Sacchi", "pedonale"),
]
NS_STREETS = [
    ("Viale Matteotti", "secondaria"),
    ("Via Défendente Sacchi", "locale"),
    ("Via Bossolaro", "locale"),
    ("Corso Strada Nuova", "principale"),
    ("Via Mazzini", "locale"),
    ("Via dell'Università", "locale"),
    ("Via Cardano", "terziaria"),
    ("Via Volta", "locale"),
    ("Piazza della Vittoria", "pedonale"),
]
SPACING_M = 180.0


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, columns=["osm_id", "strato", "classe", "nome", "geometry"], geometry="geometry", crs=UTM)


class _Rows:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, kind: str, strato: str, classe: str, nome: str, geom) -> None:
        self.rows.append({"osm_id": f"{kind}/{len(self.rows) + 1}", "strato": strato, "classe": classe, "nome": nome, "geometry": geom})


def _wavy(x0, y0, x1, y1, n, amp, phase=0.0):
    t = np.linspace(0, 1, n)
    x = x0 + (x1 - x0) * t
    y = y0 + (y1 - y0) * t
    nx, ny = -(y1 - y0), x1 - x0
    norm = math.hypot(nx, ny) or 1.0
    off = amp * np.sin(t * math.pi * 2 + phase)
    return np.column_stack([x + nx / norm * off, y + ny / norm * off])


def sample_osm() -> OsmData:
    """A town centre of ~2 × 2 km: a grid of named streets split at every junction (so the labels
    must merge them), the Ticino with its surface and its line, the Naviglio Pavese, a railway with
    its station, a park, built-up areas, buildings, a hamlet and a quarter."""
    cx, cy = CENTRE
    r = _Rows()
    n = len(EW_STREETS)
    half = (n - 1) / 2 * SPACING_M
    xs = [cx - half + i * SPACING_M for i in range(n)]
    ys = [cy - half + j * SPACING_M for j in range(n)]
    # built-up first (any order is fine: the drawing orders by layer)
    r.add("way", "abitato", "residenziale", "", box(cx - half - 150, cy - half - 150, cx + half + 150, cy + half + 150))
    r.add("way", "abitato", "produttivo", "", box(cx + half + 300, cy - 600, cx + half + 1100, cy + 200))
    r.add("way", "verde", "parco", "Parco della Vernavola", box(cx - half - 900, cy + 100, cx - half - 250, cy + 900))
    r.add("way", "verde", "bosco", "", Polygon([(cx - 3000, cy - 2100), (cx - 1200, cy - 2050), (cx - 1500, cy - 1500), (cx - 2900, cy - 1600)]))
    r.add("way", "verde", "cimitero", "Cimitero Monumentale", box(cx + half + 300, cy + 500, cx + half + 600, cy + 800))
    # streets: one way per block (split at every junction, as OSM does)
    for j, (name, cls) in enumerate(EW_STREETS):
        for i in range(n - 1):
            r.add("way", "strade", cls, name, LineString([(xs[i], ys[j]), (xs[i + 1], ys[j])]))
    for i, (name, cls) in enumerate(NS_STREETS):
        for j in range(n - 1):
            r.add("way", "strade", cls, name, LineString([(xs[i], ys[j]), (xs[i], ys[j + 1])]))
    # a main road leaving town to the east, a ring road and unnamed service roads
    r.add("way", "strade", "principale", "Viale Campari", LineString(_wavy(xs[-1], ys[4], cx + 4000, cy + 900, 30, 120)))
    r.add("way", "strade", "autostrada", "Tangenziale Est", LineString(_wavy(cx + 2600, cy - 4000, cx + 2700, cy + 4000, 40, 200)))
    for k in range(8):
        x = xs[k] + SPACING_M / 2
        r.add("way", "strade", "servizio", "", LineString([(x, ys[2]), (x, ys[2] + 60)]))
    # buildings: four per block
    for i in range(n - 1):
        for j in range(n - 1):
            for a in (0.2, 0.6):
                for b in (0.2, 0.6):
                    x0 = xs[i] + a * SPACING_M
                    y0 = ys[j] + b * SPACING_M
                    r.add("way", "edifici", "edificio", "", box(x0, y0, x0 + 0.28 * SPACING_M, y0 + 0.25 * SPACING_M))
    # the Ticino south of the centre: a wide surface and its line along the middle
    south = ys[0] - 450
    line = _wavy(cx - 6000, south - 200, cx + 6000, south + 150, 60, 150)
    river_line = LineString(line)
    r.add("way", "acqua", "fiume", "Fiume Ticino", river_line.buffer(90, cap_style="flat"))
    r.add("way", "corsi_acqua", "fiume", "Fiume Ticino", river_line)
    # the Naviglio Pavese from the north-west into the town
    r.add("way", "corsi_acqua", "canale", "Naviglio Pavese", LineString(_wavy(cx - 3500, cy + 4000, xs[0] - 60, ys[1], 40, 80)))
    r.add("way", "corsi_acqua", "fosso", "", LineString([(cx - 2500, cy - 800), (cx - 1500, cy - 1200)]))
    # the railway west of the centre and its station
    r.add("way", "ferrovia", "ferrovia", "", LineString(_wavy(cx - 1500, cy - 4000, cx - 1250, cy + 4000, 40, 60)))
    r.add("node", "stazioni", "stazione", "Stazione di Pavia", Point(cx - 1380, cy + 150))
    # places
    r.add("node", "luoghi", "citta", "Pavia", Point(cx, cy))
    r.add("node", "luoghi", "frazione", "Fossarmato", Point(cx + 1800, cy - 2600))
    r.add("node", "luoghi", "cascina", "Cascina Rosa", Point(cx + 1300, cy + 500))  # a farm: named only close up
    r.add("node", "luoghi", "quartiere", "Borgo Ticino", Point(cx - 200, south - 700))
    r.add("node", "luoghi", "paese", "San Martino Siccomario", Point(cx - 3200, south - 1500))
    features = _frame(r.rows)
    ext = tuple(features.total_bounds)
    return OsmData(features=features, data_osm="2026-11-01T00:00:00Z", copertura=(Coverage(ext, "edifici"),), server="test")


def large_osm(n_ways: int = 30_000, *, seed: int = 0, size_m: float = 24_000.0) -> OsmData:
    """A synthetic district of about ``n_ways`` ways centred on :data:`CENTRE`: towns with
    street grids (short wavy segments, named streets, buildings), country roads, rivers,
    fields of built-up areas and woods. For the bench and the speed test."""
    rng = np.random.default_rng(seed)
    cx, cy = CENTRE
    r = _Rows()
    classes = ["locale"] * 12 + ["terziaria", "servizio", "servizio", "pedonale"]
    towns = [(cx, cy, 3000.0)] + [(cx + rng.uniform(-0.45, 0.45) * size_m, cy + rng.uniform(-0.45, 0.45) * size_m, rng.uniform(600, 1400)) for _ in range(14)]
    # rivers and canals across the district
    for k in range(4):
        y = cy + (k - 1.5) * size_m / 5
        geom = LineString(_wavy(cx - size_m / 2, y, cx + size_m / 2, y + rng.uniform(-2000, 2000), 200, 300, k))
        r.add("way", "corsi_acqua", ("fiume", "canale", "torrente", "canale")[k], ("Fiume Ticino", "Naviglio Pavese", "Roggia Vernavola", "Canale Gravellone")[k], geom)
        if k == 0:
            r.add("way", "acqua", "fiume", "Fiume Ticino", geom.buffer(100, cap_style="flat"))
    # main roads between towns
    for k in range(len(towns) - 1):
        a, b = towns[k], towns[k + 1]
        r.add("way", "strade", "principale", f"Strada Provinciale {k + 1}", LineString(_wavy(a[0], a[1], b[0], b[1], 80, 150, k)))
    r.add("way", "ferrovia", "ferrovia", "", LineString(_wavy(cx - size_m / 2, cy - size_m / 2, cx + size_m / 2, cy + size_m / 2, 200, 400)))
    street_no = 0
    while len(r.rows) < n_ways:
        for tx, ty, radius in towns:
            if len(r.rows) >= n_ways:
                break
            r.add("way", "abitato", "residenziale", "", Point(tx, ty).buffer(radius, 16))
            # a street grid with short wavy segments
            step = 110.0
            m = int(radius * 2 / step)
            x0, y0 = tx - radius, ty - radius
            for i in range(m):
                street_no += 1
                cls = classes[street_no % len(classes)]
                name = f"Via {street_no}" if cls != "servizio" else ""
                for j in range(m - 1):
                    pa = (x0 + i * step + rng.normal(0, 8), y0 + j * step)
                    pb = (x0 + i * step + rng.normal(0, 8), y0 + (j + 1) * step)
                    if math.hypot(pa[0] - tx, pa[1] - ty) > radius:
                        continue
                    r.add("way", "strade", cls, name, LineString(_wavy(*pa, *pb, 6, 4, i)))
                    if rng.random() < 0.8:
                        bx, by = pa[0] + 15, pa[1] + 20
                        r.add("way", "edifici", "edificio", "", box(bx, by, bx + rng.uniform(12, 40), by + rng.uniform(10, 30)))
                    if rng.random() < 0.5:
                        qb = (pa[0] + step, pa[1] + rng.normal(0, 8))
                        r.add("way", "strade", cls, f"Via {street_no}-{j}" if name else "", LineString(_wavy(*pa, *qb, 6, 4, j)))
            r.add("way", "verde", "bosco", "", Point(tx + radius * 1.5, ty - radius).buffer(radius * 0.4, 8))
            r.add("node", "luoghi", "frazione", f"Frazione {len(r.rows)}", Point(tx + radius * 1.2, ty + radius * 1.2))
    features = _frame(r.rows)
    ext = tuple(features.total_bounds)
    return OsmData(features=features, data_osm="2026-11-01T00:00:00Z", copertura=(Coverage(ext, "edifici"),), server="synthetic")


def port_at(scale: float, frame_mm: tuple[float, float], centre=CENTRE, origin_mm=(0.0, 0.0), name: str = "vista") -> Viewport:
    """A view of ``frame_mm`` at 1:``scale`` centred on ``centre`` (EPSG:32632)."""
    w = frame_mm[0] * scale / 1000
    h = frame_mm[1] * scale / 1000
    ext = (centre[0] - w / 2, centre[1] - h / 2, centre[0] + w / 2, centre[1] + h / 2)
    return Viewport(View(name, ext, frame_mm), origin_mm)
