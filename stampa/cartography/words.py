"""The words the maps print themselves: legend, scale, north arrow, the boundaries' credit, the
inset's title and the neighbouring sheets at an atlas sheet's edges.

Staff set them in `layout/mappa.toml` (stampa.products.mappa.texts reads it); the defaults here
are the words of the sample layout, so the maps also draw without a layout (tests, benches) and
an older layout file without the newer keys prints what it printed before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..district import CREDIT
from .symbols import format_scale


def fill_in(template: str, **values: object) -> str:
    """``template`` with each ``{name}`` of ``values`` replaced (other braces stay as written)."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


@dataclass(frozen=True)
class MapWords:
    """Placeholders in braces are filled when drawing: {scala} (e.g. 1:25.000), {nome} (the
    enlarged area's name), {numeri} (the neighbouring sheets' numbers)."""

    legend_title: str = "Legenda"
    laboratorio: str = "Laboratorio sociale"
    gruppo: str = "Gruppo di cittadini"
    displaced: str = "Luogo esatto (numero spostato)"
    district_boundary: str = "Confine del distretto"
    comune_boundary: str = "Confine comunale"
    inset_area: str = "Area ingrandita nel riquadro"  # the legend's row for the enlarged area
    inset_tag: str = "Riquadro"  # printed in the rectangle of the enlarged area
    inset_title: str = "Riquadro: {nome}"  # the band above the inset
    scale: str = "Scala {scala}"
    north: str = "N"
    boundaries_credit: str = CREDIT  # under every map, after the basemap's credits
    # OpenStreetMap's credit for points geocoded from addresses: "" when the edition has none (set
    # by the Mappa from its entries); printed before the boundaries' credit unless the basemap's
    # credits already name OpenStreetMap.
    positions_credit: str = ""
    neighbours: str = "tav. {numeri}"  # at an atlas sheet's edge: the sheets beyond it

    def credits(self, basemap_lines: Sequence[str]) -> list[str]:
        """Every credit line under a map: the basemap's, OpenStreetMap's for geocoded positions
        (once: not when the basemap's already name it), the boundaries'."""
        return [*basemap_lines, *positions_credit(basemap_lines, self.positions_credit), self.boundaries_credit]

    def kind(self, tipo: str) -> str:
        """The legend's name of an entry kind ('laboratorio' or 'gruppo')."""
        return self.laboratorio if tipo == "laboratorio" else self.gruppo

    def scale_of(self, scale: float) -> str:
        """«Scala 1:25.000» for 1:``scale``."""
        return fill_in(self.scale, scala=format_scale(scale))


def positions_credit(lines: Sequence[str], credit: str) -> tuple[str, ...]:
    """``(credit,)`` when it is set and none of ``lines`` (the basemap's credits) names
    OpenStreetMap already; else nothing."""
    if not credit or any("openstreetmap" in line.casefold() for line in lines):
        return ()
    return (credit,)


DEFAULT_WORDS = MapWords()  # the sample layout's words, for plans made without a layout
