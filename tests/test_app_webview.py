"""The built web version seen inside the app: served at /web/ with a policy of its own that lets
only stampa's two scripts run (by hash) and loads nothing from outside; the app's other pages keep
the app's policy; the copy shown has no tiles (the app stays offline), all else as built."""

from __future__ import annotations

import json
import re

import pytest
from app_support import built_web, running_app
from robusto_support import make_project

from stampa.app.security import APP_CSP


def _directives(policy: str) -> dict[str, str]:
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else "" for d in (p.strip() for p in policy.split(";")) if d}


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "progetto")


def test_the_web_page_runs_only_stampa_s_own_scripts_and_loads_nothing_from_outside(project):
    out = built_web(project)
    built = (out / "web" / "index.html").read_text(encoding="utf-8")
    with running_app(project) as (client, _):
        client.login()
        page = client.get("/web/")
        assert page.status == 200 and page.headers["content-type"].startswith("text/html")
        header = _directives(page.headers["content-security-policy"])
        meta = _directives(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', built).group(1).replace("&#x27;", "'"))
        # The same two scripts the page itself allows, by hash: nothing inline beyond them, nothing by address.
        assert header["script-src"] == meta["script-src"] and len(header["script-src"].split()) == 2
        assert all(h.startswith("'sha256-") for h in header["script-src"].split())
        assert all(h.startswith("'sha256-") for h in header["style-src"].split())
        assert header["img-src"] == "'self' data:" and header["default-src"] == "'none'"
        assert header["frame-ancestors"] == "'none'" and header["form-action"] == "'none'"
        assert "unsafe" not in page.headers["content-security-policy"] and "http" not in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        # The rest of the app keeps its own policy.
        assert client.get("/costruisci").headers["content-security-policy"] == APP_CSP


def test_the_page_is_the_built_one_without_the_tiles(project):
    out = built_web(project)
    built = (out / "web" / "index.html").read_text(encoding="utf-8")
    data_re = re.compile(r'<script type="application/json" id="dati">(.*?)</script>', re.DOTALL)
    with running_app(project) as (client, _):
        client.login()
        shown = client.get("/web/").text
    on_disk, in_app = json.loads(data_re.search(built).group(1)), json.loads(data_re.search(shown).group(1))
    assert on_disk["tessere"]["url"].startswith("https://")
    assert in_app["tessere"] is None
    assert {k: v for k, v in in_app.items() if k != "tessere"} == {k: v for k, v in on_disk.items() if k != "tessere"}
    assert data_re.sub("", shown) == data_re.sub("", built)  # everything else byte for byte
    assert "<script>alert(1)</script>" not in shown  # the hostile sample name stays escaped data


def test_the_pdf_the_page_links_opens_and_nothing_else(project):
    built_web(project)
    with running_app(project) as (client, _):
        client.login()
        assert 'href="mappa-digitale.pdf"' in client.get("/web/").text
        assert client.get("/web/mappa-digitale.pdf").body == b"%PDF-1.4 mappa digitale"
        for path in ("/web/rapporto.json", "/web/..%2Fstampa.toml", "/web/non-esiste.pdf"):
            answer = client.get(path)
            assert answer.status == 404, path
            assert b"[edizione]" not in answer.body


def test_the_costruisci_page_links_the_web_version_oncebuilt_web(project):
    with running_app(project) as (client, _):
        client.login()
        assert "Guarda la versione web" not in client.get("/costruisci").plain()
        missing = client.get("/web/")
        assert missing.status == 404
        assert "la versione web non c'è: premi «Costruisci l'edizione» nella pagina Costruisci." in missing.plain()
        built_web(project)
        page = client.get("/costruisci")
        assert '<a href="/web/" id="guarda-web">Guarda la versione web</a>' in page.text
        assert "la pagina com'è pubblicata, qui senza lo sfondo a tessere (l'app non usa internet)." in page.plain()


def test_without_the_token_the_web_page_is_refused(project):
    built_web(project)
    with running_app(project) as (client, _):
        answer = client.get("/web/")
    assert answer.status == 403
    assert b"Spazio Q" not in answer.body
