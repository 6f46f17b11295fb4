"""Start and stop the app: Flask on werkzeug's threaded server, bound to 127.0.0.1 only.

Why Flask: small, well kept, Jinja2 templates with escaping on by default, and a test client; the
pages are plain HTML forms with two small scripts of our own, so there is no UI framework and no
asset from the internet (Leaflet comes from the installed xstatic-leaflet package).
"""

from __future__ import annotations

import threading
import webbrowser
from pathlib import Path

from flask import Flask, render_template
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    RequestEntityTooLarge,
)
from werkzeug.serving import BaseWSGIServer, make_server

from ..problems import StampaError, error
from ..terminal import console
from .context import KEY, State, state
from .jobs import Builder
from .project import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB, Project
from .security import Secrets, install

HOST = "127.0.0.1"  # never anything else: the app edits files and runs builds


def create_app(config: Path, *, keys: Secrets | None = None, port: int | None = None) -> Flask:
    """The app for the project of ``config``; ``port``: the one the server listens on (the Host
    header must name it; None accepts any, for the test client)."""
    config = Path(config).resolve()
    app = Flask(__name__, static_folder="static", static_url_path="/statico/app")
    # The request limit is the upload limit plus room for the form's other fields.
    app.config.update(MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES + 64 * 1024, STAMPA_PORTA=port, TEMPLATES_AUTO_RELOAD=False)
    keys = keys or Secrets()
    app.extensions[KEY] = State(Project(config), Builder(config), keys)
    install(app, keys)

    from .pages import costruisci, dati, edizione, home, testi

    for module in (home, edizione, dati, testi, costruisci):
        app.register_blueprint(module.bp)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: HTTPException):
        message = f"file troppo grande: il limite è {MAX_UPLOAD_MB} MB. Togli le colonne o le righe che non servono, o salvalo in CSV."
        return render_template("errore.html", code=413, message=message), 413

    @app.errorhandler(InternalServerError)
    def _bug(exc: HTTPException):
        message = ("errore interno di stampa: la pagina non si può mostrare. Riprova; se si ripete, "
                   "segnala a chi sviluppa stampa che cosa stavi facendo.")
        return render_template("errore.html", code=500, message=message), 500

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return render_template("errore.html", code=exc.code, message=exc.description), exc.code

    return app


def serve(app: Flask, port: int = 0) -> BaseWSGIServer:
    """A server on 127.0.0.1 (``port`` 0: a free one), not yet serving."""
    import logging

    # werkzeug logs every request on the terminal (the first with the token): staff need none of it.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server(HOST, port, app, threaded=True)
    app.config["STAMPA_PORTA"] = server.server_port
    return server


def address(server: BaseWSGIServer, app: Flask) -> str:
    return f"http://{HOST}:{server.server_port}/?t={state(app).keys.token}"


def run_app(config: Path, *, port: int = 0, open_browser: bool = True) -> int:
    config = Path(config)
    if not config.is_file():
        raise StampaError(error("file di configurazione non trovato: lancia il comando dalla cartella del progetto "
                                "o indica il file con --config.", file=str(config)))
    app = create_app(config)
    try:
        server = serve(app, port)
    except OSError as exc:
        raise StampaError(error(f"la porta {port} non si può usare ({exc.strerror}): scegline un'altra con --porta, "
                                "o ometti --porta per una libera.")) from None
    url = address(server, app)
    out = console()
    out.print("L'app per la redazione è aperta a questo indirizzo (solo da questo computer):")
    out.print(f"  {url}", markup=False, soft_wrap=True)
    out.print("Per chiuderla premi Ctrl-C.")
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    job = state(app).builder.job
    if job is not None and job.state == "in corso":
        out.print("App chiusa durante una costruzione: i file della costruzione precedente sono rimasti al loro posto.")
    else:
        out.print("App chiusa.")
    return 0


