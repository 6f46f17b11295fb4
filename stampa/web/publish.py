"""The edition as data others can use, and the web folder ready to upload.

- `web/voci.geojson`: every entry as a GeoJSON point (RFC 7946: a FeatureCollection, positions
  longitude then latitude in WGS84, no "crs" member) with the printed number, the fields, the
  type and its colour (also as `marker-color`, the simplestyle key many viewers read);
- `web/mappa.umap`: the same in the file format uMap imports («Importa» → «uMap»): one layer per
  type in the type's colour, each point named with its number, its popup the card's text;
- `web.zip`: the web folder (page, PDFs, the two files above) as one file for the website the QR
  codes point to. Fixed timestamps: the same edition gives the same zip, byte for byte.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..numbering import Numbered
from ..outputs import sha256, write_bytes, write_text
from ..printing.theme import Theme
from .data import KIND_LABEL, entry_fields, links

GEOJSON = "voci.geojson"
UMAP = "mappa.umap"
ZIP = "web.zip"
LAYER_NAMES = {"laboratorio": "Laboratori sociali", "gruppo": "Gruppi di cittadini"}
ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # every member's date: reproducible archives
COORD_DIGITS = 6  # ~0.1 m, as the web page


def _point(n: Numbered) -> dict[str, Any]:
    e = n.entry
    return {"type": "Point", "coordinates": [round(e.lon, COORD_DIGITS), round(e.lat, COORD_DIGITS)]}


def entry_properties(n: Numbered, theme: Theme) -> dict[str, Any]:
    e = n.entry
    colour = theme.hex(e.tipo)
    return {
        **entry_fields(n),
        "telefono": e.telefono,
        "email": e.email,
        "sito": e.sito,
        "colore": colour,
        "marker-color": colour,
        "novita": n.novita,
    }


def geojson_collection(numbered: Sequence[Numbered], theme: Theme) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "id": n.entry.id, "geometry": _point(n), "properties": entry_properties(n, theme)}
                     for n in numbered],
    }


def _plain(text: str) -> str:
    """User text in a uMap popup: uMap reads a few marks as formatting (**, *, [[…]], {{…}},
    #-headings at line start); they are turned into look-alike characters so text prints as typed."""
    return (text.replace("*", "∗").replace("[[", "[ [").replace("]]", "] ]").replace("{{", "{ {")
            .replace("}}", "} }").replace("\n#", "\n ＃"))


def popup(n: Numbered) -> str:
    """The card's text in uMap's popup syntax (its own links syntax for the contacts)."""
    e = n.entry
    meta = [KIND_LABEL.get(e.tipo, e.tipo)] + [t for t in (e.indirizzo, e.quartiere, e.comune) if t]
    lines = [" · ".join(_plain(t) for t in meta)]
    if e.ente:
        lines.append("A cura di: " + _plain(e.ente))
    if e.attivita:
        lines.append(_plain(e.attivita))
    if e.orari:
        lines.append("Quando: " + _plain(e.orari))
    for link in links(e):
        lines.append(f"[[{link['href']}|{_plain(link['testo'])}]]")
    return "\n".join(lines)


def umap_document(cfg, numbered: Sequence[Numbered], theme: Theme, district) -> dict[str, Any]:
    """The uMap backup format: map properties, a centre, and the data layers."""
    layers = []
    for kind in ("laboratorio", "gruppo"):
        members = [n for n in numbered if n.entry.tipo == kind]
        if not members:
            continue
        layers.append({
            "type": "FeatureCollection",
            "features": [{
                "type": "Feature",
                "geometry": _point(n),
                "properties": {
                    "name": f"{n.number}. {n.entry.nome}",
                    "numero": n.number,
                    "id": n.entry.id,
                    "description": popup(n),
                    # A marker's «symbol» may be a short text: the printed number, as on paper.
                    "_umap_options": {"iconUrl": str(n.number)},
                },
            } for n in members],
            "_umap_options": {
                "name": LAYER_NAMES[kind],
                "displayOnLoad": True,
                "browsable": True,
                "color": theme.hex(kind),
                "iconClass": "Drop" if kind == "laboratorio" else "Circle",
            },
        })
    centre = district.outline.centroid  # WGS84
    ed = cfg.edizione
    return {
        "type": "umap",
        "uri": cfg.collegamenti.mappa_digitale,
        "properties": {
            "name": f"{ed.titolo} – {ed.nome}",
            "description": f"{ed.sottotitolo or cfg.distretto.nome}. {len(numbered)} luoghi, numerati come nella Mappa stampata.",
            "licence": "",
            "zoom": 12,
            "datalayersControl": True,
            "scaleControl": True,
            "displayPopupFooter": False,
            "miniMap": False,
            "moreControl": True,
        },
        "geometry": {"type": "Point", "coordinates": [round(centre.x, COORD_DIGITS), round(centre.y, COORD_DIGITS)]},
        "layers": layers,
    }


def _record(out_dir: Path, path: Path) -> dict[str, Any]:
    return {"path": path.relative_to(out_dir).as_posix(), "prodotto": "web", "versione": "web", "sha256": sha256(path)}


def zip_folder(folder: Path, target: Path) -> Path:
    """``folder``'s files (sorted, fixed dates) into ``target``, atomically."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
            info = zipfile.ZipInfo(path.relative_to(folder.parent).as_posix(), date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, path.read_bytes())
    return write_bytes(target, buf.getvalue())


def publish(cfg, numbered: Sequence[Numbered], theme: Theme, district, out_dir: Path, web_dir: str = "web") -> list[dict[str, Any]]:
    """Write voci.geojson and mappa.umap into the web folder, then zip the folder. Returns the
    report records (prodotto and versione "web")."""
    out_dir = Path(out_dir)
    web = out_dir / web_dir
    geo = write_text(web / GEOJSON, json.dumps(geojson_collection(numbered, theme), ensure_ascii=False, indent=1) + "\n")
    umap = write_text(web / UMAP, json.dumps(umap_document(cfg, numbered, theme, district), ensure_ascii=False, indent=1) + "\n")
    archive = zip_folder(web, out_dir / ZIP)
    return [_record(out_dir, geo), _record(out_dir, umap), _record(out_dir, archive)]
