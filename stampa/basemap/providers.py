"""The tile providers' terms, read from ``providers.toml`` next to this module.

xyzservices says where a provider's tiles are and how to credit them; whether a key is needed even
when xyzservices does not say so, whether the tiles may be printed or kept, and the Italian credit
line are facts about the providers' terms that change by the month: they live in a data file, not
in code, so updating one is a one-line edit.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

DATA = Path(__file__).with_name("providers.toml")


@dataclass(frozen=True)
class Terms:
    """What one provider's terms allow. The defaults are for a provider the data file does not
    list: no key known to be needed, printing and freezing left to the user."""

    label: str = ""  # Italian, completes «le tessere …»
    needs_key: bool = False
    key_site: str = ""
    key_param: str = ""
    may_print: bool = True
    print_reason: str = ""
    may_freeze: bool = True
    freeze_reason: str = ""
    credit: str | None = None  # None: not listed, «Sfondo: » + the provider's attribution


@dataclass(frozen=True)
class _Entry:
    names: tuple[str, ...]
    hosts: tuple[str, ...]
    terms: Terms


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[_Entry, ...], frozenset[str]]:
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    entries = []
    for raw in data.get("provider", []):
        terms = Terms(
            label=raw.get("label", ""),
            needs_key=bool(raw.get("needs_key", False)),
            key_site=raw.get("key_site", ""),
            key_param=raw.get("key_param", ""),
            may_print=bool(raw.get("print", True)),
            print_reason=raw.get("print_reason", ""),
            may_freeze=bool(raw.get("freeze", True)),
            freeze_reason=raw.get("freeze_reason", ""),
            credit=raw.get("credit"),
        )
        entries.append(_Entry(tuple(raw.get("names", ())), tuple(h.lower() for h in raw.get("hosts", ())), terms))
    digests = frozenset(d.lower() for d in data.get("placeholder_sha256", []))
    return tuple(entries), digests


def _name_matches(pattern: str, name: str) -> bool:
    if pattern.endswith("."):
        return name.lower().startswith(pattern.lower())
    return name.lower() == pattern.lower()


def _host_matches(pattern: str, url: str) -> bool:
    host = (urlsplit(url.replace("{s}", "a")).hostname or "").lower()
    return host == pattern or host.endswith("." + pattern)


def terms_for(name: str = "", url: str = "") -> Terms:
    """The terms of a provider (by xyzservices name) or of a tile URL (by its host)."""
    entries, _ = _load()
    for entry in entries:
        if (name and any(_name_matches(p, name) for p in entry.names)) or (
            url and any(_host_matches(h, url) for h in entry.hosts)
        ):
            return entry.terms
    return Terms()


def placeholder_digests() -> frozenset[str]:
    """SHA-256 (hex) of images known to be served instead of tiles."""
    return _load()[1]
