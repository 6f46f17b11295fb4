"""The frozen OpenStreetMap GeoPackage: round trip, atomic writes, damaged files."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pyogrio
import pytest

from stampa import __version__
from stampa.basemap.osm_model import Coverage, OsmData
from stampa.basemap.osm_parse import osm_features
from stampa.basemap.osm_store import OsmStoreError, frozen_osm_path, read_osm_gpkg, write_osm_gpkg
from stampa.config import Sfondo
from stampa.problems import StampaError

from overpass_server import generate_osm

COVERAGE = (
    Coverage((502177.0, 4991514.0, 522177.0, 5015514.0), "distretto"),
    Coverage((510677.0, 5002014.0, 513677.0, 5005014.0), "strade"),
)


@pytest.fixture(scope="module")
def data() -> OsmData:
    return OsmData(
        features=osm_features(generate_osm()),
        data_osm="2026-11-28T10:00:00Z",
        copertura=COVERAGE,
        server="https://utente:segreto@overpass.example/api/interpreter?key=abc123",
    )


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_round_trip(tmp_path, data):
    path = tmp_path / "sfondo-osm-2026.gpkg"
    write_osm_gpkg(path, data)
    back = read_osm_gpkg(path)
    assert back.features.equals(data.features)
    assert back.features.crs.to_epsg() == 32632
    assert back.data_osm == data.data_osm
    assert back.copertura == COVERAGE
    assert back.attribution == data.attribution
    assert back.server == "https://overpass.example/api/interpreter?key=***"
    assert "segreto" not in path.read_bytes().decode("latin-1") and "abc123" not in path.read_bytes().decode("latin-1")


def test_metadata_is_readable_by_any_gis(tmp_path, data):
    path = tmp_path / "a.gpkg"
    write_osm_gpkg(path, data)
    assert [name for name, _ in pyogrio.list_layers(path)] == ["osm", "stampa_metadati"]
    meta = pyogrio.read_dataframe(path, layer="stampa_metadati", read_geometry=False)
    meta = dict(zip(meta["chiave"], meta["valore"]))
    assert meta["formato"] == "stampa-sfondo-osm" and meta["versione_stampa"] == __version__
    assert meta["oggetti"] == str(len(data.features))


def test_same_data_same_file(tmp_path, data):
    a, b = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    write_osm_gpkg(a, data)
    write_osm_gpkg(b, data)
    assert sha(a) == sha(b)  # GeoPackage timestamps set to the data date


def test_empty_data_round_trips(tmp_path, data):
    empty = dataclasses.replace(data, features=data.features.iloc[:0])
    write_osm_gpkg(tmp_path / "e.gpkg", empty)
    assert len(read_osm_gpkg(tmp_path / "e.gpkg").features) == 0


def test_failure_mid_write_keeps_the_previous_file_and_no_temp(tmp_path, data, monkeypatch):
    path = tmp_path / "dati" / "sfondo-osm-2026.gpkg"
    write_osm_gpkg(path, data)
    before = sha(path)
    real = pyogrio.write_dataframe

    def fail_on_metadata(df, target, *, layer, **kw):
        if layer == "stampa_metadati":
            raise RuntimeError("disco pieno (simulato)")
        return real(df, target, layer=layer, **kw)

    monkeypatch.setattr(pyogrio, "write_dataframe", fail_on_metadata)
    smaller = dataclasses.replace(data, features=data.features.iloc[:3])
    with pytest.raises(RuntimeError):
        write_osm_gpkg(path, smaller)
    assert sha(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["sfondo-osm-2026.gpkg"]


def test_unwritable_folder_is_a_stampa_error(tmp_path, data):
    blocker = tmp_path / "dati"
    blocker.write_text("un file, non una cartella")
    with pytest.raises(StampaError):
        write_osm_gpkg(blocker / "sfondo-osm-2026.gpkg", data)


def damaged_message(path: Path, why: str) -> str:
    return (
        f"{path}: il file dello sfondo OpenStreetMap congelato non si può usare ({why}): cancellalo e rifai "
        "«stampa sfondo», oppure indica il file giusto in «sfondo.congelato»."
    )


def test_damaged_file_is_an_italian_error(tmp_path, data):
    path = tmp_path / "a.gpkg"
    write_osm_gpkg(path, data)
    path.write_bytes(path.read_bytes()[: 4096])  # cut: as after a crash of another program
    with pytest.raises(OsmStoreError) as info:
        read_osm_gpkg(path)
    assert str(info.value) in (
        damaged_message(path, "non è un GeoPackage leggibile: forse è danneggiato o incompleto"),
        damaged_message(path, "il contenuto è danneggiato"),
    )
    garbage = tmp_path / "b.gpkg"
    garbage.write_bytes(b"PK\x03\x04 non sono dati")
    with pytest.raises(OsmStoreError) as info:
        read_osm_gpkg(garbage)
    assert str(info.value) == damaged_message(garbage, "non è un GeoPackage leggibile: forse è danneggiato o incompleto")


def test_a_foreign_geopackage_is_refused(tmp_path, data):
    path = tmp_path / "comuni.gpkg"
    pyogrio.write_dataframe(data.features.iloc[:5], path, layer="comuni", driver="GPKG")
    with pytest.raises(OsmStoreError) as info:
        read_osm_gpkg(path)
    assert str(info.value) == damaged_message(path, "non è uno sfondo OpenStreetMap salvato da stampa")


def test_frozen_path(tmp_path):
    assert frozen_osm_path(Sfondo(), tmp_path, 2026) == tmp_path / "dati" / "sfondo-osm-2026.gpkg"
    assert frozen_osm_path(Sfondo(congelato="dati/sfondo-2026.tif"), tmp_path, 2026) == (
        tmp_path / "dati" / "sfondo-osm-2026.gpkg"
    )
    assert frozen_osm_path(Sfondo(congelato="archivio/osm.GPKG"), tmp_path, 2026) == tmp_path / "archivio" / "osm.GPKG"
    assert frozen_osm_path(Sfondo(congelato="/srv/osm.gpkg"), tmp_path, 2026) == Path("/srv/osm.gpkg")
