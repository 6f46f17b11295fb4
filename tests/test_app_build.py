"""Costruisci: the app builds with `stampa edizione`'s own function, so the files are the same byte
for byte; the build lock refuses a second build with the CLI's message; the print shop's zip holds
the print PDFs and a sheet that says format, folds, pages, colours and bleed."""

from __future__ import annotations

import io
import json
import os
import shutil
import time
import zipfile

import pytest
from app_support import running_app
from pypdf import PdfReader
from robusto_support import hashes, make_project, run_stampa

pytestmark = pytest.mark.lento  # whole builds


def _build_in_app(client) -> None:
    answer = client.post("/costruisci")
    assert answer.status == 303
    deadline = time.monotonic() + 600  # a bound, not a speed check: the machine is shared
    while True:
        status = json.loads(client.get("/costruisci/stato.json").body)
        if status["stato"] != "in corso" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status["stato"] == "fatto", client.get("/costruisci").plain()
    assert [f["chiave"] for f in status["fasi"]] == ["dati", "mappa", "manifesto", "web"]
    assert all(f["secondi"] is not None for f in status["fasi"])


def test_the_app_writes_the_same_files_as_stampa_edizione(tmp_path):
    by_app = make_project(tmp_path / "app")
    by_cli = make_project(tmp_path / "cli")
    with running_app(by_app) as (client, _):
        client.login()
        _build_in_app(client)
        page = client.get("/costruisci")
        text = page.plain()
        assert "Verifica non eseguita" in text  # the test project has «verifica = false»
        for name in ("mappa-stampa.pdf", "manifesto-A3-stampa.pdf", "mappa-digitale.pdf"):
            assert f'href="/uscita/{name}"' in page.text
        assert 'src="/uscita/anteprime/mappa-p1.png"' in page.text
        web = client.get("/web/")  # the built web version, seen in the app
        assert web.status == 200 and "'sha256-" in web.headers["content-security-policy"]
        pdf = client.get("/uscita/mappa-stampa.pdf")
        assert pdf.headers["content-disposition"].startswith("attachment")
        assert pdf.body == (by_app.parent / "out" / "mappa-stampa.pdf").read_bytes()
    done = run_stampa(by_cli.parent, "edizione")
    assert done.returncode == 0, done.stderr
    app_files, cli_files = hashes(by_app.parent / "out"), hashes(by_cli.parent / "out")
    pdfs = sorted(k for k in cli_files if k.endswith(".pdf"))
    assert pdfs and sorted(k for k in app_files if k.endswith(".pdf")) == pdfs
    assert {k: app_files[k] for k in pdfs} == {k: cli_files[k] for k in pdfs}


def test_a_build_while_the_folder_is_locked_is_refused_with_the_clis_message(tmp_path):
    from stampa.lock import build_lock

    project = make_project(tmp_path / "p")
    out = project.parent / "out"
    with build_lock(out):  # as a `stampa edizione` running in a terminal holds it
        with running_app(project) as (client, _):
            client.login()
            assert client.post("/costruisci").status == 303
            for _ in range(3000):
                if json.loads(client.get("/costruisci/stato.json").body)["stato"] != "in corso":
                    break
                time.sleep(0.1)
            page = client.get("/costruisci").plain()
        # The same words as the CLI (stampa.lock), naming the folder and the process holding it.
        assert (f"{out}: un'altra costruzione sta già scrivendo in questa cartella (processo {os.getpid()}): "
                "aspetta che finisca, oppure scegli un'altra cartella con --out.") in page
        assert "La costruzione si è fermata" in page
        assert not (out / "rapporto.json").exists()


def test_a_second_build_from_the_app_is_refused_while_one_runs(tmp_path):
    from stampa.app.jobs import Job

    project = make_project(tmp_path / "p")
    with running_app(project) as (client, server):
        client.login()
        builder = server.app.extensions["stampa"].builder
        builder.job = Job(project)  # one running (state «in corso»), as if started a moment ago
        answer = client.post("/costruisci")
        assert answer.status == 409
        assert "un'altra costruzione sta già scrivendo in questa cartella" in answer.plain()
        assert "La costruzione non è partita" in answer.plain()
        builder.job.state = "fatto"
    assert not (project.parent / "out" / "rapporto.json").exists()


def test_the_print_shop_zip(tmp_path):
    project = make_project(tmp_path / "p")
    with running_app(project) as (client, _):
        client.login()
        assert client.get("/scarica/tipografia.zip").status == 404  # nothing built yet, and it says so
        _build_in_app(client)
        answer = client.get("/scarica/tipografia.zip")
        assert answer.status == 200 and answer.headers["content-type"] == "application/zip"
        web = zipfile.ZipFile(io.BytesIO(client.get("/scarica/versione-web.zip").body))
        assert "web/index.html" in web.namelist()
    out = project.parent / "out"
    z = zipfile.ZipFile(io.BytesIO(answer.body))
    assert sorted(z.namelist()) == ["manifesto-A3-stampa.pdf", "mappa-stampa.pdf", "scheda-tipografia.pdf"]
    for name in ("manifesto-A3-stampa.pdf", "mappa-stampa.pdf"):
        assert z.read(name) == (out / name).read_bytes()
    sheet = PdfReader(io.BytesIO(z.read("scheda-tipografia.pdf")))
    assert len(sheet.pages) == 1
    box = sheet.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    text = " ".join(sheet.pages[0].extract_text().split())
    for expected in ("Scheda per la tipografia", "mappa-stampa.pdf", "A3-pieghevole · 297 × 420 mm", "2 (fronte e retro)",
                     "3 mm per lato, con crocini di taglio",
                     "2 pieghe:", "a 210 mm dal bordo inferiore", "a 148,5 mm dal bordo sinistro",
                     "manifesto-A3-stampa.pdf", "1 (solo fronte)", "nessuna (foglio piano)",
                     "quadricromia CMYK", "Copie", "Carta", "Note", "Maria Piccio", "m.piccio@csvlombardia.it"):
        assert expected in text, expected
    if os.environ.get("STAMPA_SCREENSHOT_DIR"):
        import pypdfium2

        doc = pypdfium2.PdfDocument(z.read("scheda-tipografia.pdf"))
        doc[0].render(scale=1.5).to_pil().save(os.path.join(os.environ["STAMPA_SCREENSHOT_DIR"], "scheda-tipografia.png"))
    shutil.rmtree(out)
