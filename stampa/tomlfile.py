"""Reading the TOML files staff edit (stampa.toml and the files in layout/), with one set of
Italian messages for what can go wrong before their contents are checked."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .problems import StampaError, error


def read_toml(file: Path, *, missing: str) -> dict[str, Any]:
    """The parsed file; ``missing`` is the message for a file that is not there (it says where
    the file should come from). Raises :class:`StampaError` for anything unreadable."""
    where = str(file)
    if file.exists() and not file.is_file():  # a folder, a pipe, a device: never opened
        raise StampaError(error("non è un file di testo da leggere: indica il file giusto.", file=where))
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise StampaError(error(missing, file=where)) from None
    except UnicodeDecodeError:
        raise StampaError(error("il file non è un testo UTF-8: salvalo in UTF-8.", file=where)) from None
    except OSError as exc:
        raise StampaError(error(f"il file non si può leggere ({exc.strerror}).", file=where)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StampaError(
            error(f"il file non è TOML valido ({exc}): controlla virgolette, parentesi e «=».", file=where)
        ) from None
