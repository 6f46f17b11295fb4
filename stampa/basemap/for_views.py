"""The basemaps of all the views of a Mappa at once.

OpenStreetMap data (``osm``) is fetched for every view in one go (as few Overpass queries as
the layers need, then frozen in ``dati/``), so the views are asked together; the other sources
are per view (:func:`stampa.basemap.get_basemap`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from .sources import OsmSource, resolve_source, strip_secrets


def view_scale(view) -> float:
    """The N of 1:N at which ``view`` is printed."""
    xmin, _, xmax, _ = view.extent
    return (xmax - xmin) * 1000.0 / view.frame_mm[0]


def get_basemaps(cfg, views: Mapping[str, object], *, root: Path, year: int, source: str | None = None) -> dict:
    """View name → Basemap. Raises StampaError only for a wrong source in the configuration;
    network failures give the vector fallback with a warning (once, on the first view)."""
    from . import Basemap, _rel, get_basemap

    asked = (cfg.fonte if source is None else source).strip()
    src = resolve_source(asked, cfg, Path(root))
    if not isinstance(src, OsmSource):
        return {name: get_basemap(cfg, view, root=root, year=year, source=source) for name, view in views.items()}

    from .osm import osm_data_for_views

    needs = [(view.extent, view_scale(view)) for view in views.values()]
    got = osm_data_for_views(cfg, needs, root=Path(root), year=year)
    out = {}
    for i, (name, view) in enumerate(views.items()):
        problems = tuple(got.problems) if i == 0 else ()
        common = dict(view=name, problems=problems, file=_rel(Path(got.file), Path(root)) if got.file else None, url=strip_secrets(src.server))
        if got.data is None:
            out[name] = Basemap(None, view.extent, src.name, "vettoriale", None, None, (), True, **common)
        else:
            out[name] = Basemap(
                None,
                view.extent,
                src.name,
                "osm",
                None,
                None,
                tuple(got.data.attribution),
                False,
                vectors=got.data,
                data_osm=got.data.data_osm,
                **common,
            )
    return out
