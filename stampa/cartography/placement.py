"""Marker placement without overlaps (pure geometry in mm, deterministic).

Greedy, in two passes:
1. every marker whose box at its true position is free (inside its view, off every obstacle and
   off every other marker's box) stays there;
2. the others, in number order, take the cheapest free spot on rings around their true position:
   cost = distance, plus a bias away from the local crowd (so a cluster opens like a flower instead
   of pushing markers across each other), plus penalties for leader lines crossing markers or
   other leaders. A displaced marker keeps a dot at its true position, so no marker may cover any
   other entry's true position, nor a leader line already drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .geometry import Box, BoxIndex, box_edge_point, centred_box, inside, segment_hits_box


@dataclass(frozen=True)
class Item:
    key: int  # the entry's number
    x: float  # true position in mm
    y: float
    w: float  # marker box size in mm
    h: float


@dataclass(frozen=True)
class Placed:
    key: int
    x: float  # marker centre in mm
    y: float
    box: Box
    displaced: bool
    leader: tuple[tuple[float, float], tuple[float, float]] | None  # dot → marker edge


def _segments_cross(p1, p2, q1, q2) -> bool:
    def orient(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = orient(q1, q2, p1), orient(q1, q2, p2)
    d3, d4 = orient(p1, p2, q1), orient(p1, p2, q2)
    return (d1 > 0) != (d2 > 0) and (d3 > 0) != (d4 > 0) and d1 * d2 != 0 and d3 * d4 != 0


def place_markers(
    items: Sequence[Item],
    bounds: Box,
    obstacles: Sequence[Box] = (),
    *,
    gap: float = 0.35,
    dot: float = 0.9,
    margin: float = 0.8,
    max_radius: float | None = None,
) -> tuple[dict[int, Placed], list[int]]:
    """Place every item inside ``bounds`` (mm) off ``obstacles``; returns the placements by key and
    the keys that could not be placed without an overlap (placed at their true position anyway)."""
    if not items:
        return {}, []
    size = max(max(it.w, it.h) for it in items)
    cell = max(4.0, size * 2)
    obstacle_index = BoxIndex(cell)
    for ob in obstacles:
        obstacle_index.add(ob, "ob")
    true_index = BoxIndex(cell)
    point_index = BoxIndex(cell)
    for it in items:
        true_index.add(centred_box(it.x, it.y, it.w, it.h), it.key)
        point_index.add(centred_box(it.x, it.y, dot + gap, dot + gap), it.key)
    placed_index = BoxIndex(cell)
    leader_index = BoxIndex(cell)
    leaders: list[tuple[tuple[float, float], tuple[float, float]]] = []
    result: dict[int, Placed] = {}

    def free(box: Box, key: int, strict: int = 2) -> bool:
        """strict 2: off boxes, obstacles, true places and leaders; 1: may cross a leader line;
        0: may also cover another entry's true place (boxes never overlap)."""
        if not inside(box, bounds, margin):
            return False
        if obstacle_index.hits(box, gap) or placed_index.hits(box, gap):
            return False
        if strict >= 1 and point_index.hits(box, 0.0, ignore=key):
            return False
        if strict >= 2:
            for k in leader_index.query(box, gap):
                p, q = leaders[k]
                grown = (box[0] - gap, box[1] - gap, box[2] + gap, box[3] + gap)
                if segment_hits_box(p, q, grown):
                    return False
        return True

    ordered = sorted(items, key=lambda it: it.key)
    waiting = []
    for it in ordered:
        box = centred_box(it.x, it.y, it.w, it.h)
        if inside(box, bounds, margin) and not obstacle_index.hits(box, gap) and not true_index.hits(box, gap, ignore=it.key):
            placed_index.add(box, it.key)
            result[it.key] = Placed(it.key, it.x, it.y, box, False, None)
        else:
            waiting.append(it)

    limit = max_radius or math.hypot(bounds[2] - bounds[0], bounds[3] - bounds[1])
    failed: list[int] = []
    for it in waiting:
        true_box = centred_box(it.x, it.y, it.w, it.h)
        if free(true_box, it.key):
            placed_index.add(true_box, it.key)
            result[it.key] = Placed(it.key, it.x, it.y, true_box, False, None)
            continue
        # Outward direction: away from the centroid of the neighbours' true positions.
        near = [k for k in true_index.query(centred_box(it.x, it.y, 8 * size, 8 * size)) if true_index.tags[k] != it.key]
        ox = oy = 0.0
        if near:
            cx = sum((true_index.boxes[k][0] + true_index.boxes[k][2]) / 2 for k in near) / len(near)
            cy = sum((true_index.boxes[k][1] + true_index.boxes[k][3]) / 2 for k in near) / len(near)
            ox, oy = it.x - cx, it.y - cy
        norm = math.hypot(ox, oy)
        ox, oy = (ox / norm, oy / norm) if norm > 1e-9 else (0.0, 0.0)

        best = None
        for strict in (2, 1, 0):
            best = _search(it, free, strict, ox, oy, limit, placed_index, leader_index, leaders)
            if best is not None:
                break
        if best is None:
            failed.append(it.key)
            placed_index.add(true_box, it.key)
            result[it.key] = Placed(it.key, it.x, it.y, true_box, False, None)
            continue
        _, cx, cy, box, edge = best
        leader = ((it.x, it.y), edge)
        placed_index.add(box, it.key)
        leaders.append(leader)
        leader_index.add((min(it.x, edge[0]), min(it.y, edge[1]), max(it.x, edge[0]), max(it.y, edge[1])), len(leaders) - 1)
        result[it.key] = Placed(it.key, cx, cy, box, True, leader)
    return result, failed


def _search(it: Item, free, strict: int, ox: float, oy: float, limit: float, placed_index, leader_index, leaders):
    """The cheapest free spot on rings around the true position (None if there is none)."""
    best = None
    best_ring = None
    ring = 0
    radius = 1.1 * max(it.w, it.h)  # far enough that the leader line shows
    while radius <= limit:
        spacing = max(0.45 * it.h, 0.12 * radius)  # finer near the true place, coarser far away
        n = max(12, int(2 * math.pi * radius / spacing))
        for a in range(n):
            theta = math.pi / 2 + 2 * math.pi * a / n  # start north, go round: deterministic
            ux, uy = math.cos(theta), math.sin(theta)
            cx, cy = it.x + radius * ux, it.y + radius * uy
            box = centred_box(cx, cy, it.w, it.h)
            if not free(box, it.key, strict):
                continue
            edge = box_edge_point(box, (it.x, it.y))
            cost = radius + 0.6 * it.h * (1 - (ux * ox + uy * oy))
            span = (min(it.x, edge[0]), min(it.y, edge[1]), max(it.x, edge[0]), max(it.y, edge[1]))
            for k in placed_index.query(span):
                if segment_hits_box((it.x, it.y), edge, placed_index.boxes[k]):
                    cost += 3 * it.h
            for k in leader_index.query(span):
                if _segments_cross((it.x, it.y), edge, *leaders[k]):
                    cost += 3 * it.h
            if best is None or cost < best[0] - 1e-9:
                best = (cost, cx, cy, box, edge)
        if best is not None:
            if best_ring is None:
                best_ring = ring
            elif ring - best_ring >= 2:
                break
        ring += 1
        radius += spacing
    return best
