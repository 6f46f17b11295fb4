"""What the tests' fake servers share (tiles: tileserver.py, Overpass: overpass_server.py,
Nominatim: nominatim_server.py): a real threaded HTTP server on 127.0.0.1, listening as soon as it
is made; the two ways of not answering (hang, drip) that end by themselves; and ``stop()``, after
which every connection is refused.

A subclass sets its own state first, then calls ``super().__init__()`` (which starts serving), and
answers in ``do_get`` / ``do_post``.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypeVar

HANDLER_LIMIT_S = 30.0  # a hanging or dripping handler ends by itself after this, or at stop()

S = TypeVar("S", bound="FakeServer")


class FakeServer:
    content_type = "application/json"  # of answers that do not name theirs
    handler_timeout_s: float | None = None  # a client that stops sending cannot keep a handler longer

    def __init__(self) -> None:
        self._closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = server.handler_timeout_s

            def log_message(self, *args):  # quiet
                pass

            def setup(self):
                super().setup()
                # Headers and body go out as separate writes: without this, Nagle + delayed ACK
                # add 40 ms to every kept-alive request.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self):
                server.do_get(self)

            def do_POST(self):
                server.do_post(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.running = True

    # -- answering (overridden) ------------------------------------------------------------------
    def do_get(self, h: BaseHTTPRequestHandler) -> None:
        self._send(h, 405, b"", "text/plain")

    def do_post(self, h: BaseHTTPRequestHandler) -> None:
        self._send(h, 405, b"", "text/plain")

    # -- ways to answer ----------------------------------------------------------------------------
    def _send(self, h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str | None = None,
              extra: dict | None = None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype or self.content_type)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        h.end_headers()
        try:
            h.wfile.write(body)
        except OSError:
            pass

    def hang(self, h: BaseHTTPRequestHandler) -> None:
        """The request was read; no answer ever comes (until stop() or HANDLER_LIMIT_S)."""
        self._closing.wait(HANDLER_LIMIT_S)
        h.close_connection = True

    def drip(self, h: BaseHTTPRequestHandler, data: bytes, every_s: float) -> None:
        """``data`` one byte every ``every_s``: something always arrives, the whole never does."""
        try:
            for i in range(len(data)):
                if self._closing.wait(every_s) or i * every_s > HANDLER_LIMIT_S:
                    break
                h.wfile.write(data[i : i + 1])
                h.wfile.flush()
        except OSError:
            pass
        h.close_connection = True

    # -- control -----------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop listening: afterwards every connection is refused."""
        if not self.running:
            return
        self.running = False
        self._closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def serving(make: Callable[[], S]) -> Iterator[S]:
    """The body of a fixture: a server for one test, stopped whatever happens."""
    server = make()
    try:
        yield server
    finally:
        server.stop()
