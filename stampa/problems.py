"""Problems found in the user's input, and the exception that carries them.

Every stage collects :class:`Problem` records instead of stopping at the first one, so staff see
everything to fix in one run. A problem names where it is (file, row or feature, field, value) and
says, in Italian, what is wrong and what to do. :class:`StampaError` is the only exception the CLI
turns into exit code 1; anything else is a bug in stampa.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

Level = Literal["errore", "avviso"]
ERROR: Level = "errore"
WARNING: Level = "avviso"


def shorten(value: object, limit: int = 60) -> str:
    """The value as it will be quoted in a message: one line, at most ``limit`` characters."""
    text = str(value).replace("\r", " ").replace("\n", " ").replace("\t", " ")
    text = "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def how_many(n: int, one: str, many: str) -> str:
    """«1 errore», «3 errori»: a count and its noun (with what follows it) in the right number."""
    return f"{n} {one if n == 1 else many}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (``errore``) or worth a look (``avviso``) in the input.

    ``message`` is a whole Italian sentence that says what is wrong and what to do; the location
    fields are optional because some problems concern a whole file or the configuration.
    """

    level: Level
    message: str
    file: str | None = None
    where: str | None = None  # "riga 5", "elemento 3 «Spazio Q»", "chiave sfondo.zoom"
    field: str | None = None
    value: str | None = None

    def location(self) -> str:
        parts = [p for p in (self.file, self.where) if p]
        if self.field:
            parts.append(f"campo «{self.field}»")
        if self.value is not None:
            parts.append(f"valore «{shorten(self.value)}»")
        return ", ".join(parts)

    def format(self) -> str:
        loc = self.location()
        return f"{loc}: {self.message}" if loc else self.message

    def as_dict(self) -> dict[str, str | None]:
        return {
            "livello": self.level,
            "file": self.file,
            "dove": self.where,
            "campo": self.field,
            "valore": self.value,
            "messaggio": self.message,
        }


def error(message: str, **where: str | None) -> Problem:
    return Problem(ERROR, message, **where)


def warning(message: str, **where: str | None) -> Problem:
    return Problem(WARNING, message, **where)


class StampaError(Exception):
    """The user's input cannot be used: carries every problem found (at least one error)."""

    def __init__(self, problems: Problem | Iterable[Problem]):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.level == ERROR]


def raise_if_errors(problems: Iterable[Problem]) -> None:
    problems = list(problems)
    if errors_in(problems):
        raise StampaError(problems)
