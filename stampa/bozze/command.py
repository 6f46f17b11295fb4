"""`stampa bozze`: out/bozze/bozza-<id>.pdf for every entry, and out/bozze/elenco.csv for a mail merge.

stampa never sends email: elenco.csv (id, nome, ente, email, file, nota) is what a mail program
or a person uses to send each organisation its own page. The pages are drawn by two processes
(the machines have two cores); each writes its files atomically.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..numbering import Numbered, number_entries
from ..outputs import write_bytes
from ..problems import Problem, how_many, raise_if_errors
from ..terminal import console, print_problems

FOLDER = "bozze"
LIST_FILE = "elenco.csv"
NO_EMAIL = "senza email: da contattare in altro modo"
WORKERS = 2


@dataclass(frozen=True)
class ProofsResult:
    folder: Path
    files: tuple[str, ...]  # file names, in numbering order
    without_email: tuple[str, ...]  # ids


def proof_name(entry_id: str, taken: set[str]) -> str:
    """A file name from the id: letters, digits, - and _ kept; unique within the run."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", entry_id).strip("_") or "voce"
    name, k = f"bozza-{slug}.pdf", 2
    while name.lower() in taken:
        name, k = f"bozza-{slug}-{k}.pdf", k + 1
    taken.add(name.lower())
    return name


def entry_problems(numbered: Sequence[Numbered], problems: Sequence[Problem]) -> dict[str, list[str]]:
    """The checks' messages about each entry (matched by its row or feature in the entries file)."""
    by_place: dict[tuple[str, str], list[str]] = {}
    for p in problems:
        if p.where:
            text = (f"Campo «{p.field}»: " if p.field else "") + p.message[0].upper() + p.message[1:]
            by_place.setdefault((p.file or "", p.where), []).append(text)
    return {n.entry.id: by_place.get((n.entry.origin.file, n.entry.origin.label()), []) for n in numbered}


def mail_list(numbered: Sequence[Numbered], names: dict[str, str]) -> str:
    """elenco.csv as Excel opens it in Italy: UTF-8 with BOM, «;»-separated."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(["id", "nome", "ente", "email", "file", "nota"])
    for n in numbered:
        e = n.entry
        w.writerow([e.id, e.nome, e.ente, e.email, names[e.id], "" if e.email else NO_EMAIL])
    return "\ufeff" + buf.getvalue()


_JOB: dict = {}  # what forked workers read (set before forking: shared, never pickled)


def _draw_some(indices: Sequence[int]) -> int:
    from .page import draw_proof

    job = _JOB
    for i in indices:
        n = job["numbered"][i]
        draw_proof(job["folder"] / job["names"][n.entry.id], n, job["setup"], job["problems"].get(n.entry.id, []))
    return len(indices)


def write_proofs(cfg, numbered: Sequence[Numbered], district, problems: Sequence[Problem], folder: Path,
                 *, workers: int = WORKERS, cards=None) -> ProofsResult:
    """``cards``: the index's cards (stampa.bozze.cards.PrintedCards); None: planned here from
    ``numbered`` and its «Novità» marks, as `stampa edizione` plans them."""
    from ..printing.theme import load_theme
    from ..products.mappa.styles import load_fonts
    from ..products.mappa.texts import load_texts
    from .cards import printed_cards
    from .detail import prepare_detail
    from .page import proof_setup

    if cards is None:
        cards = printed_cards(cfg, [n.entry for n in numbered], district,
                              frozenset(n.entry.id for n in numbered if n.novita))
    fonts = load_fonts(cfg.mappa.carattere_titoli, cfg.mappa.carattere_testo, cfg.root / "fonts")
    texts = load_texts(cfg.root / "layout", cfg)
    theme = load_theme(cfg.root / "layout" / "tema.toml")
    osm, style = frozen_osm(cfg)
    detail = prepare_detail(numbered, district, osm, style)
    setup = proof_setup(cfg, texts, fonts, theme, detail, cards)
    taken: set[str] = set()
    names = {n.entry.id: proof_name(n.entry.id, taken) for n in numbered}
    folder.mkdir(parents=True, exist_ok=True)
    _JOB.update(numbered=tuple(numbered), names=names, setup=setup, problems=entry_problems(numbered, problems),
                folder=folder)
    try:
        _run(len(numbered), workers)
    finally:
        _JOB.clear()
    write_bytes(folder / LIST_FILE, mail_list(numbered, names).encode("utf-8"))
    return ProofsResult(folder, tuple(names[n.entry.id] for n in numbered),
                        tuple(n.entry.id for n in numbered if not n.entry.email))


def frozen_osm(cfg):
    """The edition's frozen OpenStreetMap data and style when `[sfondo] fonte = "osm"` and the file
    exists (never the network: proofs are made before the edition, offline); else (None, None)."""
    if cfg.sfondo.fonte.strip().lower() != "osm":
        return None, None
    from ..basemap.osm_store import frozen_osm_path, read_osm_gpkg
    from ..cartography.osm_style import load_osm_style
    from ..problems import StampaError

    path = frozen_osm_path(cfg.sfondo, cfg.root, cfg.edizione.anno)
    if not path.is_file():
        return None, None
    try:
        return read_osm_gpkg(path), load_osm_style(cfg.root / "layout" / "sfondo.toml")
    except StampaError:  # a damaged file: the build says so; the proofs do with the outlines
        return None, None


def _run(count: int, workers: int) -> None:
    """Half the pages each in two forked processes; in this one when fork is missing or one page."""
    if workers < 2 or count < 8 or not hasattr(os, "fork"):
        _draw_some(range(count))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [list(range(k, count, workers)) for k in range(workers)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for done in pool.map(_draw_some, chunks):
            del done  # a failure in a worker raises here, in the parent


def novita_ids(cfg, entries) -> frozenset[str]:
    """The entries the edition marks «Novità» (`[mappa] segna_novita`): their cards print the mark."""
    if not cfg.mappa.segna_novita:
        return frozenset()
    from ..build import edition_comparison

    comparison, _ = edition_comparison(cfg, number_entries(entries))
    return comparison.new_ids if comparison is not None else frozenset()


def run_bozze(config: Path, *, dati: Path | None = None, out: Path | None = None) -> int:
    from ..inputs import load_inputs

    inputs = load_inputs(config, dati=dati, geocodifica="controlla")
    raise_if_errors(inputs.problems)
    cfg = inputs.config
    numbered = number_entries(inputs.edition.entries, novita_ids(cfg, inputs.edition.entries))
    folder = (Path(out).resolve() if out else cfg.uscita.cartella) / FOLDER
    result = write_proofs(cfg, numbered, inputs.district, inputs.problems, folder)
    if inputs.problems:
        print_problems(inputs.problems)
    out_ = console()
    out_.print(f"Bozze scritte in {folder}: {how_many(len(result.files), 'pagina', 'pagine')}, una per voce, e {LIST_FILE} per la stampa "
               "unione delle email (stampa non invia email).", markup=False)
    if result.without_email:
        out_.print(f"Voci senza email ({len(result.without_email)}), da contattare in altro modo: "
                   + ", ".join(result.without_email), markup=False)
    return 0
