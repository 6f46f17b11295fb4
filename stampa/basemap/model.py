"""What the basemap stage hands to the map: the view asked for and the basemap drawn under it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..problems import Problem


Extent = tuple[float, float, float, float]


@dataclass(frozen=True)
class View:
    """One map frame: what it shows (EPSG:32632 metres) and how big it is printed (mm)."""

    name: str
    extent: Extent  # xmin, ymin, xmax, ymax
    frame_mm: tuple[float, float]  # printed width, height

    def __post_init__(self) -> None:
        # Plain float tuples whatever the caller passed (lists, numpy floats): views are compared
        # with the frozen ones read back from JSON.
        object.__setattr__(self, "extent", tuple(float(c) for c in self.extent))
        object.__setattr__(self, "frame_mm", tuple(float(c) for c in self.frame_mm))
        x0, y0, x1, y1 = self.extent
        if not (x1 > x0 and y1 > y0) or min(self.frame_mm) <= 0:
            raise ValueError(f"vista «{self.name}» non valida: {self.extent}, {self.frame_mm} mm")


@dataclass(frozen=True)
class Basemap:
    image: np.ndarray | None  # H×W×3 uint8 RGB, north-up, EPSG:32632, exactly covering `extent`
    extent: Extent
    source: str  # what was asked: provider name, URL template, file, "vettoriale"
    kind: str  # "osm" | "tessere" | "congelato" | "geotiff" | "vettoriale"
    zoom: int | None
    ppi: float | None  # effective ppi at print size
    attribution: tuple[str, ...]  # printed credit lines
    fallback: bool  # tiles were asked for but the vector basemap is used
    tiles: int = 0  # tiles needed
    problems: tuple[Problem, ...] = ()  # warnings for the report
    fetched_from_network: int = 0
    from_cache: int = 0
    view: str = ""
    file: str | None = None  # the file read (frozen GeoTIFF or GeoPackage, or source), relative to the project if inside
    url: str | None = None  # tile URL template (or Overpass endpoint) without secrets
    vectors: Any = None  # OpenStreetMap data drawn as vectors (stampa.basemap.osm_model.OsmData), kind "osm"
    style: Any = None  # how to draw ``vectors`` (stampa.cartography.osm_style.OsmStyle)
    data_osm: str | None = None  # date of the OpenStreetMap data


def shown_path(path: Path, root: Path) -> str:
    """``path`` relative to the project folder when it is inside it (as the report shows files)."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def outlines(view: View, source: str = "vettoriale", *, fallback: bool = False, name: str | None = None, **more: Any) -> Basemap:
    """No basemap under ``view``: the map draws the comune outlines. ``fallback``: another source was
    asked for and could not be had (the report says so)."""
    return Basemap(None, view.extent, source, "vettoriale", None, None, (), fallback, view=view.name if name is None else name, **more)
