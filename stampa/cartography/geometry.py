"""Geometry shared by planning and drawing: views placed on the map frame, the metres → mm
transform, boxes in mm and a grid index to test them quickly.

All map coordinates are EPSG:32632 metres (UTM 32N), so a length measured on the frame times the
scale is a true length on the ground (the UTM scale error here is under 0.05 %). Frame coordinates
are millimetres with the origin at the lower-left corner of the map frame, y up (as ReportLab).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from pyproj import Transformer

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in mm, x0 < x1, y0 < y1

from ..basemap import View  # noqa: E402, F401  (the basemap stage owns View; re-exported here)
from ..units import METRIC_CRS, WGS84  # noqa: E402

_TO_UTM = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)


def to_utm(lon: float, lat: float) -> tuple[float, float]:
    """WGS84 degrees → EPSG:32632 metres."""
    x, y = _TO_UTM.transform(lon, lat)
    return float(x), float(y)


def to_utm_arrays(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 degrees → EPSG:32632 metres for many points at once (arrays of floats)."""
    x, y = _TO_UTM.transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


@dataclass(frozen=True)
class Viewport:
    """A view drawn at ``origin_mm`` (its lower-left corner) inside the map frame."""

    view: View
    origin_mm: tuple[float, float]

    @property
    def scale(self) -> float:
        """The N of 1:N (ground mm per printed mm)."""
        xmin, _, xmax, _ = self.view.extent
        return (xmax - xmin) * 1000.0 / self.view.frame_mm[0]

    @property
    def box(self) -> Box:
        x, y = self.origin_mm
        w, h = self.view.frame_mm
        return (x, y, x + w, y + h)

    def to_mm(self, x_m: float, y_m: float) -> tuple[float, float]:
        xmin, ymin, _, _ = self.view.extent
        k = 1000.0 / self.scale
        return (self.origin_mm[0] + (x_m - xmin) * k, self.origin_mm[1] + (y_m - ymin) * k)

    def contains_m(self, x_m: float, y_m: float) -> bool:
        xmin, ymin, xmax, ymax = self.view.extent
        return xmin <= x_m <= xmax and ymin <= y_m <= ymax


def fit_extent(
    bounds: tuple[float, float, float, float], frame_mm: tuple[float, float], scale: float, align: tuple[float, float] = (0.5, 0.5)
) -> tuple[float, float, float, float]:
    """The extent at 1:``scale`` that fills ``frame_mm`` and contains ``bounds``; the spare room is
    split by ``align`` (0 = bounds at the left/bottom, 1 = at the right/top)."""
    w_m = frame_mm[0] * scale / 1000.0
    h_m = frame_mm[1] * scale / 1000.0
    xmin, ymin, xmax, ymax = bounds
    x0 = xmin - (w_m - (xmax - xmin)) * (1 - align[0])
    y0 = ymin - (h_m - (ymax - ymin)) * (1 - align[1])
    return (x0, y0, x0 + w_m, y0 + h_m)


def overlaps(a: Box, b: Box, gap: float = 0.0) -> bool:
    """True when the boxes overlap or come closer than ``gap`` mm."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def inside(inner: Box, outer: Box, margin: float = 0.0) -> bool:
    return (
        inner[0] >= outer[0] + margin
        and inner[1] >= outer[1] + margin
        and inner[2] <= outer[2] - margin
        and inner[3] <= outer[3] - margin
    )


def centred_box(x: float, y: float, w: float, h: float) -> Box:
    return (x - w / 2, y - h / 2, x + w / 2, y + h / 2)


def box_area_overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def segment_hits_box(p: tuple[float, float], q: tuple[float, float], box: Box) -> bool:
    """Whether the segment p–q crosses the box (Liang–Barsky clipping)."""
    x0, y0 = p
    dx, dy = q[0] - x0, q[1] - y0
    t0, t1 = 0.0, 1.0
    for pk, qk in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if pk == 0:
            if qk < 0:
                return False
            continue
        t = qk / pk
        if pk < 0:
            if t > t1:
                return False
            t0 = max(t0, t)
        else:
            if t < t0:
                return False
            t1 = min(t1, t)
    return t0 <= t1


def box_edge_point(box: Box, towards: tuple[float, float]) -> tuple[float, float]:
    """Where the ray from the box centre towards a point leaves the box (for leader lines)."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    hw, hh = (box[2] - box[0]) / 2, (box[3] - box[1]) / 2
    t = min(hw / abs(dx) if dx else math.inf, hh / abs(dy) if dy else math.inf)
    return cx + dx * t, cy + dy * t


class BoxIndex:
    """Boxes in a uniform grid, for 'does this box hit anything placed?' in near-constant time."""

    def __init__(self, cell_mm: float = 8.0):
        self.cell = cell_mm
        self.boxes: list[Box] = []
        self.tags: list[object] = []
        self.grid: dict[tuple[int, int], list[int]] = defaultdict(list)

    def _cells(self, box: Box, gap: float = 0.0) -> Iterable[tuple[int, int]]:
        c = self.cell
        for i in range(math.floor((box[0] - gap) / c), math.floor((box[2] + gap) / c) + 1):
            for j in range(math.floor((box[1] - gap) / c), math.floor((box[3] + gap) / c) + 1):
                yield i, j

    def add(self, box: Box, tag: object = None) -> None:
        k = len(self.boxes)
        self.boxes.append(box)
        self.tags.append(tag)
        for cell in self._cells(box):
            self.grid[cell].append(k)

    def query(self, box: Box, gap: float = 0.0) -> list[int]:
        found: set[int] = set()
        for cell in self._cells(box, gap):
            for k in self.grid.get(cell, ()):
                if k not in found and overlaps(box, self.boxes[k], gap):
                    found.add(k)
        return sorted(found)

    def hits(self, box: Box, gap: float = 0.0, ignore: object = None) -> bool:
        for cell in self._cells(box, gap):
            for k in self.grid.get(cell, ()):
                if self.tags[k] is not None and self.tags[k] == ignore:
                    continue
                if overlaps(box, self.boxes[k], gap):
                    return True
        return False
