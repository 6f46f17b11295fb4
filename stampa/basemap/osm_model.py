"""OpenStreetMap data for the print basemap: the plain data shared by the Overpass client, the
frozen GeoPackage and the drawing.

One GeoDataFrame in EPSG:32632 metres, one row per OSM object (merged by type and id, ways whole
even when a query's box cut them), with the columns:

- ``osm_id``: ``"node/123"``, ``"way/456"``, ``"relation/789"`` (unique);
- ``strato``: the layer, one of :data:`LAYERS`;
- ``classe``: the kind within the layer (road class, place class, water kind…), see :data:`CLASSES`;
- ``nome``: the Italian name as in OSM (``name:it`` when present, else ``name``), or ``""``;
- ``geometry``: Polygon/MultiPolygon for areas, LineString/MultiLineString for lines, Point for
  places and stations.

``data_osm`` is the date of the OSM data (Overpass ``osm3s.timestamp_osm_base``, ISO 8601);
``copertura`` records which boxes were fetched at which level of detail, so a build can tell
whether the frozen data covers a view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..units import METRIC_CRS
from .sources import OSM_LINE

UTM = METRIC_CRS

# Layers, drawn bottom to top in this order.
LAYERS = (
    "abitato",  # built-up: landuse residential/commercial/industrial/retail (areas)
    "verde",  # parks, woods, forests, cemeteries, farmland is NOT drawn (areas)
    "acqua",  # water areas: rivers' surface, lakes, basins (areas)
    "corsi_acqua",  # waterway lines: river, canal, stream, ditch/drain (lines)
    "edifici",  # buildings (areas), only where the printed scale allows
    "ferrovia",  # railway lines (lines)
    "strade",  # roads by class (lines)
    "stazioni",  # railway stations (points)
    "luoghi",  # names of places: town, village, hamlet, suburb, quarter, neighbourhood (points)
)

CLASSES: dict[str, tuple[str, ...]] = {
    "abitato": ("residenziale", "produttivo"),
    "verde": ("parco", "bosco", "cimitero"),
    "acqua": ("fiume", "lago", "bacino"),
    "corsi_acqua": ("fiume", "canale", "torrente", "fosso"),
    "edifici": ("edificio",),
    "ferrovia": ("ferrovia",),
    # motorway/trunk → autostrada; primary → principale; secondary → secondaria;
    # tertiary → terziaria; unclassified/residential/living_street → locale;
    # pedestrian → pedonale; service → servizio
    "strade": ("autostrada", "principale", "secondaria", "terziaria", "locale", "pedonale", "servizio"),
    "stazioni": ("stazione",),
    # city/town → citta; village → paese; hamlet → frazione; isolated_dwelling → cascina (a farm
    # or a single house: hundreds in the district, named only on detailed maps);
    # suburb/quarter/neighbourhood → quartiere
    "luoghi": ("citta", "paese", "frazione", "cascina", "quartiere"),
}

# Levels of detail fetched for a box ("copertura"): each includes the ones before it.
LEVELS = ("distretto", "strade", "edifici")
# The least printed scale denominator at which a level is needed (1:N with N ≤ this).
LEVEL_SCALE = {"distretto": float("inf"), "strade": 25_000.0, "edifici": 12_500.0}


def level_for_scale(scale: float) -> str:
    """The level of detail a view printed at 1:``scale`` needs."""
    if scale <= LEVEL_SCALE["edifici"]:
        return "edifici"
    if scale <= LEVEL_SCALE["strade"]:
        return "strade"
    return "distretto"


@dataclass(frozen=True)
class Coverage:
    """A box (EPSG:32632 metres) fetched at a level of detail."""

    extent: tuple[float, float, float, float]
    level: str  # one of LEVELS

    def covers(self, extent: tuple[float, float, float, float], level: str) -> bool:
        x0, y0, x1, y1 = self.extent
        a, b, c, d = extent
        return LEVELS.index(self.level) >= LEVELS.index(level) and x0 <= a and y0 <= b and c <= x1 and d <= y1


@dataclass(frozen=True, eq=False)
class OsmData:
    """OpenStreetMap features for the basemap (see the module docstring)."""

    features: Any  # geopandas.GeoDataFrame, columns osm_id, strato, classe, nome, geometry; CRS EPSG:32632
    data_osm: str  # ISO date-time of the data
    copertura: tuple[Coverage, ...] = ()
    server: str = ""  # where it came from (no secrets)
    attribution: tuple[str, ...] = field(default=(OSM_LINE,))

    def covers(self, extent: tuple[float, float, float, float], scale: float) -> bool:
        """True when some fetched box holds ``extent`` at the detail 1:``scale`` needs."""
        level = level_for_scale(scale)
        return any(c.covers(extent, level) for c in self.copertura)

    def layer(self, name: str):
        """The rows of one layer (a GeoDataFrame view)."""
        return self.features[self.features["strato"] == name]
