"""The digital page: every entry with its map number, text escaped, only safe links, nothing
loaded from elsewhere, the digital PDFs beside it."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from stampa.numbering import number_entries
from stampa.outputs import sha256
from stampa.printing.theme import load_theme
from stampa.problems import StampaError
from stampa.web import build_web, render_page
from stampa.web.page import script_json

from web_samples import EVIL, ROOT, config, district, entries

THEME = load_theme(ROOT / "layout" / "tema.toml")


class Parts(HTMLParser):
    """The page's scripts, and every attribute that would load something."""

    def __init__(self):
        super().__init__()
        self.scripts: list[tuple[dict, str]] = []
        self.loading: list[tuple[str, str, str]] = []
        self.meta: dict[str, str] = {}
        self._in: dict | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("src", "href"):
            if name in a and tag in ("script", "link", "img", "iframe"):
                self.loading.append((tag, name, a[name]))
        if tag == "meta" and "http-equiv" in a:
            self.meta[a["http-equiv"]] = a["content"]
        if tag == "script":
            self._in, self._buf = a, []

    def handle_data(self, data):
        if self._in is not None:
            self._buf.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in is not None:
            self.scripts.append((self._in, "".join(self._buf)))
            self._in = None


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    (out / "mappa-digitale.pdf").write_bytes(b"%PDF-1.4 prova")
    records = build_web(config(), entries(), district(), out, theme=THEME,
                        pdf_links=[("Mappa da stampare a casa", "mappa-digitale.pdf")])
    html = (out / "web" / "index.html").read_text(encoding="utf-8")
    parts = Parts()
    parts.feed(html)
    data = json.loads(next(text for attrs, text in parts.scripts if attrs.get("id") == "dati"))
    return out, records, html, parts, data


def test_every_entry_with_its_number_and_kind(built):
    _, _, _, _, data = built
    expected = [(n.number, n.entry.id, n.entry.nome, n.entry.tipo) for n in number_entries(entries())]
    assert [(v["numero"], v["id"], v["nome"], v["tipo"]) for v in data["voci"]] == expected
    assert data["colori"]["laboratorio"] == THEME.hex("laboratorio")
    assert data["colori"]["gruppo"] == THEME.hex("gruppo")


def test_groups_follow_the_index(built):
    _, _, _, _, data = built
    assert [(g["comune"], [(q["quartiere"], q["numeri"]) for q in g["quartieri"]]) for g in data["gruppi"]] == [
        ("Pavia", [("Centro storico", [1]), ("Scala", [2, 3]), ("Vallone", [4])]),
        ("Cava Manara", [("", [5])]),
        ("Travacò Siccomario", [("", [6])]),
    ]


def test_markup_in_the_data_never_reaches_the_page(built):
    _, _, html, parts, data = built
    assert EVIL not in html and "<b>grassetto" not in html
    assert [v["nome"] for v in data["voci"] if v["id"] == "grp-2"] == [EVIL]  # the text survives intact, as data
    assert [attrs for attrs, _ in parts.scripts] == [{"type": "application/json", "id": "dati"}, {}, {}]
    assert script_json({"a": "</script><!--\u2028"}) == '{"a":"\\u003c/script\\u003e\\u003c!--\\u2028"}'


def test_only_safe_links(built):
    _, _, _, _, data = built
    hrefs = {v["id"]: [c["href"] for c in v["collegamenti"]] for v in data["voci"]}
    assert hrefs["lab-1"] == ["https://www.esempio.it/spazio-q", "mailto:spazioq@esempio.it", "tel:0382123456"]
    assert hrefs["grp-2"] == []  # javascript: and a broken email are dropped
    assert hrefs["grp-3"] == ["tel:+393331234567"]


def test_nothing_is_loaded_from_elsewhere_and_scripts_are_pinned(built):
    _, _, _, parts, _ = built
    assert parts.loading == []  # no <script src>, no <link href>: Leaflet is inlined
    csp = parts.meta["Content-Security-Policy"]
    for attrs, text in parts.scripts:
        if attrs.get("type") == "application/json":
            continue
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_boundaries_and_credits(built):
    _, _, html, _, data = built
    comuni = [f["properties"]["nome"] for f in data["confini"]["features"] if f["properties"]["ruolo"] == "comune"]
    assert len(comuni) == 12 and "Pavia" in comuni
    assert "ISTAT (CC BY 4.0)" in html and "ODbL" in html and "OpenStreetMap" in html


def test_records_and_pdf_copies(built):
    out, records, _, _, _ = built
    assert [(r["path"], r["prodotto"], r["versione"]) for r in records] == [
        ("web/index.html", "web", "web"),
        ("web/mappa-digitale.pdf", "web", "web"),
    ]
    for r in records:
        assert r["sha256"] == sha256(out / r["path"])
    assert (out / "web" / "mappa-digitale.pdf").read_bytes() == b"%PDF-1.4 prova"


def test_page_is_reproducible_and_names_the_pdf(built):
    out, _, html, _, _ = built
    again = render_page(config(), entries(), district(), theme=THEME,
                        pdf_links=[("Mappa da stampare a casa", "mappa-digitale.pdf")])
    assert again == html
    assert '<a href="mappa-digitale.pdf">Mappa da stampare a casa</a>' in html


def test_missing_pdf_is_a_clear_error(tmp_path):
    with pytest.raises(StampaError) as exc:
        build_web(config(), entries(), district(), tmp_path, theme=THEME, pdf_links=[("Mappa", "manca.pdf")])
    assert exc.value.problems[0].message == "il PDF digitale da collegare alla pagina web non esiste: costruiscilo prima."


def test_tile_source_from_a_url_template(tmp_path):
    cfg = config()
    cfg = replace(cfg, sfondo=replace(cfg.sfondo, fonte="http://127.0.0.1:9/{z}/{x}/{y}.png",
                                      attribuzione="Tessere <di prova>"))
    html = render_page(cfg, entries(), district(), theme=THEME)
    data = json.loads(re.search(r'<script type="application/json" id="dati">(.*?)</script>', html, re.S).group(1))
    assert data["tessere"]["url"] == "http://127.0.0.1:9/{z}/{x}/{y}.png"
    assert data["tessere"]["attribuzione"] == "Tessere &lt;di prova&gt;"
    assert "img-src data: https: http:" in html


def test_quartiere_headings_only_in_pavia():
    from stampa.entries.model import Entry
    from stampa.numbering import number_entries
    from stampa.web.data import groups

    es = [
        Entry("a", "Alfa", "gruppo", "Pavia", "018110", 9.15, 45.19),  # no quartiere
        Entry("b", "Beta", "gruppo", "Pavia", "018110", 9.15, 45.19, quartiere="Scala"),
        Entry("c", "Gamma", "gruppo", "Cava Manara", "018041", 9.10, 45.14, quartiere="Tre Re"),
    ]
    assert [(g["comune"], [(q["quartiere"], q["numeri"]) for q in g["quartieri"]]) for g in groups(number_entries(es))] == [
        ("Pavia", [("Scala", [1]), ("Altre zone", [2])]),
        ("Cava Manara", [("", [3])]),
    ]


def _tile_layer(monkeypatch, fonte, **sfondo):
    from stampa.web.page import tiles

    monkeypatch.delenv("STAMPA_CHIAVE_API", raising=False)
    cfg = config()
    return tiles(replace(cfg, sfondo=replace(cfg.sfondo, fonte=fonte, **sfondo)))


OSM_STANDARD = {
    "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "attribuzione": '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    "sottodomini": "abc",
    "zoom_massimo": 19,
}


@pytest.mark.parametrize("fonte", ["osm", "vettoriale", "dati/sfondo.tif", "CartoDB.Positron", "Thunderforest.OpenCycleMap"])
def test_page_uses_openstreetmap_tiles_unless_a_keyed_provider_is_configured(monkeypatch, fonte):
    """Print-only sources, and keyed providers without a key (CARTO would answer with «API KEY
    REQUIRED» images), give OpenStreetMap's standard tiles: allowed for interactive viewing."""
    assert _tile_layer(monkeypatch, fonte) == OSM_STANDARD


def test_page_uses_a_keyed_provider_with_its_key(monkeypatch):
    layer = _tile_layer(monkeypatch, "CartoDB.Positron", chiave_api="K123")
    assert layer["url"] == "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png?key=K123"
    assert "CARTO" in layer["attribuzione"] and layer["zoom_massimo"] == 20 and layer["sottodomini"] == "abcd"


def test_the_sample_page_shows_openstreetmap_tiles(built):
    _, _, html, _, data = built
    if data["tessere"]["url"] != OSM_STANDARD["url"]:  # a key in the developer's environment
        pytest.skip("STAMPA_CHIAVE_API is set")
    assert data["tessere"] == OSM_STANDARD
    assert "cartocdn" not in html


def test_openstreetmap_tiles_are_credited_once(built):
    _, _, html, _, data = built
    if data["tessere"]["url"] != OSM_STANDARD["url"]:
        pytest.skip("STAMPA_CHIAVE_API is set")
    assert "; stile:" not in html and "OpenStreetMap</a> contributors, licenza ODbL" in html
