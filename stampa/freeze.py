"""`stampa sfondo`: fetch the edition's basemap once and freeze it into `dati/`.

The views to freeze are exactly the ones the Mappa will ask for: the Mappa is laid out once in a
scratch folder with placeholder basemaps that carry the source's attribution (the attribution box
changes the room left for the inset, hence the views), and every view it asks for is recorded.
Builds then find the frozen GeoTIFFs and need no network; a reprint gives the same pages.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .basemap import Basemap, View, freeze_basemap
from .basemap.sources import RasterSource, TileSource, resolve_source
from .inputs import load_inputs, with_basemap
from .printing.theme import load_theme
from .problems import ERROR, Problem, StampaError
from .products.mappa import build_mappa
from .terminal import console, print_problems


def map_views(cfg, inputs, *, attribution: tuple[str, ...]) -> list[View]:
    """The views the Mappa of this edition asks basemaps for, in the order it asks."""
    asked: dict[str, View] = {}

    def record(view: View) -> Basemap:
        asked[view.name] = view
        return Basemap(None, view.extent, "vettoriale", "vettoriale", None, None, attribution, False, view=view.name)

    with tempfile.TemporaryDirectory(prefix="stampa-sfondo-") as scratch:
        build_mappa(
            cfg,
            inputs.edition.entries,
            inputs.district,
            Path(scratch),
            theme=load_theme(cfg.root / "layout" / "tema.toml"),
            layout_dir=cfg.root / "layout",
            basemaps=record,
            preview_dpi=36,
        )
    return list(asked.values())


def run_freeze(config_path: Path, *, dati: Path | None = None, sfondo: str | None = None) -> int:
    inputs = load_inputs(config_path, dati=dati)
    if any(p.level == ERROR for p in inputs.problems):
        raise StampaError(inputs.problems)
    cfg = with_basemap(inputs.config, sfondo)
    source = resolve_source(cfg.sfondo.fonte, cfg.sfondo, cfg.root)
    attribution = source.attribution if isinstance(source, (TileSource, RasterSource)) else ()
    out = console()
    with out.status("Calcolo delle viste della mappa…"):
        views = map_views(cfg, inputs, attribution=attribution)
    problems: list[Problem] = []
    with out.status(f"Scarico e congelo lo sfondo ({len(views)} viste)…"):
        path = freeze_basemap(cfg.sfondo, views, root=cfg.root, year=cfg.edizione.anno, problems=problems)
    if problems:
        print_problems(problems)
    out.print(f"[green]Sfondo congelato[/] in {path} (e accanto il file .json con fonte, zoom, data e attribuzione).")
    out.print("Le prossime costruzioni lo useranno senza bisogno della rete.")
    return 0
