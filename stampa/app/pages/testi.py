"""Testi: the Mappa's and the manifesto's texts in forms, checked (and the manifesto fitted) before saving."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ...config import load_config
from ...problems import StampaError
from .. import texts
from ..context import state

bp = Blueprint("testi", __name__)


def _page(problems=(), saved: str = "", edited: str = "", form=None, status: int = 200):
    layout = state().project.root / "layout"
    files = []
    for name, title in texts.FILES.items():
        try:
            doc = texts.read(layout / name)
            fields = texts.fields(doc)
        except StampaError as exc:
            problems = tuple(problems) + exc.problems
            fields = []
        if name == edited and form is not None:  # what was typed stays in the form
            fields = [texts.TextField(f.name, f.label, form.get(f.name, f.value), f.is_list) for f in fields]
        files.append((name, title, fields))
    return render_template("testi.html", files=files, problems=problems, saved=saved, edited=edited), status


@bp.get("/testi")
def show():
    return _page()


@bp.post("/testi/<name>")
def save(name: str):
    project = state().project
    form = {k: v for k, v in request.form.items() if k != "csrf"}
    try:
        cfg = load_config(project.config)
        texts.save(project.root / "layout", name, form, cfg)
    except StampaError as exc:
        return _page(exc.problems, edited=name, form=form, status=422)
    return _page(saved=name)
