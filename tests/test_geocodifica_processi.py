"""One request at a time from the whole machine: two `stampa geocodifica` processes (a terminal's and,
say, the app's build) asking the same local Nominatim never overlap and keep the interval between
any two requests, whichever process sends them."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from nominatim_server import NominatimServer
from test_geocodifica import make_project

ROOT = Path(__file__).resolve().parents[1]

# A child: the interval set (the module's parameter), everything imported, then it waits for the
# parent's go on stdin, so both start asking at the same moment.
CHILD = """
import sys
from stampa.geocoding import client
client.MIN_INTERVAL_S = float(sys.argv[1])
import stampa.geocoding.command, stampa.inputs
from stampa.cli import main
print("pronto", flush=True)
sys.stdin.readline()
sys.exit(main(["geocodifica", "--config", sys.argv[2]]))
"""


PER_PROCESS = 6  # addresses each process asks for


@pytest.mark.parametrize("interval_s", [0.2, pytest.param(1.0, marks=pytest.mark.lento)])
def test_two_processes_never_ask_together_and_keep_the_interval(tmp_path, interval_s):
    server = NominatimServer()
    configs = [
        make_project(tmp_path / name, [f"{name}{n};Voce {n};gruppo;Pavia;Via Sintetica {first + n};;" for n in range(PER_PROCESS)])
        for name, first in (("A", 1), ("B", 11))
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "STAMPA_SERVER_GEOCODIFICA": server.url,
           "STAMPA_CACHE": str(tmp_path / "cache"), "NO_COLOR": "1"}
    children = []
    try:
        for config in configs:
            child = subprocess.Popen([sys.executable, "-c", CHILD, str(interval_s), str(config)], cwd=config.parent, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            children.append(child)
        for child in children:
            assert child.stdout.readline().strip() == "pronto"
        for child in children:
            child.stdin.write("via\n")
            child.stdin.flush()
        results = [child.communicate(timeout=120) for child in children]
        assert [child.returncode for child in children] == [0, 0], results
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
        server.stop()
    streets = [r.params["street"] for r in server.requests]
    assert sorted(streets) == sorted(f"{first + n} Via Sintetica" for first in (1, 11) for n in range(PER_PROCESS))
    assert server.max_active == 1
    assert min(server.gaps()) >= interval_s * 0.95, server.gaps()
    # Both processes asked during the same stretch of time: their requests alternate, neither waited
    # for the other to finish (the turn is fair). The two start reading their data at the same
    # moment but may reach their first request some tenths apart on a busy machine: with six
    # addresses each, the first alone may ask up to four times before the alternation is still seen.
    who = ["B" if int(s.split()[0]) > 10 else "A" for s in streets]
    changes = sum(a != b for a, b in itertools.pairwise(who))
    assert changes >= 3, who
    assert (tmp_path / "cache" / "stampa" / "geocodifica").is_dir()


def test_waiting_for_another_process_ends_by_the_deadline(tmp_path):
    """Another process holding the turn past the overall deadline: the run stops, saying why."""
    from stampa.geocoding.client import NominatimClient, ServiceError, search_url
    from stampa.geocoding.turn import Turn

    server = NominatimServer()
    other = Turn(search_url(server.url))
    client = NominatimClient(server.url, deadline_s=0.3)
    try:
        with other.held(float("inf"), RuntimeError), pytest.raises(ServiceError) as caught:
            client.search({"street": "1 Via Sintetica", "city": "Pavia"})
        assert caught.value.reason == (
            "occupato da un'altra esecuzione di stampa su questo computer (l'app o un'altra «stampa geocodifica») oltre "
            "il tempo massimo di 0.3 s"
        )
        assert server.requests == []
    finally:
        client.close()
        other.close()
        server.stop()
