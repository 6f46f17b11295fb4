"""Costruisci: the build with its stages live, then previews, the preflight's verdict and downloads."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from flask import Blueprint, jsonify, redirect, render_template, send_file, url_for

from ...config import load_config
from ...problems import StampaError
from ..context import state
from ..printshop import SHEET_NAME, make_sheet, make_zip, print_files
from ..project import output_file

bp = Blueprint("costruisci", __name__)


def _out_dir() -> Path:
    return load_config(state().project.config).uscita.cartella


def _report(out_dir: Path) -> dict | None:
    try:
        return json.loads((out_dir / "rapporto.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _built_report(out_dir: Path) -> dict:
    """The last build's report, or a 404 that says to build first (the downloads need one)."""
    from flask import abort

    report = _report(out_dir)
    if report is None:
        abort(404, "non c'è ancora un'edizione costruita: premi «Costruisci l'edizione».")
    return report


def _verdict(out_dir: Path) -> dict | None:
    try:
        return json.loads((out_dir / "verifica.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _verified(out_dir: Path) -> bool:
    """The last build ran the preflight and its print files passed."""
    verdict = _verdict(out_dir)
    return bool(load_config(state().project.config).uscita.verifica and verdict and verdict.get("ok"))


def _contacts() -> list[str]:
    c = load_config(state().project.config).contatti
    who = " · ".join(x for x in (c.ente, c.referente) if x)
    reach = " · ".join(x for x in (c.email, c.telefono) if x)
    return [x for x in (who, reach) if x]


def _page(problems=(), status: int = 200):
    job = state().builder.job
    try:
        out_dir = _out_dir()
    except StampaError as exc:
        return render_template("costruisci.html", job=job, problems=exc.problems, report=None, verdict=None,
                               out_dir=None, print_files=[], previews=[], pdfs=[]), 422
    report = _report(out_dir) if job is None or job.state != "in corso" else None
    checked = load_config(state().project.config).uscita.verifica
    files = report.get("file", []) if report else []
    return render_template(
        "costruisci.html", job=job, problems=problems, report=report, verdict=_verdict(out_dir) if report else None,
        checked=checked,
        out_dir=out_dir, print_files=print_files(report) if report else [],
        previews=[f for f in files if f["path"].endswith(".png")],
        pdfs=[f for f in files if f["path"].endswith(".pdf") and not f["path"].startswith("web/")],
    ), status


@bp.get("/costruisci")
def show():
    return _page()


@bp.post("/costruisci")
def start():
    try:
        state().builder.start(_out_dir())
    except StampaError as exc:
        return _page(exc.problems, status=409)
    return redirect(url_for("costruisci.show"), code=303)


@bp.get("/costruisci/stato.json")
def status():
    job = state().builder.job
    return jsonify(job.as_dict() if job else {"stato": "nessuna", "fasi": []})



@bp.get("/uscita/<path:rel>")
def output(rel: str):
    from flask import abort

    out_dir = _out_dir()
    report = _report(out_dir)
    listed = {f["path"] for f in report.get("file", [])} if report else set()
    listed.discard("web/index.html")  # the web version is downloaded whole, as a zip
    try:
        path = output_file(out_dir, listed, rel)
    except StampaError:
        abort(404, "file non trovato tra quelli dell'ultima costruzione: costruisci di nuovo.")
    return send_file(path, as_attachment=path.suffix == ".pdf", download_name=path.name)


@bp.get("/scarica/tipografia.zip")
def printshop_zip():
    out_dir = _out_dir()
    report = _built_report(out_dir)
    data = make_zip(out_dir, report, _contacts(), verified=_verified(out_dir))
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name="per-la-tipografia.zip")


@bp.get("/scarica/" + SHEET_NAME)
def printshop_sheet():
    out_dir = _out_dir()
    report = _built_report(out_dir)
    sheet = make_sheet(report, _contacts(), verified=_verified(out_dir))
    return send_file(io.BytesIO(sheet), mimetype="application/pdf", download_name=SHEET_NAME)


@bp.get("/scarica/versione-web.zip")
def web_zip():
    out_dir = _out_dir()
    report = _built_report(out_dir)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for f in report.get("file", []):
            if f["path"].startswith("web/") and (out_dir / f["path"]).is_file():
                z.write(out_dir / f["path"], arcname=f["path"])
    return send_file(io.BytesIO(buf.getvalue()), mimetype="application/zip", as_attachment=True,
                     download_name="versione-web.zip")


@bp.get("/web/")
def web_page():
    """The built web version, seen in the app (no tiles: the app stays offline), under its own policy."""
    from flask import Response, abort

    from ..webview import policy, without_tiles

    out_dir = _out_dir()
    report = _report(out_dir)
    listed = {f["path"] for f in report.get("file", [])} if report else set()
    try:
        path = output_file(out_dir, listed, "web/index.html")
    except StampaError:
        abort(404, "la versione web non c'è: premi «Costruisci l'edizione» nella pagina Costruisci.")
    page = without_tiles(path.read_text(encoding="utf-8"))
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = policy(page)
    return response


@bp.get("/web/<name>")
def web_file(name: str):
    """A PDF the web page links (next to it in out/web/), as /uscita/web/… serves it."""
    return output("web/" + name)
