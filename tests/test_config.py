"""`stampa.toml`: every key checked, messages naming the dotted key and the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from stampa.cli import main
from stampa.config import load_config
from stampa.problems import StampaError

ROOT = Path(__file__).resolve().parents[1]

MINIMAL = """
[edizione]
anno = 2026
[distretto]
comuni = ["018110", "018030"]
[dati]
voci = "dati/voci.csv"
[collegamenti]
mappa_digitale = "https://www.example.org/mappa/"
[contatti]
ente = "Centro Servizi Volontariato"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stampa.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(StampaError) as info:
        load_config(path)
    return [p.format() for p in info.value.problems]


def test_sample_config_loads():
    cfg = load_config(ROOT / "stampa.toml")
    assert len(cfg.distretto.comuni) == 12
    assert cfg.dati.voci == ROOT / "dati" / "voci-esempio.csv"
    assert cfg.sfondo.fonte == "osm"
    assert cfg.edizione.anno == 2026


def test_minimal_config_gets_defaults(tmp_path):
    cfg = load_config(write(tmp_path, MINIMAL))
    assert cfg.mappa.formato == "automatico"
    assert cfg.manifesto.formati == ("A3",)
    assert cfg.uscita.cartella == tmp_path.resolve() / "out"
    assert cfg.edizione.nome == "Edizione 2026"


def test_unknown_key_with_suggestion(tmp_path):
    path = write(tmp_path, MINIMAL + "[sfondo]\nfonte = \"vettoriale\"\nzoom_masimo = 15\n")
    assert problems_of(path) == [
        f"{path}, chiave «sfondo.zoom_masimo»: chiave sconosciuta: toglila o correggi il nome. Forse intendevi «zoom_massimo»?"
    ]


def test_unknown_section(tmp_path):
    path = write(tmp_path, MINIMAL + "[mapa]\nformato = \"A4\"\n")
    assert problems_of(path) == [f"{path}, chiave «mapa»: chiave sconosciuta: toglila o correggi il nome. Forse intendevi «mappa»?"]


def test_every_problem_reported_at_once(tmp_path):
    text = MINIMAL.replace("anno = 2026", "anno = 1999").replace("https://www.example.org/mappa/", "javascript:alert(1)")
    text += '[sfondo]\nppi = "300"\n[mappa]\nformato = "A5"\n[uscita]\ncartella = "../fuori"\n'
    path = write(tmp_path, text)
    assert problems_of(path) == [
        f"{path}, chiave «edizione.anno», valore «1999»: troppo piccolo: il minimo è 2000.",
        f"{path}, chiave «collegamenti.mappa_digitale», valore «javascript:alert(1)»: tipo di indirizzo non ammesso "
        "(javascript:): sono ammessi solo http:, https:",
        f"{path}, chiave «sfondo.ppi», valore «300»: deve essere un numero intero.",
        f"{path}, chiave «mappa.formato», valore «A5»: valore non ammesso: scegli tra automatico, A3-pieghevole, A4, libretto.",
        f"{path}, chiave «uscita.cartella», valore «../fuori»: il percorso esce dalla cartella del progetto: se è voluto "
        "scrivilo per intero (percorso assoluto).",
    ]


def test_missing_section_and_value(tmp_path):
    path = write(tmp_path, MINIMAL.replace("[contatti]\nente = \"Centro Servizi Volontariato\"\n", "").replace("anno = 2026", ""))
    assert problems_of(path) == [
        f"{path}, chiave «edizione.anno»: valore obbligatorio mancante: aggiungilo.",
        f"{path}, chiave «contatti»: manca la sezione [contatti]: aggiungila.",
    ]


def test_istat_codes_checked(tmp_path):
    path = write(tmp_path, MINIMAL.replace('"018030"', '"18030", "018110"'))
    assert problems_of(path) == [
        f"{path}, chiave «distretto.comuni[2]», valore «18030»: un codice ISTAT di comune ha 6 cifre tra virgolette, "
        "es. \"018110\" per Pavia.",
        f"{path}, chiave «distretto.comuni»: un comune è ripetuto: toglilo.",
    ]


def test_not_toml(tmp_path):
    path = write(tmp_path, "[edizione\nanno = 2026\n")
    (message,) = problems_of(path)
    assert message.startswith(f"{path}: il file non è TOML valido (")
    assert message.endswith("controlla virgolette, parentesi e «=».")


def test_missing_config_file_exit_1_without_traceback(tmp_path, capsys):
    assert main(["controlla", "--config", str(tmp_path / "manca.toml")]) == 1
    err = capsys.readouterr().err
    assert "file di configurazione non trovato" in err and "Traceback" not in err


def test_wrong_usage_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["stampa-tutto"])
    assert info.value.code == 2
    assert "scelta non valida" in capsys.readouterr().err


def test_controlla_checks_layout_texts_and_basemap_source(tmp_path, capsys):
    """Staff edit layout/ too: `stampa controlla` reports a misspelt key there, with file and key."""
    import shutil

    shutil.copytree(ROOT / "layout", tmp_path / "layout")
    (tmp_path / "dati").mkdir()
    shutil.copy(ROOT / "dati" / "voci-esempio.csv", tmp_path / "dati" / "voci-esempio.csv")
    shutil.copy(ROOT / "dati" / "geocodifica.csv", tmp_path / "dati" / "geocodifica.csv")
    config = (ROOT / "stampa.toml").read_text(encoding="utf-8").replace('fonte = "osm"', 'fonte = "CartoDB.Positrn"')
    (tmp_path / "stampa.toml").write_text(config, encoding="utf-8")
    manifesto = tmp_path / "layout" / "manifesto.toml"
    manifesto.write_text(manifesto.read_text(encoding="utf-8").replace("parole_chiave", "parole_chiavi", 1), encoding="utf-8")
    style = tmp_path / "layout" / "sfondo.toml"
    style.write_text(style.read_text(encoding="utf-8").replace("etichetta_pt = 7.0", "etichetta_pt = 3", 1), encoding="utf-8")
    assert main(["controlla", "--config", str(tmp_path / "stampa.toml")]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "manifesto.toml, chiave «parti[1].parole_chiavi»: chiave sconosciuta" in err
    assert "sfondo.toml, chiave «acqua.fiume.etichetta_pt», valore «3»" in err
    assert "Forse intendevi «CartoDB.Positron»?" in err
