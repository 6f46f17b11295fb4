"""The basemap (sfondo): the only part of stampa that touches the network.

``get_basemap`` gives the image to draw under one view of the map (the district, or the inset of
central Pavia), already in EPSG:32632, north-up, exactly covering the view's extent at the
effective ppi of its printed frame. In order of preference:

1. the frozen basemap of the edition (``stampa sfondo`` → ``dati/sfondo-<anno>.tif``), when it was
   made from the same source and covers the view: no network, the same pixels at every reprint;
2. a local GeoTIFF named as the source;
3. web tiles (xyzservices provider or URL template), from the persistent cache or the server;
4. the vector basemap (``image=None``): asked for with ``vettoriale``, or the fallback when tiles
   fail (with a warning; the build never stops for the network).

What contextily/xyzservices do here: xyzservices gives provider URLs, max zoom and attribution;
mercantile-style tile maths, the fetching, cache and mosaic are ours (contextily's zoom is for
screens, its fetch has no timeout by default and aborts on one bad tile, its cache is per-process
and stores decoded arrays); rasterio does the warping.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..problems import Problem, StampaError, error, warning
from .cache import NoCache, TileCache, cache_dir
from .fetch import fetch_tiles, user_agent
from .freeze import (
    Frozen,
    frozen_path,
    read_sidecar,
    sidecar_path,
    view_file,
    write_geotiff,
    write_sidecar,
)
from .sources import (
    KEY_ENV,
    RasterSource,
    TileSource,
    VectorSource,
    freeze_refusal,
    print_refusal,
    resolve_source,
    source_problems,
    strip_secrets,
)
from .tiles import BadTile, tile_ok
from .warp import read_raster, render_tiles
from .zoom import UTM, choose_zoom, frame_pixels, needed_tiles, ppi_of

__all__ = [
    "View",
    "Basemap",
    "get_basemap",
    "freeze_basemap",
    "basemap_report",
    "basemap_problems",
    "user_agent",
]

Extent = tuple[float, float, float, float]


@dataclass(frozen=True)
class View:
    """One map frame: what it shows (EPSG:32632 metres) and how big it is printed (mm)."""

    name: str
    extent: Extent  # xmin, ymin, xmax, ymax
    frame_mm: tuple[float, float]  # printed width, height

    def __post_init__(self) -> None:
        # Plain float tuples whatever the caller passed (lists, numpy floats): views are compared
        # with the frozen ones read back from JSON.
        object.__setattr__(self, "extent", tuple(float(c) for c in self.extent))
        object.__setattr__(self, "frame_mm", tuple(float(c) for c in self.frame_mm))
        x0, y0, x1, y1 = self.extent
        if not (x1 > x0 and y1 > y0) or min(self.frame_mm) <= 0:
            raise ValueError(f"vista «{self.name}» non valida: {self.extent}, {self.frame_mm} mm")


@dataclass(frozen=True)
class Basemap:
    image: np.ndarray | None  # H×W×3 uint8 RGB, north-up, EPSG:32632, exactly covering `extent`
    extent: Extent
    source: str  # what was asked: provider name, URL template, file, "vettoriale"
    kind: str  # "osm" | "tessere" | "congelato" | "geotiff" | "vettoriale"
    zoom: int | None
    ppi: float | None  # effective ppi at print size
    attribution: tuple[str, ...]  # printed credit lines
    fallback: bool  # tiles were asked for but the vector basemap is used
    tiles: int = 0  # tiles needed
    problems: tuple[Problem, ...] = ()  # warnings for the report
    fetched_from_network: int = 0
    from_cache: int = 0
    view: str = ""
    file: str | None = None  # the file read (frozen GeoTIFF or GeoPackage, or source), relative to the project if inside
    url: str | None = None  # tile URL template (or Overpass endpoint) without secrets
    vectors: Any = None  # OpenStreetMap data drawn as vectors (stampa.basemap.osm_model.OsmData), kind "osm"
    style: Any = None  # how to draw ``vectors`` (stampa.cartography.osm_style.OsmStyle)
    data_osm: str | None = None  # date of the OpenStreetMap data


# ---------------------------------------------------------------------------------------------
# Messages (pinned by the tests)


def fallback_message(reason: str) -> str:
    return (
        f"Sfondo a tessere non disponibile: {reason}. La mappa usa lo sfondo vettoriale (confini dei "
        "comuni). Controlla la connessione e «sfondo.fonte», oppure congela lo sfondo con «stampa sfondo» "
        "quando la rete funziona."
    )


def placeholder_message(reason: str) -> str:
    """The server answered with a notice instead of tiles: the network works, the source does not."""
    return (
        f"Sfondo a tessere rifiutato: {reason}. Queste immagini non vengono stampate né salvate nella cache. "
        "La mappa usa lo sfondo vettoriale (confini dei comuni). Se lo stile chiede una chiave di accesso, "
        f"scrivila in «sfondo.chiave_api» (o nella variabile d'ambiente {KEY_ENV}); altrimenti scegli "
        "un'altra fonte in «sfondo.fonte»: «osm» usa i dati OpenStreetMap e non chiede chiavi."
    )


def low_ppi_message(ppi: float, minimum: int, cause: str) -> str:
    return (
        f"Lo sfondo sarà stampato a {ppi:.0f} ppi, sotto il minimo di {minimum} ppi ({cause}): le scritte "
        "delle tessere usciranno sgranate. Alza il limite, scegli uno stile con zoom maggiore o stampa "
        "la mappa più piccola."
    )


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------------------------


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
        return Basemap(None, view.extent, asked, "vettoriale", None, None, (), False, view=view.name)
    problems: list[Problem] = []
    if isinstance(src, RasterSource):
        frozen = read_sidecar(sidecar_path(src.path))
        if frozen is not None:
            used = frozen.covering(view.name, view.extent)
            if used is not None:
                return _from_frozen(cfg, view, frozen, used.file, root, asked, problems)
        return _from_raster(cfg, view, src.path, root, asked, "geotiff", src.attribution, None, problems)
    # Tiles: the frozen basemap first, when it was made from this same source.
    base = frozen_path(cfg.congelato, root, year)
    frozen = read_sidecar(sidecar_path(base))
    if frozen is not None:
        if frozen.source != src.name:
            problems.append(
                warning(
                    f"Lo sfondo congelato è di «{frozen.source}», ma la fonte ora è «{src.name}»: uso le "
                    "tessere della nuova fonte. Rifai «stampa sfondo» per congelare quella nuova.",
                    file=_rel(base, root),
                )
            )
        else:
            used = frozen.covering(view.name, view.extent)
            if used is not None:
                b = _from_frozen(cfg, view, frozen, used.file, root, asked, list(problems))
                if not b.fallback:
                    return b
                # A damaged frozen file: say so, and try the tiles it was made from.
                problems.append(
                    warning(
                        "Lo sfondo congelato non si può leggere: scarico le tessere. Rifai «stampa sfondo» per "
                        "congelarlo di nuovo.",
                        file=_rel(used.file, root),
                    )
                )
                return _from_tiles(cfg, view, src, root, asked, problems)
            problems.append(
                warning(
                    f"Lo sfondo congelato non copre la vista «{view.name}»: scarico le tessere. Rifai "
                    "«stampa sfondo» per congelare le viste attuali della mappa.",
                    file=_rel(base, root),
                )
            )
    return _from_tiles(cfg, view, src, root, asked, problems)


def _low_ppi(cfg, ppi: float, cause: str, view: View) -> list[Problem]:
    if ppi < cfg.ppi_minimo:
        return [warning(low_ppi_message(ppi, cfg.ppi_minimo, cause), where=f"vista «{view.name}»")]
    return []


def _from_tiles(cfg, view: View, src: TileSource, root: Path, asked: str, problems: list[Problem]) -> Basemap:
    choice = choose_zoom(
        view.extent,
        view.frame_mm,
        target_ppi=cfg.ppi,
        tile_px=src.tile_px,
        max_zoom=src.max_zoom,
        max_tiles=cfg.max_tessere,
        forced=cfg.zoom,
    )
    if choice.limited_by == "zoom_massimo":
        cause = f"lo stile arriva al massimo allo zoom {src.max_zoom}"
    elif choice.limited_by == "max_tessere":
        cause = f"lo zoom {choice.wanted} chiederebbe più di {cfg.max_tessere} tessere («sfondo.max_tessere»)"
    else:
        cause = f"zoom {choice.zoom}"
    problems += _low_ppi(cfg, choice.ppi, cause, view)
    tiles = needed_tiles(view.extent, choice.zoom, src.tile_px)
    # A provider whose terms forbid keeping copies of its tiles (CARTO) gets no disk cache.
    cache = TileCache(cache_dir(cfg.cache, root), src.public_url) if src.terms.may_freeze else NoCache()
    fetch = dict(
        tile_px=src.tile_px,
        cache=cache,
        timeout_s=cfg.timeout_s,
        retries=cfg.tentativi,
        connections=cfg.connessioni,
        deadline_s=cfg.tempo_massimo_s,
        contact=cfg.contatto,
    )
    got = fetch_tiles(src.url, src.public_url, choice.zoom, tiles, **fetch)
    image = None
    size = frame_pixels(view.frame_mm, choice.ppi)
    if got.failure is None:
        try:
            image = render_tiles(got.tiles, choice.zoom, src.tile_px, view.extent, size)
        except BadTile:
            # Tiles damaged on disk after they were cached (the cache stores only tiles that
            # decoded): drop them and download them again, once.
            bad = [xy for xy, data in got.tiles.items() if not tile_ok(data, src.tile_px)]
            for xy in bad:
                cache.forget(choice.zoom, *xy)
                del got.tiles[xy]
            again = fetch_tiles(src.url, src.public_url, choice.zoom, bad, **fetch)
            got.tiles.update(again.tiles)
            got.from_cache -= len(bad)
            got.from_network += again.from_network
            got.failure, got.failed_url, got.placeholder = again.failure, again.failed_url, again.placeholder
            if got.failure is None:
                try:
                    image = render_tiles(got.tiles, choice.zoom, src.tile_px, view.extent, size)
                except BadTile as exc:
                    got.failure = str(exc)
    common = dict(
        extent=view.extent,
        source=asked,
        zoom=choice.zoom,
        tiles=len(tiles),
        fetched_from_network=got.from_network,
        from_cache=got.from_cache,
        view=view.name,
        url=src.public_url,
    )
    if image is not None:
        return Basemap(
            image=image,
            kind="tessere",
            ppi=choice.ppi,
            attribution=src.attribution,
            fallback=False,
            problems=tuple(problems),
            **common,
        )
    problems.append(
        warning(
            placeholder_message(got.failure) if got.placeholder else fallback_message(got.failure),
            where=f"vista «{view.name}»",
            value=got.failed_url,
        )
    )
    return Basemap(
        image=None,
        kind="vettoriale",
        ppi=None,
        attribution=(),
        fallback=True,
        problems=tuple(problems),
        **{**common, "zoom": None},
    )


def _from_raster(
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

    rel = _rel(path, root)
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
        return Basemap(None, view.extent, asked, "vettoriale", None, None, (), True, problems=tuple(problems), view=view.name, file=rel)
    if coverage == 0:
        problems.append(
            warning(
                f"Il file di sfondo non copre la vista «{view.name}»: la mappa usa lo sfondo vettoriale (confini "
                "dei comuni). Usa un GeoTIFF che copra tutto il distretto.",
                file=rel,
            )
        )
        return Basemap(None, view.extent, asked, "vettoriale", None, None, (), True, problems=tuple(problems), view=view.name, file=rel)
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


def _from_frozen(cfg, view: View, frozen: Frozen, file: Path, root: Path, asked: str, problems: list[Problem]) -> Basemap:
    used = next(v for v in frozen.views if v.file == file)
    if view.extent == used.extent and tuple(view.frame_mm) == tuple(used.frame_mm):
        native = used.ppi  # the frozen view itself: its pixels are read as they are
    else:
        native = ppi_of(view.extent, view.frame_mm, (used.extent[2] - used.extent[0]) / used.pixels[0])
    return _from_raster(cfg, view, file, root, asked, "congelato", frozen.attribution, used.zoom, problems, native_ppi=native)


# ---------------------------------------------------------------------------------------------


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
            b = _from_tiles(cfg, view, src, root, asked, [])
        else:
            b = _from_raster(cfg, view, src.path, root, asked, "geotiff", src.attribution, None, [])
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


# ---------------------------------------------------------------------------------------------


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
