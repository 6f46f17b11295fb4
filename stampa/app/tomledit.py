"""`stampa.toml` edited from the browser without losing what staff wrote: comments, order and
spacing stay (tomlkit round trip). The edited text is checked by the same loader as the CLI
(stampa.config.config_from_data) before anything is written; the file is then replaced atomically."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit

from ..config import Manifesto, Mappa, config_from_data
from ..outputs import write_text
from ..problems import StampaError, error


@dataclass(frozen=True)
class Field:
    key: str  # dotted: "edizione.titolo"
    label: str  # Italian, shown in the form
    kind: str = "text"  # text, int, url, email, tel, choice, choices, bool
    help: str = ""


EDITION_FIELDS = (
    Field("edizione.titolo", "Titolo"),
    Field("edizione.sottotitolo", "Sottotitolo"),
    Field("edizione.anno", "Anno", "int"),
    Field("edizione.etichetta", "Etichetta dell'edizione", help="es. «Seconda edizione»; vuota: «Edizione <anno>»"),
    Field("edizione.autore", "Autore (nei metadati dei PDF)"),
    Field("contatti.ente", "Ente"),
    Field("contatti.referente", "Referente"),
    Field("contatti.email", "Email", "email"),
    Field("contatti.telefono", "Telefono", "tel"),
    Field("contatti.sito", "Sito", "url"),
    Field("collegamenti.mappa_digitale", "Indirizzo del codice QR della Mappa", "url"),
    Field("collegamenti.manifesto_digitale", "Indirizzo del codice QR del manifesto", "url",
          help="vuoto: lo stesso della Mappa"),
    Field("mappa.formato", "Formato della Mappa", "choice"),
    Field("manifesto.formati", "Formati del manifesto", "choices"),
    Field("manifesto.per_laboratorio", "Anche un manifesto per ogni laboratorio", "bool"),
)

# The form's groups, in order: the first part of the key → the group's title.
GROUPS = {
    "edizione": "L'edizione",
    "contatti": "Contatti (stampati sulla Mappa e sul manifesto)",
    "collegamenti": "Dove portano i codici QR",
    "mappa": "Formati",
    "manifesto": "Formati",
}

CHOICES = {
    "mappa.formato": Mappa.__dataclass_fields__["formato"].metadata["choices"],
    "manifesto.formati": Manifesto.__dataclass_fields__["formati"].metadata["choices"],
}


def read_document(config: Path) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(config.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as exc:
        raise StampaError(error(f"il file non si può leggere per modificarlo ({exc}): correggilo a mano.",
                                file=str(config))) from None


def current_values(doc: tomlkit.TOMLDocument) -> dict[str, Any]:
    plain = doc.unwrap()
    values: dict[str, Any] = {}
    for f in EDITION_FIELDS:
        section, key = f.key.split(".")
        values[f.key] = plain.get(section, {}).get(key, _default(f.key))
    return values


def _default(key: str) -> Any:
    """The value stampa uses when the file does not say (the dataclass default)."""
    import typing
    from dataclasses import MISSING

    from ..config import Config

    section, name = key.split(".")
    f = typing.get_type_hints(Config)[section].__dataclass_fields__[name]
    if f.default is not MISSING:
        return list(f.default) if isinstance(f.default, tuple) else f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return ""


def form_values(form: Mapping[str, Any]) -> dict[str, Any]:
    """The form's fields as TOML values. A number that is not a number stays text, so the loader
    reports it with the CLI's message («deve essere un numero intero»)."""
    values: dict[str, Any] = {}
    for f in EDITION_FIELDS:
        if f.kind == "choices":
            values[f.key] = list(form.getlist(f.key)) if hasattr(form, "getlist") else list(form.get(f.key, []))
        elif f.kind == "bool":
            values[f.key] = form.get(f.key) == "sì"
        else:
            raw = str(form.get(f.key, "")).strip()
            if f.kind == "int":
                try:
                    values[f.key] = int(raw)
                except ValueError:
                    values[f.key] = raw
            else:
                values[f.key] = raw
    return values


def apply(doc: tomlkit.TOMLDocument, values: Mapping[str, Any]) -> tomlkit.TOMLDocument:
    """The document with ``values`` set; untouched keys, comments and order stay as they were.
    A key already in the file keeps its place and its trailing comment."""
    for dotted, value in values.items():
        section, key = dotted.split(".")
        if section not in doc:
            if value == _default(dotted):
                continue  # nothing to say that stampa does not already assume
            doc[section] = tomlkit.table()
        table = doc[section]
        if key in table:
            old = table.value.item(key)
            if isinstance(value, list):
                new = tomlkit.array()
                new.extend(value)
            else:
                new = tomlkit.item(value)
            # The old value's comment and spacing («formato = "A4"      # …») stay with the new one.
            for part in ("indent", "comment_ws", "comment", "trail"):
                setattr(new.trivia, part, getattr(old.trivia, part))
            table[key] = new
        elif value != _default(dotted):
            table[key] = value
    return doc


def save(config: Path, values: Mapping[str, Any]) -> None:
    """Check the edited configuration as the CLI would, then write it; raise StampaError (with
    the CLI's messages, naming stampa.toml) and write nothing when something is wrong."""
    doc = apply(read_document(config), values)
    text = tomlkit.dumps(doc)
    config_from_data(tomlkit.parse(text).unwrap(), config)
    write_text(config, text)


def set_entries_file(config: Path, relative: str) -> None:
    """Make ``[dati] voci`` name the chosen file (relative to the project, as staff write it)."""
    save(config, {"dati.voci": relative})
