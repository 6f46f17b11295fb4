"""`stampa sfondo`: fetch the edition's basemap once and freeze it into `dati/`.

The views to freeze are exactly the ones the Mappa will ask for, from its planning alone (with
the source's attribution: its box changes the room left for the inset, hence the views); nothing
is drawn. Builds then find the frozen basemap and need no network; a reprint gives the same pages.
"""

from __future__ import annotations

from pathlib import Path

from .basemap import View, freeze_basemap
from .basemap.for_views import view_scale
from .basemap.osm import freeze_osm_data
from .basemap.osm_store import public_server
from .basemap.sources import OsmSource, RasterSource, TileSource, freeze_refusal, osm_server, print_refusal, resolve_source
from .inputs import load_inputs, with_basemap
from .problems import ERROR, Problem, StampaError, how_many
from .products.mappa import map_views
from .terminal import console, print_problems


def edition_views(cfg, inputs, *, attribution: tuple[str, ...]) -> list[View]:
    """The views the Mappa of this edition asks basemaps for, in the order it asks."""
    return list(map_views(cfg, inputs.edition.entries, inputs.district, cfg.root / "layout", attribution).values())


def run_freeze(config_path: Path, *, dati: Path | None = None, sfondo: str | None = None) -> int:
    inputs = load_inputs(config_path, dati=dati)
    if any(p.level == ERROR for p in inputs.problems):
        raise StampaError(inputs.problems)
    cfg = with_basemap(inputs.config, sfondo)
    source = resolve_source(cfg.sfondo.fonte, cfg.sfondo, cfg.root)
    refusal = freeze_refusal(source) or print_refusal(source)  # before any planning or request
    if refusal is not None:
        raise StampaError(refusal)
    attribution = source.attribution if isinstance(source, (TileSource, RasterSource, OsmSource)) else ()
    out = console()
    with out.status("Calcolo delle viste della mappa…"):
        views = edition_views(cfg, inputs, attribution=attribution)
    if isinstance(source, OsmSource):
        return _freeze_osm(cfg, views)
    problems: list[Problem] = []
    with out.status(f"Scarico e congelo lo sfondo ({how_many(len(views), 'vista', 'viste')})…"):
        path = freeze_basemap(cfg.sfondo, views, root=cfg.root, year=cfg.edizione.anno, problems=problems)
    if problems:
        print_problems(problems)
    out.print(f"[green]Sfondo congelato[/] in {path} (e accanto il file .json con fonte, zoom, data e attribuzione).")
    out.print("Le prossime costruzioni lo useranno senza bisogno della rete.")
    return 0


def _freeze_osm(cfg, views: list[View]) -> int:
    """Fetch the OpenStreetMap data of every view again (a refresh) and freeze it in dati/."""
    out = console()
    needs = [(v.extent, view_scale(v)) for v in views]
    with out.status(f"Scarico i dati OpenStreetMap per {how_many(len(views), 'vista', 'viste')} dal server {public_server(osm_server(cfg.sfondo))}…"):
        got = freeze_osm_data(cfg.sfondo, needs, root=cfg.root, year=cfg.edizione.anno, refresh=True)
    if got.problems:
        print_problems(got.problems)
    count = len(got.data.features) if got.data is not None else 0
    date = got.data.data_osm[:10] if got.data is not None else "?"
    out.print(f"[green]Sfondo OpenStreetMap congelato[/] in {got.file}: {how_many(count, 'oggetto', 'oggetti')}, dati del {date}.", highlight=False)
    out.print("Le prossime costruzioni lo useranno senza bisogno della rete; «stampa sfondo» lo aggiorna.")
    return 0
