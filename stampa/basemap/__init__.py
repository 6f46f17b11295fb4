"""The basemap (sfondo): the only part of stampa that touches the network (with geocoding).

What lives where:
- ``model``: :class:`View` (what a map frame shows and how big it is printed) and :class:`Basemap`
  (what is drawn under it: OpenStreetMap vectors, an image, or nothing: the comune outlines);
- ``for_views``: which basemap each view gets (:func:`get_basemaps` for all the views of the Mappa,
  :func:`get_basemap` for one);
- OpenStreetMap data (``osm``, the default): ``osm`` (the stage: frozen file first, else fetch and
  freeze), ``overpass_query``, ``overpass`` (the client), ``osm_parse``, ``osm_store`` (the frozen
  GeoPackage), ``osm_model``;
- web tiles and GeoTIFFs: ``sources`` and ``providers`` (what a source is and what its terms allow),
  ``tile_basemap``, ``raster_basemap``, ``zoom``, ``fetch`` (HTTP bounded in time), ``tiles``,
  ``cache``, ``warp``, ``freeze`` (the frozen GeoTIFFs and their sidecar), ``tile_freeze``
  (``stampa sfondo`` for tiles);
- ``messages`` (the warnings, word for word) and ``report`` (the «sfondo» part of rapporto.json).

Why contextily is not used for tiles: its zoom is for screens, its fetch has no timeout by default
and aborts on one bad tile, its cache is per-process and stores decoded arrays. xyzservices gives
provider URLs, max zoom and attribution; rasterio does the warping.
"""

from .fetch import user_agent
from .for_views import basemap_problems, get_basemap, get_basemaps
from .messages import fallback_message, low_ppi_message, placeholder_message
from .model import Basemap, Extent, View, outlines, shown_path
from .report import basemap_report
from .tile_freeze import freeze_basemap

__all__ = [
    "Basemap",
    "Extent",
    "View",
    "basemap_problems",
    "basemap_report",
    "fallback_message",
    "freeze_basemap",
    "get_basemap",
    "get_basemaps",
    "low_ppi_message",
    "outlines",
    "placeholder_message",
    "shown_path",
    "user_agent",
]
