"""Edizione: title, year, label, contacts, QR addresses and formats, saved into stampa.toml."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ...problems import StampaError
from .. import tomledit
from ..context import state

bp = Blueprint("edizione", __name__)


def _page(values, problems=(), saved=False, status=200):
    return render_template(
        "edizione.html", fields=grouped(), values=values, choices=tomledit.CHOICES,
        problems=problems, saved=saved, config=state().project.config,
    ), status


def grouped() -> list[tuple[str, list[tomledit.Field]]]:
    """The fields under their group's title, in the form's order."""
    out: list[tuple[str, list[tomledit.Field]]] = []
    for f in tomledit.EDITION_FIELDS:
        title = tomledit.GROUPS[f.key.split(".")[0]]
        if out and out[-1][0] == title:
            out[-1][1].append(f)
        else:
            out.append((title, [f]))
    return out


@bp.get("/edizione")
def show():
    config = state().project.config
    try:
        values = tomledit.current_values(tomledit.read_document(config))
    except StampaError as exc:
        return _page({}, exc.problems, status=422)
    return _page(values)


@bp.post("/edizione")
def save():
    values = tomledit.form_values(request.form)
    try:
        tomledit.save(state().project.config, values)
    except StampaError as exc:
        # Nothing was written: the form keeps what was typed, with the CLI's messages.
        return _page(values, exc.problems, status=422)
    return _page(values, saved=True)
