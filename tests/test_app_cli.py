"""`stampa app` as staff start it: the address printed with its key, pages served, and Ctrl-C
(or the kill a closed session sends) stops it cleanly with a last line."""

from __future__ import annotations

import http.client
import re
import signal
import subprocess

import pytest
from robusto_support import env, make_project, stampa_cmd

from stampa.cli import main


def test_help_is_italian(capsys):
    with pytest.raises(SystemExit):
        main(["app", "--help"])
    out = capsys.readouterr().out
    assert "--porta N" in out and "porta su 127.0.0.1 (predefinita: una libera)" in out
    assert "non aprire il browser: stampa solo l'indirizzo" in out


def test_without_a_configuration_it_says_where_to_start(tmp_path, capsys):
    assert main(["app", "--senza-browser", "--config", str(tmp_path / "stampa.toml")]) == 1
    err = capsys.readouterr().err
    assert "file di configurazione non trovato: lancia il comando dalla cartella del progetto" in err


@pytest.mark.lento
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_starts_prints_the_address_and_stops_cleanly(tmp_path, sig):
    project = make_project(tmp_path / "p")
    proc = subprocess.Popen(stampa_cmd("app", "--senza-browser"), cwd=project.parent, env=env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert first.startswith("L'app per la redazione è aperta a questo indirizzo"), first + proc.stderr.read()
        address = proc.stdout.readline().strip()
        match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?t=([A-Za-z0-9_-]{40,})", address)
        assert match, address
        port, token = int(match.group(1)), match.group(2)
        assert proc.stdout.readline().strip() == "Per chiuderla premi Ctrl-C."
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/edizione")
        assert conn.getresponse().status == 403
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", f"/?t={token}")
        assert conn.getresponse().status == 303
        conn.close()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out.strip().endswith("App chiusa.")
    assert "Traceback" not in err
