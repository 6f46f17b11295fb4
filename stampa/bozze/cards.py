"""The cards of a proof: each entry's card exactly as the Mappa's index prints it.

The index decides its column widths and its type scale for the whole edition (a long edition
shrinks every card; the leaflet's panels have their own widths), so a card wrapped at a fixed
width could break its lines elsewhere than the printed one. Here the Mappa is planned as
`stampa edizione` plans it (stampa.products.mappa.plan: format, maps, index flow), without
basemaps or drawing, and each proof takes the very card the flow placed: same width, same
scale, same paragraphs, same «Novità» mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..problems import StampaError


@dataclass(frozen=True)
class PrintedCards:
    """What the index of this edition prints, by entry id."""

    cards: dict  # entry id → WrappedCard (stampa.products.mappa.index), as placed in the print version
    width_mm: dict[str, float]  # entry id → the width of its index column
    scale: float  # the index's type scale (1.0: the designed size)
    numbered: tuple  # the entries numbered as the Mappa numbers them (with their «Novità» marks)


def expected_credits(cfg) -> tuple[str, ...]:
    """The credit lines the basemap source declares (they take room in the index's back
    matter), known without the network: what the build prints unless the source fails and the
    map falls back to the comune outlines."""
    from ..basemap.sources import resolve_source

    try:
        src = resolve_source(cfg.sfondo.fonte, cfg.sfondo, cfg.root)
    except StampaError:  # a wrong source: `stampa controlla` and the build say so
        return ()
    return tuple(getattr(src, "attribution", ()))


def printed_cards(cfg, entries: Sequence, district, new_ids: frozenset[str] = frozenset(),
                  credits: Sequence[str] | None = None) -> PrintedCards:
    """Plan the Mappa's index as the edition does. ``credits``: the basemaps' lines (None: those
    the source declares, :func:`expected_credits`). Raises StampaError as the build would (an
    edition the format cannot hold, a card too long for a column)."""
    from ..products.mappa.index import WrappedCard
    from ..products.mappa.plan import plan_layout, plan_maps, prepare

    setup = prepare(cfg, entries, district, cfg.root / "layout", new_ids)
    attribution = tuple(expected_credits(cfg) if credits is None else credits)
    maps = plan_maps(setup, attribution)
    plan = plan_layout(setup, maps, attribution)
    columns = plan.index_columns("stampa").columns
    cards, widths = {}, {}
    for placed in plan.flow.placed:
        if isinstance(placed.block, WrappedCard):
            entry_id = placed.block.numbered.entry.id
            cards[entry_id] = placed.block
            widths[entry_id] = columns[placed.column].w_mm
    return PrintedCards(cards, widths, plan.flow.scale, setup.numbered)
