"""The basemap's warnings, word for word (pinned by the tests)."""

from __future__ import annotations



from .sources import (
    KEY_ENV,
)


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
