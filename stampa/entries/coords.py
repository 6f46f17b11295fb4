"""Positions typed as text: "45,1942", " 9.1671 ", "45.1942, 9.1671" (lat first, as Google Maps
copies it), easting/northing in another CRS (``dati.crs``).

Used by the tabular readers (CSV, XLSX) and by vector files whose features have no geometry but
lat/lon properties. Everything here returns problems instead of raising.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from ..problems import Problem, StampaError, error
from .model import Origin

_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_number(text: str) -> float | None:
    """A decimal number as Italians and others type it: "45,1942", "45.1942", "-9,5",
    "512.345,67" or "512,345.67" (thousands separators), with an optional trailing "°".
    None when the text is not one number."""
    t = _SPACES.sub("", str(text)).rstrip("°")
    if not t:
        return None
    if "," in t and "." in t:
        # The separator that comes last is the decimal one; the other groups thousands.
        decimal = "," if t.rfind(",") > t.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        head, _, tail = t.rpartition(decimal)
        if not re.fullmatch(r"[+-]?\d{1,3}(" + re.escape(thousands) + r"\d{3})+", head):
            return None
        t = head.replace(thousands, "") + "." + tail
    elif t.count(",") == 1:
        t = t.replace(",", ".")
    if not _NUMBER.fullmatch(t):
        return None
    value = float(t)
    return value if math.isfinite(value) else None


def _candidates(text: str) -> list[tuple[str, str]]:
    t = text.strip().strip("()[]")
    out: list[tuple[str, str]] = []
    for sep in (";", "/", "|", "\t"):
        if t.count(sep) == 1:
            out.append(tuple(t.split(sep)))  # type: ignore[arg-type]
    if t.count(", ") == 1:  # "45.19, 9.16" or "45,19, 9,16"
        out.append(tuple(t.split(", ")))  # type: ignore[arg-type]
    commas = t.count(",")
    if commas == 1 and " " not in t:  # "45.19,9.16"
        out.append(tuple(t.split(",")))  # type: ignore[arg-type]
    if commas == 3 and " " not in t:  # "45,19,9,16": decimal commas both sides
        parts = t.split(",")
        out.append((",".join(parts[:2]), ",".join(parts[2:])))
    words = t.split()
    if len(words) == 2:  # "45,19 9,16"
        out.append((words[0].rstrip(","), words[1]))
    return out


def parse_pair(text: str) -> tuple[float, float] | None:
    """Two numbers in one cell, "lat, lon" as Google Maps copies them; None if not two numbers."""
    for a_t, b_t in _candidates(text):
        a, b = parse_number(a_t), parse_number(b_t)
        if a is not None and b is not None:
            return a, b
    return None


@lru_cache(maxsize=8)
def transformer_for(crs: str):
    """A pyproj transformer from ``crs`` to WGS84 lon/lat (x/lon first), or StampaError."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        source = CRS.from_user_input(crs)
    except CRSError:
        raise StampaError(
            error(
                "sistema di riferimento non riconosciuto: scrivi un codice come «EPSG:32632» "
                "(UTM 32N, WGS84) o «EPSG:3003» (Monte Mario / Gauss-Boaga Ovest).",
                where="chiave «dati.crs»",
                value=crs,
            )
        ) from None
    return Transformer.from_crs(source, "EPSG:4326", always_xy=True)


@lru_cache(maxsize=8)
def is_wgs84(crs: str) -> bool:
    if not crs.strip():
        return True
    from pyproj import CRS

    try:
        return CRS.from_user_input(crs).equals(CRS.from_epsg(4326), ignore_axis_order=True)
    except Exception:  # an invalid CRS is reported by transformer_for
        return False


def position(
    values: dict[str, str], origin: Origin, crs: str = ""
) -> tuple[float | None, float | None, list[Problem]]:
    """The WGS84 (lon, lat) of one row from its position columns (``lat``/``lon``,
    ``coordinate``, ``x``/``y``), in this order of preference. ``crs`` is the CRS the numbers are
    in (empty = WGS84 degrees). Returns (None, None, problems) when no usable position."""
    file, where = origin.file, origin.label() or None
    problems: list[Problem] = []

    def bad(field: str, value: str, message: str) -> tuple[None, None, list[Problem]]:
        problems.append(error(message, file=file, where=where, field=field, value=value))
        return None, None, problems

    x = y = None
    lat_t, lon_t = values.get("lat", "").strip(), values.get("lon", "").strip()
    pair_t = values.get("coordinate", "").strip()
    x_t, y_t = values.get("x", "").strip(), values.get("y", "").strip()
    if lat_t or lon_t:
        parsed = []
        for name, text in (("lat", lat_t), ("lon", lon_t)):
            if not text:
                other = "la longitudine" if name == "lon" else "la latitudine"
                return bad(name, text, f"manca {other}: scrivi entrambe le coordinate o nessuna.")
            parsed.append(parse_number(text))
            if parsed[-1] is None:
                return bad(name, text, "coordinata non leggibile: scrivi un numero come 45,1942 o 45.1942.")
        y, x = parsed
    elif pair_t:
        pair = parse_pair(pair_t)
        if pair is None:
            return bad(
                "coordinate",
                pair_t,
                "coordinate non leggibili: scrivi latitudine e longitudine separate da virgola "
                "e spazio, come le copia Google Maps (45.1942, 9.1671).",
            )
        y, x = pair
    elif x_t or y_t:
        parsed = []
        for name, text in (("x", x_t), ("y", y_t)):
            if not text:
                return bad(name, text, "manca una delle due coordinate (x/est e y/nord): scrivile entrambe.")
            parsed.append(parse_number(text))
            if parsed[-1] is None:
                return bad(name, text, "coordinata non leggibile: scrivi un numero come 512345,6.")
        x, y = parsed
    else:
        return None, None, problems
    assert x is not None and y is not None
    if not is_wgs84(crs):
        lon, lat = transformer_for(crs).transform(x, y)
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return bad(
                "coordinate", f"{x}, {y}", f"le coordinate non sono valide nel sistema {crs}: controlla «dati.crs»."
            )
        return float(lon), float(lat), problems
    if not (-90 <= y <= 90 and -180 <= x <= 180):
        return bad(
            "coordinate",
            f"{y}, {x}",
            "coordinate fuori dall'intervallo dei gradi (latitudine ±90, longitudine ±180): "
            "se sono in metri (UTM, Gauss-Boaga), indica il sistema in «dati.crs», per esempio "
            "crs = \"EPSG:32632\".",
        )
    return x, y, problems
