"""The «sfondo» part of rapporto.json (Italian keys)."""

from __future__ import annotations



from .zoom import UTM
from .model import Basemap


def basemap_report(b: Basemap) -> dict:
    """The "sfondo" part of rapporto.json (Italian keys)."""
    return {
        "vista": b.view,
        "fonte": b.source,
        "tipo": b.kind,
        "ripiego_vettoriale": b.fallback,
        "zoom": b.zoom,
        "ppi": None if b.ppi is None else round(b.ppi, 1),
        "pixel": None if b.image is None else [int(b.image.shape[1]), int(b.image.shape[0])],
        "attribuzione": list(b.attribution),
        "tessere": b.tiles,
        "tessere_dalla_rete": b.fetched_from_network,
        "tessere_dalla_cache": b.from_cache,
        "modello_url": b.url,
        "file": b.file,
        "data_osm": b.data_osm,
        "estensione": [round(c, 2) for c in b.extent],
        "crs": UTM,
        "avvisi": [p.as_dict() for p in b.problems],
    }
