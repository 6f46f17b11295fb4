"""The Mappa's printed wording, read from `layout/mappa.toml` (edited by staff, never by code).

The schema is the set of sections and keys below: a key the schema does not know, or one that is
missing, is refused with its dotted name (like `stampa.toml`), so a typo never silently drops a
sentence from thousands of printed copies. Texts may use a few placeholders filled per edition.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ...config import Config
from ...problems import Problem, StampaError, error
from ...tomlfile import read_toml

FILE_NAME = "mappa.toml"

# section → keys. Every key is required and holds a text.
SCHEMA: dict[str, tuple[str, ...]] = {
    "copertina": (
        "occhiello",
        "introduzione_titolo",
        "laboratori",
        "gruppi",
        "numeri",
        "qr_didascalia",
        "come_leggere_pieghevole",
        "come_leggere_foglio",
        "come_leggere_libretto",
    ),
    "indice": (
        "titolo",
        "introduzione",
        "senza_quartiere",
        "segue",
        "a_cura_di",
        "orari",
        "telefono",
        "laboratorio",
        "gruppo",
    ),
    "retro": (
        "partecipare_titolo",
        "partecipare",
        "legenda_titolo",
        "legenda_laboratorio",
        "legenda_gruppo",
        "legenda_nota",
        "crediti_titolo",
        "crediti",
        "sfondo",
    ),
    "mappa": ("titolo", "sottotitolo"),
    "libretto": ("pagina_note",),
}

PLACEHOLDERS = ("titolo", "sottotitolo", "edizione", "anno", "autore", "distretto")
# Filled when the edition's entries are known, and only in these keys.
LATE_PLACEHOLDERS = {"copertina.numeri": ("voci", "comuni")}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Texts:
    """section → key → text with placeholders already filled."""

    values: Mapping[str, Mapping[str, str]]
    file: Path

    def __call__(self, dotted: str) -> str:
        section, key = dotted.split(".", 1)
        return self.values[section][key]


def _suggest(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" Forse intendevi «{close[0]}»?" if close else ""


def placeholder_values(cfg: Config) -> dict[str, str]:
    return {
        "titolo": cfg.edizione.titolo,
        "sottotitolo": cfg.edizione.sottotitolo,
        "edizione": cfg.edizione.nome,
        "anno": str(cfg.edizione.anno),
        "autore": cfg.edizione.autore,
        "distretto": cfg.distretto.nome,
    }


def load_texts(layout_dir: Path, cfg: Config) -> Texts:
    """Read and check ``layout_dir/mappa.toml``; raise :class:`StampaError` listing every problem."""
    path = Path(layout_dir) / FILE_NAME
    where = str(path)
    data = read_toml(path, missing="manca il file dei testi della Mappa: ripristinalo dalla cartella layout/ del progetto.")
    fill = placeholder_values(cfg)
    problems: list[Problem] = []
    values: dict[str, dict[str, str]] = {}
    for section in data:
        if section not in SCHEMA:
            problems.append(
                error("sezione sconosciuta: toglila o correggi il nome." + _suggest(section, SCHEMA), file=where, where=f"chiave «{section}»")
            )
    for section, keys in SCHEMA.items():
        got = data.get(section)
        if got is None:
            problems.append(error(f"manca la sezione [{section}]: aggiungila.", file=where, where=f"chiave «{section}»"))
            continue
        if not isinstance(got, dict):
            problems.append(error(f"deve essere una sezione [{section}].", file=where, where=f"chiave «{section}»"))
            continue
        values[section] = {}
        for key in got:
            if key not in keys:
                problems.append(
                    error(
                        "chiave sconosciuta: toglila o correggi il nome." + _suggest(key, keys),
                        file=where,
                        where=f"chiave «{section}.{key}»",
                    )
                )
        for key in keys:
            dotted = f"{section}.{key}"
            if key not in got:
                problems.append(error("testo mancante: aggiungilo.", file=where, where=f"chiave «{dotted}»"))
                continue
            text = got[key]
            if not isinstance(text, str):
                problems.append(error("deve essere un testo tra virgolette.", file=where, where=f"chiave «{dotted}»", value=str(text)))
                continue
            late = LATE_PLACEHOLDERS.get(dotted, ())
            bad = [name for name in _PLACEHOLDER.findall(text) if name not in fill and name not in late]
            if bad:
                problems.append(
                    error(
                        f"segnaposto sconosciuto {{{bad[0]}}}: usa uno di "
                        + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
                        + ".",
                        file=where,
                        where=f"chiave «{dotted}»",
                    )
                )
                continue
            values[section][key] = _PLACEHOLDER.sub(lambda m: fill.get(m.group(1), m.group(0)), text).strip()
    if problems:
        raise StampaError(problems)
    return Texts(values, path)
