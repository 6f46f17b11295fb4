"""The printable Mappa: the folded leaflet (or A4 sheet, or booklet) with the district map, the
index of every entry, the cover with the QR code to the digital version, and the back matter."""

from .build import MappaResult, QrCheck, Verifica, build_mappa
from .formats import FORMATI, Format, Panel, get_format
from .texts import Texts, load_texts

__all__ = ["FORMATI", "Format", "MappaResult", "Panel", "QrCheck", "Texts", "Verifica", "build_mappa", "get_format", "load_texts"]
