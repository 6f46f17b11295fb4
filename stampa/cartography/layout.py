"""The layout record of a drawn map: where every entry ended up, in mm on the canvas (the frame's
origin added), plus views, scales and scale bars. The index, the preflight and the tests read it."""

from __future__ import annotations

from dataclasses import dataclass

from ..problems import Problem
from .geometry import Box


@dataclass(frozen=True)
class PlacedEntry:
    id: str
    number: int
    nome: str
    tipo: str
    view: str  # 'mappa' | 'riquadro'
    true_mm: tuple[float, float]  # the entry's real place
    marker_mm: tuple[float, float]  # centre of its marker
    box_mm: Box  # the marker with its number
    displaced: bool  # True → a leader line joins marker and true place
    sheet: int | None = None  # the map sheet (tavola) it is drawn on, when the map is split in sheets


@dataclass(frozen=True)
class ViewRecord:
    name: str
    extent_m: tuple[float, float, float, float]  # EPSG:32632
    box_mm: Box  # where the view is printed
    scale: float  # N of 1:N


@dataclass(frozen=True)
class ScaleBarRecord:
    view: str
    length_m: int
    length_mm: float  # as drawn
    scale: float

    @property
    def measured_m(self) -> float:
        """Ground length the drawn bar stands for at the view's scale."""
        return self.length_mm * self.scale / 1000.0


@dataclass(frozen=True)
class MapLayout:
    origin_mm: tuple[float, float]
    frame_mm: tuple[float, float]
    entries: tuple[PlacedEntry, ...]
    views: tuple[ViewRecord, ...]
    scale_bars: tuple[ScaleBarRecord, ...]
    label_boxes_mm: tuple[tuple[str, Box], ...]  # comune names
    blocks_mm: tuple[tuple[str, Box], ...]  # legenda, attribuzione, riquadro, area_riquadro
    attribution: tuple[str, ...]
    problems: tuple[Problem, ...] = ()
    # names of the OpenStreetMap basemap: (text, its rotated box as 4 corners in mm)
    base_names: tuple[tuple[str, tuple[tuple[float, float], ...]], ...] = ()
    # the comune names of the page enlarging central Pavia (booklet), in mm on that page
    centre_labels_mm: tuple[tuple[str, Box], ...] = ()

    def entry(self, entry_id: str) -> PlacedEntry:
        return next(e for e in self.entries if e.id == entry_id)

    def view(self, name: str) -> ViewRecord:
        return next(v for v in self.views if v.name == name)


def _r(v: float) -> float:
    return round(v, 2)


def layout_report(layout: MapLayout) -> list[dict]:
    """One dict per entry for rapporto.json (Italian keys, mm rounded to 0.01)."""
    return [
        {
            "id": e.id,
            "numero": e.number,
            "nome": e.nome,
            "tipo": e.tipo,
            "vista": e.view,
            "posizione_mm": [_r(e.true_mm[0]), _r(e.true_mm[1])],
            "segnaposto_mm": [_r(e.marker_mm[0]), _r(e.marker_mm[1])],
            "riquadro_segnaposto_mm": [_r(v) for v in e.box_mm],
            "spostato": e.displaced,
            **({"tavola": e.sheet} if e.sheet is not None else {}),
        }
        for e in layout.entries
    ]


def views_report(layout: MapLayout) -> list[dict]:
    """The views and their scale bars for rapporto.json."""
    bars = {b.view: b for b in layout.scale_bars}
    out = []
    for v in layout.views:
        b = bars.get(v.name)
        out.append(
            {
                "vista": v.name,
                "estensione_epsg32632": [round(x, 1) for x in v.extent_m],
                "cornice_mm": [_r(x) for x in v.box_mm],
                "scala": f"1:{round(v.scale)}",
                "barra_di_scala_m": b.length_m if b else None,
                "barra_di_scala_mm": _r(b.length_mm) if b else None,
            }
        )
    return out
