"""`out/web/index.html`: the digital Mappa, one self-contained page (Leaflet, data, script and
style inlined) that works opened from disk and uploaded as static files; next to it the digital
PDFs it links, so the folder can be uploaded as it is.

Safety: the entries' data travels as JSON inside a non-executed script element, escaped so no
``</script>`` or HTML can close it; the page's script writes it with textContent only; a
Content-Security-Policy allows only the page's own two scripts (by hash), so even a mistake in
escaping could not run injected code.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import shutil
import warnings
from pathlib import Path
from typing import Any, Sequence

from ..config import Config
from ..district import CREDIT as ISTAT_CREDIT
from ..entries.model import Entry
from ..numbering import number_entries
from ..outputs import atomic_path, sha256, write_text
from ..problems import StampaError, error
from ..printing.theme import Theme
from .assets import leaflet, own
from .data import boundaries, entry_record, groups

WEB_DIR = "web"
PAGE = "index.html"
# OpenStreetMap's standard tiles: their policy allows them for interactive viewing in a web page,
# with this credit (it forbids only bulk downloading, which the print side never does with them).
OSM_TILES = {
    "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "attribuzione": '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    "sottodomini": "abc",
    "zoom_massimo": 19,
}
OSM_CREDIT = (
    'Dati della mappa di base © <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors, '
    "licenza ODbL"
)


def script_json(value: Any) -> str:
    """JSON safe inside an HTML <script> element: no "<", ">", "&" or line separators survive as such."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def tiles(cfg: Config) -> dict[str, Any] | None:
    """The tile layer for screens: the configured URL template or provider, when usable as it is;
    otherwise OpenStreetMap's standard tiles: for ``osm``, ``vettoriale`` and a GeoTIFF
    (print-only choices), and for a provider that needs a key when none is configured (a keyless
    CARTO request gets «API KEY REQUIRED» images, not a map)."""
    import xyzservices
    import xyzservices.providers as xyz

    from ..basemap.providers import terms_for
    from ..basemap.sources import api_key

    source = cfg.sfondo.fonte.strip()
    if source.startswith(("http://", "https://")) and "{z}" in source:
        attribution = html.escape(cfg.sfondo.attribuzione or "Tessere: " + source.split("/")[2])
        return {"url": source, "attribuzione": attribution, "sottodomini": "abc", "zoom_massimo": cfg.sfondo.zoom_massimo}
    try:
        provider = xyz.query_name(source)
    except ValueError:
        return dict(OSM_TILES)
    if not isinstance(provider, xyzservices.TileProvider):
        return dict(OSM_TILES)
    terms = terms_for(provider.name, provider.url)
    token_fields = [
        k for k, v in provider.items() if isinstance(v, str) and "<insert your" in v and "{" + k + "}" in provider.url
    ]
    key = api_key(cfg.sfondo)
    if (token_fields or terms.needs_key) and not key:
        return dict(OSM_TILES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # notes about API keys are for the basemap stage, not the page
        url = provider.build_url(fill_subdomain=False, scale_factor="{r}", **{k: key for k in token_fields})
    if terms.needs_key and not token_fields and terms.key_param:
        url += ("&" if "?" in url else "?") + f"{terms.key_param}={key}"
    subdomains = provider.get("subdomains", "abc")
    return {
        "url": url,
        "attribuzione": provider.html_attribution,  # from xyzservices: trusted markup with its links
        "sottodomini": subdomains if isinstance(subdomains, str) else "".join(subdomains),
        "zoom_massimo": int(provider.get("max_zoom", 19)),
    }


def _labels(district) -> list[dict[str, Any]]:  # noqa: ANN001
    out = []
    for istat, row in district.comuni.iterrows():
        point = row.geometry.representative_point()
        out.append({"nome": str(row["nome"]), "lat": round(point.y, 5), "lon": round(point.x, 5)})
    return out


def _pdf_section(links: Sequence[tuple[str, str]]) -> str:
    if not links:
        return ""
    items = "".join(
        f'<li><a href="{html.escape(href, quote=True)}">{html.escape(label)}</a> (PDF)</li>' for label, href in links
    )
    return f'<section class="pdf"><h2>Da scaricare e stampare</h2><ul>{items}</ul></section>'


def _contacts(cfg: Config) -> str:
    c = cfg.contatti
    parts = [html.escape(p) for p in (c.ente, c.referente) if p]
    if c.email:
        safe = html.escape(c.email, quote=True)
        parts.append(f'<a href="mailto:{safe}">{safe}</a>')
    if c.telefono:
        digits = "".join(ch for ch in c.telefono if ch.isdigit() or ch == "+")
        parts.append(f'<a href="tel:{digits}">{html.escape(c.telefono)}</a>')
    if c.sito:
        parts.append(f'<a href="{html.escape(c.sito, quote=True)}">{html.escape(c.sito)}</a>')
    if not parts:
        return ""
    return f'<p class="contatti"><strong>Per informazioni e per segnalare una voce:</strong> {" · ".join(parts)}</p>'


def _csp(scripts: Sequence[str], tile_url: str | None) -> str:
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode("ascii") + "'" for s in scripts
    )
    img = "data: https:" + (" http:" if tile_url and tile_url.startswith("http://") else "")
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src {img}; "
        "base-uri 'none'; form-action 'none'"
    )


MARKER_TINT = 0.4  # the paper map fills its markers with a 40 % tint of the kind's colour


def tint_hex(theme: Theme, name: str, share: float = MARKER_TINT) -> str:
    """Screen colour of a CMYK tint (every ink scaled by ``share``), as the paper map prints it."""
    c, m, y, k = (v / 100 * share for v in getattr(theme, name))
    return "#" + "".join(f"{round(v * 255):02x}" for v in ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)))


def _theme_css(theme: Theme) -> str:
    names = {"laboratorio": "laboratorio", "gruppo": "gruppo", "primario": "primario", "testo": "testo",
             "fondo": "fondo_chiaro"}
    css = "".join(f"--{k}:{theme.hex(v)};" for k, v in names.items())
    css += "".join(f"--{k}-tinta:{tint_hex(theme, k)};" for k in ("laboratorio", "gruppo"))
    return ":root{" + css + "}\n"


def render_page(cfg: Config, entries: Sequence[Entry], district, *, theme: Theme,  # noqa: ANN001
                pdf_links: Sequence[tuple[str, str]] = (), new_ids: frozenset[str] = frozenset()) -> str:
    """The page as text. ``pdf_links``: (label, href relative to the page); ``new_ids``: entries
    marked «Novità»."""
    numbered = number_entries(entries, new_ids)
    tile = tiles(cfg)
    credits = [html.escape(ISTAT_CREDIT)]
    if tile is not None:
        credits.insert(0, 'dati OpenStreetMap con licenza <a href="https://www.openstreetmap.org/copyright">ODbL</a>')
    data = {
        "voci": [entry_record(n) for n in numbered],
        "gruppi": groups(numbered),
        "confini": boundaries(district),
        "etichette": _labels(district),
        "colori": {
            "laboratorio": theme.hex("laboratorio"),
            "gruppo": theme.hex("gruppo"),
            "confine": theme.hex("confine"),
            "distretto": theme.hex("distretto"),
            "fondo": theme.hex("fondo_chiaro"),
        },
        "tessere": tile,
        "crediti": credits,
    }
    version, leaflet_js, leaflet_css = leaflet()
    leaflet_css = re.sub(r"url\(images/[^)]*\)", "none", leaflet_css)  # default icons and layer control: unused
    script = own("mappa.js")
    ed = cfg.edizione
    values = {
        "CSP": html.escape(_csp([leaflet_js, script], tile["url"] if tile else None), quote=True),
        "TITOLO_PAGINA": html.escape(f"{ed.titolo} – {ed.nome}"),
        "TITOLO": html.escape(ed.titolo),
        "SOTTOTITOLO": html.escape(ed.sottotitolo or cfg.distretto.nome),
        "EDIZIONE": html.escape(ed.nome),
        "NUMERO_VOCI": str(len(numbered)),
        "LEAFLET_CSS": leaflet_css,
        "CSS": _theme_css(theme) + own("mappa.css"),
        "PDF": _pdf_section(pdf_links),
        "CONTATTI": _contacts(cfg),
        "CREDITI": (
            html.escape(ISTAT_CREDIT)
            + (". " + OSM_CREDIT if tile else "")
            # OpenStreetMap's own tiles have no style credit beyond the line above.
            + ("; stile: " + tile["attribuzione"] if tile and tile["url"] != OSM_TILES["url"] else "")
            + f'. Mappa interattiva con <a href="https://leafletjs.com">Leaflet</a> {html.escape(version)} '
            "(© Vladimir Agafonkin, licenza BSD 2-Clause)."
        ),
        "DATI": script_json(data),
        "LEAFLET_JS": leaflet_js,
        "JS": script,
    }
    template = own("pagina.html")
    # One pass over the template: inserted text is never scanned again for markers.
    return re.sub(r"@([A-Z_]+)@", lambda m: values[m.group(1)], template)


def build_web(cfg: Config, entries: Sequence[Entry], district, out_dir: Path, *, theme: Theme,  # noqa: ANN001
              pdf_links: Sequence[tuple[str, str]] = (), new_ids: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Write ``out_dir/web/index.html`` and copy the digital PDFs next to it.

    ``pdf_links``: (label, path of the PDF relative to ``out_dir``). Returns report records
    (path relative to ``out_dir``, prodotto "web", versione "web", sha256).
    """
    out_dir = Path(out_dir)
    web = out_dir / WEB_DIR
    hrefs: list[tuple[str, str]] = []
    records: list[dict[str, Any]] = []
    missing = [rel for _, rel in pdf_links if not (out_dir / rel).is_file()]
    if missing:
        raise StampaError(
            [error("il PDF digitale da collegare alla pagina web non esiste: costruiscilo prima.", file=str(out_dir / m))
             for m in missing]
        )
    for label, rel in pdf_links:
        source = out_dir / rel
        target = web / source.name
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
        hrefs.append((label, source.name))
        records.append(_record(out_dir, target))
    page = web / PAGE
    write_text(page, render_page(cfg, entries, district, theme=theme, pdf_links=hrefs, new_ids=new_ids))
    return [_record(out_dir, page)] + records


def _record(out_dir: Path, path: Path) -> dict[str, Any]:
    return {
        "path": path.relative_to(out_dir).as_posix(),
        "prodotto": "web",
        "versione": "web",
        "sha256": sha256(path),
    }
