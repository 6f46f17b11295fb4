"""The texts of the Mappa and of the manifesto (``layout/mappa.toml``, ``layout/manifesto.toml``)
as form fields, saved with their comments (tomlkit) after the same checks as `stampa controlla`,
plus the fit check: the edited texts are laid out in every format the edition prints, aside,
and a text that does not fit is refused. The manifesto's with the layout's own message; the
Mappa's fixed panels (cover, back matter, index header, map title) without planning map or index
(stampa.products.mappa.fit), saying by how much and in which format.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import tomlkit

from ..config import Config
from ..outputs import write_text
from ..printing.theme import load_theme
from ..printing.typography import require_hyphenation
from ..problems import Problem, StampaError, error
from ..products.mappa.fit import check_fit
from ..products.mappa.styles import load_fonts
from ..products.mappa.texts import load_texts

FILES = {"mappa.toml": "I testi della Mappa", "manifesto.toml": "I testi del manifesto"}
LONG = 90  # characters: longer texts get a text area


@dataclass(frozen=True)
class TextField:
    name: str  # form name: "parti/2/testo"
    label: str  # "parti 2 · testo"
    value: str
    is_list: bool = False  # a list of words, one per line in the form

    @property
    def long(self) -> bool:
        return self.is_list or "\n" in self.value or len(self.value) > LONG


def read(path: Path) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as exc:
        raise StampaError(error(f"il file non si può leggere per modificarlo ({exc}): correggilo a mano.",
                                file=str(path))) from None


def fields(doc: Any, prefix: tuple[str, ...] = ()) -> list[TextField]:
    """Every text of the file, in the file's order: strings, and lists of strings."""
    out: list[TextField] = []
    for key, value in doc.items():
        path = (*prefix, str(key))
        if isinstance(value, str):
            out.append(TextField("/".join(path), _label(path), str(value)))
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            out.append(TextField("/".join(path), _label(path), "\n".join(str(v) for v in value), is_list=True))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, table in enumerate(value, start=1):
                out += fields(table, (*path, str(i)))
        elif isinstance(value, dict):
            out += fields(value, path)
    return out


def _label(path: tuple[str, ...]) -> str:
    return " · ".join(p.replace("_", " ") for p in path)


def apply(doc: tomlkit.TOMLDocument, form: dict[str, str]) -> tomlkit.TOMLDocument:
    """Set the texts that changed; the others keep their exact writing (triple quotes, «\\»)."""
    current = {f.name: f for f in fields(doc)}
    for name, raw in form.items():
        f = current.get(name)
        if f is None:
            continue
        text = raw.replace("\r\n", "\n").replace("\r", "\n")
        if f.is_list:
            new_list = [w.strip() for w in text.split("\n") if w.strip()]
            if new_list == [w for w in f.value.split("\n")]:
                continue
            value: Any = tomlkit.array()
            value.extend(new_list)
        else:
            text = text.strip()
            if text == f.value:
                continue
            value = tomlkit.string(text, multiline="\n" in text)
        *parents, key = name.split("/")
        target: Any = doc
        for part in parents:
            target = target[int(part) - 1] if part.isdigit() else target[part]
        container = target if isinstance(target, tomlkit.container.Container) else target.value
        old = container.item(key)
        for part in ("indent", "comment_ws", "comment", "trail"):
            setattr(value.trivia, part, getattr(old.trivia, part))
        target[key] = value
    return doc


def check(layout_dir: Path, name: str, text: str, cfg: Config, changed: frozenset[str] = frozenset()) -> list[Problem]:
    """The problems of ``text`` as ``layout_dir/name``: the loader's checks, and whether the texts
    fit in every format (``changed``: the dotted keys edited, named first in a fit message). Run
    on a copy of the folder; messages name the real file."""
    from ..products.manifesto import build_manifesto
    from ..products.manifesto_text import load_manifesto_text

    with tempfile.TemporaryDirectory(prefix="stampa-testi-") as tmp:
        aside = Path(tmp) / "layout"
        shutil.copytree(layout_dir, aside)
        (aside / name).write_text(text, encoding="utf-8")
        real = str(Path(layout_dir) / name)

        def named(problems: tuple[Problem, ...]) -> list[Problem]:
            return [replace(p, file=p.file.replace(str(aside / name), real)) if p.file else p for p in problems]

        steps: list[Callable[[], Any]] = []
        if name == "mappa.toml":
            steps.append(lambda: _fit_mappa(aside, cfg, changed))
        else:
            steps.append(lambda: load_manifesto_text(aside))
            if cfg.manifesto.formati:
                one_file = replace(cfg, manifesto=replace(cfg.manifesto, per_laboratorio=False))
                steps.append(lambda: build_manifesto(one_file, [], Path(tmp) / "prova", theme=load_theme(aside / "tema.toml"),
                                                     layout_dir=aside, workers=1))
        for step in steps:
            try:
                step()
            except StampaError as exc:
                return named(exc.problems)
    return []


def _fit_mappa(layout_dir: Path, cfg: Config, changed: frozenset[str]) -> None:
    # The Mappa's modules are imported with the app (above), not on the first save: they take a
    # second to import, the check itself some hundredths.
    texts = load_texts(layout_dir, cfg)
    require_hyphenation()
    fonts = load_fonts(cfg.mappa.carattere_titoli, cfg.mappa.carattere_testo, cfg.root / "fonts")
    problems = check_fit(cfg, texts, fonts, load_theme(layout_dir / "tema.toml"), changed=changed)
    if problems:
        raise StampaError(problems)


def changed_keys(doc: tomlkit.TOMLDocument, form: dict[str, str]) -> frozenset[str]:
    """The dotted keys (``section.key``, as the Mappa's messages name them) whose text the form changes."""
    out = set()
    for f in fields(doc):
        raw = form.get(f.name)
        if raw is None:
            continue
        text = raw.replace("\r\n", "\n").replace("\r", "\n")
        new = "\n".join(w.strip() for w in text.split("\n") if w.strip()) if f.is_list else text.strip()
        if new != f.value:
            out.add(".".join(f.name.split("/")))
    return frozenset(out)


def save(layout_dir: Path, name: str, form: dict[str, str], cfg: Config) -> tomlkit.TOMLDocument:
    """Check the edited file and write it; raise StampaError (writing nothing) when it is wrong."""
    if name not in FILES:
        raise StampaError(error("file di testi sconosciuto: scegli i testi della Mappa o del manifesto.", value=name))
    path = Path(layout_dir) / name
    original = read(path)
    changed = changed_keys(original, form)
    doc = apply(original, form)
    text = tomlkit.dumps(doc)
    problems = check(layout_dir, name, text, cfg, changed)
    if problems:
        raise StampaError(problems)
    write_text(path, text)
    return doc
