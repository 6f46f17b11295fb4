"""Testi: layout/*.toml in forms, saved with their comments; the manifesto's texts are laid out in
every format before saving, and a text that does not fit is refused with the layout's message."""

from __future__ import annotations

import tomllib

import pytest
from app_support import running_app
from robusto_support import make_project


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "progetto")


def test_the_texts_are_in_the_form_with_labels(project):
    with running_app(project) as (client, _):
        client.login()
        page = client.get("/testi")
    assert page.status == 200
    text = page.plain()
    assert "I testi della Mappa (layout/mappa.toml)" in text and "I testi del manifesto (layout/manifesto.toml)" in text
    assert 'name="parti/2/testo"' in page.text and 'name="copertina/qr_didascalia"' in page.text
    assert "parti · 1 · parole chiave" in text


def test_a_changed_text_is_saved_and_everything_else_stays_as_written(project):
    layout = project.parent / "layout" / "manifesto.toml"
    before = layout.read_text(encoding="utf-8")
    with running_app(project) as (client, _):
        client.login()
        answer = client.post("/testi/manifesto.toml", {"titolo": "I Laboratori Sociali di Pavia",
                                                       "parti/1/parole_chiave": "spazi aperti\r\nper tutti\r\n"})
    assert answer.status == 200, answer.plain()
    assert "Salvato in layout/manifesto.toml: i testi entrano in tutti i formati del manifesto." in answer.plain()
    after = layout.read_text(encoding="utf-8")
    assert tomllib.loads(after)["titolo"] == "I Laboratori Sociali di Pavia"
    assert tomllib.loads(after)["parti"][0]["parole_chiave"] == ["spazi aperti", "per tutti"]
    changed = [line for line in before.splitlines() if line not in after.splitlines()]
    assert changed == ['titolo = "I Laboratori Sociali"',
                       'parole_chiave = ["spazi aperti", "per tutti", "di cambiamento", "di comunità"]']
    assert '"""Porte aperte a chi vive il quartiere' in after  # untouched texts keep their triple quotes


def test_a_manifesto_text_that_does_not_fit_is_refused_and_nothing_is_written(project):
    layout = project.parent / "layout" / "manifesto.toml"
    before = layout.read_bytes()
    long_text = " ".join(["Un testo molto lungo che racconta ogni attività del laboratorio."] * 200)
    with running_app(project) as (client, _):
        client.login()
        answer = client.post("/testi/manifesto.toml", {"parti/3/testo": long_text})
    assert answer.status == 422
    page = answer.plain()
    assert "Niente è stato salvato: correggi e salva di nuovo" in page
    assert f"{layout}, chiave «parti[3].testo»: il testo «Un testo molto lungo" in page
    assert "non entra nel riquadro «parti del manifesto A3»" in page and "accorcialo." in page
    assert layout.read_bytes() == before
    assert long_text[:200] in answer.text  # what was typed stays in the form


def test_a_mappa_text_with_an_unknown_placeholder_gets_the_check_message(project):
    layout = project.parent / "layout" / "mappa.toml"
    before = layout.read_bytes()
    with running_app(project) as (client, _):
        client.login()
        answer = client.post("/testi/mappa.toml", {"indice/titolo": "Laboratori di {citta}"})
    assert answer.status == 422
    assert str(layout) in answer.plain() and "«indice.titolo»" in answer.plain()
    assert layout.read_bytes() == before


def test_only_the_two_text_files_can_be_saved(project):
    with running_app(project) as (client, _):
        client.login()
        answer = client.post("/testi/tema.toml", {"x": "y"})
    assert answer.status == 422
    assert "file di testi sconosciuto: scegli i testi della Mappa o del manifesto." in answer.plain()


LONG_INTRO = " ".join(["Ci si incontra, si organizzano feste e si chiede una mano."] * 90)


def test_a_mappa_text_too_long_for_the_cover_says_by_how_many_lines_and_in_which_format(project):
    layout = project.parent / "layout" / "mappa.toml"
    before = layout.read_bytes()
    with running_app(project) as (client, _):
        client.login()
        answer = client.post("/testi/mappa.toml", {"copertina/laboratori": LONG_INTRO})
    assert answer.status == 422
    page = answer.plain()
    assert "Niente è stato salvato: correggi e salva di nuovo" in page
    assert (f"{layout}, chiave «copertina.laboratori»: troppo lungo di 11 righe (29 mm) per il pieghevole: "
            "il riquadro «copertina: introduzione» non li contiene nemmeno a 6 pt. Accorcialo.") in page
    assert layout.read_bytes() == before
    assert LONG_INTRO[:200] in answer.text  # what was typed stays in the form


def test_the_fit_is_checked_in_the_edition_s_format(project):
    """The A4 sheet: the back matter is a strip under the map, so a longer «partecipare» overflows there."""
    config = project
    config.write_text(config.read_text(encoding="utf-8").replace('formato = "automatico"', 'formato = "A4"'), encoding="utf-8")
    layout = project.parent / "layout" / "mappa.toml"
    longer = " ".join(["Scrivici: la prossima edizione si costruisce insieme, quartiere per quartiere."] * 6)
    with running_app(project) as (client, _):
        client.login()
        answer = client.post("/testi/mappa.toml", {"retro/partecipare": longer})
    assert answer.status == 422
    assert (f"{layout}, chiave «retro.partecipare»: troppo lungo di 2 righe (4 mm) per il foglio A4: "
            "i testi di [retro] non entrano sotto la mappa. Accorcialo.") in answer.plain()


def test_a_map_title_on_three_lines_is_refused_for_each_format(project):
    layout = project.parent / "layout" / "mappa.toml"
    title = "La mappa dei laboratori sociali e dei gruppi di cittadini " * 3
    with running_app(project) as (client, _):
        client.login()
        answer = client.post("/testi/mappa.toml", {"mappa/titolo": title})
    page = answer.plain()
    assert answer.status == 422
    assert (f"{layout}, chiave «mappa.titolo»: troppo lungo di 1 riga (4 mm) per il pieghevole: "
            "titolo e sottotitolo non entrano nella fascia sopra la mappa. Accorcialo.") in page
    assert "per il libretto: titolo e sottotitolo non entrano" in page  # «automatico»: both formats it may print


def test_a_mappa_text_that_fits_is_saved_with_the_fit_said(project):
    layout = project.parent / "layout" / "mappa.toml"
    with running_app(project) as (client, _):
        client.login()
        answer = client.post("/testi/mappa.toml", {"copertina/laboratori": "Spazi aperti a tutti nei quartieri."})
    assert answer.status == 200, answer.plain()
    assert "Salvato in layout/mappa.toml: i testi entrano nei formati della Mappa di questa edizione." in answer.plain()
    assert tomllib.loads(layout.read_text(encoding="utf-8"))["copertina"]["laboratori"] == "Spazi aperti a tutti nei quartieri."
