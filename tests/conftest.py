"""Hypothesis profiles, so that CI can never flip and a long hunt is one variable away.

- ``ci`` (loaded when the environment variable ``CI`` is set, as CI services and ``.ci/run`` do):
  derandomized, i.e. the same examples on every run, so a red CI means a real change, never luck;
  ``print_blob`` so a failure prints the line that reproduces it; no example database (a fresh
  clone has none and must not depend on one).
- ``lungo`` (``HYPOTHESIS_PROFILE=lungo``): many random examples, for hunting on a developer's machine;
  whatever it finds goes into the tests as an explicit ``@example`` so CI keeps checking it.
- ``sviluppo`` (default): random, a moderate number of examples.

No deadline anywhere: the readers' timing depends on how busy the (shared) machine is, and a
deadline failure there is noise, not a bug; speed has its own tests (test_readers_speed.py).
Tests must not pin ``max_examples`` themselves, or the profile cannot lengthen the hunt.
"""

import os

from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])

settings.register_profile("sviluppo", max_examples=60, **_COMMON)
settings.register_profile("ci", max_examples=60, derandomize=True, print_blob=True, database=None, **_COMMON)
settings.register_profile("lungo", max_examples=2000, print_blob=True, **_COMMON)

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "sviluppo"))


# ---------------------------------------------------------------------------------------------
# No test may reach the internet: the default basemap (``osm``) asks an Overpass server, so every
# test starts with STAMPA_SERVER_OSM pointing at a local port where nothing listens (the build
# then falls back at once, as it does offline). Tests of the OSM stage set their own local server.
# STAMPA_SERVER_GEOCODIFICA likewise, for the geocoding service (Nominatim).

import socket

import pytest

from stampa.geocoding import turn as geocoding_turn


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_NOWHERE = f"http://127.0.0.1:{_closed_port()}/api/interpreter"
# The same for geocoding: without a test's own Nominatim server, addresses fail at once, as offline.
_NOWHERE_GEOCODING = f"http://127.0.0.1:{_closed_port()}"


@pytest.fixture(autouse=True)
def _no_internet_for_osm(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("STAMPA_SERVER_OSM", _NOWHERE)
    monkeypatch.setenv("STAMPA_SERVER_GEOCODIFICA", _NOWHERE_GEOCODING)
    monkeypatch.delenv("STAMPA_CHIAVE_API", raising=False)
    # The machine-wide geocoding turn (its lock files) of this test session, not of the user's cache.
    turns = tmp_path_factory.getbasetemp() / "turni-geocodifica"
    monkeypatch.setattr(geocoding_turn, "turn_dir", lambda: turns)
