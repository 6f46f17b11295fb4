"""The command line speaks Italian, and wrong usage exits 2."""

import pytest

from stampa.cli import main


def test_help_is_italian(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("uso: stampa ")
    assert "opzioni:" in out and "mostra questo aiuto ed esci" in out
    for command in ("controlla", "edizione", "verifica", "sfondo"):
        assert command in out


def test_subcommand_help_has_one_usage_prefix(capsys):
    with pytest.raises(SystemExit):
        main(["sfondo", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("uso: stampa sfondo ") and "uso: uso:" not in out
    assert "--out" not in out  # the frozen basemap goes into dati/


def test_unknown_option_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["edizione", "--boh"])
    assert info.value.code == 2
    assert "stampa: errore: argomenti non riconosciuti: --boh" in capsys.readouterr().err
