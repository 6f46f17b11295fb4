"""The start page: the four steps, in the order staff take them."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..context import state

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template("home.html", project=state().project)
