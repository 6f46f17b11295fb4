"""`stampa sfondo` for tiles and GeoTIFFs: every view fetched (or read) and kept as a GeoTIFF in
`dati/` with a JSON sidecar; refused for sources whose terms forbid keeping copies."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence


from ..problems import Problem, StampaError, error
from .freeze import frozen_path, sidecar_path, view_file, write_geotiff, write_sidecar
from .sources import (
    RasterSource,
    TileSource,
    VectorSource,
    freeze_refusal,
    print_refusal,
    resolve_source,
    strip_secrets,
)
from .model import Basemap, View
from .raster_basemap import from_raster
from .tile_basemap import from_tiles


def freeze_basemap(
    cfg,
    views: Sequence[View],
    *,
    root: Path,
    year: int,
    source: str | None = None,
    problems: list[Problem] | None = None,
) -> Path:
    """Fetch (or reuse from the cache) the tiles of every view and keep them as GeoTIFFs in `dati/`.

    Returns the main GeoTIFF (the first view); the other views and the JSON sidecar are next to it.
    Raises StampaError when a view cannot be made (a freeze must not silently keep nothing).
    Warnings (low ppi…) are appended to ``problems`` when given.
    """
    root = Path(root)
    asked = (cfg.fonte if source is None else source).strip()
    src = resolve_source(asked, cfg, root)
    refusal = freeze_refusal(src) or print_refusal(src)  # terms that forbid keeping the tiles
    if refusal:
        raise StampaError(refusal)
    asked = strip_secrets(asked)  # what the report and the sidecar show
    base = frozen_path(cfg.congelato, root, year)
    where = dict(where="comando «stampa sfondo»")
    if isinstance(src, VectorSource):
        raise StampaError(
            error("lo sfondo «vettoriale» non ha tessere da congelare: scegli una fonte a tessere in «sfondo.fonte» o con --sfondo.", **where)
        )
    if not views:
        raise StampaError(error("nessuna vista da congelare.", **where))
    names = [v.name for v in views]
    if len(set(names)) != len(names):
        raise StampaError(error("due viste hanno lo stesso nome: ogni vista della mappa deve avere un nome diverso.", **where))
    if isinstance(src, RasterSource) and src.path.resolve() in {view_file(base, i, n).resolve() for i, n in enumerate(names)}:
        raise StampaError(error("la fonte è lo stesso file da scrivere: scegli una fonte a tessere.", **where))

    built: list[tuple[View, Basemap]] = []
    for view in views:
        if isinstance(src, TileSource):
            b = from_tiles(cfg, view, src, root, asked, [])
        else:
            b = from_raster(cfg, view, src.path, root, asked, "geotiff", src.attribution, None, [])
        if b.image is None:
            reasons = " ".join(p.message for p in b.problems if p.level == "avviso")
            raise StampaError(
                error(
                    f"impossibile congelare la vista «{view.name}»: niente è stato scritto. {reasons}",
                    **where,
                    value=b.url,
                )
            )
        if problems is not None:
            problems.extend(b.problems)
        built.append((view, b))

    records = []
    for i, (view, b) in enumerate(built):
        path = view_file(base, i, view.name)
        tags = {"STAMPA_FONTE": b.source, "STAMPA_VISTA": view.name, "STAMPA_ZOOM": str(b.zoom)}
        tags.update({f"STAMPA_ATTRIBUZIONE_{k + 1}": line for k, line in enumerate(b.attribution)})
        write_geotiff(path, b.image, view.extent, tags)
        records.append(
            {
                "nome": view.name,
                "file": path.name,
                "estensione": list(view.extent),
                "formato_mm": list(view.frame_mm),
                "pixel": [int(b.image.shape[1]), int(b.image.shape[0])],
                "ppi": b.ppi,
                "zoom": b.zoom,
                "tessere": b.tiles,
            }
        )
    first = built[0][1]
    write_sidecar(
        sidecar_path(base),
        source=src.name,
        kind="tessere" if isinstance(src, TileSource) else "geotiff",
        url=first.url,
        attribution=first.attribution,
        views=records,
    )
    return base
