"""The district's comuni as the maps fill them: a tint for each comune that tells it from its
neighbours, and the district cut to one window (an atlas sheet, the booklet's centre page).

Both the single map and the atlas read these, so a comune has the same tint on every page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import shapely


def colour_comuni(district: Any) -> dict[str, int]:
    """Tint index of each comune (ISTAT code → 0, 1, …) so that neighbouring comuni differ; greedy
    in code order, so deterministic. ``district``: anything with ``comuni_utm``."""
    comuni = district.comuni_utm
    colours: dict[str, int] = {}
    grown = {code: comuni.geometry[code].buffer(1) for code in comuni.index}
    for code in sorted(comuni.index):
        used = {colours[o] for o in colours if grown[o].intersects(comuni.geometry[code])}
        colours[code] = next(i for i in range(8) if i not in used)
    return colours


@dataclass(frozen=True)
class DistrictPart:
    """The district cut to a window: what drawing and the comune names read of a
    :class:`stampa.district.District` (``comuni_utm`` with ``nome``, ``outline_utm``, EPSG:32632),
    with the tints of the whole district (a comune cut in two keeps its tint on both sheets)."""

    comuni_utm: gpd.GeoDataFrame  # index: ISTAT code; column: nome
    outline_utm: Any  # shapely geometry
    colours: Mapping[str, int]


def clip_district(district: Any, extent: tuple[float, float, float, float], colours: Mapping[str, int]) -> DistrictPart:
    """The comuni and the outline of ``district`` inside ``extent`` (metres) grown by 2 % of its
    width, so boundaries run off the sheet's edge rather than stopping at it."""
    x0, y0, x1, y1 = extent
    pad = 0.02 * (x1 - x0)
    comuni = district.comuni_utm
    geoms = shapely.clip_by_rect(comuni.geometry.values, x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    keep = ~shapely.is_empty(geoms)
    frame = gpd.GeoDataFrame({"nome": comuni["nome"].values[keep]}, geometry=list(geoms[keep]), index=comuni.index[keep], crs=comuni.crs)
    outline = shapely.clip_by_rect(district.outline_utm, x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    return DistrictPart(frame, outline, {code: colours[code] for code in frame.index})
