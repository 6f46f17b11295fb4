"""Leaflet's JavaScript and CSS, read from the installed PyPI package xstatic-leaflet and inlined
into the page, so the page works opened from disk, offline (except the tiles) and with no CDN."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..problems import StampaError, error


@lru_cache(maxsize=1)
def leaflet() -> tuple[str, str, str]:
    """(version, leaflet.js, leaflet.css)."""
    try:
        import xstatic.pkg.leaflet as pkg
    except ImportError:
        raise StampaError(
            error("manca il pacchetto xstatic-leaflet (Leaflet per la versione digitale): installalo con "
                  "«pip install xstatic-leaflet».")
        ) from None
    base = Path(pkg.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    return str(pkg.VERSION), js, css


def own(name: str) -> str:
    """A file of ours in stampa/web/static (the page's script, style and template)."""
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")
