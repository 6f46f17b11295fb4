"""Vector files through pyogrio (GDAL): GeoJSON, GeoPackage, Shapefile.

- Every layer of a GeoPackage is read (staff often keep "laboratori" and "gruppi" apart); each
  record carries its layer name as ``layer``. Layers naming no known column (QGIS' "layer_styles"
  and similar) are skipped with a warning. Features are numbered 1… across the whole file.
- Any CRS is reprojected to WGS84 (EPSG:4326). A Shapefile without .prj is taken as WGS84 when
  its coordinates fit in degrees (with a warning), else refused.
- Points are used as they are (a MultiPoint with one point too). Lines and polygons are NOT
  turned into a point: the record gets ``geometry_problem`` "geometria non puntuale (Polygon):
  serve un punto", because a marker at a polygon's centroid may land far from the entrance of a
  park or a building, and staff know where it is.
- Features without geometry may carry their position in lat/lon (or coordinate, x/y)
  properties, read like spreadsheet columns (``dati.crs`` applies).
- Shapefile text: the .cpg decides; without it, UTF-8 when the bytes are valid UTF-8, else
  Windows-1252.
"""

from __future__ import annotations

import io
import math
import warnings
from pathlib import Path

from ..problems import Problem, StampaError, error, warning
from .columns import COORD_FIELDS, map_columns
from .coords import position, transformer_for
from .model import FIELDS, Origin, RawRecord
from .safety import damaged, fail
from .xlsxfile import cell_text

SKIP_LAYERS = {"layer_styles", "qgis_projects"}


def _value_text(value: object) -> str:
    if type(value) is str:  # the common case first: 120,000 calls for 10,000 features
        return value
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        try:
            return cell_text(value.to_pydatetime())
        except ValueError:
            return ""
    if isinstance(value, bytes):
        return ""
    if type(value).__module__ == "numpy":
        value = value.item()  # numpy scalars → Python, so floats print without noise
    return cell_text(value)


def _gdal_fail(file: str, what: str, exc: Exception) -> StampaError:
    return damaged(file, what, exc)


def _layers(source, file: str, what: str) -> list[str]:
    import pyogrio

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            listed = pyogrio.list_layers(source)
    except Exception as exc:
        raise _gdal_fail(file, what, exc) from None
    names = [str(row[0]) for row in listed]
    if not names:
        raise fail(file, f"il file {what} non contiene livelli (tabelle): esportalo di nuovo.")
    return names


def _read(source, file: str, what: str, layer: str | None, encoding: str | None, **options):
    import pyogrio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pyogrio.read_dataframe(source, layer=layer, encoding=encoding, **options)
        except UnicodeDecodeError:
            raise
        except Exception as exc:
            raise _gdal_fail(file, what, exc) from None


def read_vector(
    data: bytes, path: Path, kind: str, crs: str = ""
) -> tuple[list[RawRecord], list[Problem]]:
    """``kind`` is "geojson", "gpkg" or "shp". GeoJSON and GeoPackage are read from ``data`` (the
    bytes already read), a Shapefile from its files on disk (it needs its .dbf/.shx/.prj/.cpg)."""
    file = str(path)
    what = {"geojson": "GeoJSON", "gpkg": "GeoPackage", "shp": "Shapefile"}[kind]
    problems: list[Problem] = []
    encoding = None
    if kind == "shp":
        missing = [ext for ext in (".dbf", ".shx") if not _sidecar(path, ext)]
        if missing:
            raise fail(
                file,
                "manca " + " e ".join(f"il file {m}" for m in missing) + " accanto al .shp: uno "
                "Shapefile è fatto di più file con lo stesso nome (.shp, .shx, .dbf, .prj, .cpg); "
                "copiali tutti nella stessa cartella.",
            )
        source: object = str(path)
        if not _sidecar(path, ".cpg"):
            encoding = "UTF-8"
    else:
        source = io.BytesIO(data) if kind == "gpkg" else data
    names = _layers(source if kind != "gpkg" else io.BytesIO(data), file, what)
    if kind != "gpkg":
        names = names[:1]
    frames = []
    for name in names:
        if name.lower() in SKIP_LAYERS:
            continue
        src = io.BytesIO(data) if kind == "gpkg" else source
        # GeoJSON: keep "2026-03-05" as typed instead of letting GDAL turn it into a date.
        options = {"DATE_AS_STRING": "YES"} if kind == "geojson" else {}
        try:
            frame = _read(src, file, what, name if kind == "gpkg" else None, encoding, **options)
        except UnicodeDecodeError:
            frame = _read(src, file, what, None, "cp1252")
        frames.append((name, frame))

    records: list[RawRecord] = []
    unknown: list[str] = []
    skipped: list[str] = []
    number = 0
    multi = len(frames) > 1
    for name, frame in frames:
        columns_all = [str(c) for c in frame.columns if c != "geometry"]
        cmap = map_columns(columns_all, file, what="campi", where=f"livello «{name}»" if multi else None)
        errors = [p for p in cmap.problems if p.level == "errore"]
        if errors:
            raise StampaError(errors)
        if multi and not cmap.fields:
            skipped.append(name)
            continue
        unknown += [u for u in cmap.unknown if u not in unknown]
        has_geometry = "geometry" in frame.columns and hasattr(frame, "crs")
        geoms = None
        if has_geometry:
            geoms, more = _to_wgs84(frame, file, what, name if multi else None, kind)
            problems += more
        layer = name if (kind == "gpkg") else None
        items = [(columns_all[i], f) for i, f in sorted(cmap.fields.items())]
        col_values = {col: frame[col].tolist() for col, _ in items}
        coord_cols = any(f in ("lat", "lon", *COORD_FIELDS) for _, f in items)
        if coord_cols and crs:
            transformer_for(crs)
        for i in range(len(frame)):
            number += 1
            values = {f: _value_text(col_values[col][i]).strip() for col, f in items}
            fields = {f: v for f, v in values.items() if f in FIELDS}
            origin = Origin(file, feature=number, name=fields.get("nome") or None)
            lon = lat = None
            geo_problem = None
            if geoms is not None:
                lon, lat, geo_problem = geoms[i]
            if lon is None and geo_problem is None and coord_cols:
                lon, lat, more = position(values, origin, crs)
                problems += more
            records.append(RawRecord(origin, fields, lon=lon, lat=lat, geometry_problem=geo_problem, layer=layer))
    if skipped:
        problems.append(
            warning(
                "ignoro i livelli senza campi riconosciuti: " + ", ".join(f"«{s}»" for s in skipped) + ".",
                file=file,
            )
        )
    if unknown:
        problems += map_columns(unknown, file, what="campi").problems
    if not records:
        raise StampaError(
            problems + [error(f"il file {what} non contiene elementi: esporta di nuovo le voci.", file=file)]
        )
    return records, problems


def _sidecar(path: Path, ext: str) -> Path | None:
    for candidate in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if candidate.exists():
            return candidate
    return None


def _to_wgs84(frame, file: str, what: str, layer: str | None, kind: str):
    """Per feature (lon, lat, geometry_problem) in WGS84, plus file-level problems."""
    problems: list[Problem] = []
    where = f"livello «{layer}»" if layer else None
    geom = frame.geometry
    if frame.crs is None:
        valid = geom[~(geom.isna() | geom.is_empty)]
        if len(valid):
            minx, miny, maxx, maxy = valid.total_bounds
            if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
                raise StampaError(
                    error(
                        f"il file {what} non dice in che sistema di riferimento sono le coordinate "
                        "(manca il file .prj) e non sono gradi: esportalo di nuovo con il suo "
                        ".prj, o in EPSG:4326.",
                        file=file,
                        where=where,
                    )
                )
            problems.append(
                warning(
                    f"il file {what} non dice in che sistema di riferimento sono le coordinate "
                    "(manca il file .prj): le leggo come gradi WGS84 (EPSG:4326).",
                    file=file,
                    where=where,
                )
            )
    elif frame.crs.is_geographic:
        valid = geom[~(geom.isna() | geom.is_empty)]
        if len(valid) and frame.crs.equals("EPSG:4326"):
            minx, miny, maxx, maxy = valid.total_bounds
            if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
                raise StampaError(
                    error(
                        f"il file {what} dichiara coordinate in gradi (WGS84) ma contiene numeri "
                        f"come {maxx:.0f}, {maxy:.0f}: probabilmente sono metri (UTM). Esportalo di "
                        "nuovo scegliendo il sistema EPSG:4326.",
                        file=file,
                        where=where,
                    )
                )
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        try:
            geom = geom.to_crs(4326)
        except Exception as exc:
            raise fail(file, f"non riesco a convertire le coordinate da {frame.crs} in WGS84 ({exc}).") from None
    out: list[tuple[float | None, float | None, str | None]] = []
    for g in geom.values:
        if g is None or g.is_empty:
            out.append((None, None, None))
            continue
        kind_name = g.geom_type
        if kind_name == "MultiPoint" and len(g.geoms) == 1:
            g, kind_name = g.geoms[0], "Point"
        if kind_name == "Point":
            lon, lat = float(g.x), float(g.y)
            if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
                out.append((None, None, f"coordinate fuori dai limiti dei gradi ({lon:.6g}, {lat:.6g})"))
            else:
                out.append((lon, lat, None))
        elif kind_name == "MultiPoint":
            out.append((None, None, f"geometria con più punti (MultiPoint, {len(g.geoms)}): serve un solo punto"))
        else:
            out.append((None, None, f"geometria non puntuale ({kind_name}): serve un punto"))
    return out, problems
