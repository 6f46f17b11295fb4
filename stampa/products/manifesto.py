"""The manifesto: bulletin-board posters that say what the Laboratori Sociali are.

`build_manifesto` writes, for every format in ``[manifesto] formati``, the print and digital PDF
and a PNG preview; with ``per_laboratorio`` also one poster per laboratorio of the edition (one
multi-page PDF per format and version, or one PDF per lab with ``un_file = false``). Per-lab
posters are built in parallel on all cores: each worker process registers the fonts itself and
writes its files atomically; problems come back as data (a StampaError does not survive pickling).

Files are named ``manifesto-A3-stampa.pdf``, ``manifesto-A3-digitale.pdf``,
``anteprime/manifesto-A3-p1.png``, ``manifesti-laboratori-A3-stampa.pdf`` or
``manifesto-LAB-01-A3-stampa.pdf``; each comes back as a record for rapporto.json.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Sequence

from ..config import Config
from ..entries.model import Entry
from ..outputs import sha256
from ..printing.fonts import printed_text, register_family
from ..printing.page import DocInfo, PageSpec, Version, open_canvas
from ..printing.previews import write_preview_pages
from ..printing.qr import Matrix, qr_matrix, remember_qr
from ..printing.theme import Theme
from ..printing.typography import require_hyphenation
from ..printspec import FileSpec, PrintSpec, QrSpec, TextSpec, spec_record
from ..problems import Problem, StampaError, warning
from ..urls import normalise_website, url_problem
from .manifesto_draw import Contacts, Design, LabBand, draw_poster, plan_qr
from .manifesto_text import ManifestoText, glyph_problems, load_manifesto_text

PRODUCT = "manifesto"
VERSIONS: tuple[Version, ...] = ("stampa", "digitale")
CHUNK = 25  # per-lab posters per worker task when writing one PDF per lab
PREVIEW_CHUNK = 4  # previews per worker task


@dataclass(frozen=True)
class ManifestoResult:
    """Records for rapporto.json (``files``) and the warnings found (``problems``)."""

    files: tuple[dict[str, Any], ...]
    problems: tuple[Problem, ...] = ()

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return self.problems


@dataclass(frozen=True)
class _Job:
    """One unit of work for a process: some posters of one format and version into one or more
    files. Plain, picklable data only."""

    formato: str
    version: Version
    text: ManifestoText
    contacts: Contacts
    theme: Theme
    heading_family: str
    body_family: str
    fonts_dir: Path | None
    url: str  # the manifesto's QR target
    qr_mm: float
    info: DocInfo
    # (file path, labs on its pages (() = the plain manifesto), pages to preview)
    files: tuple[tuple[Path, tuple[LabBand, ...], int], ...]
    preview_dir: Path | None = None
    preview_dpi: int = 100
    out_dir: Path = Path(".")
    qr: dict[str, Matrix] = field(default_factory=dict)  # matrices computed in the first pass


def _design(job: _Job) -> Design:
    heading = register_family(job.heading_family, job.fonts_dir)
    body = register_family(job.body_family, job.fonts_dir)
    return Design(job.formato, PageSpec.for_format(job.formato), heading, body, job.theme, job.qr_mm)


@dataclass(frozen=True)
class _Previews:
    """PNG previews of some pages of a written digital PDF: a separate task, so that the previews
    of a long file are shared among the workers instead of trailing after its job."""

    pdf: Path
    out_dir: Path
    stem: str
    dpi: int
    pages: tuple[int, ...]  # 0-based
    formato: str
    root: Path  # the output folder, for relative paths in the records


def _run(job: _Job) -> tuple[list[dict[str, Any]], list[Problem], list[_Previews]]:
    """Build the files of one job; returns (records, problems, preview tasks). Never raises for
    user errors (a StampaError does not survive the trip back from a worker)."""
    try:
        for url, matrix in job.qr.items():
            remember_qr(url, matrix)
        d = _design(job)
        records, previews = [], []
        for path, labs, preview_pages in job.files:
            sheet = open_canvas(d.spec, job.version, font=d.body.regular, info=job.info)
            pages = labs or (None,)
            cache: dict | None = {} if labs else None  # per-lab posters share their body as one form
            for i, lab in enumerate(pages):
                if i:
                    sheet.next_page()
                draw_poster(sheet, d, job.text, job.contacts, job.url, lab, cache)
            sheet.save(path)
            records.append(_record(job, d, path, sheet.pages, labs))
            if job.preview_dir is not None and preview_pages:
                stem = path.name.removesuffix(f"-{job.version}.pdf")
                count = min(preview_pages, sheet.pages)
                for start in range(0, count, PREVIEW_CHUNK):
                    chunk = tuple(range(start, min(count, start + PREVIEW_CHUNK)))
                    previews.append(_Previews(path, job.preview_dir, stem, job.preview_dpi, chunk, job.formato, job.out_dir))
        return records, [], previews
    except StampaError as exc:
        return [], list(exc.problems), []


def _render_previews(task: _Previews) -> list[dict[str, Any]]:
    page = PageSpec.for_format(task.formato)
    return [
        spec_record(
            FileSpec(png.relative_to(task.root).as_posix(), PRODUCT, "anteprima", (page.trim_w_mm, page.trim_h_mm), 0.0, 1),
            formato=task.formato, sha256=sha256(png),
        )
        for png in write_preview_pages(task.pdf, task.out_dir, task.stem, task.dpi, task.pages)
    ]


def _record(job: _Job, d: Design, path: Path, pages: int, labs: tuple[LabBand, ...]) -> dict[str, Any]:
    page = PageSpec.for_format(job.formato)
    qr = (QrSpec(job.url, job.qr_mm),) if not labs else tuple(
        QrSpec(lab.url, job.qr_mm, (i + 1,)) for i, lab in enumerate(labs)
    )
    # what the preflight must find: the texts as printed (letters no font prints are left out)
    wanted = [(job.text.titolo, d.heading.bold)] + [(w, d.body.bold) for p in job.text.parti for w in p.parole_chiave]
    printed = [" ".join(printed_text(t, font).split()) for t, font in wanted]
    spec = FileSpec(
        path.relative_to(job.out_dir).as_posix(), PRODUCT, job.version, (page.trim_w_mm, page.trim_h_mm),
        page.bleed_mm if job.version == "stampa" else 0.0, pages,
        PrintSpec(qr=qr, texts_expected=tuple(TextSpec(t) for t in printed if t)),
    )
    rec = spec_record(spec, formato=job.formato, sha256=sha256(path))
    if labs:
        rec["laboratori"] = [lab.id for lab in labs]
    if job.version == "digitale":
        rec["etichetta"] = (
            f"Manifesto {job.formato} (PDF)" if not labs else
            f"Manifesto {job.formato} di {labs[0].nome} (PDF)" if len(labs) == 1 else
            f"Manifesti dei laboratori {job.formato} (PDF)"
        )
    return rec


def _safe_id(ident: str) -> str:
    """An entry id usable in a file name on every system."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", ident).strip("-")
    return cleaned or "senza-id"


def _lab_bands(labs: Sequence[Entry], fallback_url: str) -> tuple[list[LabBand], list[Problem]]:
    bands, problems = [], []
    for e in labs:
        where_bits = [e.indirizzo]
        if e.quartiere:
            where_bits.append(f"quartiere {e.quartiere}")
        if e.comune and e.comune not in e.indirizzo:
            where_bits.append(e.comune)
        url, own = fallback_url, False
        if e.sito:
            site = normalise_website(e.sito)
            why = url_problem(site, ("http", "https"))
            if why:
                problems.append(
                    warning(
                        f"indirizzo web non usabile ({why}): sul manifesto del laboratorio il codice QR porta alla Mappa.",
                        file=e.origin.file or None,
                        where=e.origin.label() or None,
                        field="sito",
                        value=e.sito,
                    )
                )
            else:
                url, own = site, True
        bands.append(LabBand(e.id, e.nome, ", ".join(b for b in where_bits if b), e.orari, url, own))
    return bands, problems


def _contacts(cfg: Config, text: ManifestoText) -> Contacts:
    c = cfg.contatti
    credits = " · ".join(
        x for x in (text.crediti, f"A cura di {cfg.edizione.autore}" if cfg.edizione.autore else "", cfg.distretto.nome, cfg.edizione.nome) if x
    )
    return Contacts(c.ente, c.referente, c.email, c.telefono, c.sito, credits)


def _manifesto_fonts(cfg: Config) -> tuple[str, str]:
    m = cfg.manifesto
    heading = m.carattere_titoli or cfg.mappa.carattere_titoli
    body = m.carattere_testo or cfg.mappa.carattere_testo
    return heading, body


def build_manifesto(
    cfg: Config,
    entries: Sequence[Entry],
    out_dir: Path,
    *,
    theme: Theme,
    layout_dir: Path,
    workers: int | None = None,
) -> ManifestoResult:
    """Build the manifesto posters the config asks for into ``out_dir`` (atomically) and return
    their records. Raises StampaError when a text does not fit or the layout file is wrong."""
    out_dir = Path(out_dir)
    text = load_manifesto_text(Path(layout_dir))
    require_hyphenation()
    url = cfg.collegamenti.manifesto_digitale or cfg.collegamenti.mappa_digitale
    heading_family, body_family = _manifesto_fonts(cfg)
    fonts_dir = cfg.root / "fonts"
    fonts_dir = fonts_dir if fonts_dir.is_dir() else None
    m = cfg.manifesto
    # a missing or unusable font is reported once, here, with the key that names it
    heading = register_family(heading_family, fonts_dir, "manifesto.carattere_titoli" if m.carattere_titoli else "mappa.carattere_titoli")
    body = register_family(body_family, fonts_dir, "manifesto.carattere_testo" if m.carattere_testo else "mappa.carattere_testo")
    names = [heading.bold, heading.regular, body.regular, body.bold]
    contacts = _contacts(cfg, text)
    problems: list[Problem] = glyph_problems(text, names)
    distance = cfg.manifesto.distanza_lettura_cm
    preview_dir = out_dir / "anteprime"
    dpi = cfg.uscita.anteprime_dpi
    keywords = [w for p in text.parti for w in p.parole_chiave]
    info = DocInfo(
        title=f"{text.titolo} – manifesto",
        author=cfg.edizione.autore,
        subject=f"{text.titolo}: {cfg.distretto.nome}, {cfg.edizione.nome}",
        keywords=("Laboratori Sociali", cfg.distretto.nome, *keywords),
    )

    labs = [e for e in entries if e.tipo == "laboratorio"] if cfg.manifesto.per_laboratorio else []
    bands: list[LabBand] = []
    if cfg.manifesto.per_laboratorio:
        if not labs:
            problems.append(warning("l'edizione non ha laboratori: nessun manifesto per laboratorio."))
        bands, lab_problems = _lab_bands(labs, url)
        problems += lab_problems

    n_previews = cfg.manifesto.anteprime_laboratori
    jobs: list[_Job] = []
    for formato in dict.fromkeys(cfg.manifesto.formati):
        spec = PageSpec.for_format(formato)
        qr_mm, why = plan_qr(formato, spec.trim_w_mm, url, distance, "")
        if why:
            problems.append(why)
        if bands and any(b.own_page for b in bands):
            longest = max((b.url for b in bands if b.own_page), key=len)
            lab_qr, why_lab = plan_qr(formato, spec.trim_w_mm, longest, distance, "dei laboratori")
            qr_mm = min(qr_mm, lab_qr)
            if why_lab and not why:
                problems.append(why_lab)
        base = dict(
            formato=formato, text=text, contacts=contacts, theme=theme, heading_family=heading_family,
            body_family=body_family, fonts_dir=fonts_dir, url=url, qr_mm=qr_mm, info=info, out_dir=out_dir,
            preview_dpi=dpi,
        )
        for version in VERSIONS:
            previews = preview_dir if version == "digitale" else None
            jobs.append(_Job(version=version, files=((out_dir / f"manifesto-{formato}-{version}.pdf", (), 1),), preview_dir=previews, **base))
            if not bands:
                continue
            if cfg.manifesto.un_file:
                path = out_dir / f"manifesti-laboratori-{formato}-{version}.pdf"
                jobs.append(_Job(version=version, files=((path, tuple(bands), n_previews),), preview_dir=previews, **base))
            else:
                for start in range(0, len(bands), CHUNK):
                    chunk = bands[start : start + CHUNK]
                    files = tuple(
                        (out_dir / f"manifesto-{_safe_id(b.id)}-{formato}-{version}.pdf", (b,), int(start + j < n_previews))
                        for j, b in enumerate(chunk)
                    )
                    jobs.append(_Job(version=version, files=files, preview_dir=previews, **base))

    results = _execute(jobs, bands, workers)
    records: list[dict[str, Any]] = []
    errors: list[Problem] = []
    for recs, probs in results:
        records += recs
        errors += probs
    if errors:
        # The same text fails in every version: say it once.
        raise StampaError(list(dict.fromkeys(errors)))
    records.sort(key=lambda r: r["path"])
    return ManifestoResult(tuple(records), tuple(problems))


def _qr_batch(urls: tuple[str, ...]) -> list[tuple[str, Matrix]]:
    return [(u, qr_matrix(u)) for u in urls]


def _execute(
    jobs: list[_Job], bands: Sequence[LabBand], workers: int | None
) -> list[tuple[list[dict[str, Any]], list[Problem]]]:
    """Run the jobs, in worker processes when there is enough work to pay for starting them.

    First pass: the QR matrices of the labs' pages, spread over the workers (choosing the mask
    is pure Python and both versions of every format need each code). Second pass: the files,
    biggest jobs first so the pool does not end on one long straggler; the previews of each
    digital file are queued, in small batches, as soon as the file is written."""
    pages = sum(max(1, len(labs)) for job in jobs for _, labs, _ in job.files)
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n <= 1 or len(jobs) <= 1 or pages < 8:
        out = []
        for job in jobs:
            recs, probs, previews = _run(job)
            for task in previews:
                recs += _render_previews(task)
            out.append((recs, probs))
        return out
    urls = tuple(dict.fromkeys(b.url for b in bands))
    order = sorted(range(len(jobs)), key=lambda i: -sum(max(1, len(labs)) for _, labs, _ in jobs[i].files))
    # spawn: the parent may hold threads (progress display) or pdfium state that fork would copy.
    with ProcessPoolExecutor(max_workers=min(n, max(len(jobs), 2)), mp_context=get_context("spawn")) as pool:
        matrices: dict[str, Matrix] = {}
        step = max(1, -(-len(urls) // (4 * n)))
        for batch in pool.map(_qr_batch, [urls[i : i + step] for i in range(0, len(urls), step)]):
            matrices.update(batch)
        futures = {}
        for i in order:
            needed = {lab.url for _, labs, _ in jobs[i].files for lab in labs}
            job = replace(jobs[i], qr={u: matrices[u] for u in needed if u in matrices})
            futures[pool.submit(_run, job)] = i
        results: list[tuple[list[dict[str, Any]], list[Problem]]] = [([], []) for _ in jobs]
        preview_futures = []
        for fut in as_completed(futures):
            recs, probs, previews = fut.result()
            results[futures[fut]] = (recs, probs)
            preview_futures += [(futures[fut], pool.submit(_render_previews, t)) for t in previews]
        for i, fut in preview_futures:
            results[i][0].extend(fut.result())
        return results
