"""Dati: choose or upload the entries file, the checks as a table, the summary, the map."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from ...check import summary_rows
from ...inputs import load_inputs
from ...numbering import number_entries
from ...problems import ERROR, Problem, StampaError
from .. import tomledit
from ..context import state
from ..project import (
    MAX_UPLOAD_MB,
    UPLOAD_SUFFIXES,
    chosen_entries_file,
    entries_files,
    store_upload,
)

bp = Blueprint("dati", __name__)


def _inputs():
    """The entries as `stampa controlla` reads them (the geocoding record only, no network)."""
    return load_inputs(state().project.config, geocodifica="controlla")


def _names_by_place(inputs) -> dict[str, str]:
    """«riga 5» → the entry's name, for the table's «voce» column."""
    geo = inputs.geocoding
    if geo is None:
        return {}
    return {r.origin.label(): r.fields.get("nome", "") for r in geo.records}


def problem_rows(problems, names: dict[str, str], level: str = "", text: str = "") -> list[dict[str, str]]:
    """The checks as table rows: errors first, then warnings, each in file order; filtered by
    level and by a text anywhere in the row."""
    rows = []
    for p in sorted(problems, key=lambda p: p.level != ERROR):
        p: Problem
        row = {
            "livello": p.level, "dove": p.where or p.file or "", "voce": names.get(p.where or "", ""),
            "campo": p.field or "", "valore": p.value or "", "messaggio": p.message,
        }
        if level and p.level != level:
            continue
        if text and text.casefold() not in " ".join(row.values()).casefold():
            continue
        rows.append(row)
    return rows


def _page(message: str = "", problems=(), status: int = 200):
    project = state().project
    level = request.args.get("livello", "")
    text = request.args.get("cerca", "").strip()
    uploaded = request.args.get("caricato", "")
    if uploaded and not message:
        message = f"File caricato in dati/{uploaded}: è ora il file delle voci dell'edizione (in stampa.toml)."
    context = {"files": entries_files(project), "message": message, "upload_problems": problems, "level": level, "text": text,
                   "max_mb": MAX_UPLOAD_MB, "suffixes": ", ".join(UPLOAD_SUFFIXES), "current": "", "rows": [], "summary": [],
                   "counts": {"errore": 0, "avviso": 0}, "config_problems": ()}
    try:
        inputs = _inputs()
    except StampaError as exc:
        context["config_problems"] = exc.problems
        return render_template("dati.html", **context), status
    try:
        context["current"] = inputs.entries_file.resolve().relative_to(project.data_dir.resolve()).as_posix()
    except ValueError:
        context["current"] = str(inputs.entries_file)
    context["rows"] = problem_rows(inputs.problems, _names_by_place(inputs), level, text)
    context["counts"] = {lv: sum(p.level == lv for p in inputs.problems) for lv in ("errore", "avviso")}
    context["summary"] = summary_rows(inputs)
    context["entries"] = len(inputs.edition.entries)
    return render_template("dati.html", **context), status


@bp.get("/dati")
def show():
    return _page()


@bp.post("/dati/scegli")
def choose():
    project = state().project
    try:
        path = chosen_entries_file(project, request.form.get("file", ""))
        tomledit.set_entries_file(project.config, f"dati/{path.name}")
    except StampaError as exc:
        return _page(problems=exc.problems, status=400)
    return redirect(url_for("dati.show"), code=303)


@bp.post("/dati/carica")
def upload():
    project = state().project
    sent = request.files.get("voci")
    if sent is None or not sent.filename:
        from ...problems import error

        return _page(problems=[error("nessun file scelto: scegli il file delle voci da caricare.")], status=400)
    try:
        stored = store_upload(project, sent.filename, sent.read(MAX_UPLOAD_MB * 1024 * 1024 + 1))
        tomledit.set_entries_file(project.config, f"dati/{stored.name}")
    except StampaError as exc:
        return _page(problems=exc.problems, status=400)
    return redirect(url_for("dati.show", caricato=stored.name), code=303)


@bp.post("/dati/posizione")
def move_point():
    """A marker dragged on the map: the geocoding record gets the new point (JSON answer for the script)."""
    from ..corrections import correct_point

    try:
        lat, lon = float(request.form.get("lat", "")), float(request.form.get("lon", ""))
    except ValueError:
        return jsonify({"ok": False, "messaggio": "posizione non valida: trascina di nuovo il punto."}), 400
    try:
        name = correct_point(_inputs(), request.form.get("riga", ""), lat, lon)
    except StampaError as exc:
        return jsonify({"ok": False, "messaggio": "; ".join(p.format() for p in exc.problems)}), 400
    return jsonify({"ok": True, "messaggio": f"Posizione di «{name}» corretta nel registro della geocodifica: "
                                            "vale dalla prossima costruzione."})


@bp.get("/dati/voci.json")
def entries_json():
    from ...web.data import boundaries, entry_record

    try:
        inputs = _inputs()
    except StampaError:
        return jsonify({"voci": [], "confini": None})
    return jsonify({
        "voci": [{**entry_record(n), "riga": n.entry.origin.label()} for n in number_entries(inputs.edition.entries)],
        "confini": boundaries(inputs.district),
    })


@bp.get("/statico/leaflet.<kind>")
def leaflet(kind: str):
    from flask import Response, abort

    from ...web.assets import leaflet as leaflet_files

    _, js, css = leaflet_files()
    if kind == "js":
        return Response(js, mimetype="text/javascript")
    if kind == "css":
        return Response(css, mimetype="text/css")
    abort(404)
