"""The Nominatim client: one request at a time, at most one a second, each one bounded in time,
all of them within an overall deadline, always identified, every answer cached by the caller.

The public instance's rules (operations.osmfoundation.org/policies/nominatim): at most 1 request
per second, no parallel requests, an identifying User-Agent, results cached. Here:
- :data:`MIN_INTERVAL_S` between the end of one answer and the next request, machine-wide: a lock
  and the time of the last answer are module state (two clients of one process), and :mod:`.turn`
  shares both with other processes (a terminal's `stampa geocodifica` and the app's build).
  Counting from the end, not the start, the server sees at least that gap between arrivals whatever
  the delays on either side (measured: counted from the start, a busy machine let the server see
  0.91 s between two requests);
- the User-Agent of :func:`stampa.basemap.fetch.user_agent` with the edition's contact;
- HTTP 429 and 503 wait ``Retry-After`` (or a backoff) and try again, only when the wait fits in
  the deadline; a network failure, a timeout or a malformed answer stop the run at once (the
  caller turns every address still to ask into an error: no hang, no hammering a broken server).

Why not geopy (2.5, installed): its Nominatim class builds the same structured query and parses
the same JSON, and its RateLimiter spaces calls, but its transport is requests or urllib, whose
timeout bounds each socket read, not the whole answer: a server that drips one byte a second keeps
a geocoding run (and ``stampa edizione``) alive for ever. Plugging our watchdogged transport into
geopy means writing a geopy adapter (its adapter API is synchronous get_json/get_text with its own
exception classes) and then mapping geopy's exceptions and Location objects back to what we need
(``addresstype``, ``category``, the ``address`` details, every result for the ambiguity check,
Retry-After seconds): more code than the query (a dict of ten parameters) and the parsing (a JSON
list) it would save. So the query is :mod:`.query`, the transport is the same
:class:`~stampa.basemap.fetch.Client` that fetches tiles and Overpass data (every request ends by
its deadline whatever the server does), and there is one dependency fewer.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from ..basemap.fetch import Client, FetchError, _resolve_problem, user_agent
from ..basemap.overpass import _retry_after
from .turn import Turn, gap_s

# At most one request per second (the public instance's rule). Tests may lower it for bulk cases
# only; at least one test checks the real spacing.
MIN_INTERVAL_S = 1.0
MAX_BYTES = 2 * 1024 * 1024  # five results with address details are a few KB
BACKOFF_S = 2.0  # first wait after 429/503 without Retry-After; doubles each time
_BUSY = {429: "servizio occupato (HTTP 429)", 503: "servizio non disponibile (HTTP 503)"}

_ONE_AT_A_TIME = threading.Lock()
_last_end = [float("-inf")]  # monotonic time the last answer of this process ended (or failed)


class ServiceError(Exception):
    """The service gave no usable answer; ``reason`` is an Italian phrase (no full stop)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def search_url(server: str) -> str:
    """The /search endpoint of a Nominatim base address (``https://nominatim.openstreetmap.org``)."""
    base = server.strip().rstrip("/")
    return base if base.endswith("/search") else base + "/search"


def public_server(server: str) -> str:
    parts = urlsplit(server)
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


@dataclass
class Stats:
    requests: int = 0
    waited_s: float = 0.0  # spent waiting for the rate limit and Retry-After


class NominatimClient:
    def __init__(self, server: str, *, contact: str = "", timeout_s: float = 10.0, deadline_s: float = 600.0,
                 retries: int = 3):
        self.url = search_url(server)
        self.timeout_s = timeout_s
        self.deadline = time.monotonic() + deadline_s
        self.deadline_s = deadline_s
        self.retries = retries
        self.stats = Stats()
        self.http = Client(
            {"User-Agent": user_agent(contact), "Accept": "application/json", "Connection": "keep-alive"}, timeout_s
        )
        self._checked_name = False
        self.turn = Turn(public_server(self.url))  # one request at a time from the whole machine

    def close(self) -> None:
        self.http.close()
        self.turn.close()

    def search(self, params: dict[str, str]) -> list[dict[str, Any]]:
        """The results of one structured search (a list, maybe empty), or :class:`ServiceError`."""
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ServiceError("indirizzo del servizio non valido: scrivi un indirizzo http(s) in «geocodifica.server» "
                               "o nella variabile d'ambiente STAMPA_SERVER_GEOCODIFICA")
        if not self._checked_name:  # the system resolver cannot be interrupted: bounded lookup first
            why = _resolve_problem(self.url, min(self.timeout_s, max(0.1, self.deadline - time.monotonic())))
            if why:
                raise ServiceError(why)
            self._checked_name = True
        url = f"{self.url}?{urlencode(params)}"
        busy = failures = 0
        while True:
            resp = self._one_request(url)
            if resp.status == 200:
                return parse_results(resp.body)
            if resp.status in _BUSY:
                busy += 1
                reason = _BUSY[resp.status]
                given = _retry_after(resp.headers.get("retry-after"))
                wait = given if given is not None else BACKOFF_S * 2 ** (busy - 1)
            elif 500 <= resp.status < 600:
                failures += 1
                reason = f"errore del servizio (HTTP {resp.status})"
                wait = BACKOFF_S * 2 ** (failures - 1)
            elif resp.status == 403:
                raise ServiceError("il servizio rifiuta le richieste (HTTP 403: controlla «contatti.email», che identifica chi chiede)")
            else:
                raise ServiceError(f"risposta inattesa del servizio (HTTP {resp.status})")
            if busy + failures > self.retries:
                raise ServiceError(f"{reason} anche dopo {busy + failures} tentativi")
            if time.monotonic() + wait > self.deadline:
                if resp.status in _BUSY and _retry_after(resp.headers.get("retry-after")) is not None:
                    raise ServiceError(f"{reason}: chiede di riprovare tra {wait:g} s, oltre il tempo massimo di {self.deadline_s:g} s")
                raise ServiceError(f"{reason}: nessuna risposta utile entro il tempo massimo di {self.deadline_s:g} s")
            self.stats.waited_s += wait
            time.sleep(wait)

    def _wait_interval(self, shared_end: float) -> None:
        """Sleep until :data:`MIN_INTERVAL_S` after the last answer of this process or of any other."""
        now = time.monotonic()
        gap = gap_s(max(_last_end[0], shared_end), MIN_INTERVAL_S, now)
        if gap > 0:
            if now + gap >= self.deadline:
                raise ServiceError(f"tempo massimo di {self.deadline_s:g} s superato")
            self.stats.waited_s += gap
            time.sleep(gap)

    def _busy(self) -> ServiceError:
        return ServiceError("occupato da un'altra esecuzione di stampa su questo computer (l'app o un'altra «stampa "
                            f"geocodifica») oltre il tempo massimo di {self.deadline_s:g} s")

    def _one_request(self, url: str):
        # First the interval after the last answer (of any process), then the turn: so two
        # processes alternate instead of the one that just asked taking every turn.
        self._wait_interval(self.turn.last_end())
        with _ONE_AT_A_TIME, self.turn.held(self.deadline, self._busy) as answered:
            self._wait_interval(self.turn.last_end())  # another process may have asked meanwhile
            now = time.monotonic()
            if now >= self.deadline:
                raise ServiceError(f"tempo massimo di {self.deadline_s:g} s superato")
            self.stats.requests += 1
            try:
                resp = self.http.request(url, min(now + self.timeout_s, self.deadline), max_bytes=MAX_BYTES,
                                         too_big="risposta troppo grande per una ricerca di indirizzi")
            except FetchError as exc:
                raise ServiceError(exc.reason) from None
            finally:
                _last_end[0] = time.monotonic()
                answered(_last_end[0])
            return resp


def parse_results(body: bytes) -> list[dict[str, Any]]:
    try:
        doc = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ServiceError("risposta non valida (JSON malformato)") from None
    if isinstance(doc, dict) and "error" in doc:
        err = doc["error"]
        detail = err.get("message") if isinstance(err, dict) else err
        raise ServiceError(f"il servizio ha risposto con un errore («{str(detail)[:120]}»)")
    if not isinstance(doc, list):
        raise ServiceError("risposta non valida (non è un elenco di risultati)")
    out = []
    for item in doc:
        if not isinstance(item, dict):
            raise ServiceError("risposta non valida (risultato malformato)")
        try:
            float(item["lat"]), float(item["lon"])
        except (KeyError, TypeError, ValueError):
            raise ServiceError("risposta non valida (un risultato senza coordinate)") from None
        out.append(item)
    return out
