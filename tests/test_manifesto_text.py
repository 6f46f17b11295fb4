"""The manifesto's layout file: checked like the config, with dotted keys in the messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from stampa.problems import StampaError
from stampa.products.manifesto_text import load_manifesto_text

REPO = Path(__file__).resolve().parents[1]

GOOD = """
titolo = "I Laboratori Sociali"
[[parti]]
titolo = "Che cosa sono"
parole_chiave = ["spazi aperti", "per tutti"]
testo = "Un testo."
"""


def _load(tmp_path, text):
    (tmp_path / "manifesto.toml").write_text(text, encoding="utf-8")
    return load_manifesto_text(tmp_path)


def _messages(tmp_path, text):
    with pytest.raises(StampaError) as exc:
        _load(tmp_path, text)
    return [(p.where, p.message) for p in exc.value.problems]


def test_shipped_layout_has_three_parts_with_the_keywords():
    text = load_manifesto_text(REPO / "layout")
    assert len(text.parti) == 3
    assert text.parti[0].parole_chiave == ("spazi aperti", "per tutti", "di cambiamento", "di comunità")
    assert text.parti[1].parole_chiave == ("attività", "feste", "relazioni", "partecipazione")
    assert text.parti[2].parole_chiave == ("dialogo", "comunicazione integrata", "co-progettazione")


def test_minimal_file_gets_defaults(tmp_path):
    text = _load(tmp_path, GOOD)
    assert text.titolo == "I Laboratori Sociali"
    assert text.laboratorio.fascia == "Qui trovi il Laboratorio Sociale"


def test_unknown_key_named_with_dots(tmp_path):
    bad = GOOD.replace('testo = "Un testo."', 'testo = "Un testo."\nparole_chiavi = ["x"]')
    assert _messages(tmp_path, bad) == [
        ("chiave «parti[1].parole_chiavi»", "chiave sconosciuta: toglila o correggi il nome. Forse intendevi «parole_chiave»?")
    ]


def test_wrong_types(tmp_path):
    bad = GOOD.replace('parole_chiave = ["spazi aperti", "per tutti"]', 'parole_chiave = "spazi aperti"')
    bad = bad.replace('titolo = "I Laboratori Sociali"', "titolo = 3")
    assert _messages(tmp_path, bad) == [
        ("chiave «titolo»", "deve essere un testo."),
        ("chiave «parti[1].parole_chiave»", 'deve essere un elenco tra parentesi quadre, es. ["…", "…"].'),
    ]


def test_manifesto_rules(tmp_path):
    bad = GOOD.replace('["spazi aperti", "per tutti"]', '["a", "b", "c", "d", "e", "f", "g"]').replace('"Un testo."', '"  "')
    assert _messages(tmp_path, bad) == [
        ("chiave «parti[1].testo»", "il testo della parte è vuoto: scrivi qualche riga."),
        ("chiave «parti[1].parole_chiave»", "servono da 1 a 6 parole chiave per parte: ne hai scritte 7."),
    ]
    none = 'titolo = "X"\nparti = []\n'
    assert _messages(tmp_path, none) == [
        ("chiave «parti»", "il manifesto ha da 1 a 4 parti (di solito 3), ognuna in una sezione [[parti]]: ne hai scritte 0.")
    ]


def test_missing_file(tmp_path):
    with pytest.raises(StampaError) as exc:
        load_manifesto_text(tmp_path)
    assert exc.value.problems[0].message.startswith("manca il file con i testi del manifesto")


def test_bad_toml(tmp_path):
    msgs = _messages(tmp_path, 'titolo = "senza fine\n')
    assert msgs[0][1].startswith("il file non è TOML valido")
