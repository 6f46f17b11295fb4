"""`stampa edizione --anno N`: rebuild an archived edition from dati/edizioni/<N>/.

The archive holds the texts (entries, configuration, layout); the large files it only names by
digest (the frozen basemap in dati/, the fonts). The rebuild runs the ordinary build in a
throw-away project folder made of the archived texts plus links to the project's dati/ and fonts/,
so nothing of the current edition is touched. Afterwards it says whether the PDFs are identical
to those archived and, if not, what differs (stampa version, basemap, fonts, layout files).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .archive import (
    ARCHIVE_FOLDER,
    CONFIG_FILE,
    ENTRIES_FILE,
    LAYOUT_FOLDER,
    Snapshot,
    file_digests,
    fonts_in_use,
    product_digests,
    read_archive,
)
from .config import load_config
from .problems import StampaError, error
from .terminal import console


@dataclass(frozen=True)
class RebuildResult:
    out_dir: Path
    identical: bool
    differences: tuple[str, ...]  # Italian lines: what differs from the archived edition
    preflight_ok: bool


def differences_before(snap: Snapshot, project: Path) -> list[str]:
    """What can be told before building: the stampa version, the frozen basemap and layout files."""
    lines = []
    meta = snap.meta
    if meta.get("stampa") != __version__:
        lines.append(f"versione di stampa: l'edizione {snap.year} è stata costruita con la {meta.get('stampa')}, "
                     f"questa è la {__version__}")
    for name, digest in (meta.get("sfondo") or {}).items():
        path = Path(name) if Path(name).is_absolute() else project / name
        now = file_digests({name: path})[name]
        if now is None:
            lines.append(f"sfondo congelato: il file {name} non c'è più (ripristinalo da una copia)")
        elif now != digest:
            lines.append(f"sfondo congelato: il file {name} è cambiato dopo l'edizione {snap.year}")
    layout = project / LAYOUT_FOLDER
    for name, digest in (meta.get("layout_altri_file") or {}).items():
        now = file_digests({name: layout / name})[name]
        if now != digest:
            what = "non c'è più" if now is None else "è cambiato"
            lines.append(f"layout: il file {LAYOUT_FOLDER}/{name} {what} dopo l'edizione {snap.year}")
    return lines


def basemap_source_differences(snap: Snapshot, report) -> list[str]:
    """The basemap came from elsewhere this time (e.g. the archived edition was built offline with the
    comune outlines, and the rebuild found the network): the map cannot be the same."""
    def kinds(items):
        return {b.get("vista"): (b.get("tipo"), bool(b.get("ripiego_vettoriale"))) for b in items}

    was, now = kinds(snap.meta.get("fonti_sfondo") or []), kinds(report.get("sfondo", []))
    lines = []
    for view in sorted(set(was) & set(now), key=str):
        if was[view] != now[view]:
            def said(k):
                return "i soli confini dei comuni (senza rete)" if k[1] else f"«{k[0]}»"
            lines.append(f"sfondo della vista «{view}»: nell'edizione {snap.year} {said(was[view])}, ora {said(now[view])}")
    return lines


def font_differences(snap: Snapshot) -> list[str]:
    """Fonts the archive names whose file now has other contents (after the build registered them)."""
    now = file_digests(fonts_in_use())
    return [f"carattere: il file {name} è cambiato dopo l'edizione {snap.year}"
            for name, digest in sorted((snap.meta.get("caratteri") or {}).items())
            if name in now and now[name] != digest]


def _link(src: Path, dst: Path) -> None:
    """Files as hard links: the configuration's paths are resolved and may not lead out of the
    project, which a symbolic link would. Folders (fonts/) as symbolic links. A copy when the
    filesystem allows neither."""
    try:
        if src.is_dir():
            os.symlink(src, dst, target_is_directory=True)
        else:
            os.link(src, dst)
    except OSError:
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dst)


def _project_copy(snap: Snapshot, project: Path, where: Path) -> tuple[Path, Path]:
    """The archived texts as a project in ``where``; dati/ and fonts/ linked from the real one."""
    shutil.copy2(snap.folder / CONFIG_FILE, where / CONFIG_FILE)
    if (snap.folder / LAYOUT_FOLDER).is_dir():
        shutil.copytree(snap.folder / LAYOUT_FOLDER, where / LAYOUT_FOLDER)
    else:
        (where / LAYOUT_FOLDER).mkdir()
    layout = project / LAYOUT_FOLDER
    for name in snap.meta.get("layout_altri_file") or {}:  # images and logos: not archived, linked
        src, dst = layout / name, where / LAYOUT_FOLDER / name
        if src.is_file() and not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            _link(src, dst)
    dati = where / "dati"
    dati.mkdir()
    skip = ARCHIVE_FOLDER.parts[-1]
    if (project / "dati").is_dir():
        for item in (project / "dati").iterdir():
            if item.name != skip:
                _link(item, dati / item.name)
    if (project / "fonts").is_dir():
        _link(project / "fonts", where / "fonts")
    entries = dati / f"voci-archiviate-{snap.year}.csv"
    shutil.copy2(snap.folder / ENTRIES_FILE, entries)
    return where / CONFIG_FILE, entries


def rebuild_edition(config: Path, year: int, *, out: Path | None = None, sfondo: str | None = None,
                    verifica: bool | None = None, show: bool = True) -> RebuildResult:
    from .build import BuildOptions, build_edition

    cfg = load_config(config)
    project = cfg.root
    snap = read_archive(project, year)
    out_dir = Path(out).resolve() if out else cfg.uscita.cartella / f"edizione-{year}"
    if out_dir == cfg.uscita.cartella.resolve():
        raise StampaError(error(f"la ricostruzione dell'edizione {year} non va scritta sopra l'edizione corrente: "
                                "scegli un'altra cartella con --out.", file=str(out_dir)))
    before = differences_before(snap, project)
    if show:
        console().print(f"Ricostruzione dell'edizione {year} dall'archivio {snap.folder}", markup=False)
    # Inside the output folder (ignored by git, on the project's filesystem, so hard links work).
    cfg.uscita.cartella.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".stampa-edizione-{year}-", dir=cfg.uscita.cartella) as tmp:
        toml, entries = _project_copy(snap, project, Path(tmp))
        result = build_edition(BuildOptions(config=toml, dati=entries, sfondo=sfondo, out=out_dir, verifica=verifica,
                                            show=show, archive=False,
                                            new_ids=frozenset(snap.meta.get("novita") or ())))
    lines = before + font_differences(snap) + basemap_source_differences(snap, result.report)
    built, archived = product_digests(result.report), snap.meta.get("prodotti") or {}
    changed = sorted(p for p in set(built) | set(archived) if built.get(p) != archived.get(p))
    for p in changed:
        if p not in built:
            lines.append(f"il file {p} dell'edizione {year} non è stato ricostruito")
        elif p not in archived:
            lines.append(f"il file {p} non c'era nell'edizione {year}")
        else:
            lines.append(f"il file {p} non è identico a quello dell'edizione {year}")
    identical = not changed and bool(built)
    if show:
        out_ = console()
        if identical:
            out_.print(f"[green]✓[/] I PDF sono identici, byte per byte, a quelli dell'edizione {year}.")
        else:
            out_.print(f"[yellow]Differenze rispetto all'edizione {year} archiviata:[/]")
            for line in lines:
                out_.print(f"  – {line}", markup=False)
    return RebuildResult(result.out_dir, identical, tuple(lines), result.preflight_ok)


def run_rebuild(config: Path, year: int, *, out: Path | None, sfondo: str | None, verifica: bool | None) -> int:
    result = rebuild_edition(config, year, out=out, sfondo=sfondo, verifica=verifica)
    return 0 if result.preflight_ok else 1
