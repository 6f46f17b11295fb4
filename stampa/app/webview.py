"""The built web version (``out/web/index.html``) shown inside the app, without loosening the
app's security headers.

The page inlines Leaflet and its own script, so the app's policy (``script-src 'self'``) would
block it. It is served under its own path with its own Content-Security-Policy, no looser than
the app's where it differs:
- scripts: only stampa's own two (Leaflet and ``mappa.js``), by hash, computed from the installed
  files, not from the page: whatever else the page might carry does not run;
- styles: the page's own ``<style>`` elements, by hash; nothing else;
- images: only from the app (``'self'``, ``data:``); nothing connects, loads or frames elsewhere;
- not framed, no forms, no base, no plugins.

The page on the web shows a tile basemap from the internet; the app never goes online, so the
copy shown here has no tiles (the data's «tessere» set to null: the page then draws only its
outlines and points, as it does with no tiles). Everything else is the built file, byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

from ..web.assets import leaflet, own
from ..web.page import script_json

_DATA = re.compile(r'(<script type="application/json" id="dati">)(.*?)(</script>)', re.DOTALL)
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def without_tiles(page: str) -> str:
    """The page with its data's tile layer removed (nothing else changed)."""

    def strip(m: re.Match) -> str:
        try:
            data = json.loads(m.group(2))
        except ValueError:
            return m.group(0)
        if not isinstance(data, dict):
            return m.group(0)
        data["tessere"] = None
        return m.group(1) + script_json(data) + m.group(3)

    return _DATA.sub(strip, page, count=1)


def policy(page: str) -> str:
    """The Content-Security-Policy the page is served with in the app."""
    _, leaflet_js, _ = leaflet()
    scripts = " ".join(_sha256(s) for s in (leaflet_js, own("mappa.js")))
    styles = " ".join(dict.fromkeys(_sha256(s) for s in _STYLE.findall(page))) or "'none'"
    return (
        f"default-src 'none'; script-src {scripts}; style-src {styles}; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'none'; base-uri 'none'; object-src 'none'"
    )
