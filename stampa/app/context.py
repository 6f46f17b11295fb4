"""What every page needs: the project, the build holder and the run's secrets, kept on the Flask
app (its own module, so the pages and the server do not import each other)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from .jobs import Builder
from .project import Project
from .security import Secrets

KEY = "stampa"


@dataclass
class State:
    project: Project
    builder: Builder
    keys: Secrets


def state(app: Flask | None = None) -> State:
    return (app or current_app).extensions[KEY]
