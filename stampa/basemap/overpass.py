"""The Overpass API client: a few queries, one at a time, bounded in time, within the public
instance's published rules.

Rules followed (overpass-api.de: ~10,000 queries and 1 GB a day, 2 slots per IP, 429 when busy):
an identifying User-Agent (:func:`~.fetch.user_agent`); one request at a time; the query as a
form-encoded ``data=`` POST; HTTP 429 and 504 wait ``Retry-After`` seconds (or a short backoff)
and try again, but only when the wait fits in the deadline, otherwise fail at once saying so;
HTTP 400 (the query is wrong) never retries; other 5xx retry a bounded number of times.

An answer counts only if it is whole, JSON, has ``elements`` and no ``remark`` reporting a runtime
error or timeout (Overpass answers 200 and puts the error in ``remark`` when a query dies halfway,
leaving a partial ``elements``): a partial basemap printed as if complete is the worst outcome.
The district query coming back with no elements at all is treated as a failure too: the district
has thousands of roads, so an empty answer means a broken server or a wrong box.

Why not osmnx (2.x, ``_overpass.py``): it builds good queries and handles 429 by asking the
server's ``/api/status`` how long to pause, but it sends them with ``requests``, whose timeout
bounds each socket read and not the whole answer (a server dripping bytes keeps it alive for
ever), its endpoint, timeout and User-Agent are global settings shared by the whole process, its
cache is a folder of JSON answers outside the edition's data, and it returns osmnx's own feature
tables that would need reclassifying anyway. Our needs are a handful of fixed queries: the
watchdogged :class:`~.fetch.Client` already used for tiles ends every request by its deadline.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

from ..problems import Problem, shorten
from .fetch import Client, FetchError, _resolve_problem, user_agent
from .overpass_query import OverpassQuery

MAX_BYTES = 512 * 1024 * 1024  # the district is tens of MB; this is Overpass's own default maxsize
RETRIES = 2  # for 5xx other than 504 and for dropped connections
BUSY_RETRIES = 6  # for 429/504, each also bounded by the deadline
BACKOFF_S = 2.0  # first wait when the server gives no Retry-After; doubles each time
MARGIN_S = 15.0  # per request: the query's [timeout] plus this (the server needs time to send)
_BUSY = {429: "server occupato (HTTP 429)", 504: "server sovraccarico (HTTP 504)"}


class OverpassError(Exception):
    """The server did not give usable data; ``reason`` is an Italian phrase (no full stop)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class OverpassResult:
    elements: list[dict]
    timestamp: str  # osm3s.timestamp_osm_base of the answers (the oldest, if they differ)
    problems: list[Problem] = field(default_factory=list)
    requests: int = 0
    bytes_received: int = 0  # of the answers used


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


_HTML_ERROR = re.compile(rb"<strong[^>]*>\s*Error\s*</strong>\s*:?\s*([^<]{1,300})", re.I)


def _html_detail(body: bytes) -> str:
    m = _HTML_ERROR.search(body)
    return shorten(html.unescape(m.group(1).decode("utf-8", "replace")).strip(), 120) if m else ""


def parse_answer(body: bytes, *, must_have_elements: bool) -> tuple[list[dict], str]:
    """The elements and data date of one whole answer, or OverpassError naming what is wrong."""
    head = body[:512].lstrip().lower()
    if head.startswith((b"<", b"<?xml", b"<!doctype")):
        detail = _html_detail(body)
        raise OverpassError(
            "il server ha risposto con una pagina HTML invece dei dati"
            + (f" («{detail}»)" if detail else " (pagina di errore di Overpass?)")
        )
    try:
        doc = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        text_len = len(body.rstrip())
        if isinstance(exc, json.JSONDecodeError) and exc.pos >= text_len:
            raise OverpassError("risposta incompleta (JSON troncato)") from None
        raise OverpassError("risposta non valida (JSON malformato)") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("elements"), list):
        raise OverpassError("risposta senza dati (manca «elements»)")
    remark = doc.get("remark")
    if isinstance(remark, str) and re.search(r"error|timed out|timeout|out of memory", remark, re.I):
        raise OverpassError(f"il server non ha completato l'interrogazione («{shorten(remark.strip(), 120)}»)")
    elements = doc["elements"]
    if must_have_elements and not elements:
        raise OverpassError("risposta vuota: nessun dato OpenStreetMap nell'area del distretto")
    osm3s = doc.get("osm3s") if isinstance(doc.get("osm3s"), dict) else {}
    timestamp = str(osm3s.get("timestamp_osm_base") or "")
    return elements, timestamp


def fetch_overpass(
    server: str,
    queries: list[OverpassQuery | str],
    *,
    contact: str = "",
    timeout_s: float = 10.0,
    deadline_s: float = 300.0,
    backoff_s: float = BACKOFF_S,
    retries: int = RETRIES,
    shown_deadline_s: float | None = None,
) -> OverpassResult:
    """Run ``queries`` on ``server`` one after the other; all of them end by ``deadline_s``.

    ``timeout_s`` bounds the name lookup; each request gets its query's [timeout] plus a margin,
    cut to what is left of ``deadline_s``. ``shown_deadline_s`` is the deadline the messages name
    (the user's ``tempo_massimo_s`` when the caller keeps some time back). A plain string query counts as a district query (it must
    not come back empty). Raises :class:`OverpassError` at the first query that fails for good.
    """
    start = time.monotonic()
    deadline = start + deadline_s
    why = _resolve_problem(server, min(timeout_s, deadline_s))
    if why:
        raise OverpassError(why)
    headers = {
        "User-Agent": user_agent(contact),
        "Accept": "application/json",
        "Accept-Encoding": "gzip",  # OSM JSON shrinks ~10×: less load on a shared public server
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "Connection": "keep-alive",
    }
    client = Client(headers, timeout_s)
    out = OverpassResult(elements=[], timestamp="")
    stamps = []
    try:
        for q in queries:
            text = q.text if isinstance(q, OverpassQuery) else q
            q_timeout = q.timeout_s if isinstance(q, OverpassQuery) else _query_timeout(text)
            must_have = q.level == "distretto" if isinstance(q, OverpassQuery) else True
            shown = deadline_s if shown_deadline_s is None else shown_deadline_s
            body = _run(client, server, text, q_timeout, must_have, deadline, shown, backoff_s, retries, out)
            elements, stamp = body
            out.elements.extend(elements)
            if stamp:
                stamps.append(stamp)
    finally:
        client.close()
    out.timestamp = min(stamps) if stamps else ""
    return out


def _decoded(resp) -> bytes:
    """The body, gunzipped when the server compressed it (bounded: a small gzip can hide a huge
    body)."""
    if resp.headers.get("content-encoding", "").strip().lower() not in ("gzip", "x-gzip"):
        return resp.body
    d = zlib.decompressobj(wbits=31)
    try:
        data = d.decompress(resp.body, MAX_BYTES + 1)
    except zlib.error:
        raise OverpassError("risposta compressa danneggiata (gzip)") from None
    if len(data) > MAX_BYTES:
        raise OverpassError(f"risposta troppo grande (oltre {MAX_BYTES // 2**20} MB)")
    if not d.eof:
        raise OverpassError("risposta incompleta (JSON troncato)")
    return data


def _query_timeout(text: str) -> float:
    m = re.search(r"\[timeout:(\d+)\]", text)
    return float(m.group(1)) if m else 180.0


def _run(client, server, text, q_timeout, must_have, deadline, deadline_s, backoff_s, retries, out):
    payload = urlencode({"data": text}).encode("ascii")
    failures = busy = 0
    while True:
        now = time.monotonic()
        if now >= deadline:
            raise OverpassError(f"tempo massimo di {deadline_s:g} s superato")
        request_deadline = min(now + q_timeout + MARGIN_S, deadline)
        client.timeout_s = request_deadline - now  # also the socket's read timeout
        out.requests += 1
        wait = None
        try:
            resp = client.request(
                server,
                request_deadline,
                method="POST",
                body=payload,
                max_bytes=MAX_BYTES,
                too_big=f"risposta troppo grande (oltre {MAX_BYTES // 2**20} MB)",
            )
        except FetchError as exc:
            if time.monotonic() >= deadline - 0.05:
                raise OverpassError(f"nessuna risposta completa entro il tempo massimo di {deadline_s:g} s") from None
            if exc.reason.startswith("nessuna risposta completa"):
                # The request's own bound (query timeout + margin) passed: the server is stuck on
                # this query, asking again would only load it more.
                raise OverpassError(
                    f"nessuna risposta completa entro {q_timeout + MARGIN_S:g} s (limite dell'interrogazione)"
                ) from None
            failures += 1
            if not exc.retry or failures > retries or exc.reason == "connessione rifiutata dal server":
                raise OverpassError(exc.reason) from None
            reason = exc.reason
        else:
            if resp.status == 200:
                out.bytes_received += len(resp.body)
                return parse_answer(_decoded(resp), must_have_elements=must_have)
            if resp.status in _BUSY:
                busy += 1
                reason = _BUSY[resp.status]
                given = _retry_after(resp.headers.get("retry-after"))
                wait = given if given is not None else backoff_s * 2 ** (busy - 1)
                left = deadline - time.monotonic()
                if wait > left:
                    if given is not None:
                        raise OverpassError(
                            f"{reason}: chiede di riprovare tra {given:g} s, oltre il tempo massimo di {deadline_s:g} s"
                        )
                    raise OverpassError(f"{reason}: nessuna risposta utile entro il tempo massimo di {deadline_s:g} s")
                if busy > BUSY_RETRIES:
                    raise OverpassError(f"{reason} anche dopo {busy} tentativi")
            elif resp.status == 400:
                detail = _html_detail(resp.body)
                raise OverpassError(
                    "interrogazione rifiutata dal server (HTTP 400)" + (f": «{detail}»" if detail else "")
                )
            elif 500 <= resp.status < 600:
                failures += 1
                reason = f"errore del server (HTTP {resp.status})"
                if failures > retries:
                    raise OverpassError(f"{reason} dopo {failures} tentativi")
            else:
                raise OverpassError(f"risposta inattesa del server (HTTP {resp.status})")
        if wait is None:
            wait = backoff_s * 2 ** (failures - 1)
            if wait > deadline - time.monotonic():
                raise OverpassError(f"{reason}: nessuna risposta utile entro il tempo massimo di {deadline_s:g} s")
        time.sleep(wait)
