"""The preflight's value types for places on a page: a rectangle and a page's boxes.

A leaf module (no imports from the package): the PDF readers (document, textlayer, qr) and the
checks all use these, and none of them needs to import another for them. All rectangles are PDF
user-space points (1/72 in), origin where the file puts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Rect(NamedTuple):
    """A rectangle (a tuple: millions are made for the text of a large booklet)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def from_array(cls, arr) -> Rect:
        a, b, c, d = (float(v) for v in list(arr)[:4])
        return cls(min(a, c), min(b, d), max(a, c), max(b, d))

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def contains(self, other: Rect, tol: float = 0.0) -> bool:
        return (
            other.x0 >= self.x0 - tol
            and other.y0 >= self.y0 - tol
            and other.x1 <= self.x1 + tol
            and other.y1 <= self.y1 + tol
        )

    def intersects(self, other: Rect) -> bool:
        return other.x0 < self.x1 and other.x1 > self.x0 and other.y0 < self.y1 and other.y1 > self.y0

    def union(self, other: Rect) -> Rect:
        return Rect(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))

    def inset_distance(self, inner: Rect) -> float:
        """Smallest distance (pt) from ``inner`` to this rectangle's edges (negative if it sticks out)."""
        return min(inner.x0 - self.x0, inner.y0 - self.y0, self.x1 - inner.x1, self.y1 - inner.y1)


@dataclass(frozen=True)
class PageBoxes:
    number: int  # 1-based
    media: Rect
    crop: Rect | None
    trim: Rect | None
    bleed: Rect | None
    rotate: int

    @property
    def visible(self) -> Rect:
        """What a viewer shows (and pdfium renders): the CropBox, else the MediaBox."""
        return self.crop or self.media

    @property
    def finished(self) -> Rect:
        """The page as cut: the TrimBox, else what a viewer shows."""
        return self.trim or self.visible
