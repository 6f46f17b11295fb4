"""Shared inputs for the cartography tests: the real district, sample editions, synthetic basemaps."""

from __future__ import annotations

import numpy as np

from stampa.config import Distretto
from stampa.district import load_district
from stampa.entries.model import Entry
from stampa.numbering import number_entries

CODES = ("018110", "018030", "018041", "018091", "018135", "018137", "018151", "018159", "018162", "018179", "018189", "018190")
PIAZZA_VITTORIA = (9.1563, 45.1855)  # lon, lat

from stampa.basemap import Basemap


def district():
    return load_district(Distretto(nome="Distretto sociale pavese", comuni=CODES, anno_confini=2023))


def _entry(d, i: int, lon: float, lat: float, tipo: str, quartiere: str = "") -> Entry:
    code = d.locate(lon, lat)[0]
    assert code, (lon, lat)
    return Entry(
        id=f"v{i:04d}",
        nome=f"{'Laboratorio' if tipo == 'laboratorio' else 'Gruppo'} {i}",
        tipo=tipo,
        comune=d.nome(code),
        istat=code,
        lon=float(lon),
        lat=float(lat),
        quartiere=quartiere,
    )


def _random_in(d, rng, code: str, n: int):
    geom = d.comuni.geometry[code]
    x0, y0, x1, y1 = geom.bounds
    out = []
    while len(out) < n:
        lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if d.locate(lon, lat)[0] == code:
            out.append((lon, lat))
    return out


def dense_edition(d=None):
    """35 entries: 12 within ~1 km of Piazza della Vittoria, 9 more in Pavia, 14 in other comuni."""
    d = d or district()
    rng = np.random.default_rng(7)
    pts = []
    for _ in range(12):
        r = rng.uniform(0, 900) / 111_000
        a = rng.uniform(0, 2 * np.pi)
        pts.append((PIAZZA_VITTORIA[0] + r * np.cos(a) / 0.705, PIAZZA_VITTORIA[1] + r * np.sin(a)))
    pts.append(pts[0])  # two entries in the same building
    for _ in range(8):
        r = rng.uniform(1200, 3500) / 111_000
        a = rng.uniform(0, 2 * np.pi)
        pts.append((PIAZZA_VITTORIA[0] + r * np.cos(a) / 0.705, PIAZZA_VITTORIA[1] + r * np.sin(a)))
    for code in CODES[1:]:
        pts += _random_in(d, rng, code, 1 if code not in ("018041", "018162", "018137") else 2)
    entries = [_entry(d, i + 1, lon, lat, "laboratorio" if i % 3 == 0 else "gruppo") for i, (lon, lat) in enumerate(pts)]
    return number_entries(entries)


def sparse_edition(d=None):
    """One entry in each comune: nothing crowds, so no inset."""
    d = d or district()
    rng = np.random.default_rng(3)
    entries = []
    for i, code in enumerate(CODES):
        (lon, lat), = _random_in(d, rng, code, 1)
        entries.append(_entry(d, i + 1, lon, lat, "laboratorio" if i % 2 else "gruppo"))
    return number_entries(entries)


def synthetic_edition(n: int, d=None, seed: int = 11):
    """n entries: 40 % around central Pavia, the rest anywhere in the district."""
    d = d or district()
    rng = np.random.default_rng(seed)
    pts = []
    for _ in range(int(n * 0.4)):
        r = abs(rng.normal(0, 900)) / 111_000
        a = rng.uniform(0, 2 * np.pi)
        pts.append((PIAZZA_VITTORIA[0] + r * np.cos(a) / 0.705, PIAZZA_VITTORIA[1] + r * np.sin(a)))
    x0, y0, x1, y1 = d.outline.bounds
    while len(pts) < n:
        lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if d.locate(lon, lat)[0]:
            pts.append((lon, lat))
    entries = [_entry(d, i + 1, lon, lat, "laboratorio" if i % 4 == 0 else "gruppo") for i, (lon, lat) in enumerate(pts)]
    return number_entries(entries)


def synthetic_basemap(view, ppi: float = 100.0, attribution=("© OpenStreetMap contributors, dati ODbL (openstreetmap.org/copyright)", "Stile © CARTO")):
    """A north-up image exactly covering the view at ``ppi`` on its frame: a pale grid with a
    diagonal gradient, recognisable in renders and of a known pixel size."""
    w_mm, h_mm = view.frame_mm
    w, h = round(w_mm / 25.4 * ppi), round(h_mm / 25.4 * ppi)
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.empty((h, w, 3), dtype=np.uint8)
    base = 236 + (xx + yy) * 12 // (w + h)
    img[..., 0] = base
    img[..., 1] = base + 2
    img[..., 2] = 230
    grid = ((xx % 40) == 0) | ((yy % 40) == 0)
    img[grid] = (210, 214, 220)
    return Basemap(image=img, extent=view.extent, source="prova", kind="tessere", zoom=14, ppi=ppi, attribution=tuple(attribution), fallback=False, tiles=0, problems=())
