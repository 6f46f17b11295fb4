"""KML and KMZ as Google My Maps (and Google Earth) export them.

- Each ``Placemark`` is one record; the nearest enclosing ``Folder`` name (a My Maps layer) is its
  ``layer``.
- ``name`` → ``nome``. ``ExtendedData`` fields (``<Data name><value>`` and
  ``<SchemaData><SimpleData name>``) are matched like spreadsheet columns.
- ``description`` is HTML: tags removed, ``<br>`` and block ends → newline, entities decoded. When
  every line of it is "Chiave: valore" and at least one key is a known column (My Maps writes the
  layer's table like that), the keys are matched like columns; otherwise the whole text goes to
  ``attivita``. ExtendedData wins over the description for the same field.
- Position: a ``Point`` (or the first Point of a ``MultiGeometry``), "lon,lat[,alt]" in WGS84 as
  KML requires. Lines and polygons get ``geometry_problem``. A placemark without geometry may
  carry lat/lon (or "coordinate") in its data, read like spreadsheet columns.
- XML is parsed with defusedxml: DTDs with entity declarations ("billion laughs") and external
  entities are refused with a clear error.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..problems import Problem, StampaError
from .columns import field_for, map_columns
from .coords import position
from .model import FIELDS, Origin, RawRecord
from .safety import damaged, fail, open_zip, read_member

_KEY_LINE = re.compile(r"^\s*([^:\n]{1,60}?)\s*:\s*(.*?)\s*$")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class _Text(HTMLParser):
    _BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: tags out, <br> → newline, entities decoded, spaces tidied."""
    if "<" not in markup and "&" not in markup:
        text = markup
    else:
        parser = _Text()
        try:
            parser.feed(markup)
            parser.close()
            text = "".join(parser.parts)
        except Exception:  # HTMLParser is lenient; if it still fails keep the unescaped text
            text = html.unescape(markup)
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n ").replace("\n\n\n", "\n\n")


def description_pairs(text: str) -> list[tuple[str, str]] | None:
    """[(key, value)] when the description is My Maps' "Chiave: valore" lines, else None."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return None
    pairs = []
    for line in lines:
        m = _KEY_LINE.match(line)
        if not m:
            return None
        pairs.append((m.group(1), m.group(2)))
    if not any(field_for(k) for k, _ in pairs):
        return None
    return pairs


def _text(el: ET.Element | None) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def _child(el: ET.Element, name: str) -> ET.Element | None:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _ordered(root: ET.Element) -> list[tuple[ET.Element, str | None]]:
    """(placemark, name of its nearest Folder or None) in document order; iterative, so deeply
    nested folders cannot exhaust the stack."""
    out: list[tuple[ET.Element, str | None]] = []
    stack: list[tuple[ET.Element, str | None]] = [(root, None)]
    while stack:
        el, layer = stack.pop()
        children = []
        for child in el:
            tag = _local(child.tag)
            if tag == "Placemark":
                children.append((child, layer))
            elif tag in ("Folder", "Document"):
                name = _text(_child(child, "name")) if tag == "Folder" else ""
                children.append((child, name or layer))
        for item in reversed(children):
            stack.append(item)
        if _local(el.tag) == "Placemark" and el is not root:
            out.append((el, layer))
    return out


def _geometry(pm: ET.Element) -> tuple[float | None, float | None, str | None]:
    kinds = []
    for el in pm.iter():
        tag = _local(el.tag)
        if tag == "Point":
            coords = _text(_child(el, "coordinates"))
            parts = coords.split()[0].split(",") if coords.split() else []
            try:
                lon, lat = float(parts[0]), float(parts[1])
            except (IndexError, ValueError):
                return None, None, f"coordinate del punto non leggibili («{coords[:40]}»)"
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                return None, None, f"coordinate del punto fuori dai limiti («{coords[:40]}»)"
            return lon, lat, None
        if tag in ("LineString", "LinearRing", "Polygon", "Track", "MultiTrack", "Model"):
            kinds.append(tag)
    if kinds:
        return None, None, f"geometria non puntuale ({kinds[0]}): serve un punto"
    return None, None, None


def parse_kml(data: bytes, file: str) -> tuple[list[RawRecord], list[Problem]]:
    try:
        return _parse_kml(data, file)
    except RecursionError:
        raise fail(file, "il KML è annidato troppo in profondità: esporta di nuovo la mappa.") from None


def _parse_kml(data: bytes, file: str) -> tuple[list[RawRecord], list[Problem]]:
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise fail(
            file,
            "il KML contiene dichiarazioni di entità o riferimenti esterni (DTD), che non leggo "
            "per sicurezza: esporta di nuovo la mappa da Google My Maps.",
        ) from None
    except ET.ParseError as exc:
        line = getattr(exc, "position", (None, None))[0]
        raise damaged(file, "KML", where=f"l'XML si interrompe o è sbagliato alla riga {line}") from None
    except (ValueError, RecursionError, UnicodeError) as exc:
        raise damaged(file, "KML", exc) from None
    if _local(root.tag) != "kml" and not any(_local(e.tag) == "Placemark" for e in root.iter()):
        raise fail(file, f"il file è XML ma non KML (elemento principale «{_local(root.tag)}»).")

    raws: list[tuple[Origin, str | None, list[tuple[str, str]], str, tuple]] = []
    keys: list[str] = []  # every ExtendedData/description key seen, in order of appearance
    seen: set[str] = set()
    for number, (pm, layer) in enumerate(_ordered(root), start=1):
        name = _text(_child(pm, "name"))
        pairs: list[tuple[str, str]] = []
        ext = _child(pm, "ExtendedData")
        if ext is not None:
            for el in ext.iter():
                tag = _local(el.tag)
                if tag == "Data":
                    pairs.append((el.get("name", ""), _text(_child(el, "value"))))
                elif tag == "SimpleData":
                    pairs.append((el.get("name", ""), _text(el)))
        desc = html_to_text(_text(_child(pm, "description")))
        desc_pairs = description_pairs(desc) if desc else None
        for key, _ in pairs + (desc_pairs or []):
            if key not in seen and not key.startswith("gx_"):
                seen.add(key)
                keys.append(key)
        origin = Origin(file, feature=number, name=name or None)
        raws.append((origin, layer, pairs, desc if desc_pairs is None else "", (desc_pairs or [], _geometry(pm))))
    if not raws:
        if any(_local(e.tag) == "NetworkLink" for e in root.iter()):
            raise fail(
                file,
                "il KML contiene solo un collegamento alla mappa online (NetworkLink), non le voci: "
                "esporta di nuovo da Google My Maps senza spuntare «Mantieni i dati sincronizzati».",
            )
        raise fail(file, "il KML non contiene segnaposti (Placemark): esporta il livello con le voci.")

    columns = map_columns(keys, file, what="campi")
    problems = list(columns.problems)
    if any(p.level == "errore" for p in problems):
        raise StampaError(problems)
    key_field = {keys[i]: f for i, f in columns.fields.items()}
    records = []
    for origin, layer, pairs, free_text, (desc_pairs, (lon, lat, geo)) in raws:
        values: dict[str, str] = {}
        for key, value in desc_pairs:  # description first: ExtendedData overrides it
            f = key_field.get(key)
            if f:
                values[f] = value.strip()
        for key, value in pairs:
            f = key_field.get(key)
            if f and (value.strip() or f not in values):
                values[f] = value.strip()
        if origin.name:
            values["nome"] = origin.name
        if free_text and not values.get("attivita"):
            values["attivita"] = free_text
        if lon is None and geo is None:  # no Point: a lat/lon pair in the data may stand in
            lon, lat, found = position(values, origin)
            problems += found
        fields = {f: v for f, v in values.items() if f in FIELDS}
        records.append(RawRecord(origin, fields, lon=lon, lat=lat, geometry_problem=geo, layer=layer))
    return records, problems


def read_kmz(data: bytes, file: str) -> tuple[list[RawRecord], list[Problem]]:
    zf = open_zip(data, file, "KMZ")
    kmls = [n for n in zf.namelist() if n.lower().endswith(".kml") and not n.endswith("/")]
    if not kmls:
        raise fail(
            file,
            "il KMZ non contiene un file .kml: esporta di nuovo la mappa da Google My Maps "
            "(«Esporta in KML/KMZ»).",
        )
    # doc.kml at the root is the main document by convention; otherwise the first .kml.
    main = "doc.kml" if "doc.kml" in kmls else sorted(kmls, key=lambda n: (n.count("/"), n))[0]
    return parse_kml(read_member(zf, main, file, "KMZ"), file)
