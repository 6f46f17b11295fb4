"""The Edizione and Dati pages: stampa.toml saved with its comments and the CLI's checks; the
entries' checks as a table, errors first; upload, choice, summary and map data."""

from __future__ import annotations

import json
import tomllib

import pytest
from app_support import running_app
from robusto_support import make_project, sample_rows, write_rows

FORM = {
    "edizione.titolo": "Mappa dei Laboratori 2027",
    "edizione.sottotitolo": "Distretto sociale pavese",
    "edizione.anno": "2027",
    "edizione.etichetta": "Terza edizione",
    "edizione.autore": "Centro Servizi Volontariato",
    "contatti.ente": "Centro Servizi Volontariato",
    "contatti.referente": "Maria Piccio",
    "contatti.email": "m.piccio@csvlombardia.it",
    "contatti.telefono": "0382 526328",
    "contatti.sito": "",
    "collegamenti.mappa_digitale": "https://www.farebenecomunepv.it/mappa-2027/",
    "collegamenti.manifesto_digitale": "",
    "mappa.formato": "A4",
    "manifesto.formati": ["A3", "A2"],
    "manifesto.per_laboratorio": "sì",
}


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "progetto")


def test_saving_the_edition_keeps_every_comment_and_changes_only_the_fields(project):
    before = project.read_text(encoding="utf-8")
    with running_app(project) as (client, _):
        client.login()
        answer = client.post("/edizione", FORM)
        assert answer.status == 200
        assert "Salvato in stampa.toml." in answer.plain()
    after = project.read_text(encoding="utf-8")
    comments = [line for line in before.splitlines() if "#" in line and "formato" not in line and "formati" not in line
                and "per_laboratorio" not in line]
    for line in comments:
        assert line in after  # every comment line, untouched
    assert 'formato = "A4"      # il pieghevole A3 finché le voci ci stanno' in after  # its comment stays beside it
    assert 'formati = ["A3", "A2"]            # uno o più tra' in after
    data = tomllib.loads(after)
    assert data["edizione"]["anno"] == 2027 and data["edizione"]["etichetta"] == "Terza edizione"
    assert data["contatti"]["telefono"] == "0382 526328"
    assert "sito" not in data["contatti"]  # left empty and absent before: not added
    assert data["manifesto"]["per_laboratorio"] is True
    assert data["collegamenti"]["manifesto_digitale"] == ""  # emptied in the form: «the same as the Mappa»
    assert data["distretto"] == tomllib.loads(before)["distretto"]
    unchanged = [line for line in before.splitlines() if not any(k in line for k in (
        "titolo =", "anno =", "etichetta =", "_digitale =", "formato =", "formati =", "per_laboratorio ="))]
    assert [line for line in unchanged if line not in after] == []


@pytest.mark.parametrize(("field", "value", "message"), [
    ("edizione.anno", "duemila", "stampa.toml, chiave «edizione.anno», valore «duemila»: deve essere un numero intero."),
    ("edizione.anno", "1999", "stampa.toml, chiave «edizione.anno», valore «1999»: troppo piccolo: il minimo è 2000."),
    ("collegamenti.mappa_digitale", "ftp://esempio.it/mappa",
     "stampa.toml, chiave «collegamenti.mappa_digitale», valore «ftp://esempio.it/mappa»:"),
])
def test_a_wrong_value_gets_the_clis_message_and_nothing_is_written(project, field, value, message):
    from stampa.config import load_config
    from stampa.problems import StampaError

    before = project.read_bytes()
    with running_app(project) as (client, _):
        client.login()
        answer = client.post("/edizione", {**FORM, field: value})
        assert answer.status == 422
        page = answer.plain()
    assert project.read_bytes() == before
    assert "Niente è stato salvato: correggi e salva di nuovo" in page
    assert message.replace("stampa.toml", str(project)) in page
    # The CLI says the same about the same value.
    edited = project.with_name("prova.toml")
    text = before.decode("utf-8")
    key = field.split(".")[1]
    old_line = next(line for line in text.splitlines() if line.startswith(f"{key} ="))
    edited.write_text(text.replace(old_line, f'{key} = {value if value.isdigit() else json.dumps(value)}'), encoding="utf-8")
    with pytest.raises(StampaError) as cli:
        load_config(edited)
    cli_message = cli.value.problems[0].format().replace(str(edited), str(project))
    assert cli_message in page


def _bad_rows():
    rows = sample_rows()
    rows[4] = {**rows[4], "tipo": "circolo"}  # row 6 in the file (header is row 1)
    return rows


def test_upload_with_an_error_shows_the_row_then_the_corrected_file_passes(project):
    bad = write_rows(project.parent / "scaricati" / "voci sbagliate.csv", _bad_rows()).read_bytes()
    good = write_rows(project.parent / "scaricati" / "voci.csv", sample_rows()).read_bytes()
    name = _bad_rows()[4]["nome"]
    with running_app(project) as (client, _):
        client.login()
        answer = client.post("/dati/carica", files={"voci": ("voci sbagliate.csv", bad)})
        assert answer.status == 303 and answer.headers["location"].startswith("/dati?caricato=voci-sbagliate.csv")
        page = client.get("/dati").text
        assert 'voci = "dati/voci-sbagliate.csv"' in project.read_text(encoding="utf-8")
        assert (project.parent / "dati" / "voci-sbagliate.csv").read_bytes() == bad
        table = page[page.index('<table id="controlli">'):page.index("</table>")]
        rows = table.split("<tr")[2:]
        assert "Errore" in rows[0] and "riga 6" in rows[0] and name in rows[0] and "circolo" in rows[0]
        levels = ["errore" if 'class="errore"' in r else "avviso" for r in rows]
        assert levels == sorted(levels, key=lambda lv: lv != "errore")  # errors first
        only_errors = client.get("/dati?livello=errore").text
        assert 'class="avviso"' not in only_errors.split('<table id="controlli">')[1]
        assert "Nessun controllo corrisponde al filtro." in client.get("/dati?cerca=nessuna-voce-si-chiama-cosi").plain()

        # The same name again with other contents: the first upload is never replaced.
        answer = client.post("/dati/carica", files={"voci": ("voci.csv", good)})
        assert answer.headers["location"].startswith("/dati?caricato=voci.csv")  # same bytes as dati/voci.csv: reused
        page = client.get("/dati").plain()
        assert "0 errori" in page
        summary = json.loads(client.get("/dati/voci.json").body)
        assert len(summary["voci"]) == 38 and summary["confini"]["type"] == "FeatureCollection"
        assert "Totale" in page and "Pavia" in page


def test_choosing_a_file_from_the_data_folder(project):
    write_rows(project.parent / "dati" / "altre.csv", sample_rows()[:5])
    with running_app(project) as (client, _):
        client.login()
        page = client.get("/dati").text
        assert '<option value="altre.csv"' in page and '<option value="geocodifica.csv"' not in page
        answer = client.post("/dati/scegli", {"file": "altre.csv"})
        assert answer.status == 303
        assert 'voci = "dati/altre.csv"' in project.read_text(encoding="utf-8")
        assert "# Il file delle voci: GeoJSON" in project.read_text(encoding="utf-8")
        assert 'In uso: altre.csv' in client.get("/dati").plain()
