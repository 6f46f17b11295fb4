"""Hostile text in the entries: printed exactly as typed, escaped on the web, or refused clearly.

Markup for ReportLab's paragraphs (``<b>``, ``</para>``, ``&amp;``), for HTML (``<script>``),
format strings (``{}``, ``%s``), quotes and backslashes go into every text field of a whole
edition; the index of the Mappa (text extracted from the PDF), the per-lab posters and the web
page's data must show them character for character. Characters the fonts lack, invisible
direction overrides, and links to ``javascript:`` and friends are refused before anything is built.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from mappa_support import page_text
from robusto_support import URL, assert_readable, make_project, sample_rows, stray_temps
from stampa.build import BuildOptions, build_edition
from stampa.cli import main
from stampa.printing.qr import decode_qr_codes

pytestmark = pytest.mark.lento  # whole builds or subprocesses: left out of the quick run

HOSTILE = [
    "<b>Grassetto</b> & Co",
    "Fine </para> paragrafo",
    "A &amp; B &lt; C",
    "<script>alert(1)</script>",
    "Il \"Circolo\" d'Arte",
    "Graffe {nome} {0} e %s %d %(x)s",
    "Barra \\ inversa \\n \\\\",
    '<font color="red">rosso</font>',
    "<a href=\"javascript:alert(1)\">clic</a>",
    "<![CDATA[ x ]]> <!-- nota -->",
]
FIELDS = ("nome", "quartiere", "indirizzo", "ente", "attivita", "orari")


def hostile_rows() -> list[dict[str, str]]:
    rows = sample_rows()[:8]
    for i, row in enumerate(rows):
        for j, field in enumerate(FIELDS):
            row[field] = f"{HOSTILE[(i + j) % len(HOSTILE)]} {field}{i}"
        row["attivo"] = ""
    return rows


@pytest.fixture(scope="module")
def hostile_edition(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ostile")
    toml = make_project(folder, hostile_rows())
    toml.write_text(toml.read_text(encoding="utf-8").replace("per_laboratorio = false", "per_laboratorio = true"), encoding="utf-8")
    result = build_edition(BuildOptions(config=toml, out=folder / "out", show=False))
    return folder / "out", result


def _typed(row: dict[str, str], field: str) -> str:
    return row[field]


def pdf_text(path: Path) -> str:
    """All text, in reading order even on the leaflet's upside-down panels (pypdf follows the
    text matrix; pdfium's reading order scrambles rotated text), whitespace collapsed."""
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    text = re.sub(r"\u00ad\s*", "", text)  # soft hyphens where ReportLab broke a word
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


def test_markup_in_every_field_prints_exactly_as_typed_in_the_index(hostile_edition):
    out, result = hostile_edition
    assert_readable(out)
    for name in ("mappa-digitale.pdf", "mappa-stampa.pdf"):
        text = pdf_text(out / name)
        for row in hostile_rows():
            for field in FIELDS:
                typed = _typed(row, field)
                if field == "quartiere" and row["comune"] == "Pavia":
                    # Pavia's neighbourhoods are the index's small-caps headings, set in capitals.
                    assert typed.upper() in text, (name, field, typed)
                else:
                    assert typed in text, (name, field, typed)


def test_markup_prints_as_typed_on_the_per_lab_posters(hostile_edition):
    out, result = hostile_edition
    posters = [f["path"] for f in result.report["file"] if "laborator" in f["path"] and f["path"].endswith(".pdf")]
    assert posters, [f["path"] for f in result.report["file"]]
    text = " ".join(page_text(out / p) for p in posters)
    labs = [row for row in hostile_rows() if "aborator" in row["tipo"]]
    assert len(labs) >= 5
    for row in labs:
        assert row["nome"] in text


def test_web_page_carries_the_text_as_data_never_as_markup(hostile_edition):
    out, _ = hostile_edition
    page = (out / "web" / "index.html").read_text(encoding="utf-8")
    (raw,) = re.findall(r'<script type="application/json" id="dati">(.*?)</script>', page, re.S)
    data = json.dumps(json.loads(raw), ensure_ascii=False)
    for row in hostile_rows():
        for field in ("nome", "indirizzo", "ente", "attivita", "orari"):
            assert json.dumps(row[field], ensure_ascii=False)[1:-1] in data, field
    for markup in ("<b>", "</para>", "<script>alert", "<font", "<a href=\"javascript", "<![CDATA[", "<!-- nota"):
        assert markup not in page, markup
    # "javascript:" appears only as text inside the escaped data, never as a link.
    assert not re.search(r"(href|src)\s*=\s*[\"']?\s*javascript", page, re.I)


def _link_targets(pdf: Path) -> list[str]:
    uris = []
    for page in PdfReader(pdf).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


def test_links_and_qr_codes_lead_only_to_web_mail_and_phone(hostile_edition):
    out, result = hostile_edition
    pdfs = [f["path"] for f in result.report["file"] if f["path"].endswith(".pdf") and not f["path"].startswith("web/")]
    links = []
    for name in pdfs:
        targets = _link_targets(out / name)
        if "stampa" in name:
            assert targets == [], name  # the print file carries no links at all
        links += targets
        codes = [text for i in range(len(PdfReader(out / name).pages)) for text, _ in decode_qr_codes(out / name, i)]
        if name.startswith(("mappa", "manifesto-A3")):
            assert codes, name
        # The configured address; a per-lab poster may also carry its lab's own site.
        sites = {r["sito"] for r in hostile_rows() if r["sito"]} if name.startswith("manifesti-laboratori") else set()
        assert set(codes) <= {URL} | sites, (name, codes)
    assert links
    assert {urlsplit(u).scheme for u in links} <= {"https", "mailto", "tel"}, links


def _controlla(monkeypatch, capsys, project: Path) -> tuple[int, str]:
    monkeypatch.chdir(project)
    monkeypatch.setenv("COLUMNS", "300")
    code = main(["controlla"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _one_row_project(tmp_path: Path, **fields: str) -> Path:
    rows = sample_rows()[:3]
    rows[1] = {**rows[1], **fields}
    make_project(tmp_path, rows)
    return tmp_path


SCHEMES = {
    "javascript:alert(1)": "javascript",
    "JaVaScRiPt:alert(document.cookie)": "javascript",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==": "data",
    "file:///etc/passwd": "file",
    "vbscript:msgbox(1)": "vbscript",
    "ftp://ftp.esempio.it/voci": "ftp",
}


@pytest.mark.parametrize("site", sorted(SCHEMES))
def test_odd_schemes_in_the_site_are_refused(tmp_path, monkeypatch, capsys, site):
    code, text = _controlla(monkeypatch, capsys, _one_row_project(tmp_path, sito=site))
    assert code == 1
    assert (
        f"riga 3, campo «sito», valore «{site}»: tipo di indirizzo non ammesso ({SCHEMES[site]}:): sono ammessi "
        "solo http:, https: Scrivi l'indirizzo del sito come https://www.esempio.it."
    ) in text


@pytest.mark.parametrize("email", ["javascript:alert(1)", "mailto:a@b.it?subject=<b>x</b>", "a@b.it\"onclick=x"])
def test_odd_emails_are_refused(tmp_path, monkeypatch, capsys, email):
    code, text = _controlla(monkeypatch, capsys, _one_row_project(tmp_path, email=email))
    assert code == 1
    assert "campo «email»" in text and "indirizzo email non valido" in text


@pytest.mark.parametrize("key, section", [("mappa_digitale", "collegamenti"), ("sito", "contatti")])
def test_odd_schemes_in_the_configuration_are_refused(tmp_path, monkeypatch, capsys, key, section):
    project = tmp_path
    toml = make_project(project)
    text = toml.read_text(encoding="utf-8")
    if key == "sito":
        text = text.replace("[contatti]\n", '[contatti]\nsito = "javascript:alert(1)"\n')
    else:
        text = re.sub(r'mappa_digitale = ".*"', 'mappa_digitale = "javascript:alert(1)"', text)
    toml.write_text(text, encoding="utf-8")
    code, out = _controlla(monkeypatch, capsys, project)
    assert code == 1
    assert (
        f"chiave «{section}.{key}», valore «javascript:alert(1)»: tipo di indirizzo non ammesso (javascript:): "
        "sono ammessi solo http:, https:"
    ) in out


GLYPH = (
    "riga 3, campo «nome», valore «Orto 𐀀 condiviso»: il carattere «𐀀» (U+10000 LINEAR B SYLLABLE B008 A) non è in "
    "nessuno dei caratteri tipografici disponibili: viene tolto dalla stampa. Se serve, sostituiscilo con lettere o "
    "con un simbolo comune."
)


def test_characters_no_font_has_are_a_warning_in_controlla(tmp_path, monkeypatch, capsys):
    code, text = _controlla(monkeypatch, capsys, _one_row_project(tmp_path, nome="Orto 𐀀 condiviso"))
    assert code == 0
    assert GLYPH in text


def test_an_emoji_pasted_from_a_chat_does_not_stop_controlla(tmp_path, monkeypatch, capsys):
    code, text = _controlla(monkeypatch, capsys, _one_row_project(tmp_path, nome="Orto 🌻 condiviso"))
    assert code == 0
    assert "🌻" not in text and "quadratino" not in text


@pytest.mark.lento
def test_an_edition_with_emoji_and_a_character_no_font_has_is_built(tmp_path, monkeypatch, capsys):
    project = _one_row_project(tmp_path, nome="Orto 🌻 condiviso 𐀀")
    monkeypatch.chdir(project)
    monkeypatch.setenv("COLUMNS", "300")
    code = main(["edizione"])
    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
    assert GLYPH.replace("Orto 𐀀 condiviso", "Orto 🌻 condiviso 𐀀") in captured.out + captured.err
    text = page_text(project / "out" / "mappa-stampa.pdf")  # the index panels print upside down:
    assert "condiviso 🌻 Orto" in text or "Orto 🌻 condiviso" in text  # pdfium may read their words backwards
    assert "𐀀" not in text
    report = json.loads((project / "out" / "rapporto.json").read_text(encoding="utf-8"))
    assert any("LINEAR B" in a["messaggio"] and a["livello"] == "avviso" for a in report["avvisi"])


def test_a_family_that_is_not_there_names_the_key(tmp_path, monkeypatch, capsys):
    project = _one_row_project(tmp_path)
    toml = project / "stampa.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[mappa]\n", '[mappa]\ncarattere_testo = "Garamondo"\n'), encoding="utf-8")
    code, text = _controlla(monkeypatch, capsys, project)
    assert code == 1
    assert "chiave «mappa.carattere_testo», valore «Garamondo»: il carattere «Garamondo» non è tra quelli installati" in text


@pytest.mark.parametrize("mark", ["\u202e", "\u2066", "\u202a"])
def test_invisible_direction_overrides_are_refused(tmp_path, monkeypatch, capsys, mark):
    """An override prints nothing in the PDF but reverses the name on the web page."""
    name = f"Orto {mark}otidnocnoc"
    code, text = _controlla(monkeypatch, capsys, _one_row_project(tmp_path, nome=name))
    assert code == 1
    # The message shows the invisible character as a visible replacement mark.
    assert (
        "riga 3, campo «nome», valore «Orto \N{REPLACEMENT CHARACTER}otidnocnoc»: il testo contiene caratteri di controllo invisibili "
        f"(U+{ord(mark):04X}): cancellali e riscrivi il testo."
    ) in text


def test_hostile_build_leaves_no_temp_files(hostile_edition):
    out, _ = hostile_edition
    assert stray_temps(out) == []
