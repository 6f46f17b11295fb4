"""Characters of the edition's text that will not print as typed.

The Mappa and the posters print what the chosen fonts lack through fallback fonts (Noto Sans for
Greek, Cyrillic and Latin Extended, Noto Sans Symbols, the monochrome Noto Emoji): see
:mod:`stampa.printing.fonts`. Staff hear (as warnings: the build goes on) only about what is
left out: characters no font has, and scripts ReportLab cannot set (Arabic, Hebrew, Indic…).
A family taken from `fonts/` that lacks characters of the edition gets one warning listing the
entries, because there the fallback letters will look different from the chosen family.
"""

from __future__ import annotations

import unicodedata
from typing import Iterable, Sequence

from .entries.model import Entry
from .printing.fonts import FALLBACK_TEXT_FAMILY, FontSet, complex_script, missing_glyphs, unprintable
from .problems import Problem, error, warning

PRINTED_FIELDS = ("nome", "quartiere", "indirizzo", "ente", "attivita", "orari", "telefono", "email", "sito")
UNPRINTABLE_NAME = (
    "nessuna lettera del nome si può stampare (una scrittura che stampa non sa comporre, o caratteri che nessun "
    "carattere tipografico ha): nell'elenco la voce avrebbe un numero senza nome. Scrivi il nome in lettere latine "
    "(traslitterato), da solo o accanto all'originale."
)
MAX_LISTED = 12  # entries named in the warning about a family from fonts/


def describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"«{ch}» (U+{ord(ch):04X}{' ' + name if name else ''})"


def left_out_message(chars: Iterable[str], text: str = "") -> str | None:
    """The Italian sentence about characters of ``text`` that will not print, or None when there
    are none."""
    chars = sorted(set(chars))
    if not chars:
        return None
    scripts = sorted({s for ch in chars if (s := complex_script(ch))})
    plain = [ch for ch in chars if not complex_script(ch)]
    parts = []
    if scripts:
        written = " ".join("".join(ch if complex_script(ch) else " " for ch in text or "".join(chars)).split())
        parts.append(
            f"i caratteri in scrittura {', '.join(scripts)} («{written}») non si possono stampare: stampa non sa "
            "comporre le lettere legate né il testo da destra a sinistra, e li toglie dalla stampa. "
            "Scrivi il testo anche in lettere latine (traslitterato)."
        )
    if plain:
        listed = ", ".join(describe(ch) for ch in plain)
        what = "il carattere" if len(plain) == 1 else "i caratteri"
        parts.append(
            f"{what} {listed} non {'è' if len(plain) == 1 else 'sono'} in nessuno dei caratteri tipografici "
            f"disponibili: {'viene tolto' if len(plain) == 1 else 'vengono tolti'} dalla stampa. "
            "Se serve, sostituiscilo con lettere o con un simbolo comune."
        )
    return " ".join(p[0].upper() + p[1:] if i else p for i, p in enumerate(parts))


def check_glyphs(entries: Iterable[Entry], fonts: Sequence[FontSet]) -> list[Problem]:
    """Warnings: one per entry and field whose text has characters that will be left out; one per
    family from `fonts/` that lacks characters of the edition (printed with the fallback)."""
    problems: list[Problem] = []
    names = [f.regular for f in fonts] + [f.bold for f in fonts]
    lacking: dict[str, tuple[set[str], list[str], set[str]]] = {}  # local family → (characters, entries, files)
    for e in entries:
        for field in PRINTED_FIELDS:
            text = getattr(e, field)
            if not text or text.isascii():
                continue
            lost: set[str] = set()
            for font in names:
                lost |= unprintable(font, text)
            message = left_out_message(lost, text)
            if message and field == "nome" and all(ch in lost or ch.isspace() for ch in unicodedata.normalize("NFC", text)):
                # nothing of the name would print: the index would show a number without a name
                problems.append(error(UNPRINTABLE_NAME, file=e.origin.file, where=e.origin.label(), field=field, value=text))
            elif message:
                problems.append(warning(message, file=e.origin.file, where=e.origin.label(), field=field, value=text))
            for f in fonts:
                if f.folder is None:
                    continue
                missing = (missing_glyphs(f.regular, text) | missing_glyphs(f.bold, text)) - lost
                if missing:
                    chars, where, files = lacking.setdefault(f.family, (set(), [], set()))
                    chars |= missing
                    files.add(e.origin.file)
                    label = f"{e.origin.label()} «{e.nome}»"
                    if label not in where:
                        where.append(label)
    for family, (chars, where, files) in lacking.items():
        listed = ", ".join(f"«{ch}»" for ch in sorted(chars))
        more = f" e altre {len(where) - MAX_LISTED}" if len(where) > MAX_LISTED else ""
        problems.append(
            warning(
                f"il carattere «{family}» della cartella fonts/ non ha {listed}: in {', '.join(where[:MAX_LISTED])}{more} "
                f"si stampano con {FALLBACK_TEXT_FAMILY} o con un carattere di simboli, che hanno un disegno diverso. "
                "Se non va bene, scegli un carattere che abbia anche queste lettere.",
                file=", ".join(sorted(files)),
            )
        )
    return problems
