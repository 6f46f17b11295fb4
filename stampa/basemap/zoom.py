"""Tile maths: which zoom a printed frame needs, and which tiles cover it.

contextily's ``zoom="auto"`` looks only at the lon/lat box and picks ~z12 for the district (about 60
ppi on A3). For print the zoom comes from the printed size: the smallest zoom whose ground
resolution reaches the target ppi, capped by the provider's max zoom and by the tile budget,
counted before any download.

Web Mercator ground resolution at latitude φ, zoom z, tiles of ``tile_px`` pixels:
    156543.03392804097 · cos φ / 2^z / (tile_px / 256)   metres per pixel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from ..units import METRIC_CRS

MM_PER_INCH = 25.4
HALF_WORLD = 20037508.342789244  # EPSG:3857 half-width, metres
EQUATOR_RES = 2 * HALF_WORLD / 256  # 156543.0339… m/px at z0 with 256 px tiles
UTM = METRIC_CRS
MERCATOR = "EPSG:3857"
MAX_ZOOM = 24  # no tile service goes further

Extent = tuple[float, float, float, float]


@lru_cache(maxsize=8)
def _transformer(src: str, dst: str):
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


def transform_extent(extent: Extent, src: str = UTM, dst: str = MERCATOR) -> Extent:
    """Bounds of ``extent`` in another CRS, densified along the edges (UTM edges curve in Mercator)."""
    return tuple(_transformer(src, dst).transform_bounds(*extent, densify_pts=21))  # type: ignore[return-value]


def centre_latitude(extent: Extent) -> float:
    lon, lat = _transformer(UTM, "EPSG:4326").transform((extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2)
    return lat


def ground_resolution(zoom: int, lat: float, tile_px: int = 256) -> float:
    """Metres on the ground per tile pixel."""
    return EQUATOR_RES * math.cos(math.radians(lat)) / 2**zoom / (tile_px / 256)


def tile_size_m(zoom: int) -> float:
    """Side of one tile in EPSG:3857 units."""
    return 2 * HALF_WORLD / 2**zoom


def tile_range(merc: Extent, zoom: int) -> tuple[int, int, int, int]:
    """Inclusive tile columns and rows (x0, y0, x1, y1) covering a EPSG:3857 box."""
    size = tile_size_m(zoom)
    last = 2**zoom - 1
    eps = size * 1e-9  # a box edge exactly on a tile edge does not need the next tile

    def col(x: float) -> int:
        return min(last, max(0, math.floor((x + HALF_WORLD) / size)))

    def row(y: float) -> int:
        return min(last, max(0, math.floor((HALF_WORLD - y) / size)))

    return col(merc[0]), row(merc[3]), col(merc[2] - eps), row(merc[1] + eps)


def with_margin(merc: Extent, zoom: int, tile_px: int, pixels: int = 8) -> Extent:
    """A EPSG:3857 box grown by a few tile pixels: the resampling kernel reads past the edge."""
    m = tile_size_m(zoom) / tile_px * pixels
    return (merc[0] - m, merc[1] - m, merc[2] + m, merc[3] + m)


def needed_tiles(extent: Extent, zoom: int, tile_px: int = 256) -> list[tuple[int, int]]:
    """Tiles (x, y), row by row, covering a EPSG:32632 extent at ``zoom``: what will be downloaded."""
    x0, y0, x1, y1 = tile_range(with_margin(transform_extent(extent), zoom, tile_px), zoom)
    return [(x, y) for y in range(y0, y1 + 1) for x in range(x0, x1 + 1)]


def count_tiles(extent: Extent, zoom: int, tile_px: int = 256) -> int:
    """How many tiles :func:`needed_tiles` gives, without listing them."""
    x0, y0, x1, y1 = tile_range(with_margin(transform_extent(extent), zoom, tile_px), zoom)
    return (x1 - x0 + 1) * (y1 - y0 + 1)


def frame_pixels(frame_mm: tuple[float, float], ppi: float) -> tuple[int, int]:
    """Pixels (width, height) of a frame printed at ``ppi``."""
    return (max(1, round(frame_mm[0] / MM_PER_INCH * ppi)), max(1, round(frame_mm[1] / MM_PER_INCH * ppi)))


def ppi_of(extent: Extent, frame_mm: tuple[float, float], metres_per_px: float) -> float:
    """Resolution at print size of an image with ``metres_per_px`` drawn over ``extent`` in the frame
    (the coarser of the two axes)."""
    width_m, height_m = extent[2] - extent[0], extent[3] - extent[1]
    return min(
        width_m / metres_per_px / (frame_mm[0] / MM_PER_INCH),
        height_m / metres_per_px / (frame_mm[1] / MM_PER_INCH),
    )


@dataclass(frozen=True)
class ZoomChoice:
    zoom: int
    tiles: int  # tiles to cover the extent at this zoom
    tiles_ppi: float  # what the tiles give at print size
    ppi: float  # effective: min(target, tiles_ppi)
    wanted: int  # the zoom that would reach the target
    limited_by: str  # "" | "zoom_massimo" | "max_tessere"


def choose_zoom(
    extent: Extent,
    frame_mm: tuple[float, float],
    *,
    target_ppi: float,
    tile_px: int,
    max_zoom: int,
    max_tiles: int,
    forced: int = 0,
) -> ZoomChoice:
    """The zoom for a frame: the smallest reaching ``target_ppi`` (or ``forced``), then capped."""
    lat = centre_latitude(extent)
    if forced:
        wanted = forced
    else:
        wanted = MAX_ZOOM
        for z in range(0, MAX_ZOOM + 1):
            # 0.5 % slack: a zoom that gives 299 ppi for a 300 target does not need 4× the tiles.
            if ppi_of(extent, frame_mm, ground_resolution(z, lat, tile_px)) >= target_ppi * 0.995:
                wanted = z
                break
    zoom, limited_by = wanted, ""
    if zoom > max_zoom:
        zoom, limited_by = max_zoom, "zoom_massimo"
    tiles = count_tiles(extent, zoom, tile_px)
    while tiles > max_tiles and zoom > 0:
        zoom, limited_by = zoom - 1, "max_tessere"
        tiles = count_tiles(extent, zoom, tile_px)
    tiles_ppi = ppi_of(extent, frame_mm, ground_resolution(zoom, lat, tile_px))
    return ZoomChoice(zoom, tiles, tiles_ppi, min(float(target_ppi), tiles_ppi), wanted, limited_by)
