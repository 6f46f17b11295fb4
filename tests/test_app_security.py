"""The app's doors: only 127.0.0.1, only with the run's token, state changes only by POST with
the CSRF token, uploads and file names checked before anything reaches the disk."""

from __future__ import annotations

import socket

import pytest
from app_support import running_app
from robusto_support import make_project


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "progetto")


def test_without_the_token_every_page_is_refused(project):
    with running_app(project) as (client, _):
        for path in ("/", "/edizione", "/dati", "/costruisci", "/dati/voci.json", "/scarica/tipografia.zip",
                     "/statico/app/app.css", "/?t=sbagliata"):
            answer = client.get(path)
            assert answer.status == 403, path
            assert "chiave mancante o sbagliata: apri l'app dall'indirizzo stampato da «stampa app»" in answer.plain()


def test_the_printed_address_sets_the_cookie_and_then_pages_open(project):
    with running_app(project) as (client, _):
        first = client.login()
        assert first.status == 303 and first.headers["location"] == "/"  # the token leaves the address bar
        cookie = first.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        page = client.get("/edizione")
        assert page.status == 200
        assert "Edizione" in page.plain()
        assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_the_token_redirect_never_leaves_the_app(project):
    with running_app(project) as (client, _):
        answer = client.get(f"//sito-cattivo.example/dati?t={client.keys.token}&livello=errore")
        assert answer.status == 303
        assert answer.headers["location"] == "/sito-cattivo.example/dati?livello=errore"


def test_another_host_name_is_refused_even_with_the_cookie(project):
    """A page that points its own domain at 127.0.0.1 (DNS rebinding) sends its own Host."""
    with running_app(project) as (client, _):
        client.login()
        client.host = "sito-cattivo.example:80"
        answer = client.get("/edizione")
        assert answer.status == 403
        assert "indirizzo non ammesso" in answer.plain()


def test_post_without_the_right_csrf_token_is_refused_and_writes_nothing(project):
    before = project.read_bytes()
    with running_app(project) as (client, _):
        client.login()
        for csrf in ("", "sbagliato"):
            answer = client.post("/edizione", {"edizione.titolo": "Rubato", "edizione.anno": "2026"}, csrf=csrf)
            assert answer.status == 403
            assert "modulo scaduto o arrivato da un'altra pagina: ricarica la pagina e riprova." in answer.plain()
        answer = client.post("/costruisci", csrf="sbagliato")
        assert answer.status == 403
    assert project.read_bytes() == before
    assert not (project.parent / "out").exists()  # no build started


def test_a_get_changes_nothing(project):
    before = project.read_bytes()
    with running_app(project) as (client, _):
        client.login()
        assert client.get("/edizione?edizione.titolo=Rubato").status == 200
        assert client.get("/dati/scegli?file=voci.csv").status == 405
    assert project.read_bytes() == before


def test_the_server_listens_on_loopback_only(project):
    with running_app(project) as (client, server):
        assert server.server_address[0] == "127.0.0.1"
        others = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
        others |= _interface_addresses()
        others = {a for a in others if not a.startswith("127.")}
        if not others:
            pytest.skip("questa macchina non ha indirizzi oltre 127.0.0.1")
        for address in others:
            with socket.socket() as s:
                s.settimeout(5)
                with pytest.raises(OSError):
                    s.connect((address, client.port))


def _interface_addresses() -> set[str]:
    """The IPv4 addresses of the machine's interfaces, from the UDP route trick (no packet sent)."""
    found = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET address: connect() on UDP only picks the route
            found.add(s.getsockname()[0])
        except OSError:
            pass
    return found


@pytest.mark.parametrize("name", ["../../fuori.csv", "..\\fuori.csv", "/etc/fuori.csv", ".nascosto.csv", "dati/../x.csv"])
def test_an_upload_name_with_folders_is_refused(project, name):
    with running_app(project) as (client, _):
        client.login()
        answer = client.post("/dati/carica", files={"voci": (name, b"id;nome\n1;x\n")})
        assert answer.status == 400
        assert "nome di file non ammesso (contiene cartelle o «..»): rinomina il file, es. «voci-2026.csv»." in answer.plain()
    outside = project.parent.parent
    assert not (outside / "fuori.csv").exists() and not (project.parent / "fuori.csv").exists()
    assert 'voci = "dati/voci.csv"' in project.read_text(encoding="utf-8")


def test_an_upload_of_another_kind_is_refused(project):
    with running_app(project) as (client, _):
        client.login()
        answer = client.post("/dati/carica", files={"voci": ("voci.exe", b"MZ")})
        assert answer.status == 400
        assert "tipo di file non letto da stampa: carica un file" in answer.plain()
    assert not (project.parent / "dati" / "voci.exe").exists()


def test_an_oversized_upload_is_refused_with_the_limit(project):
    big = b"id;nome\n" + b"x" * (21 * 1024 * 1024)
    with running_app(project) as (client, _):
        client.login()
        answer = client.post("/dati/carica", files={"voci": ("grande.csv", big)})
        assert answer.status == 413
        assert "file troppo grande: il limite è 20 MB." in answer.plain()
        assert client.get("/dati").status == 200  # the app is still there
    assert not (project.parent / "dati" / "grande.csv").exists()


def test_a_file_outside_the_data_folder_cannot_be_chosen(project):
    before = project.read_bytes()
    with running_app(project) as (client, _):
        client.login()
        for name in ("../stampa.toml", "/etc/passwd", "geocodifica.csv", "non-esiste.csv"):
            answer = client.post("/dati/scegli", {"file": name})
            assert answer.status == 400, name
            assert "il file scelto non è tra i file di voci della cartella dati/ del progetto: sceglilo dall'elenco." in answer.plain()
    assert project.read_bytes() == before


def test_output_files_outside_the_report_are_not_served(project):
    out = project.parent / "out"
    out.mkdir()
    (out / "rapporto.json").write_text('{"file": [{"path": "mappa-stampa.pdf"}]}', encoding="utf-8")
    (out / "mappa-stampa.pdf").write_bytes(b"%PDF-1.4 prova")
    with running_app(project) as (client, _):
        client.login()
        assert client.get("/uscita/mappa-stampa.pdf").body == b"%PDF-1.4 prova"
        for path in ("/uscita/../stampa.toml", "/uscita/%2e%2e/stampa.toml", "/uscita/rapporto.json", "/uscita//etc/passwd"):
            answer = client.get(path)
            assert b"root:" not in answer.body and b"[edizione]" not in answer.body
            if answer.status == 308:  # werkzeug merges «//»: the new address is still inside /uscita/
                assert answer.headers["location"].endswith("/uscita/etc/passwd")
                answer = client.get("/uscita/etc/passwd")
            assert answer.status == 404, path
            assert "file non trovato tra quelli dell'ultima costruzione: costruisci di nuovo." in answer.plain()
