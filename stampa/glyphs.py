"""Characters the chosen fonts cannot draw.

A character missing from the TTF prints as an empty box (or nothing): staff must hear about it
before the print run, with the entry and field where it is, not find it on paper.
"""

from __future__ import annotations

import unicodedata
from typing import Iterable, Sequence

from .entries.model import Entry
from .printing.fonts import FontSet, missing_glyphs
from .problems import Problem, error

PRINTED_FIELDS = ("nome", "quartiere", "indirizzo", "ente", "attivita", "orari", "telefono", "email", "sito")


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"«{ch}» (U+{ord(ch):04X}{' ' + name if name else ''})"


def check_glyphs(entries: Iterable[Entry], fonts: Sequence[FontSet]) -> list[Problem]:
    """One error per entry and field whose text has characters that some font used for it lacks."""
    problems: list[Problem] = []
    names = [f.regular for f in fonts] + [f.bold for f in fonts]
    for e in entries:
        for field in PRINTED_FIELDS:
            text = getattr(e, field)
            if not text or text.isascii():
                continue
            missing: set[str] = set()
            for font in names:
                missing |= missing_glyphs(font, text)
            if missing:
                chars = ", ".join(_describe(ch) for ch in sorted(missing))
                families = " / ".join(dict.fromkeys(f.family for f in fonts))
                problems.append(
                    error(
                        f"il carattere tipografico {families} non ha {chars}: stamperebbe un quadratino vuoto. "
                        "Togli o sostituisci il simbolo, oppure scegli un altro carattere in [mappa].",
                        file=e.origin.file,
                        where=e.origin.label(),
                        field=field,
                        value=text,
                    )
                )
    return problems
