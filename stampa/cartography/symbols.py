"""Sizes of what the map prints, measured with the real fonts before anything is drawn, so the
plan can keep every box apart: markers, comune names, legend, scale bar, attribution."""

from __future__ import annotations

import re

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

# Marker shapes: laboratori are squares, gruppi are circles (shape and colour both differ, so the
# two kinds stay apart in grey print and for colour-blind readers).
SHAPES = {"laboratorio": "square", "gruppo": "circle"}

NICE_LENGTHS_M = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000)


@dataclass(frozen=True)
class MarkerStyle:
    """Marker geometry in mm and the size of its number in pt."""

    height_mm: float = 4.3
    number_pt: float = 7.5  # bold; the brief's floor is 6.5 pt
    padding_mm: float = 0.55  # between the number and the marker's side
    gap_mm: float = 0.35  # free space kept between any two boxes
    dot_mm: float = 0.9  # diameter of the true-position dot of a displaced marker

    def size(self, number: int, font: str) -> tuple[float, float]:
        """(w, h) in mm: square/circle for one or two digits, wider (rectangle/stadium) beyond."""
        text_w = stringWidth(str(number), font, self.number_pt) / mm
        return (max(self.height_mm, text_w + 2 * self.padding_mm), self.height_mm)


def text_width_mm(text: str, font: str, size_pt: float) -> float:
    from ..printing.typography import string_width  # fallback fonts included

    return string_width(text, font, size_pt) / mm


# A short group in brackets is one word for the wrap: a credit never ends a line with «(CC» and
# starts the next with «BY 4.0)».
_WORDS = re.compile(r"\([^()\s]+(?:\s+[^()\s]+){0,2}\)|\S+")


def wrap(text: str, font: str, size_pt: float, width_mm: float) -> list[str]:
    """Greedy word wrap to ``width_mm``; a single word longer than the width stays on its line."""
    lines: list[str] = []
    current = ""
    for word in _WORDS.findall(text):
        trial = f"{current} {word}" if current else word
        if current and text_width_mm(trial, font, size_pt) > width_mm:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def nice_scale_length(scale: float, max_mm: float, allowed: tuple[int, ...] = NICE_LENGTHS_M) -> int:
    """The longest round length (m) whose bar at 1:``scale`` is at most ``max_mm`` long."""
    best = allowed[0]
    for length in allowed:
        if length * 1000.0 / scale <= max_mm:
            best = length
    return best


def format_length(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def format_scale(scale: float) -> str:
    """'1:80.000' with the Italian thousands separator."""
    return "1:" + f"{round(scale):,}".replace(",", ".")


def two_lines(name: str) -> tuple[str, ...]:
    """Split a multi-word name into two balanced lines (for comune names in narrow places)."""
    words = name.split()
    if len(words) < 2:
        return (name,)
    best = None
    for i in range(1, len(words)):
        a, b = " ".join(words[:i]), " ".join(words[i:])
        score = max(len(a), len(b))
        if best is None or score < best[0]:
            best = (score, a, b)
    return (best[1], best[2])
