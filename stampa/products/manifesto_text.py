"""The manifesto's wording, from `layout/manifesto.toml` (edited by staff, checked like the config).

The file's sections are the frozen dataclasses below; the config loader walks them, so a key the
dataclasses do not know is refused with its dotted name (``parti[2].parole_chiave[1]``) and a
"did you mean" suggestion, and every value is type-checked. Then the manifesto's own rules: one
to four parts (the design shows three), one to six keywords each, no empty texts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from ..config import _f, _Loader  # the config's schema walker: same messages, same rules
from ..problems import Problem, StampaError, error, warning
from ..tomlfile import read_toml

LAYOUT_NAME = "manifesto.toml"
MAX_PARTS = 4
MAX_KEYWORDS = 6


@dataclass(frozen=True, kw_only=True)
class Parte:
    """One part of the manifesto: a heading, its keywords (printed as strong labels), a short text."""

    titolo: str = _f()
    parole_chiave: tuple[str, ...] = _f()
    testo: str = _f()


@dataclass(frozen=True, kw_only=True)
class TestiContatti:
    """The bottom block of the poster; the contact lines themselves come from [contatti] in stampa.toml."""

    titolo: str = _f("Per saperne di più")
    testo: str = _f("")
    invito_qr: str = _f("Inquadra il codice QR per la versione digitale.")


@dataclass(frozen=True, kw_only=True)
class TestiLaboratorio:
    """The band of the per-lab posters."""

    fascia: str = _f("Qui trovi il Laboratorio Sociale")
    etichetta_orari: str = _f("Orari")
    invito_qr: str = _f("Inquadra il codice QR: la pagina del laboratorio.")


@dataclass(frozen=True, kw_only=True)
class ManifestoText:
    occhiello: str = _f("")  # small line above the title
    titolo: str = _f()
    sottotitolo: str = _f("")
    parti: tuple[Parte, ...] = _f()
    contatti: TestiContatti = _f(TestiContatti())
    laboratorio: TestiLaboratorio = _f(TestiLaboratorio())
    crediti: str = _f("")  # printed before the credits taken from stampa.toml
    # Not from the file: where it was read from, for messages.
    file: str = field(default="", metadata={"internal": True})

    def all_texts(self) -> list[tuple[str, str]]:
        """Every printed string with its dotted key, for glyph checks."""
        out = [("occhiello", self.occhiello), ("titolo", self.titolo), ("sottotitolo", self.sottotitolo), ("crediti", self.crediti)]
        for i, p in enumerate(self.parti, start=1):
            out += [(f"parti[{i}].titolo", p.titolo), (f"parti[{i}].testo", p.testo)]
            out += [(f"parti[{i}].parole_chiave[{j}]", w) for j, w in enumerate(p.parole_chiave, start=1)]
        for name, section in (("contatti", self.contatti), ("laboratorio", self.laboratorio)):
            out += [(f"{name}.{f.name}", getattr(section, f.name)) for f in fields(section)]
        return [(k, t) for k, t in out if t]


def glyph_problems(text: ManifestoText, font_names: list[str], family: str = "") -> list[Problem]:
    """Warnings for characters of the layout texts that no font (fallbacks included) prints:
    they are left out of the poster."""
    from ..glyphs import left_out_message
    from ..printing.fonts import unprintable

    problems = []
    for key, value in text.all_texts():
        lost: set[str] = set()
        for font in font_names:
            lost |= unprintable(font, value)
        message = left_out_message(lost, value)
        if message:
            problems.append(warning(message, file=text.file or None, where=_where(key), value=value))
    return problems


def _where(key: str) -> str:
    return f"chiave «{key}»"


def _rules(text: ManifestoText, file: Path) -> list[Problem]:
    problems: list[Problem] = []

    def bad(key: str, message: str, value: str | None = None) -> None:
        problems.append(error(message, file=str(file), where=_where(key), value=value))

    if not text.titolo.strip():
        bad("titolo", "il titolo è vuoto: scrivi il titolo del manifesto.")
    if not 1 <= len(text.parti) <= MAX_PARTS:
        bad(
            "parti",
            f"il manifesto ha da 1 a {MAX_PARTS} parti (di solito 3), ognuna in una sezione [[parti]]: "
            f"ne hai scritte {len(text.parti)}.",
        )
    for i, part in enumerate(text.parti, start=1):
        if not part.titolo.strip():
            bad(f"parti[{i}].titolo", "il titolo della parte è vuoto: scrivilo.")
        if not part.testo.strip():
            bad(f"parti[{i}].testo", "il testo della parte è vuoto: scrivi qualche riga.")
        if not 1 <= len(part.parole_chiave) <= MAX_KEYWORDS:
            bad(
                f"parti[{i}].parole_chiave",
                f"servono da 1 a {MAX_KEYWORDS} parole chiave per parte: ne hai scritte {len(part.parole_chiave)}.",
            )
        for j, word in enumerate(part.parole_chiave, start=1):
            if not word.strip():
                bad(f"parti[{i}].parole_chiave[{j}]", "parola chiave vuota: toglila o scrivila.")
    return problems


def load_manifesto_text(layout_dir: Path) -> ManifestoText:
    """Read and check ``layout_dir/manifesto.toml``; raise StampaError listing every problem."""
    file = Path(layout_dir) / LAYOUT_NAME
    data = read_toml(
        file,
        missing="manca il file con i testi del manifesto: rimettilo nella cartella layout/ "
        "(lo trovi nel progetto di esempio).",
    )
    loader = _Loader(file)
    text = loader.section(ManifestoText, data, "")
    problems = list(loader.problems)
    if text is not None:
        problems += _rules(text, file)
    if problems or text is None:
        raise StampaError(problems or [error("testi del manifesto non validi.", file=str(file))])
    return replace(text, file=str(file))


