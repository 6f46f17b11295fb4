"""A real tile server on 127.0.0.1 for the tests: generated PNG tiles, and every way a server fails.

Use the ``tile_server`` fixture (import it in a test module or a conftest):

    def test_x(tile_server):
        tile_server.mode = "ok"            # or "404", "500", "non-immagine", "blocca", "goccia",
                                           # "goccia-testa", "troncata", "dimensione", "redirect", "muore",
                                           # "segnaposto" (one notice image for every z/x/y, HTTP 200),
                                           # "uniforme" (one plain single-colour tile everywhere, like sea)
        url = tile_server.url              # http://127.0.0.1:PORT/{z}/{x}/{y}.png  (256 px)
        url2x = tile_server.url_r          # …/{z}/{x}/{y}{r}.png: 512 px when {r} is "@2x"
        tile_server.requests               # requests received (tile paths only)
        tile_server.stop()                 # nothing listens any more: connection refused

``bad`` limits the failure mode to some tiles (a predicate on z, x, y); the others are served ok.
Each ok tile is a light colour computed from its x and y (see :func:`tile_colour`), with its z/x/y
written in the top-left corner and a 1-pixel grey border, so a test can tell which tile a pixel of
the warped basemap came from.
"""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Callable

import pytest
from PIL import Image, ImageDraw

try:
    from fake_server import FakeServer, serving
except ImportError:  # imported as tests.tileserver with only the project root on sys.path (bench/)
    from tests.fake_server import FakeServer, serving

MODES = (
    "ok", "404", "500", "non-immagine", "blocca", "goccia", "goccia-testa", "troncata", "dimensione", "redirect", "muore",
    "segnaposto", "uniforme",
)
SEA = (170, 211, 223)  # the colour of the "uniforme" tiles
_PATH = re.compile(r"^/(\d+)/(\d+)/(\d+)(@2x)?\.png$")


def tile_colour(x: int, y: int) -> tuple[int, int, int]:
    """The fill colour of tile (x, y): light, and different for neighbours in both directions."""
    return (150 + (x % 10) * 10, 150 + (y % 10) * 10, 240)


def make_tile(z: int, x: int, y: int, size: int = 256, text: bool = True) -> bytes:
    img = Image.new("RGB", (size, size), tile_colour(x, y))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, size - 1, size - 1), outline=(128, 128, 128))
    if text:
        draw.text((4, 4), f"{z}/{x}/{y}", fill=(60, 60, 60))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def placeholder_tile(size: int = 256) -> bytes:
    """What a server sends instead of map to a client it refuses: the same image for every z/x/y
    (a grey tile with a notice, like OpenStreetMap's «Access blocked» or CARTO's «API KEY REQUIRED»)."""
    img = Image.new("RGB", (size, size), (221, 221, 221))
    draw = ImageDraw.Draw(img)
    draw.rectangle((size // 8, size // 3, size - size // 8, size // 2), fill=(200, 30, 30))
    draw.text((size // 8 + 4, size // 3 + 4), "API KEY REQUIRED", fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def uniform_tile(size: int = 256) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), SEA).save(buf, format="PNG")
    return buf.getvalue()


class TileServer(FakeServer):
    content_type = "image/png"

    def __init__(self) -> None:
        self.mode = "ok"
        self.bad: Callable[[int, int, int], bool] | None = None
        self.die_after = 3  # "muore": tiles served before the server dies mid-answer
        self.drip_s = 0.2  # "goccia": seconds between bytes
        self.requests = 0
        self.paths: list[str] = []
        self.user_agents: set[str] = set()
        self.served_ok = 0
        self._lock = threading.Lock()
        super().__init__()
        self.url = f"http://127.0.0.1:{self.port}/{{z}}/{{x}}/{{y}}.png"
        self.url_r = f"http://127.0.0.1:{self.port}/{{z}}/{{x}}/{{y}}{{r}}.png"

    # -- serving ---------------------------------------------------------------------------
    def do_get(self, h: BaseHTTPRequestHandler) -> None:
        m = _PATH.match(h.path.split("?")[0])
        if not m:
            self._send(h, 404, b"no", "text/plain")
            return
        z, x, y = int(m[1]), int(m[2]), int(m[3])
        size = 512 if m[4] else 256
        with self._lock:
            self.requests += 1
            self.paths.append(h.path)
            self.user_agents.add(h.headers.get("User-Agent", ""))
            n_ok = self.served_ok
        mode = self.mode
        if self.bad is not None and not self.bad(z, x, y):
            mode = "ok"
        if mode == "muore" and n_ok < self.die_after:
            mode = "ok"
        if mode == "ok":
            self._send(h, 200, make_tile(z, x, y, size), "image/png")
            with self._lock:
                self.served_ok += 1
        elif mode == "segnaposto":
            self._send(h, 200, placeholder_tile(size), "image/png")
        elif mode == "uniforme":
            self._send(h, 200, uniform_tile(size), "image/png")
        elif mode == "404":
            self._send(h, 404, b"Not Found", "text/plain")
        elif mode == "500":
            self._send(h, 500, b"Internal Server Error", "text/plain")
        elif mode == "non-immagine":
            self._send(h, 200, b"<html><body>Accesso negato</body></html>", "text/html")
        elif mode == "blocca":  # accepted, request read, never answered
            self.hang(h)
        elif mode == "goccia":  # headers at once, then one byte every drip_s
            body = make_tile(z, x, y, size)
            h.send_response(200)
            h.send_header("Content-Type", "image/png")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            self.drip(h, body, self.drip_s)
        elif mode == "goccia-testa":  # even the status line and headers arrive one byte at a time
            head = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-Riempitivo-%d: %s\r\n" % (i, b"a" * 40) for i in range(50))
            self.drip(h, head, self.drip_s)
        elif mode == "troncata":  # a PNG cut in half, with a Content-Length that matches the cut
            body = make_tile(z, x, y, size)
            self._send(h, 200, body[: len(body) // 2], "image/png")
        elif mode == "dimensione":
            self._send(h, 200, make_tile(z, x, y, 300), "image/png")
        elif mode == "redirect":  # /a → /a?1 → /a?2 … forever
            n = int(h.path.split("?")[1]) + 1 if "?" in h.path else 1
            h.send_response(302)
            h.send_header("Location", f"{h.path.split('?')[0]}?{n}")
            h.send_header("Content-Length", "0")
            h.end_headers()
        elif mode == "muore":  # promise a whole tile, send a part, drop the connection and stop
            body = make_tile(z, x, y, size)
            h.send_response(200)
            h.send_header("Content-Type", "image/png")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body[:100])
            h.wfile.flush()
            h.close_connection = True
            try:
                h.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            threading.Thread(target=self.stop, daemon=True).start()
        else:  # pragma: no cover
            raise ValueError(mode)


def refused_url() -> str:
    """A tile URL on a local port where nothing listens."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"


@pytest.fixture
def tile_server():
    yield from serving(TileServer)


@pytest.fixture(autouse=False)
def cache_env(tmp_path, monkeypatch):
    """A private tile cache for the test (never the user's ~/.cache)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("STAMPA_CACHE", str(folder))
    return folder


def wait_until(pred: Callable[[], bool], timeout: float = 2.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.01)
    return pred()
