"""What `sfondo.fonte` (or `--sfondo`) names: tiles, a local GeoTIFF, or the vector basemap.

Five kinds of source, told apart by their shape, never by touching the network:
- ``osm`` (any case): OpenStreetMap data from an Overpass API endpoint, drawn as vectors (the
  default; endpoint ``sfondo.server_osm``, overridden by the environment variable STAMPA_SERVER_OSM);
- ``vettoriale`` (any case): no raster, cartography draws the ISTAT comuni as the basemap;
- ``http(s)://…{z}/{x}/{y}…``: a tile URL template; attribution and max zoom come from the config;
- a path ending in .tif/.tiff, or containing a slash: a local GeoTIFF, relative to the project folder;
- anything else: an xyzservices provider name such as ``CartoDB.Positron``.

Mistakes in the source are the user's input being wrong, so they raise :class:`StampaError`
(exit 1 with a clear line); failures of the network later never do.
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

VECTOR = "vettoriale"
OSM = "osm"
KEY_ENV = "STAMPA_CHIAVE_API"
OSM_SERVER_ENV = "STAMPA_SERVER_OSM"
OSM_LINE = "© OpenStreetMap contributors, dati ODbL (openstreetmap.org/copyright)"
WHERE = "chiave «sfondo.fonte»"

# Style credits of the providers a print user is likely to pick, in Italian; other providers get
# their own attribution text with "(C)" turned into "©".
_STYLE_CREDITS = {
    "CartoDB.": "stile © CARTO",
    "OpenStreetMap.Mapnik": "",
    "OpenStreetMap.DE": "stile © OpenStreetMap Deutschland",
    "OpenStreetMap.France": "stile © OpenStreetMap France",
    "OpenStreetMap.HOT": "stile © Humanitarian OpenStreetMap Team",
    "OpenTopoMap": "stile © OpenTopoMap (CC-BY-SA)",
    "CyclOSM": "stile © CyclOSM",
    "Stadia.": "stile © Stadia Maps, © Stamen Design, © OpenMapTiles",
    "Esri.": "",  # Esri's attribution is kept whole (it is not OSM-based)
}
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
    needs_key: bool = False  # the provider wants a key and none was given


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
    )


# Query parameters that carry secrets in tile URLs; their values never reach the cache or report.
_SECRET_PARAMS = re.compile(r"([?&](?:api_?key|key|access_?token|token|apikey|app_?code|signature)=)[^&#]*", re.I)


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
        raise _fail(
            "stile di sfondo sconosciuto: scrivi il nome di uno stile di xyzservices (es. "
            "«CartoDB.Positron»), un indirizzo di tessere http(s) con {z}/{x}/{y}, il percorso di un "
            "GeoTIFF, oppure «vettoriale»." + hint,
            name,
        ) from None
    key = cfg.chiave_api or os.environ.get(KEY_ENV, "")
    token_fields = [
        k for k, v in provider.items() if isinstance(v, str) and "<insert your" in v and "{" + k + "}" in provider.url
    ]
    needs_key = False
    secrets = {}
    if token_fields:
        if key:
            secrets = {k: key for k in token_fields}
        elif provider.name.startswith("CartoDB"):
            needs_key = True  # xyzservices drops the key from the URL; CARTO may still serve tiles
        else:
            raise _fail(
                f"lo stile «{provider.name}» richiede una chiave di accesso: scrivila in «sfondo.chiave_api» "
                f"(o nella variabile d'ambiente {KEY_ENV}), oppure scegli uno stile senza chiave come "
                "«CartoDB.Positron» o «OpenStreetMap.Mapnik».",
                name,
            )
    two_x = "{r}" in provider.url
    scale = "@2x" if two_x else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        url = provider.build_url(scale_factor=scale, **secrets)
        public = provider.build_url(scale_factor=scale, **{k: "***" for k in secrets})
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
        needs_key=needs_key,
    )


def _copyright(text: str) -> str:
    text = re.sub(r"\(C\)|&copy;|\(c\)", "©", text)
    return re.sub(r"\s+", " ", text).strip()


def provider_attribution(name: str, attribution: str) -> tuple[str, ...]:
    """The printed credit lines (Italian) for a provider's tiles."""
    lines: list[str] = []
    if "openstreetmap" in attribution.lower():
        lines.append(OSM_LINE)
    for prefix, credit in _STYLE_CREDITS.items():
        if name == prefix or (prefix.endswith(".") and name.startswith(prefix)):
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
        resolve_source(text, cfg, root)
    except StampaError as exc:
        return list(exc.problems)
    return []
