"""Helpers of the web app's tests: the app on a real socket (127.0.0.1, a free port) and a tiny
client over http.client that keeps the cookie, as a browser would."""

from __future__ import annotations

import contextlib
import html
import http.client
import json
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from stampa.app.security import COOKIE, Secrets
from stampa.app.server import create_app, serve


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def plain(self) -> str:
        """The page's text as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
        no_tags = re.sub(r"<[^>]+>", " ", self.text)
        return re.sub(r"\s+", " ", html.unescape(no_tags)).strip()


@dataclass
class Client:
    port: int
    keys: Secrets
    cookie: str = ""
    host: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        h = {"Host": self.host or f"127.0.0.1:{self.port}", **self.extra, **(headers or {})}
        if self.cookie:
            h["Cookie"] = f"{COOKIE}={self.cookie}"
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            answer = Answer(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            conn.close()
        got = answer.headers.get("set-cookie", "")
        if got.startswith(COOKIE + "="):
            self.cookie = got.split(";")[0].split("=", 1)[1]
        return answer

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def login(self) -> Answer:
        return self.get(f"/?t={self.keys.token}")

    def post(self, path: str, fields: dict[str, str | list[str]] | None = None,
             files: dict[str, tuple[str, bytes]] | None = None, csrf: str | None = None) -> Answer:
        parts = dict(fields or {})
        parts.setdefault("csrf", self.keys.csrf if csrf is None else csrf)
        boundary = uuid.uuid4().hex
        chunks: list[bytes] = []
        for name, value in parts.items():
            for v in value if isinstance(value, list) else [value]:
                chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{v}\r\n'.encode())
        for name, (filename, data) in (files or {}).items():
            chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                          f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
        chunks.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(chunks), {"Content-Type": f"multipart/form-data; boundary={boundary}"})


@contextlib.contextmanager
def running_app(config: Path) -> Iterator[tuple[Client, object]]:
    """The app of ``config`` served on 127.0.0.1 in a thread; yields (a logged-out client, the server)."""
    keys = Secrets()
    app = create_app(config, keys=keys)
    server = serve(app, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Client(server.server_port, keys), server
    finally:
        server.shutdown()
        server.server_close()
        app.extensions["stampa"].builder.wait(120)  # a build left running must not outlive its folder


def built_web(project: Path) -> Path:
    """out/ as a build leaves it for the web version (the sample entries of web_samples, hostile
    name included): the page, the PDF it links, rapporto.json listing them. Returns out/."""
    from web_samples import district, entries

    from stampa.config import load_config
    from stampa.printing.theme import load_theme
    from stampa.web.page import build_web

    out = project.parent / "out"
    out.mkdir(exist_ok=True)
    (out / "mappa-digitale.pdf").write_bytes(b"%PDF-1.4 mappa digitale")
    records = build_web(load_config(project), entries(), district(), out,
                        theme=load_theme(project.parent / "layout" / "tema.toml"),
                        pdf_links=[("La Mappa (PDF)", "mappa-digitale.pdf")])
    (out / "rapporto.json").write_text(json.dumps({"file": records}), encoding="utf-8")
    return out
