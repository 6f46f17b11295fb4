"""The Mappa's printed wording, read from `layout/mappa.toml` (edited by staff, never by code).

The schema is the set of sections and keys below: a key the schema does not know, or one that is
missing, is refused with its dotted name (like `stampa.toml`), so a typo never silently drops a
sentence from thousands of printed copies. Texts may use a few placeholders filled per edition.

The keys added after the first editions (OPTIONAL: the map's legend, scale and credit, the inset,
the atlas sheets, the booklet's centre page and index foot) may be missing: an older layout file
then prints the words it printed before (the defaults below, the sample layout's own).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ...basemap.sources import OSM_LINE
from ...cartography.words import DEFAULT_WORDS, MapWords, fill_in
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

_MAP = DEFAULT_WORDS
# Printed only when an entry's point was geocoded by the service (OpenStreetMap data, ODbL) and the
# basemap's own credits do not already name OpenStreetMap: the basemap's wording, reused.
POSITIONS_CREDIT = f"Posizioni ricavate dagli indirizzi: {OSM_LINE}"
# section → key → default, for keys an older layout file may lack. The map's own words default to
# those of MapWords, so each default is written once.
OPTIONAL: dict[str, dict[str, str]] = {
    "indice": {"novita": "Novità"},
    "legenda": {
        "titolo": _MAP.legend_title,
        "spostato": _MAP.displaced,
        "confine_distretto": _MAP.district_boundary,
        "confine_comunale": _MAP.comune_boundary,
        "riquadro": _MAP.inset_area,
        "scala": _MAP.scale,
        "nord": _MAP.north,
        "crediti_confini": _MAP.boundaries_credit,
        "crediti_posizioni": POSITIONS_CREDIT,
    },
    "riquadro": {
        "nome": _MAP.inset_tag,
        "titolo": _MAP.inset_title,
    },
    "tavole": {
        "quadro_titolo": "Quadro d'unione delle tavole",
        "quadro_sottotitolo": "Il distretto diviso in {tavole} tavole: ogni voce dell'elenco indica la sua (tav.)",
        "titolo": "Tavola {numero} di {tavole}",
        "confinanti": _MAP.neighbours,
        "rimando": "tav.\u00a0{numero}",
    },
    "libretto": {
        "centro_nome": "{nome}: a pagina {pagina}",
        "centro_legenda": "Area ingrandita a pagina {pagina}",
        "centro_sottotitolo": "Ingrandimento della mappa di pagina {pagina}: le voci di quest'area sono solo qui",
        "piede_elenco": "Elenco · voci {da}–{a}",
        "piede_elenco_una": "Elenco · voce {numero}",
    },
}

PLACEHOLDERS = ("titolo", "sottotitolo", "edizione", "anno", "autore", "distretto")
# Filled when the edition's entries (or the map's pages and sheets) are known, and only in these keys.
LATE_PLACEHOLDERS = {
    "copertina.numeri": ("voci", "comuni"),
    "legenda.scala": ("scala",),
    "riquadro.titolo": ("nome",),
    "tavole.quadro_sottotitolo": ("tavole",),
    "tavole.titolo": ("numero", "tavole"),
    "tavole.confinanti": ("numeri",),
    "tavole.rimando": ("numero",),
    "libretto.centro_nome": ("nome", "pagina"),
    "libretto.centro_legenda": ("pagina",),
    "libretto.centro_sottotitolo": ("pagina",),
    "libretto.piede_elenco": ("da", "a"),
    "libretto.piede_elenco_una": ("numero",),
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Texts:
    """section → key → text with placeholders already filled."""

    values: Mapping[str, Mapping[str, str]]
    file: Path

    def __call__(self, dotted: str) -> str:
        section, key = dotted.split(".", 1)
        return self.values[section][key]

    def fill(self, dotted: str, **values: object) -> str:
        """The text of ``dotted`` with its late placeholders (LATE_PLACEHOLDERS) filled."""
        return fill_in(self(dotted), **values)

    def map_words(self) -> MapWords:
        """What the maps print, from this layout (the legend's kinds are the back panel's)."""
        return MapWords(
            legend_title=self("legenda.titolo"),
            laboratorio=self("retro.legenda_laboratorio"),
            gruppo=self("retro.legenda_gruppo"),
            displaced=self("legenda.spostato"),
            district_boundary=self("legenda.confine_distretto"),
            comune_boundary=self("legenda.confine_comunale"),
            inset_area=self("legenda.riquadro"),
            inset_tag=self("riquadro.nome"),
            inset_title=self("riquadro.titolo"),
            scale=self("legenda.scala"),
            north=self("legenda.nord"),
            boundaries_credit=self("legenda.crediti_confini"),
            neighbours=self("tavole.confinanti"),
        )


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
    sections = [*SCHEMA, *(s for s in OPTIONAL if s not in SCHEMA)]
    for section in data:
        if section not in sections:
            problems.append(
                error("sezione sconosciuta: toglila o correggi il nome." + _suggest(section, sections), file=where, where=f"chiave «{section}»")
            )
    for section in sections:
        required = SCHEMA.get(section, ())
        optional = OPTIONAL.get(section, {})
        keys = (*required, *optional)
        got = data.get(section)
        if got is None and required:
            problems.append(error(f"manca la sezione [{section}]: aggiungila.", file=where, where=f"chiave «{section}»"))
            continue
        got = {} if got is None else got
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
            if key not in got and key in optional:
                values[section][key] = optional[key]  # a layout file older than the key: today's words
                continue
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
                        + ", ".join("{" + p + "}" for p in (*PLACEHOLDERS, *late))
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
