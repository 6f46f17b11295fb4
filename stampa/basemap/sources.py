"""What `sfondo.fonte` (or `--sfondo`) names: tiles, a local GeoTIFF, or the vector basemap.

Five kinds of source, told apart by their shape, never by touching the network:
- ``osm`` (any case): OpenStreetMap data from an Overpass API endpoint, drawn as vectors (the
  default; endpoint ``sfondo.server_osm``, overridden by the environment variable STAMPA_SERVER_OSM);
- ``vettoriale`` (any case): no raster, cartography draws the ISTAT comuni as the basemap;
- ``http(s)://…{z}/{x}/{y}…``: a tile URL template; attribution and max zoom come from the config;
- a path ending in .tif/.tiff, or containing a slash: a local GeoTIFF, relative to the project folder;
- anything else: an xyzservices provider name such as ``OpenTopoMap``.

Mistakes in the source are the user's input being wrong, so they raise :class:`StampaError`
(exit 1 with a clear line); failures of the network later never do. What a provider's terms allow
(a key, print, keeping copies, the credit line) comes from ``providers.toml``: a keyed provider
without a key is refused here, before any request; :func:`print_refusal` and
:func:`freeze_refusal` give the errors for tiles that may not be printed or frozen.
"""

from __future__ import annotations

import difflib
import os
import re
import string
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..problems import Problem, StampaError, error
from .providers import Terms, terms_for

VECTOR = "vettoriale"
OSM = "osm"
KEY_ENV = "STAMPA_CHIAVE_API"
OSM_SERVER_ENV = "STAMPA_SERVER_OSM"
OSM_LINE = "© OpenStreetMap contributors, dati ODbL (openstreetmap.org/copyright)"
WHERE = "chiave «sfondo.fonte»"

_ALLOWED_FIELDS = {"z", "x", "y", "s", "r"}


@dataclass(frozen=True)
class TileSource:
    """Web tiles. ``url`` may contain a secret (an API key); ``public_url`` never does and is what
    the cache, the report and the sidecar see."""

    name: str  # what was asked (provider name or template as written)
    url: str  # template with {z} {x} {y} only, ready to fill
    public_url: str
    max_zoom: int
    tile_px: int  # 256, or 512 for @2x tiles
    attribution: tuple[str, ...]
    terms: Terms = Terms()  # what the provider's terms allow (providers.toml)


@dataclass(frozen=True)
class RasterSource:
    name: str  # as written
    path: Path
    attribution: tuple[str, ...]


@dataclass(frozen=True)
class VectorSource:
    name: str = VECTOR


@dataclass(frozen=True)
class OsmSource:
    """OpenStreetMap data fetched from an Overpass API endpoint and drawn as vectors."""

    server: str  # the interpreter URL (env STAMPA_SERVER_OSM, else sfondo.server_osm)
    name: str = OSM
    attribution: tuple[str, ...] = (OSM_LINE,)


Source = TileSource | RasterSource | VectorSource | OsmSource


def osm_server(cfg) -> str:
    """The Overpass endpoint: the environment variable wins over the configuration (tests, a
    self-hosted Overpass)."""
    return os.environ.get(OSM_SERVER_ENV, "").strip() or cfg.server_osm


def _fail(message: str, value: str) -> StampaError:
    return StampaError(error(message, where=WHERE, value=value))


def _means_osm(name: str) -> bool:
    """A name that is neither a provider nor «osm» but reads as OpenStreetMap itself."""
    squeezed = re.sub(r"[\s._-]+", "", name.casefold())
    return squeezed.startswith(("openstreetmap", "osm")) or bool(difflib.get_close_matches(squeezed, [OSM], cutoff=0.75))


def resolve_source(text: str, cfg, root: Path) -> Source:
    """Turn the text of `sfondo.fonte` into a source; raise StampaError when it is unusable."""
    name = text.strip()
    if not name:
        raise _fail(
            "la fonte dello sfondo è vuota: scrivi «osm» (dati OpenStreetMap, consigliato), il nome di "
            "uno stile di tessere, un indirizzo di tessere, un file GeoTIFF o «vettoriale».",
            text,
        )
    if name.lower() == VECTOR:
        return VectorSource()
    if name.lower() == OSM:
        server = osm_server(cfg)
        parts = urlsplit(server)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise StampaError(
                error(
                    "l'indirizzo del server OpenStreetMap (Overpass) non è valido: scrivi un indirizzo http(s) "
                    f"in «sfondo.server_osm» o nella variabile d'ambiente {OSM_SERVER_ENV}.",
                    where="chiave «sfondo.server_osm»",
                    value=server,
                )
            )
        return OsmSource(server=server)
    scheme = name.split(":", 1)[0].lower() if "://" in name else ""
    if scheme in ("http", "https"):
        return _template(name, cfg)
    if scheme:
        raise _fail(
            f"tipo di indirizzo non ammesso per le tessere ({scheme}:): usa un indirizzo http(s) con "
            "{z}/{x}/{y}, oppure il percorso di un file GeoTIFF.",
            name,
        )
    if name.lower().endswith((".tif", ".tiff")) or "/" in name or "\\" in name:
        return _raster(name, cfg, root)
    return _provider(name, cfg)


def _template(url: str, cfg) -> TileSource:
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(url) if f is not None}
    except ValueError:
        raise _fail("l'indirizzo delle tessere ha parentesi graffe non chiuse: controlla {z}, {x}, {y}.", url) from None
    unknown = sorted(fields - _ALLOWED_FIELDS)
    if unknown:
        raise _fail(
            "l'indirizzo delle tessere contiene segnaposto sconosciuti ("
            + ", ".join(f"{{{f}}}" for f in unknown)
            + "): sono ammessi solo {z}, {x}, {y}, {s} e {r}.",
            url,
        )
    missing = [f"{{{f}}}" for f in ("z", "x", "y") if f not in fields]
    if missing:
        raise _fail(
            "l'indirizzo delle tessere deve contenere {z}, {x} e {y} (es. "
            "https://tile.example.org/{z}/{x}/{y}.png); manca " + ", ".join(missing) + ".",
            url,
        )
    if not urlsplit(url).hostname:
        raise _fail("l'indirizzo delle tessere non ha un nome di server valido.", url)
    two_x = "r" in fields or "@2x" in url
    filled = url.replace("{s}", "a").replace("{r}", "@2x")
    # A template is the user's responsibility, but one on a keyed provider's server without a key
    # can only bring back «API KEY REQUIRED» images: refuse it as the provider's name would be.
    terms = terms_for(url=url)
    if terms.needs_key and strip_secrets(url) == url:
        key = api_key(cfg)
        if not key:
            raise _fail(key_message(f"l'indirizzo delle tessere {_label(terms)}", terms), strip_secrets(url))
        filled = _with_param(filled, terms.key_param or "key", key)
    attribution = _lines(cfg.attribuzione)
    if not attribution and "openstreetmap" in (urlsplit(url).hostname or ""):
        attribution = (OSM_LINE,)
    return TileSource(
        name=strip_secrets(url),
        url=filled,
        public_url=strip_secrets(filled),
        max_zoom=cfg.zoom_massimo,
        tile_px=512 if two_x else 256,
        attribution=attribution,
        terms=terms,
    )


def _with_param(url: str, param: str, value: str) -> str:
    return url + ("&" if "?" in url else "?") + f"{param}={value}"


def api_key(cfg) -> str:
    """The key for providers that need one: the configuration, else the environment variable."""
    return cfg.chiave_api.strip() or os.environ.get(KEY_ENV, "").strip()


def key_message(what: str, terms: Terms) -> str:
    site = f"sul sito del fornitore, {terms.key_site}" if terms.key_site else "sul sito del fornitore"
    return (
        f"{what} richiede una chiave di accesso: scrivila in «sfondo.chiave_api» o nella variabile d'ambiente "
        f"{KEY_ENV} (una chiave si ottiene {site}). Oppure scrivi «osm» in «sfondo.fonte»: i dati "
        "OpenStreetMap non chiedono chiavi."
    )


def _label(terms: Terms) -> str:
    return terms.label or "di questo fornitore"


def print_refusal(src: Source) -> Problem | None:
    """The error when the source's tiles may not be printed (OpenStreetMap's own tile servers)."""
    if not isinstance(src, TileSource) or src.terms.may_print:
        return None
    return error(
        f"lo sfondo non si può stampare con le tessere {_label(src.terms)}: {src.terms.print_reason}. Scrivi «osm» "
        "in «sfondo.fonte»: stampa scarica i dati OpenStreetMap, che si possono conservare e stampare, e li "
        "disegna da sé.",
        where=WHERE,
        value=src.name,
    )


def freeze_refusal(src: Source) -> Problem | None:
    """The error when the source's tiles may not be kept in dati/ (CARTO, OpenStreetMap's servers)."""
    if not isinstance(src, TileSource) or src.terms.may_freeze:
        return None
    text = (
        f"lo sfondo non si può congelare con le tessere {_label(src.terms)}: {src.terms.freeze_reason}. Scrivi "
        "«osm» in «sfondo.fonte»: i dati OpenStreetMap si possono conservare e stampare, e non chiedono chiavi."
    )
    if src.terms.may_print:
        text += " Con questa fonte, invece, «stampa edizione» scarica le tessere a ogni costruzione."
    return error(text, where="comando «stampa sfondo»", value=src.name)


# Query parameters that carry secrets in tile URLs; their values never reach the cache or report.
_SECRET_PARAMS = re.compile(r"([?&](?:api_?key|key|access[-_]?token|token|apikey|app_?code|signature)=)[^&#]*", re.I)


def strip_secrets(url: str) -> str:
    return _SECRET_PARAMS.sub(lambda m: m.group(1) + "***", url)


def _raster(name: str, cfg, root: Path) -> RasterSource:
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = (root / path).resolve()
    if not path.is_file():
        raise _fail(
            "il file GeoTIFF indicato come sfondo non esiste: controlla il percorso (è relativo alla "
            "cartella del progetto), oppure usa «vettoriale».",
            name,
        )
    return RasterSource(name=name, path=path, attribution=_lines(cfg.attribuzione))


def provider_names() -> list[str]:
    import xyzservices.providers as xyz

    return list(xyz.flatten())


def _provider(name: str, cfg) -> TileSource:
    import xyzservices.providers as xyz

    try:
        provider = xyz.query_name(name)
    except ValueError:
        names = provider_names()
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
        if not close:
            lower = {n.lower(): n for n in names}
            close = [lower[c] for c in difflib.get_close_matches(name.lower(), list(lower), n=1, cutoff=0.5)]
        hint = f" Forse intendevi «{close[0]}»?" if close else ""
        if _means_osm(name):  # «openstreetmap», «OSM data», «osmm»: the data, not a tile server
            hint = f" Forse intendevi «{OSM}» (i dati OpenStreetMap disegnati da stampa)?"
        raise _fail(
            f"fonte dello sfondo sconosciuta: scrivi «{OSM}» (i dati OpenStreetMap, consigliato), il nome di "
            "uno stile di tessere di xyzservices (es. «OpenTopoMap»), un indirizzo di tessere http(s) con "
            "{z}/{x}/{y}, il percorso di un GeoTIFF, oppure «vettoriale»." + hint,
            name,
        ) from None
    terms = terms_for(provider.name, provider.url)
    token_fields = [
        k for k, v in provider.items() if isinstance(v, str) and "<insert your" in v and "{" + k + "}" in provider.url
    ]
    key = api_key(cfg)
    # Keyed providers are refused before any request without a key: CARTO, for one, answers a
    # keyless request with HTTP 200 and an «API KEY REQUIRED» image, which must never be printed.
    if (token_fields or terms.needs_key) and not key:
        raise _fail(key_message(f"lo stile «{provider.name}»", terms), name)
    secrets = {k: key for k in token_fields} if key else {}
    two_x = "{r}" in provider.url
    scale = "@2x" if two_x else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        url = provider.build_url(scale_factor=scale, **secrets)
        public = provider.build_url(scale_factor=scale, **{k: "***" for k in secrets})
    if terms.needs_key and not token_fields and terms.key_param:
        # Older xyzservices have no key placeholder for this provider: the key goes in its parameter.
        url, public = _with_param(url, terms.key_param, key), _with_param(public, terms.key_param, "***")
    if cfg.attribuzione.strip():
        attribution = _lines(cfg.attribuzione)
    else:
        attribution = provider_attribution(provider.name, provider.get("attribution", ""))
    tile_px = 512 if two_x else int(provider.get("tileSize", 256) or 256)
    return TileSource(
        name=provider.name,
        url=url,
        public_url=strip_secrets(public),
        max_zoom=int(provider.get("max_zoom", 19)),
        tile_px=tile_px,
        attribution=attribution,
        terms=terms,
    )


def _copyright(text: str) -> str:
    text = re.sub(r"\(C\)|&copy;|\(c\)", "©", text)
    return re.sub(r"\s+", " ", text).strip()


def provider_attribution(name: str, attribution: str) -> tuple[str, ...]:
    """The printed credit lines (Italian) for a provider's tiles."""
    lines: list[str] = []
    if "openstreetmap" in attribution.lower():
        lines.append(OSM_LINE)
    credit = terms_for(name).credit  # providers.toml
    if credit is not None:
        if credit:
            lines.append(credit)
        elif not lines and attribution:
            lines.append(_copyright(attribution))
        return tuple(lines)
    if attribution:
        lines.append("Sfondo: " + _copyright(attribution))
    return tuple(lines)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def source_problems(text: str, cfg, root: Path) -> list[Problem]:
    """What is wrong with the source, without touching the network (for `stampa controlla`)."""
    try:
        src = resolve_source(text, cfg, root)
    except StampaError as exc:
        return list(exc.problems)
    refusal = print_refusal(src)
    return [refusal] if refusal else []
