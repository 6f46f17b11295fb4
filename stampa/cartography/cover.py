"""What a block laid over the map would cover: entries, the comuni and their names, the district's
land. Used to put the inset where it hides nothing (the empty paper around the district), and to
say what it hides when no place is clean.

The frame is sampled on a grid of :data:`GRID_MM` cells; summed-area tables make the cost of any
rectangle constant, so every position of the frame can be scored at once with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from .geometry import Box

GRID_MM = 2.0
# Weights of the score: an entry hidden is worse than a comune's name at risk, which is worse than
# any amount of the district's land covered (mm²).
W_ENTRY = 1e6
W_NAME = 1e5
W_COMUNE = 400.0  # per fraction of a comune covered (its name needs room somewhere)
NAME_AT_RISK = 0.5  # a comune more than half covered may lose its name


def _sat(a: np.ndarray) -> np.ndarray:
    s = np.zeros((a.shape[0] + 1, a.shape[1] + 1), dtype=float)
    s[1:, 1:] = a.cumsum(0).cumsum(1)
    return s


def _rect_sums(s: np.ndarray, i0, i1, j0, j1) -> np.ndarray:
    """Sums over cells [i0, i1) × [j0, j1) (x by columns i, y by rows j); broadcast arrays."""
    return s[j1, i1] - s[j0, i1] - s[j1, i0] + s[j0, i0]


@dataclass
class Spot:
    """One candidate position of a block and what it covers."""

    box: Box
    score: float
    entries: int
    names: tuple[str, ...]  # comuni whose name (preferred place) or most of whose land it covers
    land_mm2: float

    @property
    def clean(self) -> bool:
        return self.entries == 0 and not self.names


class CoverMap:
    """The map frame (``W`` × ``H`` mm) sampled for cover tests: the district's land and each
    comune (shapely geometries already in frame mm) and the places of their names."""

    def __init__(self, W: float, H: float, outline_mm, comuni_mm: dict[str, tuple[str, object]], name_boxes: dict[str, Box]):
        self.W, self.H = W, H
        self.nx, self.ny = int(np.ceil(W / GRID_MM)), int(np.ceil(H / GRID_MM))
        xs = (np.arange(self.nx) + 0.5) * GRID_MM
        ys = (np.arange(self.ny) + 0.5) * GRID_MM
        gx, gy = np.meshgrid(xs, ys)
        cell = GRID_MM * GRID_MM
        self.land = _sat(shapely.contains_xy(outline_mm, gx, gy) * cell)
        self.comuni = []
        for code, (name, geom) in sorted(comuni_mm.items()):
            inside = shapely.contains_xy(geom, gx, gy)
            total = float(inside.sum())
            if total <= 0:
                continue
            self.comuni.append((code, name, _sat(inside / total)))
        self.name_boxes = name_boxes

    def points_sat(self, pts_mm: np.ndarray) -> np.ndarray:
        """A summed-area table counting points (frame mm) per cell."""
        counts = np.zeros((self.ny, self.nx))
        if len(pts_mm):
            ix = np.clip((pts_mm[:, 0] / GRID_MM).astype(int), 0, self.nx - 1)
            iy = np.clip((pts_mm[:, 1] / GRID_MM).astype(int), 0, self.ny - 1)
            inside = (pts_mm[:, 0] >= 0) & (pts_mm[:, 0] <= self.W) & (pts_mm[:, 1] >= 0) & (pts_mm[:, 1] <= self.H)
            np.add.at(counts, (iy[inside], ix[inside]), 1)
        return _sat(counts)

    def best(self, w: float, h: float, margin: float, points: np.ndarray, pad: float, keep_off: list[tuple[Box, float]]) -> Spot | None:
        """The best place for a ``w`` × ``h`` block at least ``margin`` inside the frame, off every
        box of ``keep_off`` (box, gap); ``points`` (true places of the entries left on this map)
        count when within ``pad`` of the block. None when no position is free of ``keep_off``."""
        G = GRID_MM
        lo_i, lo_j = int(np.ceil(margin / G)), int(np.ceil(margin / G))
        hi_i = int(np.floor((self.W - margin - w) / G))
        hi_j = int(np.floor((self.H - margin - h) / G))
        if hi_i < lo_i or hi_j < lo_j:
            return None
        ii = np.arange(lo_i, hi_i + 1)
        jj = np.arange(lo_j, hi_j + 1)
        # the two extreme positions exactly at the margins too (flush with the frame's edges)
        x0 = np.unique(np.concatenate([ii * G, [margin, self.W - margin - w]]))
        y0 = np.unique(np.concatenate([jj * G, [margin, self.H - margin - h]]))
        X0, Y0 = x0[None, :], y0[:, None]
        ok = np.ones((len(y0), len(x0)), dtype=bool)
        for b, gap in keep_off:
            hit = (X0 < b[2] + gap) & (b[0] < X0 + w + gap) & (Y0 < b[3] + gap) & (b[1] < Y0 + h + gap)
            ok &= ~hit
        if not ok.any():
            return None

        def cells(v0, size, n, grow=0.0):
            a = np.clip(np.floor((v0 - grow) / G).astype(int), 0, n)
            b = np.clip(np.ceil((v0 + size + grow) / G).astype(int), 0, n)
            return a, b

        i0, i1 = cells(x0, w, self.nx)
        j0, j1 = cells(y0, h, self.ny)
        I0, I1, J0, J1 = i0[None, :], i1[None, :], j0[:, None], j1[:, None]
        land = _rect_sums(self.land, I0, I1, J0, J1)
        pi0, pi1 = cells(x0, w, self.nx, pad)
        pj0, pj1 = cells(y0, h, self.ny, pad)
        n_entries = _rect_sums(self.points_sat(points), pi0[None, :], pi1[None, :], pj0[:, None], pj1[:, None])
        score = land + W_ENTRY * n_entries
        for code, name, s in self.comuni:
            frac = _rect_sums(s, I0, I1, J0, J1)
            score = score + W_COMUNE * frac + W_NAME * (frac > NAME_AT_RISK)
            nb = self.name_boxes.get(code)
            if nb is not None:
                hit = (X0 < nb[2]) & (nb[0] < X0 + w) & (Y0 < nb[3]) & (nb[1] < Y0 + h)
                score = score + W_NAME * hit
        score = np.where(ok, score, np.inf)
        k = int(np.argmin(score))  # first minimum: deterministic
        r, c = divmod(k, len(x0))
        box = (float(x0[c]), float(y0[r]), float(x0[c] + w), float(y0[r] + h))
        return self.describe(box, points, pad, float(score[r, c]))

    def describe(self, box: Box, points: np.ndarray, pad: float, score: float = 0.0) -> Spot:
        """What ``box`` covers, exactly (entries by their true place, comuni by their land)."""
        x0, y0, x1, y1 = box
        n = 0
        if len(points):
            n = int(np.sum((points[:, 0] >= x0 - pad) & (points[:, 0] <= x1 + pad) & (points[:, 1] >= y0 - pad) & (points[:, 1] <= y1 + pad)))
        G = GRID_MM
        i0, i1 = int(np.clip(np.floor(x0 / G), 0, self.nx)), int(np.clip(np.ceil(x1 / G), 0, self.nx))
        j0, j1 = int(np.clip(np.floor(y0 / G), 0, self.ny)), int(np.clip(np.ceil(y1 / G), 0, self.ny))
        names = []
        for code, name, s in self.comuni:
            frac = float(_rect_sums(s, i0, i1, j0, j1))
            nb = self.name_boxes.get(code)
            if frac > NAME_AT_RISK or (nb is not None and nb[0] < x1 and x0 < nb[2] and nb[1] < y1 and y0 < nb[3]):
                names.append(name)
        return Spot(box, score, n, tuple(names), float(_rect_sums(self.land, i0, i1, j0, j1)))
