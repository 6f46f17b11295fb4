"""Who may talk to the app: the browser that opened the printed address, nobody else.

- A secret token per run, in the printed address; the first tokened request sets it as a cookie
  (HttpOnly, SameSite=Strict), so a page from another site cannot send it along.
- Every request must carry it (cookie or ``?t=``): otherwise 403.
- The Host header must be the loopback address the server listens on: a DNS-rebinding page that
  points its own name at 127.0.0.1 is refused.
- Every state-changing request is a POST with a CSRF token (a second secret, in each form).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Flask, Response, abort, redirect, request

COOKIE = "stampa_chiave"
TOKEN_PARAM = "t"
CSRF_FIELD = "csrf"
SAFE_METHODS = ("GET", "HEAD")
APP_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


@dataclass(frozen=True)
class Secrets:
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))


def _same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


def _host_ok(host: str, port: int | None) -> bool:
    name, _, got_port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
    if name not in ("127.0.0.1", "localhost"):
        return False
    return port is None or got_port == str(port)


def install(app: Flask, keys: Secrets) -> None:
    """Check every request before any page sees it."""

    @app.before_request
    def _guard() -> Response | None:
        if not _host_ok(request.host, app.config.get("STAMPA_PORTA")):
            abort(403, "indirizzo non ammesso: apri l'app dall'indirizzo stampato da «stampa app».")
        given = request.args.get(TOKEN_PARAM)
        if _same(given, keys.token):
            if request.method in SAFE_METHODS:
                # Drop the token from the address bar (and from the history) once the cookie holds it.
                # One leading slash: «//host/» would send the browser to another site.
                args = [(k, v) for k, v in request.args.items(multi=True) if k != TOKEN_PARAM]
                target = "/" + request.path.lstrip("/") + ("?" + urlencode(args) if args else "")
                response = redirect(target, code=303)
                response.set_cookie(COOKIE, keys.token, httponly=True, samesite="Strict", path="/")
                return response
        elif not _same(request.cookies.get(COOKIE), keys.token):
            abort(403, "chiave mancante o sbagliata: apri l'app dall'indirizzo stampato da «stampa app» "
                       "(contiene la chiave di questa sessione).")
        if request.method not in SAFE_METHODS and not _same(request.form.get(CSRF_FIELD), keys.csrf):
            abort(403, "modulo scaduto o arrivato da un'altra pagina: ricarica la pagina e riprova.")
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        # Everything is served by the app itself: nothing may load from elsewhere, nobody may frame it.
        # A view may set a policy of its own (only the built web page does: app/webview.py, no looser).
        response.headers.setdefault("Content-Security-Policy", APP_CSP)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.context_processor
    def _csrf() -> dict[str, str]:
        return {"csrf_field": CSRF_FIELD, "csrf_token": keys.csrf}
