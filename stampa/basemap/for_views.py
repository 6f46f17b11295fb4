"""Which basemap each view of the Mappa gets.

:func:`get_basemaps` asks for all the views at once: OpenStreetMap data (``osm``) is fetched for
every view in one go (as few Overpass queries as the layers need, then frozen in ``dati/``).
:func:`get_basemap` is one view with the other sources, in order of preference:

1. the frozen basemap of the edition (``stampa sfondo`` → ``dati/sfondo-<anno>.tif``), when it was
   made from the same source and covers the view: no network, the same pixels at every reprint;
2. a local GeoTIFF named as the source;
3. web tiles (xyzservices provider or URL template), from the persistent cache or the server;
4. the vector basemap (``image=None``): asked for with ``vettoriale``, or the fallback when tiles
   fail (with a warning; the build never stops for the network).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from ..problems import Problem, StampaError, warning
from .freeze import frozen_path, read_sidecar, sidecar_path
from .model import Basemap, View, outlines, shown_path
from .raster_basemap import from_frozen, from_raster
from .sources import (
    OsmSource,
    RasterSource,
    VectorSource,
    print_refusal,
    resolve_source,
    source_problems,
    strip_secrets,
)
from .tile_basemap import from_tiles


def view_scale(view) -> float:
    """The N of 1:N at which ``view`` is printed."""
    xmin, _, xmax, _ = view.extent
    return (xmax - xmin) * 1000.0 / view.frame_mm[0]


def expected_credits(cfg, *, root: Path, source: str | None = None) -> tuple[str, ...]:
    """The credit lines a basemap from the configured source prints when it is fetched as asked
    (no lines for the comune outlines); a fallback prints others."""
    asked = (cfg.fonte if source is None else source).strip()
    return tuple(getattr(resolve_source(asked, cfg, Path(root)), "attribution", ()))


def get_basemaps(
    cfg, views: Mapping[str, object], *, root: Path, year: int, source: str | None = None, trial: bool = False
) -> dict:
    """View name → Basemap. Raises StampaError only for a wrong source in the configuration;
    network failures give the vector fallback with a warning (once, on the first view).
    ``trial``: a trial build, whose OpenStreetMap data never replaces the edition's frozen file."""
    asked = (cfg.fonte if source is None else source).strip()
    src = resolve_source(asked, cfg, Path(root))
    if not isinstance(src, OsmSource):
        return {name: get_basemap(cfg, view, root=root, year=year, source=source) for name, view in views.items()}

    from .osm import osm_data_for_views

    needs = [(view.extent, view_scale(view)) for view in views.values()]
    got = osm_data_for_views(cfg, needs, root=Path(root), year=year, trial=trial)
    out = {}
    for i, (name, view) in enumerate(views.items()):
        problems = tuple(got.problems) if i == 0 else ()
        common = dict(problems=problems, file=shown_path(Path(got.file), Path(root)) if got.file else None, url=strip_secrets(src.server))
        if got.data is None:
            out[name] = outlines(view, src.name, fallback=True, name=name, **common)
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
                view=name,
                **common,
            )
    return out


def basemap_problems(cfg, *, root: Path, source: str | None = None) -> list[Problem]:
    """Errors in the basemap source, without network (for `stampa controlla`)."""
    return source_problems(cfg.fonte if source is None else source, cfg, root)


def get_basemap(cfg, view: View, *, root: Path, year: int, source: str | None = None) -> Basemap:
    """The basemap of one view. Raises StampaError only for a wrong source in the configuration;
    network failures give the vector fallback with a warning."""
    root = Path(root)
    asked = (cfg.fonte if source is None else source).strip()
    src = resolve_source(asked, cfg, root)
    refusal = print_refusal(src)  # tiles whose terms forbid print (OpenStreetMap's own servers)
    if refusal:
        raise StampaError(refusal)
    asked = strip_secrets(asked)  # what the report and the sidecar show
    if isinstance(src, VectorSource):
        return outlines(view, asked)
    problems: list[Problem] = []
    if isinstance(src, RasterSource):
        frozen = read_sidecar(sidecar_path(src.path))
        if frozen is not None:
            used = frozen.covering(view.name, view.extent)
            if used is not None:
                return from_frozen(cfg, view, frozen, used.file, root, asked, problems)
        return from_raster(cfg, view, src.path, root, asked, "geotiff", src.attribution, None, problems)
    # Tiles: the frozen basemap first, when it was made from this same source.
    base = frozen_path(cfg.congelato, root, year)
    frozen = read_sidecar(sidecar_path(base))
    if frozen is not None:
        if frozen.source != src.name:
            problems.append(
                warning(
                    f"Lo sfondo congelato è di «{frozen.source}», ma la fonte ora è «{src.name}»: uso le "
                    "tessere della nuova fonte. Rifai «stampa sfondo» per congelare quella nuova.",
                    file=shown_path(base, root),
                )
            )
        else:
            used = frozen.covering(view.name, view.extent)
            if used is not None:
                b = from_frozen(cfg, view, frozen, used.file, root, asked, list(problems))
                if not b.fallback:
                    return b
                # A damaged frozen file: say so, and try the tiles it was made from.
                problems.append(
                    warning(
                        "Lo sfondo congelato non si può leggere: scarico le tessere. Rifai «stampa sfondo» per "
                        "congelarlo di nuovo.",
                        file=shown_path(used.file, root),
                    )
                )
                return from_tiles(cfg, view, src, root, asked, problems)
            problems.append(
                warning(
                    f"Lo sfondo congelato non copre la vista «{view.name}»: scarico le tessere. Rifai "
                    "«stampa sfondo» per congelare le viste attuali della mappa.",
                    file=shown_path(base, root),
                )
            )
    return from_tiles(cfg, view, src, root, asked, problems)
