"""The printable Mappa: the folded leaflet (or A4 sheet, or booklet) with the district map, the
index of every entry, the cover with the QR code to the digital version, and the back matter."""

from .build import MappaResult, build_mappa, vector_basemaps
from .plan import MappaPlan, map_views
from .formats import FORMATI, Format, Panel, get_format
from .texts import Texts, load_texts

__all__ = [
    "FORMATI",
    "Format",
    "MappaPlan",
    "MappaResult",
    "Panel",
    "Texts",
    "build_mappa",
    "get_format",
    "load_texts",
    "map_views",
    "vector_basemaps",
]
