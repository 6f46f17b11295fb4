"""`stampa edizione`: the whole batch run, stage by stage.

config + entries → checks → basemap (network only here, through stampa.basemap) → Mappa →
manifesto → web version → rapporto.json → preflight. Each product writes its files atomically;
the output folder is locked for the duration so two builds cannot interleave.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .check import inactive_lines
from .compare_command import COMPARISON_FILE, COMPARISON_KEYS, write_comparison
from .inputs import Inputs, load_inputs, with_basemap
from .lock import build_lock
from .numbering import number_entries
from .outputs import remove_stale_temps
from .staging import relocate, staged
from .printing.theme import load_theme
from .problems import ERROR, Problem, StampaError
from .report import build_report, entries_section, files_left_from_before, write_report
from .stages import StageClock
from .terminal import console, print_problems


_PDF_LABELS = {"mappa": "La Mappa da stampare o leggere (PDF)"}


@dataclass(frozen=True)
class BuildOptions:
    config: Path = Path("stampa.toml")
    dati: Path | None = None
    sfondo: str | None = None  # overrides [sfondo] fonte
    out: Path | None = None
    verifica: bool | None = None  # None → the config's [uscita] verifica
    show: bool = True
    # Keep the edition in dati/edizioni/<anno>/ when it succeeded (stampa.archive). None: only when
    # it is the real edition (:func:`trial_reasons` finds nothing); False: never (`--non-archiviare`).
    archive: bool | None = None
    new_ids: frozenset[str] | None = None  # entries marked «Novità»; None → from the comparison
    # Told when each stage starts and ends (stampa.stages.StageClock): the web app's live progress.
    progress: Callable[[str, str, float | None], None] | None = None


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    report: dict[str, Any]
    problems: tuple[Problem, ...]
    preflight_ok: bool


def build_edition(opts: BuildOptions) -> BuildResult:
    """Build everything the configuration asks for. Raises StampaError when the input is wrong."""
    out = console()
    clock = StageClock(out, show=opts.show, listener=opts.progress)
    with clock.stage("dati", "Lettura e controllo dei dati"):
        inputs = load_inputs(opts.config, dati=opts.dati, geocodifica="attesa")
    if inputs.geocoding is not None and inputs.geocoding.pending:  # addresses not yet in the record
        from .geocoding.command import geocode_with_progress

        started = time.perf_counter()
        inputs, _ = geocode_with_progress(inputs, show=opts.show, listener=opts.progress)
        clock.seconds["geocodifica"] = round(time.perf_counter() - started, 3)
    if any(p.level == ERROR for p in inputs.problems):
        raise StampaError(inputs.problems)
    cfg = with_basemap(inputs.config, opts.sfondo)
    out_dir = Path(opts.out).resolve() if opts.out else cfg.uscita.cartella
    theme = load_theme(cfg.root / "layout" / "tema.toml")
    problems: list[Problem] = list(inputs.problems)
    numbered = number_entries(inputs.edition.entries)
    trial = trial_reasons(opts, inputs, out_dir)
    archive = not trial if opts.archive is None else opts.archive
    # A rebuild (new_ids given) prints the archived marks: no comparison with today's archive.
    comparison, compare_problem = edition_comparison(cfg, numbered) if opts.new_ids is None else (None, None)
    if compare_problem is not None:
        problems.append(compare_problem)
    new_ids = comparison.new_ids if comparison is not None and cfg.mappa.segna_novita else frozenset()
    if opts.new_ids is not None:  # a rebuild: the marks the archived edition printed
        new_ids = frozenset(opts.new_ids)

    run_check = cfg.uscita.verifica if opts.verifica is None else opts.verifica
    early: list = []  # files whose preflight started while the edition was still being built

    def check_early(record: dict[str, Any], folder: Path) -> None:
        from .preflight.early import start_early

        started = start_early(record, folder)
        if started is not None:
            early.append(started)

    with build_lock(out_dir):
        try:
            remove_stale_temps(out_dir)  # left by a build that was killed halfway
            # Built aside and moved into out_dir only when every product succeeded: a failed build
            # leaves the previous edition whole (stampa.staging).
            with staged(out_dir) as stage:
                report, problems = _build_products(
                    cfg, inputs, theme, stage, out_dir, clock, problems, numbered, new_ids, trial=other_views(opts, inputs),
                    on_print_file=check_early if run_check else None,
                )
                if comparison is not None:
                    write_comparison(stage, comparison)
            stale_removed = comparison is None and remove_stale_comparison(out_dir)

            preflight_ok = True
            if run_check:
                from .preflight import preflight_report_file

                with clock.stage("verifica", "Verifica prima della stampa"):
                    preflight = preflight_report_file(out_dir / "rapporto.json", show=opts.show, early=early)
                preflight_ok = preflight.ok
                report["tempi_s"] = clock.report()
                write_report(out_dir, report)
        finally:
            for e in early:
                e.cancel()  # not waited for (a failed build): its process ends now

    archived = _archive(cfg, numbered, report, inputs, new_ids) if archive and preflight_ok else None
    if archived is not None and isinstance(archived, Problem):
        problems.append(archived)
    if opts.show:
        _closing(out_dir, report, problems, inputs)
        if comparison is not None:
            console().print(comparison.summary(), markup=False)
        if stale_removed:
            console().print(f"Tolto {out_dir / COMPARISON_FILE} di una costruzione precedente: non c'è un'edizione "
                            "archiviata con cui confrontare queste voci.", markup=False)
        if isinstance(archived, Path):
            console().print(f"Edizione archiviata in {archived} (da conservare con i dati: vedi «Da un'edizione all'altra»).",
                            markup=False)
        elif opts.new_ids is None and preflight_ok:  # not a rebuild, which says what it is itself
            console().print(not_archived_message(cfg, trial, opts.archive), markup=False)
    return BuildResult(out_dir, report, tuple(problems), preflight_ok)


def trial_reasons(opts: BuildOptions, inputs: Inputs, out_dir: Path) -> list[str]:
    """Why this build is not the edition of the configuration (a trial): other entries, another
    output folder or another basemap than stampa.toml names. Empty: the real edition."""
    cfg = inputs.config
    reasons = []
    if opts.dati is not None and not _same_path(inputs.entries_file, cfg.dati.voci):
        reasons.append(f"le voci vengono da {inputs.entries_file} e non da {cfg.dati.voci} ([dati] voci)")
    if opts.out is not None and not _same_path(out_dir, cfg.uscita.cartella):
        reasons.append(f"la cartella di uscita è {out_dir} e non {cfg.uscita.cartella} ([uscita] cartella)")
    if opts.sfondo and opts.sfondo.strip() != cfg.sfondo.fonte.strip():
        reasons.append(f"lo sfondo è «{opts.sfondo.strip()}» e non «{cfg.sfondo.fonte.strip()}» ([sfondo] fonte)")
    return reasons


def other_views(opts: BuildOptions, inputs: Inputs) -> bool:
    """True when the map's views or basemap may not be the edition's (other entries or another
    basemap than stampa.toml names): such a trial must not replace the edition's frozen data.
    Another output folder alone draws the edition's own views."""
    cfg = inputs.config
    other_entries = opts.dati is not None and not _same_path(inputs.entries_file, cfg.dati.voci)
    return other_entries or bool(opts.sfondo and opts.sfondo.strip() != cfg.sfondo.fonte.strip())


def _same_path(a: Path, b: Path) -> bool:
    return Path(a).resolve() == Path(b).resolve()


def not_archived_message(cfg, trial: list[str], asked: bool | None) -> str:
    from .archive import archive_dir

    where = archive_dir(cfg.root, cfg.edizione.anno)
    if asked is False:
        return f"Edizione non archiviata (--non-archiviare): l'archivio {where} resta com'era."
    return (f"Edizione di prova, non archiviata: {'; '.join(trial)}. L'archivio {where} resta com'era; "
            "per archiviare l'edizione costruiscila con i dati, la cartella di uscita e lo sfondo di stampa.toml.")


def remove_stale_comparison(out_dir: Path) -> bool:
    """Without an archive to compare with, a confronto.json left by an earlier build or
    `stampa confronta` would describe another list beside this edition: removed, but only when it
    is stampa's own file (a JSON object with the comparison's keys), never someone else's."""
    import json

    path = Path(out_dir) / COMPARISON_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not (isinstance(data, dict) and COMPARISON_KEYS <= data.keys()):
        return False
    path.unlink(missing_ok=True)
    return True


def edition_comparison(cfg, numbered):
    """The entries against the last archived edition (stampa.compare): (Comparison or None, a
    warning when the archive cannot be read). No archive yet: nothing to compare, no message."""
    from .archive import archived_years, read_archive
    from .compare import compare, reference_year

    year = reference_year(archived_years(cfg.root), cfg.edizione.anno)
    if year is None:
        return None, None
    try:
        return compare(read_archive(cfg.root, year), numbered, cfg.edizione.anno), None
    except StampaError as exc:
        first = exc.problems[0]
        return None, Problem("avviso", "confronto con l'edizione archiviata non riuscito: " + first.message, file=first.file)


def _archive(cfg, numbered, report: dict[str, Any], inputs: Inputs, new_ids) -> Path | Problem:
    """The snapshot of the edition just built (stampa.archive). Only after everything succeeded, so
    an archive always describes an edition that exists; a failure to write it does not undo the
    edition, it is a warning."""
    from .archive import write_archive
    from .problems import warning

    try:
        return write_archive(cfg, numbered, report, inputs.entries_file, new_ids)
    except StampaError as exc:
        first = exc.problems[0]
        return warning("l'edizione è costruita ma non è stata archiviata: " + first.message, file=first.file)


def _build_products(cfg, inputs: Inputs, theme, stage: Path, out_dir: Path, clock: StageClock,  # noqa: ANN001
                    problems: list[Problem], numbered, new_ids=frozenset(), trial: bool = False,
                    on_print_file=None) -> tuple[dict[str, Any], list[Problem]]:  # noqa: ANN001
    """Every product and rapporto.json, written into ``stage``; warnings name files in ``out_dir``.
    ``on_print_file(record, stage)``: the Mappa's print file is written (see build_mappa)."""
    from .basemap import basemap_report
    from .basemap.for_views import expected_credits, get_basemaps
    from .products.mappa import build_mappa

    def basemaps(views):  # noqa: ANN001, ANN202 - view name → View (stampa.basemap)
        # a trial with other entries or another basemap never replaces the edition's frozen OSM data
        got = get_basemaps(cfg.sfondo, views, root=cfg.root, year=cfg.edizione.anno, trial=trial)
        return with_osm_style(got, cfg.root / "layout")

    with clock.stage("mappa", "Mappa: sfondo, cartografia e impaginazione"):
        mappa = build_mappa(
            cfg, inputs.edition.entries, inputs.district, stage, theme=theme, layout_dir=cfg.root / "layout", basemaps=basemaps,
            new_ids=new_ids, expected_credits=expected_credits(cfg.sfondo, root=cfg.root), on_print_file=on_print_file,
        )
    problems = problems + list(mappa.warnings)
    files: list[dict[str, Any]] = list(mappa.files)

    if cfg.manifesto.formati or cfg.manifesto.per_laboratorio:
        from .products.manifesto import build_manifesto

        with clock.stage("manifesto", "Manifesto"):
            manifesto = build_manifesto(cfg, inputs.edition.entries, stage, theme=theme, layout_dir=cfg.root / "layout")
        files += list(manifesto.files)
        problems += list(manifesto.problems)

    from .web import build_web

    with clock.stage("web", "Versione digitale (pagina web)"):
        pdf_links = [
            (f.get("etichetta") or _PDF_LABELS.get(f["prodotto"], f["path"]), f["path"])
            for f in files
            if f.get("versione") == "digitale"
        ]
        files += list(build_web(cfg, inputs.edition.entries, inputs.district, stage, theme=theme, pdf_links=pdf_links,
                                new_ids=new_ids))
        from .web.publish import publish

        # The same numbers and «Novità» marks as the page: voci.geojson, mappa.umap, then web.zip.
        files += publish(cfg, number_entries(inputs.edition.entries, new_ids), theme, inputs.district, stage)

    problems = [relocate(p, stage, out_dir) for p in problems]
    problems += files_left_from_before(out_dir, [f["path"] for f in files])
    placed = {p.id: p.view for p in mappa.layout.entries}
    report = build_report(
        edition_name=cfg.edizione.nome,
        entries_file=str(inputs.entries_file),
        files=files,
        entries=entries_section(numbered, placed, inputs.edition.inactive),
        basemaps=[basemap_report(b) for _, b in sorted(mappa.basemaps.items())],
        problems=problems,
        timings=clock.report(),
    )
    report["mappa"] = {"formato": mappa.formato, "scelta": mappa.format_reason or None}
    write_report(stage, report)
    return report, problems


def with_osm_style(basemaps: dict, layout_dir: Path) -> dict:
    """OpenStreetMap basemaps get the style staff edit in ``layout/sfondo.toml``."""
    from dataclasses import replace

    if not any(b.vectors is not None for b in basemaps.values()):
        return basemaps
    from .cartography.osm_style import load_osm_style

    style = load_osm_style(layout_dir / "sfondo.toml")
    return {name: replace(b, style=style) if b.vectors is not None else b for name, b in basemaps.items()}


def _closing(out_dir: Path, report: dict[str, Any], problems: list[Problem], inputs: Inputs) -> None:
    out = console()
    choice = report.get("mappa", {}).get("scelta")
    if choice:
        out.print(choice[0].upper() + choice[1:], markup=False)
    inactive = inactive_lines(inputs)
    if inactive:
        out.print(f"Lasciate fuori perché «attivo = no» ({len(inactive)}):")
        for line in inactive:
            out.print(line, markup=False)
    warnings = [p for p in problems if p.level != ERROR]
    if warnings:
        print_problems(warnings)
    out.print(f"\nFile scritti in {out_dir}:")
    for f in report["file"]:
        out.print(f"  {f['path']}", markup=False)
    out.print("  rapporto.json", markup=False)


def run_edition(opts: BuildOptions) -> int:
    result = build_edition(opts)
    return 0 if result.preflight_ok else 1
