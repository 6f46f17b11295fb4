"""Web tiles as the basemap of one view: zoom from the printed size, tiles from the cache or the
server (bounded in time), the mosaic warped to the view; the vector fallback when that fails."""

from __future__ import annotations

from pathlib import Path


from ..problems import Problem, warning
from .cache import NoCache, TileCache, cache_dir
from .fetch import fetch_tiles
from .sources import (
    TileSource,
)
from .tiles import BadTile, tile_ok
from .warp import render_tiles
from .zoom import choose_zoom, frame_pixels, needed_tiles
from .messages import fallback_message, low_ppi_message, placeholder_message
from .model import Basemap, View


def _low_ppi(cfg, ppi: float, cause: str, view: View) -> list[Problem]:
    if ppi < cfg.ppi_minimo:
        return [warning(low_ppi_message(ppi, cfg.ppi_minimo, cause), where=f"vista «{view.name}»")]
    return []


def from_tiles(cfg, view: View, src: TileSource, root: Path, asked: str, problems: list[Problem]) -> Basemap:
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
