"""Downloading tiles: bounded in time, always identified, never fatal.

Why not requests (or contextily, which uses it): a requests timeout bounds each socket read, not
the response, so a server that drips one byte every few seconds (in the headers or in the body)
keeps a download alive indefinitely; and contextily passes no timeout by default (a server that
accepts and never answers hangs forever) and aborts the whole mosaic on one bad tile. Here each
request runs on an ``http.client`` connection with a watchdog that shuts the socket down when the
request's deadline passes, so every request ends by ``timeout_s`` whatever the server does, and all
downloads of a view end by ``tempo_massimo_s``.

A tile counts only if it decodes as an image of the expected size; it is cached only then. The
first tile that still fails after the retries stops the whole download (a basemap with holes is
worse on paper than the vector basemap), and the caller falls back.

Servers that refuse a client often still answer HTTP 200 with a valid image: «Access blocked»
(OpenStreetMap's servers), «API KEY REQUIRED» (CARTO). Such an image is the same for every z/x/y,
so :class:`PlaceholderWatch` compares the tiles of one fetch by digest at the moment each would be
cached; a known placeholder, or one non-uniform image at several coordinates, stops the fetch and
every copy of it is dropped (from the result and from the cache), so none is printed or kept.
"""

from __future__ import annotations

import http.client
import queue
import socket
import ssl
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from .. import __version__
from .cache import TileCache
from .providers import placeholder_digests
from .tiles import BadTile, digest, single_colour, validate

MAX_REDIRECTS = 5
MAX_BYTES = 8 * 1024 * 1024  # a tile is tens of KB; anything this big is not a tile
BACKOFF_S = 0.25
_NO_RETRY = {400, 401, 403, 404, 405, 410, 451}
_LOCAL = {"localhost", "127.0.0.1", "::1"}


def user_agent(contact: str = "") -> str:
    """The identifying User-Agent tile servers (OpenStreetMap's above all) require."""
    who = "mappa laboratori sociali" + (f"; {contact.strip()}" if contact.strip() else "")
    return f"stampa/{__version__} (+{who})"


class FetchError(Exception):
    def __init__(self, reason: str, *, retry: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


def _tls_context() -> ssl.SSLContext:
    try:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:  # pragma: no cover - certifi comes with requests
        return ssl.create_default_context()


class Client:
    """One worker's HTTP connections (kept alive between tiles of the same server)."""

    def __init__(self, headers: dict[str, str], timeout_s: float):
        self.headers = headers
        self.timeout_s = timeout_s
        self.conns: dict[tuple[str, str, int], http.client.HTTPConnection] = {}
        self.tls = None

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()
        self.conns.clear()

    def get(self, url: str, deadline: float) -> bytes:
        seen = set()
        for _ in range(MAX_REDIRECTS + 1):
            seen.add(url)
            status, location, body = self._request(url, deadline)
            if status in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location)
                if urlsplit(url).scheme not in ("http", "https"):
                    raise FetchError("reindirizzamento verso un indirizzo non http(s)", retry=False)
                continue
            if status == 200:
                return body
            if status in _NO_RETRY:
                raise FetchError(f"tessera non disponibile (HTTP {status})", retry=False)
            raise FetchError(f"errore del server (HTTP {status})")
        raise FetchError("troppi reindirizzamenti", retry=False)

    def _connection(self, url: str) -> tuple[http.client.HTTPConnection, str, tuple]:
        parts = urlsplit(url)
        scheme, host = parts.scheme, parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        key = (scheme, host, port)
        conn = self.conns.get(key)
        if conn is None:
            proxy = None
            if host not in _LOCAL and not urllib.request.proxy_bypass(host):
                proxy = urllib.request.getproxies().get(scheme)
            timeout = self.timeout_s
            if scheme == "https":
                self.tls = self.tls or _tls_context()
                if proxy:
                    pp = urlsplit(proxy if "://" in proxy else "http://" + proxy)
                    conn = http.client.HTTPSConnection(pp.hostname, pp.port or 8080, timeout=timeout, context=self.tls)
                    conn.set_tunnel(host, port)
                else:
                    conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=self.tls)
            else:
                if proxy:
                    pp = urlsplit(proxy if "://" in proxy else "http://" + proxy)
                    conn = http.client.HTTPConnection(pp.hostname, pp.port or 8080, timeout=timeout)
                    path = url  # absolute URI through an HTTP proxy
                else:
                    conn = http.client.HTTPConnection(host, port, timeout=timeout)
            self.conns[key] = conn
        return conn, path, key

    def _request(self, url: str, deadline: float) -> tuple[int, str | None, bytes]:
        resp = self.request(url, deadline)
        return resp.status, resp.headers.get("location"), resp.body

    def request(
        self,
        url: str,
        deadline: float,
        *,
        method: str = "GET",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        max_bytes: int = MAX_BYTES,
        too_big: str = "la risposta è troppo grande per essere una tessera",
    ) -> Response:
        """One request ended by ``deadline`` (monotonic) whatever the server does. Any status is
        returned (the caller decides about retries); network failures raise :class:`FetchError`.
        ``max_bytes`` bounds the body: tiles are small, Overpass answers are tens of MB."""
        sent_headers = {**self.headers, **(headers or {})}
        for fresh_try in (False, True):
            conn, path, key = self._connection(url)
            reused = conn.sock is not None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError(f"nessuna risposta completa entro {self.timeout_s:g} s")
            conn.timeout = min(self.timeout_s, remaining)
            killed = threading.Event()

            def kill(conn=conn):
                killed.set()
                sock = conn.sock
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

            timer = threading.Timer(remaining, kill)
            timer.daemon = True
            timer.start()
            got_response = False
            try:
                if conn.sock is not None:
                    conn.sock.settimeout(conn.timeout)
                # On a stale kept-alive connection the request, body included, goes out once more
                # (see below): fine for tiles and for Overpass POSTs, which only read.
                conn.request(method, path, body=body, headers=sent_headers)
                resp = conn.getresponse()
                got_response = True
                chunks, size = [], 0
                while True:
                    chunk = resp.read1(65536)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(too_big, retry=False)
                    chunks.append(chunk)
                if resp.length:  # read1 returns b"" when the server hangs up early: not a whole answer
                    raise http.client.IncompleteRead(b"".join(chunks), resp.length)
                resp.close()  # marks the response done, so the connection can serve the next tile
                if killed.is_set():
                    raise TimeoutError
                if resp.will_close:
                    conn.close()
                    self.conns.pop(key, None)
                return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, b"".join(chunks))
            except FetchError:
                conn.close()
                self.conns.pop(key, None)
                raise
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                self.conns.pop(key, None)
                if killed.is_set() or isinstance(exc, TimeoutError):
                    raise FetchError(f"nessuna risposta completa entro {self.timeout_s:g} s") from None
                # A kept-alive connection the server closed meanwhile: one fresh try, not a failure.
                if reused and not got_response and not fresh_try and isinstance(
                    exc, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
                ):
                    continue
                raise FetchError(_reason(exc)) from None
            finally:
                timer.cancel()
        raise FetchError("connessione interrotta")  # pragma: no cover - loop always returns or raises


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connessione rifiutata dal server"
    if isinstance(exc, socket.gaierror):
        return "nome del server non trovato (rete assente?)"
    if isinstance(exc, ssl.SSLError):
        return "errore nella connessione sicura (TLS)"
    if isinstance(exc, (http.client.RemoteDisconnected, http.client.IncompleteRead, ConnectionResetError, BrokenPipeError)):
        return "connessione interrotta dal server"
    if isinstance(exc, OSError) and exc.errno in (101, 113):  # ENETUNREACH, EHOSTUNREACH
        return "rete non raggiungibile"
    return f"errore di rete ({type(exc).__name__})"


def _resolve_problem(template: str, timeout_s: float) -> str | None:
    """Look the server's name up within ``timeout_s``: the system resolver cannot be interrupted
    and, with a broken network, may block for tens of seconds inside a download. After one good
    lookup the answer is cached by the system, so the downloads do not wait again."""
    parts = urlsplit(template)
    host = parts.hostname or ""
    if host in _LOCAL or urllib.request.getproxies().get(parts.scheme):
        return None  # a proxy resolves names itself
    result: list[BaseException | None] = []

    def lookup() -> None:
        try:
            socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
            result.append(None)
        except (OSError, UnicodeError) as exc:
            result.append(exc)

    t = threading.Thread(target=lookup, daemon=True, name="tessere-dns")
    t.start()
    t.join(timeout_s)
    if not result:
        return f"il nome del server non si risolve entro {timeout_s:g} s (rete assente?)"
    if result[0] is not None:
        return "nome del server non trovato (rete assente?)"
    return None


@dataclass
class Fetched:
    tiles: dict[tuple[int, int], bytes] = field(default_factory=dict)
    from_network: int = 0
    from_cache: int = 0
    failure: str | None = None  # Italian reason
    failed_url: str | None = None  # public URL (no secrets)
    requests: int = 0
    placeholder: bool = False  # the failure is a server's notice served in place of the tiles


# The same non-uniform image at this many coordinates of one fetch is a server's notice, not map:
# real neighbouring tiles differ (roads, labels, the tile grid cuts shapes differently), while
# plain one-colour tiles (sea, empty land) may repeat and are let through.
PLACEHOLDER_REPEATS = 3


def placeholder_reason(count: int | None) -> str:
    """The Italian reason (a fragment for the warning); ``count`` None: a known placeholder image."""
    if count is None:
        return (
            "il server ha mandato un'immagine di avviso al posto della mappa (un'immagine già nota, come "
            "«Access blocked» o «API KEY REQUIRED»)"
        )
    return (
        f"il server ha mandato la stessa immagine per {count} tessere diverse: non è la mappa ma un avviso "
        "del server (come «Access blocked» o «API KEY REQUIRED»)"
    )


class PlaceholderWatch:
    """The digests of the tiles of one fetch, to tell a server's notice from map tiles."""

    def __init__(self, known: frozenset[str] | None = None, repeats: int = PLACEHOLDER_REPEATS):
        self.known = placeholder_digests() if known is None else known
        self.repeats = repeats
        self.coords: dict[str, list[tuple[int, int]]] = {}
        self._multicolour: dict[str, bool] = {}
        self.bad: set[str] = set()

    def add(self, xy: tuple[int, int], data: bytes) -> str | None:
        """Record one tile; the Italian reason if its image is a placeholder, else None."""
        d = digest(data)
        seen = self.coords.setdefault(d, [])
        if xy not in seen:
            seen.append(xy)
        if d in self.known or d in self.bad:
            self.bad.add(d)
            return placeholder_reason(None if d in self.known else len(seen))
        if len(seen) >= self.repeats:
            if d not in self._multicolour:  # decoded once per repeated image, not per tile
                self._multicolour[d] = not single_colour(data)
            if self._multicolour[d]:
                self.bad.add(d)
                return placeholder_reason(len(seen))
        return None

    def bad_coords(self) -> list[tuple[int, int]]:
        return [xy for d in self.bad for xy in self.coords.get(d, [])]


def tile_url(template: str, z: int, x: int, y: int) -> str:
    return template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))


def fetch_tiles(
    template: str,
    public_template: str,
    zoom: int,
    tiles: list[tuple[int, int]],
    *,
    tile_px: int,
    cache: TileCache,
    timeout_s: float,
    retries: int,
    connections: int,
    deadline_s: float,
    contact: str = "",
) -> Fetched:
    """Get every tile from the cache or the server; stop at the first tile that fails for good,
    or as soon as the tiles turn out to be a server's placeholder image (see PlaceholderWatch)."""
    out = Fetched()
    todo: queue.Queue = queue.Queue()
    watch = PlaceholderWatch()
    cached: dict[tuple[int, int], bytes] = {}
    for xy in tiles:
        data = cache.get(zoom, *xy)
        if data is not None:
            cached[xy] = data
            watch.add(xy, data)
    # Placeholders cached before they could be recognised (by an older stampa, or a view too small
    # to show the repetition): forgotten and asked again. Their digest stays marked, so the same
    # image served again stops the fetch at its first copy.
    stale = set(watch.bad_coords())
    for xy in tiles:
        if xy in cached and xy not in stale:
            out.tiles[xy] = cached[xy]
            out.from_cache += 1
        else:
            if xy in stale:
                cache.forget(zoom, *xy)
            todo.put(xy)
    if todo.empty():
        return out
    deadline = time.monotonic() + deadline_s
    first = tiles[0] if tiles else (0, 0)
    why = _resolve_problem(template, timeout_s)
    if why:
        out.failure, out.failed_url = why, tile_url(public_template, zoom, *first)
        return out
    stop = threading.Event()
    lock = threading.Lock()
    headers = {"User-Agent": user_agent(contact), "Accept": "image/png,image/*;q=0.9", "Connection": "keep-alive"}

    def fail(reason: str, xy: tuple[int, int]) -> None:
        with lock:
            if out.failure is None:
                out.failure = reason
                out.failed_url = tile_url(public_template, zoom, *xy)
        stop.set()

    def worker() -> None:
        client = Client(headers, timeout_s)
        try:
            while not stop.is_set():
                try:
                    xy = todo.get_nowait()
                except queue.Empty:
                    return
                url = tile_url(template, zoom, *xy)
                for attempt in range(retries + 1):
                    if stop.is_set():
                        return
                    now = time.monotonic()
                    if now >= deadline:
                        fail(f"tempo massimo di {deadline_s:g} s superato", xy)
                        return
                    try:
                        with lock:
                            out.requests += 1
                        data = client.get(url, min(now + timeout_s, deadline))
                        validate(data, tile_px)
                    except (FetchError, BadTile) as exc:
                        reason = exc.reason if isinstance(exc, FetchError) else str(exc)
                        retry = exc.retry if isinstance(exc, FetchError) else True
                        if not retry or attempt == retries:
                            fail(reason, xy)
                            return
                        stop.wait(min(BACKOFF_S * 2**attempt, max(0.0, deadline - time.monotonic())))
                        continue
                    # Judged and cached under the lock, so no other worker can cache a copy of a
                    # placeholder between its recognition and the clean-up.
                    with lock:
                        placeholder = watch.add(xy, data)
                        if placeholder:
                            for bad in watch.bad_coords():  # earlier copies, cached before the repetition showed
                                cache.forget(zoom, *bad)
                                out.tiles.pop(bad, None)
                            if not out.placeholder:  # the first recognition is the one reported
                                # It wins over any other failure: it is the one to explain.
                                out.failure, out.placeholder = placeholder, True
                                out.failed_url = tile_url(public_template, zoom, *xy)
                            stop.set()
                            return
                        if out.placeholder:  # the source is refused: nothing more is kept
                            return
                        cache.put(zoom, *xy, data)
                        out.tiles[xy] = data
                        out.from_network += 1
                    break
        finally:
            client.close()

    threads = [threading.Thread(target=worker, daemon=True, name=f"tessere-{i}") for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()) + 1.0)
    if any(t.is_alive() for t in threads):
        stop.set()
        with lock:
            if out.failure is None:
                out.failure = f"tempo massimo di {deadline_s:g} s superato"
    elif out.failure is None and len(out.tiles) < len(tiles):
        out.failure = f"tempo massimo di {deadline_s:g} s superato"
    return out
