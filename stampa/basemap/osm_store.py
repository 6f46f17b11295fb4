"""The frozen OpenStreetMap basemap: one GeoPackage in `dati/` per edition.

Layout (any GIS opens it): layer ``osm`` with the features (columns of :mod:`.osm_model`,
EPSG:32632), and an attribute table ``stampa_metadati`` (``chiave``, ``valore``) saying what it is:
``formato`` (``stampa-sfondo-osm``), ``versione_formato``, ``data_osm``, ``server`` (no secrets),
``copertura`` (JSON: boxes and levels), ``attribuzione`` (JSON), ``versione_stampa``, ``oggetti``.

Written atomically: into a temp file next to the final one (named ``.<name>.<random>.tmp``, which
neither stampa nor a GIS takes for a GeoPackage), then renamed over it; on any failure the temp
file (and GDAL's journal) is removed and the previous file stays as it was. The features are
written in :func:`~.osm_parse.osm_features`' fixed order and the GeoPackage's timestamps are set to
the data date, so the same data gives the same content.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .. import __version__
from ..outputs import atomic_path
from ..problems import StampaError, error
from .osm_model import UTM, Coverage, OsmData
from .sources import strip_secrets

FORMAT = "stampa-sfondo-osm"
FORMAT_VERSION = "1"
FEATURES_LAYER = "osm"
META_LAYER = "stampa_metadati"
COLUMNS = ["osm_id", "strato", "classe", "nome"]


class OsmStoreError(StampaError):
    """The frozen file cannot be used (damaged, not made by stampa, unreadable)."""


def frozen_osm_path(cfg_sfondo, root: Path, year: int) -> Path:
    """``sfondo.congelato`` when it names a .gpkg, else ``dati/sfondo-osm-<anno>.gpkg`` (a
    ``congelato`` ending in .tif is the tile basemap's file, not this one)."""
    setting = (getattr(cfg_sfondo, "congelato", "") or "").strip()
    if setting.lower().endswith(".gpkg"):
        path = Path(setting).expanduser()
        return path if path.is_absolute() else Path(root) / path
    return Path(root) / "dati" / f"sfondo-osm-{year}.gpkg"


def trial_osm_path(cfg_sfondo, root: Path, year: int) -> Path:
    """Where a trial build (other entries or another basemap than ``stampa.toml`` names) keeps the
    OpenStreetMap data it had to fetch: in the user's cache folder (``sfondo.cache``,
    ``$STAMPA_CACHE``), never over the edition's file in ``dati/``. One file per year, whatever the
    project: OSM data of a box is the same for every project (a rebuild of an archived edition
    runs in a temporary copy of the project), and the stage checks what it covers before use."""
    from .cache import cache_dir

    return cache_dir(getattr(cfg_sfondo, "cache", "") or "", Path(root)) / "osm-prove" / f"sfondo-osm-{year}.gpkg"


def public_server(url: str) -> str:
    """The server address as it may be stored: no user:password, no key in the query."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return strip_secrets(urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")))


def _metadata(data: OsmData) -> dict[str, str]:
    return {
        "formato": FORMAT,
        "versione_formato": FORMAT_VERSION,
        "data_osm": data.data_osm,
        "server": public_server(data.server) if data.server else "",
        "copertura": json.dumps([{"area": list(c.extent), "livello": c.level} for c in data.copertura]),
        "attribuzione": json.dumps(list(data.attribution), ensure_ascii=False),
        "versione_stampa": __version__,
        "oggetti": str(len(data.features)),
    }


def write_osm_gpkg(path: Path, data: OsmData) -> None:
    """Write ``data`` to ``path`` atomically (see the module docstring)."""
    import geopandas as gpd
    import pandas as pd
    import pyogrio

    path = Path(path)
    gdf = data.features
    if gdf is None or len(gdf) == 0:
        gdf = gpd.GeoDataFrame({c: [] for c in COLUMNS}, geometry=[], crs=UTM)
    gdf = gdf[COLUMNS + ["geometry"]].reset_index(drop=True)
    meta = pd.DataFrame(sorted(_metadata(data).items()), columns=["chiave", "valore"])
    # GDAL stamps "now" into gpkg_contents; the data date keeps the content independent of when.
    stamp = (data.data_osm or "2000-01-01T00:00:00Z").replace("Z", "")[:19]
    with atomic_path(path) as tmp:
        os.unlink(tmp)  # GDAL creates the GeoPackage itself: it refuses an existing empty file
        try:
            with _gdal_options(OGR_CURRENT_DATE=stamp + "Z"), warnings.catch_warnings():
                # The temp name must not end in .gpkg (it would look like a finished file); GDAL
                # only remarks on it.
                warnings.filterwarnings("ignore", message=".*(extension|non conformant).*", category=RuntimeWarning)
                pyogrio.write_dataframe(
                    gdf, tmp, layer=FEATURES_LAYER, driver="GPKG", spatial_index=True, promote_to_multi=False
                )
                pyogrio.write_dataframe(meta, tmp, layer=META_LAYER, driver="GPKG", append=False)
        finally:
            for extra in ("-journal", "-wal", "-shm"):
                Path(str(tmp) + extra).unlink(missing_ok=True)
        if not tmp.exists():  # pragma: no cover - GDAL reported success without a file
            raise OSError(f"GDAL non ha scritto {tmp}")


class _gdal_options:
    def __init__(self, **options: str):
        self.options = options

    def __enter__(self):
        import pyogrio

        self.old = {k: pyogrio.get_gdal_config_option(k) for k in self.options}
        pyogrio.set_gdal_config_options(self.options)

    def __exit__(self, *exc):
        import pyogrio

        pyogrio.set_gdal_config_options(self.old)


def _damaged(path: Path, why: str) -> OsmStoreError:
    return OsmStoreError(
        error(
            f"il file dello sfondo OpenStreetMap congelato non si può usare ({why}): cancellalo e rifai "
            "«stampa sfondo», oppure indica il file giusto in «sfondo.congelato».",
            file=str(path),
        )
    )


def read_osm_gpkg(path: Path) -> OsmData:
    """The frozen data, or :class:`OsmStoreError` (Italian) when the file is not a good one."""

    path = Path(path)
    with warnings.catch_warnings():
        # GDAL's own remarks on a bad file (application_id…) would only repeat our message.
        warnings.simplefilter("ignore", RuntimeWarning)
        return _read(path)


def _read(path: Path) -> OsmData:
    import pyogrio

    try:
        layers = {name for name, _ in pyogrio.list_layers(path)}
    except Exception:  # noqa: BLE001 - GDAL raises several types for a broken file
        raise _damaged(path, "non è un GeoPackage leggibile: forse è danneggiato o incompleto") from None
    if META_LAYER not in layers or FEATURES_LAYER not in layers:
        raise _damaged(path, "non è uno sfondo OpenStreetMap salvato da stampa")
    try:
        meta_df = pyogrio.read_dataframe(path, layer=META_LAYER, read_geometry=False)
        meta = dict(zip(meta_df["chiave"].astype(str), meta_df["valore"].astype(str)))
        if meta.get("formato") != FORMAT:
            raise _damaged(path, "non è uno sfondo OpenStreetMap salvato da stampa")
        if meta.get("versione_formato") != FORMAT_VERSION:
            raise _damaged(path, f"formato {meta.get('versione_formato')!r} di un'altra versione di stampa")
        copertura = tuple(
            Coverage(tuple(float(v) for v in c["area"]), str(c["livello"])) for c in json.loads(meta["copertura"])
        )
        attribution = tuple(json.loads(meta["attribuzione"]))
        gdf = pyogrio.read_dataframe(path, layer=FEATURES_LAYER)
    except OsmStoreError:
        raise
    except Exception:  # noqa: BLE001
        raise _damaged(path, "il contenuto è danneggiato") from None
    missing = [c for c in COLUMNS if c not in gdf.columns]
    if missing or gdf.crs is None or gdf.crs.to_epsg() != 32632:
        raise _damaged(path, "colonne o sistema di riferimento diversi da quelli di stampa")
    if str(len(gdf)) != meta.get("oggetti"):
        raise _damaged(path, "mancano degli oggetti: il file è incompleto")
    gdf = gdf[COLUMNS + ["geometry"]]
    gdf["nome"] = gdf["nome"].fillna("")
    return OsmData(
        features=gdf,
        data_osm=meta.get("data_osm", ""),
        copertura=copertura,
        server=meta.get("server", ""),
        attribution=attribution,
    )
