"""A GeoTIFF as the basemap of one view (a local file, or the edition's frozen tiles), read at the
ppi the file allows and warped to the view."""

from __future__ import annotations

from pathlib import Path


from ..problems import Problem, warning
from .freeze import Frozen
from .warp import read_raster
from .zoom import UTM, frame_pixels, ppi_of
from .model import Basemap, Extent, View, outlines, shown_path
from .tile_basemap import _low_ppi


def from_raster(
    cfg,
    view: View,
    path: Path,
    root: Path,
    asked: str,
    kind: str,
    attribution: tuple[str, ...],
    zoom: int | None,
    problems: list[Problem],
    native_ppi: float | None = None,
) -> Basemap:
    import rasterio
    from rasterio.errors import RasterioError

    rel = shown_path(path, root)
    try:
        if native_ppi is None:
            with rasterio.open(path) as ds:
                if ds.crs is None:
                    raise ValueError("senza sistema di riferimento")
                res_m = _resolution_m(ds, view.extent)
            native_ppi = ppi_of(view.extent, view.frame_mm, res_m)
        ppi = min(float(cfg.ppi), native_ppi)
        image, coverage = read_raster(path, view.extent, frame_pixels(view.frame_mm, ppi))
    except (RasterioError, ValueError, OSError) as exc:
        problems.append(
            warning(
                f"Il file di sfondo non si può usare ({exc}). La mappa usa lo sfondo vettoriale (confini dei "
                "comuni). Usa un GeoTIFF RGB a 8 bit con sistema di riferimento, oppure una fonte a tessere.",
                file=rel,
            )
        )
        return outlines(view, asked, fallback=True, problems=tuple(problems), file=rel)
    if coverage == 0:
        problems.append(
            warning(
                f"Il file di sfondo non copre la vista «{view.name}»: la mappa usa lo sfondo vettoriale (confini "
                "dei comuni). Usa un GeoTIFF che copra tutto il distretto.",
                file=rel,
            )
        )
        return outlines(view, asked, fallback=True, problems=tuple(problems), file=rel)
    if coverage < 0.999:
        problems.append(
            warning(
                f"Il file di sfondo copre solo il {coverage:.0%} della vista «{view.name}»: il resto resta bianco. "
                "Usa un GeoTIFF che copra tutto il distretto.",
                file=rel,
            )
        )
    if kind == "geotiff" and not attribution:
        problems.append(
            warning(
                "Lo sfondo GeoTIFF non ha un'attribuzione: scrivi in «sfondo.attribuzione» da dove viene "
                "(es. «© OpenStreetMap contributors, dati ODbL (openstreetmap.org/copyright)»).",
                file=rel,
            )
        )
    problems += _low_ppi(cfg, ppi, "risoluzione del file di sfondo", view)
    return Basemap(
        image=image,
        extent=view.extent,
        source=asked,
        kind=kind,
        zoom=zoom,
        ppi=ppi,
        attribution=attribution,
        fallback=False,
        problems=tuple(problems),
        view=view.name,
        file=rel,
    )


def _resolution_m(ds, extent: Extent) -> float:
    """Ground metres per pixel of a raster around ``extent`` (its CRS may not be metric)."""
    from rasterio.warp import calculate_default_transform

    transform, _, _ = calculate_default_transform(ds.crs, UTM, ds.width, ds.height, *ds.bounds)
    return max(abs(transform.a), abs(transform.e))


def from_frozen(cfg, view: View, frozen: Frozen, file: Path, root: Path, asked: str, problems: list[Problem]) -> Basemap:
    used = next(v for v in frozen.views if v.file == file)
    if view.extent == used.extent and tuple(view.frame_mm) == tuple(used.frame_mm):
        native = used.ppi  # the frozen view itself: its pixels are read as they are
    else:
        native = ppi_of(view.extent, view.frame_mm, (used.extent[2] - used.extent[0]) / used.pixels[0])
    return from_raster(cfg, view, file, root, asked, "congelato", frozen.attribution, used.zoom, problems, native_ppi=native)
