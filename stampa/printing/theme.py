"""Colours of the printed products, from `layout/tema.toml` (CMYK percentages, edited by staff)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from reportlab.lib.colors import CMYKColor

from ..problems import StampaError, error

CMYK = tuple[float, float, float, float]  # 0–100 each


@dataclass(frozen=True)
class Theme:
    testo: CMYK = (0, 0, 0, 100)
    laboratorio: CMYK = (0, 60, 100, 10)
    gruppo: CMYK = (100, 40, 0, 25)
    primario: CMYK = (85, 20, 0, 30)
    accento: CMYK = (0, 60, 100, 10)
    fondo_chiaro: CMYK = (6, 2, 0, 0)
    confine: CMYK = (0, 0, 0, 55)
    distretto: CMYK = (85, 20, 0, 30)
    acqua: CMYK = (30, 5, 0, 0)

    def color(self, name: str, alpha: float = 1.0) -> CMYKColor:
        """A ReportLab CMYK colour (0–1 components) for the theme entry ``name``."""
        c, m, y, k = getattr(self, name)
        return CMYKColor(c / 100, m / 100, y / 100, k / 100, alpha=alpha)

    def rgb(self, name: str) -> tuple[float, float, float]:
        """Approximate RGB (0–1) for screen uses: previews, the web map, matplotlib."""
        c, m, y, k = (v / 100 for v in getattr(self, name))
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))

    def hex(self, name: str) -> str:
        return "#" + "".join(f"{round(v * 255):02x}" for v in self.rgb(name))


def load_theme(path: Path) -> Theme:
    """Read ``[colori]`` from a theme file; a missing file gives the built-in theme."""
    if not path.exists():
        return Theme()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StampaError(error(f"il file del tema non è TOML valido ({exc}).", file=str(path))) from None
    colours = data.get("colori", {})
    known = {f.name for f in fields(Theme)}
    problems = []
    values = {}
    for key, value in colours.items():
        where = f"chiave «colori.{key}»"
        if key not in known:
            problems.append(error(f"colore sconosciuto: usa uno di {', '.join(sorted(known))}.", file=str(path), where=where))
            continue
        ok = (
            isinstance(value, list)
            and len(value) == 4
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 100 for v in value)
        )
        if not ok:
            problems.append(
                error("un colore è [C, M, Y, K] con quattro numeri da 0 a 100.", file=str(path), where=where, value=str(value))
            )
            continue
        values[key] = tuple(float(v) for v in value)
    if problems:
        raise StampaError(problems)
    return Theme(**values)
