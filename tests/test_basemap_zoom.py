"""Zoom from the printed size: ppi maths, caps by max zoom and tile budget."""

from __future__ import annotations

import math

from tests.basemap_helpers import DISTRICT, PAVIA, around
from stampa.basemap.zoom import (
    centre_latitude,
    choose_zoom,
    count_tiles,
    frame_pixels,
    ground_resolution,
    needed_tiles,
)


def test_ground_resolution_formula():
    assert math.isclose(ground_resolution(0, 0.0), 156543.03392804097)
    # At Pavia's latitude, z14 with 256 px tiles: 156543.03 · cos 45.19° / 2^14
    assert math.isclose(ground_resolution(14, 45.19), 156543.03392804097 * math.cos(math.radians(45.19)) / 16384)
    # @2x tiles halve the metres per pixel at the same zoom.
    assert math.isclose(ground_resolution(14, 45.19, 512), ground_resolution(15, 45.19, 256))


def test_frame_pixels_are_the_frame_at_the_ppi():
    assert frame_pixels((100, 100), 300) == (1181, 1181)
    assert frame_pixels((400, 380), 300) == (4724, 4488)


def test_district_on_a3_wants_z14_with_2x_tiles_at_300_ppi():
    c = choose_zoom(DISTRICT, (400, 380), target_ppi=300, tile_px=512, max_zoom=20, max_tiles=1500)
    assert c.zoom == 14 and c.limited_by == ""
    assert c.ppi == 300.0 and c.tiles_ppi > 300
    # z13 would not reach 300 ppi: that is why 14 is chosen.
    lat = centre_latitude(DISTRICT)
    width_m = DISTRICT[2] - DISTRICT[0]
    assert width_m / ground_resolution(13, lat, 512) / (400 / 25.4) < 300
    assert c.tiles == count_tiles(DISTRICT, 14, 512) == len(needed_tiles(DISTRICT, 14, 512))
    # 256 px tiles need one zoom more for the same ppi.
    assert choose_zoom(DISTRICT, (400, 380), target_ppi=300, tile_px=256, max_zoom=20, max_tiles=5000).zoom == 15


def test_zoom_capped_by_provider_max_zoom_gives_lower_ppi():
    extent = around(*PAVIA, 1500)
    c = choose_zoom(extent, (100, 100), target_ppi=300, tile_px=256, max_zoom=13, max_tiles=1500)
    assert c.wanted == 16 and c.zoom == 13 and c.limited_by == "zoom_massimo"
    lat = centre_latitude(extent)
    expected = 3000 / ground_resolution(13, lat) / (100 / 25.4)
    assert math.isclose(c.ppi, expected) and c.ppi < 250


def test_zoom_capped_by_tile_budget():
    c = choose_zoom(DISTRICT, (400, 380), target_ppi=300, tile_px=512, max_zoom=20, max_tiles=100)
    assert c.limited_by == "max_tessere" and c.wanted == 14
    assert c.tiles <= 100 and count_tiles(DISTRICT, c.zoom + 1, 512) > 100


def test_forced_zoom():
    c = choose_zoom(DISTRICT, (400, 380), target_ppi=300, tile_px=512, max_zoom=20, max_tiles=5000, forced=15)
    assert c.zoom == 15 and c.ppi == 300.0  # finer tiles, same printed pixels


def test_tiles_cover_the_extent_with_a_margin():
    extent = around(*PAVIA, 1500)
    tiles = needed_tiles(extent, 15, 256)
    xs = sorted({x for x, _ in tiles})
    ys = sorted({y for _, y in tiles})
    assert xs == list(range(xs[0], xs[-1] + 1)) and ys == list(range(ys[0], ys[-1] + 1))
    assert len(tiles) == len(xs) * len(ys)
