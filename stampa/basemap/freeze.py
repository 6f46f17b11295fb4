"""The frozen basemap: the edition's tiles kept as GeoTIFFs in `dati/`, so a reprint needs no network.

Decision: one GeoTIFF per view. The main view (the first) is written to the configured path
(default ``dati/sfondo-<anno>.tif``), every other view next to it as ``sfondo-<anno>-<vista>.tif``;
one JSON sidecar (``sfondo-<anno>.json``) lists them all with source, URL template, zoom, date,
attribution, extent, CRS and ppi. One file per view because the inset of central Pavia is drawn at
a larger scale: a single raster at the inset's resolution over the whole district would be ~15×
bigger than the two views together.

The GeoTIFFs are EPSG:32632 RGB, tiled 512×512, deflate with horizontal predictor (readable by any
GDAL/QGIS), and carry no date, so freezing the same tiles twice gives byte-identical files; the
date lives only in the sidecar. Builds read only the window of the frame they draw.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import __version__
from ..outputs import atomic_path, write_text
from .zoom import UTM, Extent

SIDECAR_SUFFIX = ".json"
CREATION = dict(
    driver="GTiff",
    compress="deflate",
    predictor=2,
    zlevel=6,
    tiled=True,
    blockxsize=512,
    blockysize=512,
    photometric="RGB",
    interleave="pixel",
)


def frozen_path(setting: str, root: Path, year: int) -> Path:
    """The main frozen GeoTIFF: ``sfondo.congelato`` or ``dati/sfondo-<anno>.tif``."""
    if setting.strip():
        path = Path(setting.strip()).expanduser()
        return path if path.is_absolute() else root / path
    return root / "dati" / f"sfondo-{year}.tif"


def sidecar_path(tif: Path) -> Path:
    return tif.with_suffix(SIDECAR_SUFFIX)


def view_file(base: Path, index: int, name: str) -> Path:
    if index == 0:
        return base
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or f"vista{index + 1}"
    return base.with_name(f"{base.stem}-{slug}{base.suffix}")


def write_geotiff(path: Path, image: np.ndarray, extent: Extent, tags: dict[str, str]) -> None:
    """Write an H×W×3 uint8 image covering ``extent`` (EPSG:32632), atomically."""
    import rasterio

    from .warp import output_transform

    height, width = image.shape[:2]
    with atomic_path(path) as tmp:
        with rasterio.open(
            tmp,
            "w",
            width=width,
            height=height,
            count=3,
            dtype="uint8",
            crs=UTM,
            transform=output_transform(extent, width, height),
            **CREATION,
        ) as dst:
            dst.write(image.transpose(2, 0, 1))
            dst.update_tags(**tags)


@dataclass(frozen=True)
class FrozenView:
    name: str
    file: Path
    extent: Extent
    frame_mm: tuple[float, float]
    pixels: tuple[int, int]
    ppi: float
    zoom: int | None


@dataclass(frozen=True)
class Frozen:
    """What a sidecar says."""

    sidecar: Path
    source: str
    kind: str
    url: str | None
    attribution: tuple[str, ...]
    date: str
    views: tuple[FrozenView, ...]

    def covering(self, name: str, extent: Extent) -> FrozenView | None:
        """The view that contains ``extent``: the same name first, then the finest."""
        fits = [v for v in self.views if _contains(v.extent, extent, v) and v.file.is_file()]
        if not fits:
            return None
        fits.sort(key=lambda v: (v.name != name, (v.extent[2] - v.extent[0]) / v.pixels[0]))
        return fits[0]


def _contains(outer: Extent, inner: Extent, view: FrozenView) -> bool:
    tol = (outer[2] - outer[0]) / view.pixels[0] * 0.01  # a hundredth of a pixel
    return (
        inner[0] >= outer[0] - tol
        and inner[1] >= outer[1] - tol
        and inner[2] <= outer[2] + tol
        and inner[3] <= outer[3] + tol
    )


def read_sidecar(path: Path) -> Frozen | None:
    """The sidecar's record, or None when there is none (or it is not one of ours)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        views = tuple(
            FrozenView(
                name=str(v["nome"]),
                file=path.parent / str(v["file"]),
                extent=tuple(float(c) for c in v["estensione"]),  # type: ignore[arg-type]
                frame_mm=tuple(float(c) for c in v["formato_mm"]),  # type: ignore[arg-type]
                pixels=tuple(int(c) for c in v["pixel"]),  # type: ignore[arg-type]
                ppi=float(v["ppi"]),
                zoom=None if v.get("zoom") is None else int(v["zoom"]),
            )
            for v in data["viste"]
        )
        return Frozen(
            sidecar=path,
            source=str(data["fonte"]),
            kind=str(data.get("tipo", "tessere")),
            url=data.get("modello_url"),
            attribution=tuple(str(a) for a in data.get("attribuzione", [])),
            date=str(data.get("data", "")),
            views=views,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_sidecar(path: Path, *, source: str, kind: str, url: str | None, attribution, views: list[dict]) -> None:
    record = {
        "programma": f"stampa {__version__}",
        "fonte": source,
        "tipo": kind,
        "modello_url": url,
        "attribuzione": list(attribution),
        "data": _dt.date.today().isoformat(),
        "crs": UTM,
        "viste": views,
    }
    write_text(path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
