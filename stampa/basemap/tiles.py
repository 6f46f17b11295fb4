"""Checking and decoding one tile image."""

from __future__ import annotations

import hashlib
import io

import numpy as np
from PIL import Image, UnidentifiedImageError

FORMATS = {"PNG", "JPEG", "WEBP"}


class BadTile(Exception):
    """A tile that cannot be used; the message is an Italian fragment for the warning."""


def _open(data: bytes, tile_px: int) -> Image.Image:
    try:
        img = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError):
        raise BadTile("la risposta non è un'immagine") from None
    if img.format not in FORMATS:
        raise BadTile("la risposta non è un'immagine") from None
    if img.size != (tile_px, tile_px):
        raise BadTile(f"tessera di {img.size[0]}×{img.size[1]} pixel invece di {tile_px}×{tile_px}")
    try:
        img.load()  # decodes everything: a truncated or corrupt stream fails here
    except (OSError, ValueError, SyntaxError):
        raise BadTile("immagine troncata o danneggiata") from None
    return img


def validate(data: bytes, tile_px: int) -> None:
    """Raise BadTile unless ``data`` is a whole image of tile_px × tile_px."""
    _open(data, tile_px)


def tile_ok(data: bytes, tile_px: int) -> bool:
    try:
        _open(data, tile_px)
    except BadTile:
        return False
    return True


def decode(data: bytes, tile_px: int) -> np.ndarray:
    """RGB uint8 array (tile_px, tile_px, 3); transparent parts become white (paper)."""
    img = _open(data, tile_px)
    if img.mode == "RGB":
        return np.asarray(img)
    rgba = img.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))


def digest(data: bytes) -> str:
    """SHA-256 of the tile as served: equal digests are the very same image."""
    return hashlib.sha256(data).hexdigest()


def single_colour(data: bytes) -> bool:
    """True for a plain tile of one colour (open sea, an empty area): such tiles legitimately repeat
    across a map, unlike a server's «Access blocked» image, which has text on it."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.convert("RGBA").getcolors(1) is not None
    except (UnidentifiedImageError, OSError, ValueError):
        return False
