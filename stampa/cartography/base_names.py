"""The OpenStreetMap basemap of one map view: its layers and its names, placed clear of
everything the map prints over it (markers, numbers, leader lines, comune names, legend, scale
bar, credits, the inset). The drawing itself is stampa.cartography.osm_draw / osm_labels."""

from __future__ import annotations

from typing import Any, Sequence
from weakref import WeakKeyDictionary

from shapely.geometry import LineString, Point, box as shapely_box
from shapely.geometry.base import BaseGeometry

from .geometry import Box, Viewport
from .osm_draw import draw_osm
from .osm_labels import OsmLabel, draw_osm_labels, place_osm_labels

LEADER_CLEAR_MM = 0.6  # half the width kept free along a leader line
DOT_CLEAR_MM = 1.0  # around the dot at an entry's true place

# The names placed for each OSM data set, by everything the placement depends on: the print and
# the digital version draw the same plan, so the second asks for exactly what the first placed
# (measured: a third of the OSM basemap's cost on a 1,000-entry atlas). Kept only while the data
# is alive (one build), never across builds.
_PLACED: WeakKeyDictionary = WeakKeyDictionary()


def has_base(basemap: Any) -> bool:
    """True when the view has a basemap of its own (raster or OSM vectors), not the comune fill."""
    return basemap is not None and (getattr(basemap, "image", None) is not None or getattr(basemap, "vectors", None) is not None)


def has_vectors(basemap: Any) -> bool:
    return basemap is not None and getattr(basemap, "vectors", None) is not None and getattr(basemap, "style", None) is not None


def draw_base_layers(canvas, port: Viewport, basemap: Any) -> None:
    """The OSM layers of the view (the caller clips to the frame)."""
    draw_osm(canvas, basemap.vectors, port, basemap.style)


def markers_to_avoid(markers: Sequence[Any], dot_mm: float) -> list:
    """Marker boxes, leader lines and true-place dots, in frame mm, for the names to keep clear of."""
    out: list = []
    for m in markers:
        out.append(m.box_mm)
        if m.leader:
            (px, py), _ = m.leader
            cx, cy = (m.box_mm[0] + m.box_mm[2]) / 2, (m.box_mm[1] + m.box_mm[3]) / 2
            out.append(LineString([(px, py), (cx, cy)]).buffer(LEADER_CLEAR_MM))
            out.append(Point(px, py).buffer(dot_mm / 2 + DOT_CLEAR_MM))
    return out


def outline_of(b: Box, width_mm: float = 1.2):
    """A rectangle's outline as an area (the inset's frame drawn on the main map)."""
    return shapely_box(*b).exterior.buffer(width_mm / 2)


def draw_base_names(
    canvas,
    port: Viewport,
    basemap: Any,
    *,
    avoid_mm: Sequence[Any],
    font: str,
    frame_box: Box | None = None,
    skip_names: Sequence[str] = (),
) -> tuple[OsmLabel, ...]:
    """Place and draw the names of the view's OSM data; returns them (frame mm) for the layout record."""
    key = (port, font, frame_box, tuple(skip_names), tuple(_avoid_key(a) for a in avoid_mm))
    placed = _PLACED.setdefault(basemap.vectors, {})
    style, labels = placed.get(key, (None, None))
    if labels is None or style is not basemap.style:
        labels = place_osm_labels(
            basemap.vectors, port, basemap.style, font, avoid_mm, frame_box=frame_box, skip_names=tuple(skip_names)
        )
        placed[key] = (basemap.style, labels)
    draw_osm_labels(canvas, labels, basemap.style)
    return labels


def _avoid_key(item) -> tuple | bytes:
    return item.wkb if isinstance(item, BaseGeometry) else tuple(float(v) for v in item)
