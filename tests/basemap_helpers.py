"""Shared bits of the basemap tests: small extents around Pavia and a test configuration."""

from __future__ import annotations

import math

from pyproj import Transformer

from stampa.config import Sfondo

_TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32632", always_xy=True)
_TO_MERC = Transformer.from_crs("EPSG:32632", "EPSG:3857", always_xy=True)
PAVIA = _TO_UTM.transform(9.158, 45.185)  # Piazza della Vittoria, roughly
# The whole district (lon 8.958–9.241, lat 45.073–45.253) in EPSG:32632.
DISTRICT = tuple(_TO_UTM.transform_bounds(8.958, 45.073, 9.241, 45.253, densify_pts=21))


def around(cx: float, cy: float, half_w: float, half_h: float | None = None) -> tuple[float, float, float, float]:
    half_h = half_w if half_h is None else half_h
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def make_cfg(url: str, **kw) -> Sfondo:
    """Timeouts short enough that every failure test ends within a few seconds."""
    base = dict(fonte=url, attribuzione="© Tessere di prova", zoom_massimo=18, timeout_s=1.0, tentativi=1, tempo_massimo_s=20.0)
    base.update(kw)
    return Sfondo(**base)


def expected_tile_at(x_utm: float, y_utm: float, zoom: int, tile_px: int) -> tuple[int, int, float, float]:
    """Tile (x, y) under a EPSG:32632 point, and the pixel position inside that tile (independent
    of stampa's own maths: the slippy-map formulas on the Web Mercator coordinates)."""
    mx, my = _TO_MERC.transform(x_utm, y_utm)
    half = 20037508.342789244
    n = 2**zoom
    fx = (mx + half) / (2 * half) * n
    fy = (half - my) / (2 * half) * n
    tx, ty = math.floor(fx), math.floor(fy)
    return tx, ty, (fx - tx) * tile_px, (fy - ty) * tile_px
