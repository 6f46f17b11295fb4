"""The A3 folded Mappa of the sample edition, opened as a reader and a print shop would."""

from __future__ import annotations

import json
import re

import pikepdf
import pytest
from reportlab.lib.units import mm

from stampa.preflight import files_from_report
from stampa.printing.page import BLEED_MM
from stampa.printing.qr import decode_qr_codes
from stampa.products.mappa import get_format
from stampa.products.mappa.formats import PANEL_MARGIN_MM

from mappa_support import URL, build, char_sizes, page_text, sample

BASE14 = {"Helvetica", "Times-Roman", "Courier", "Symbol", "ZapfDingbats"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("mappa")
    return out, build(out)


def _boxes(path):
    with pikepdf.open(path) as pdf:
        return [
            {k: [float(v) for v in p.obj.get(k)] if p.obj.get(k) is not None else None for k in ("/MediaBox", "/TrimBox", "/BleedBox")}
            for p in pdf.pages
        ]


def test_files_and_records(built):
    out, result = built
    paths = {f["path"]: f for f in result.files}
    assert {"mappa-stampa.pdf", "mappa-digitale.pdf", "anteprime/mappa-p1.png", "anteprime/mappa-p2.png"} <= set(paths)
    rec = paths["mappa-stampa.pdf"]
    assert rec["prodotto"] == "mappa" and rec["versione"] == "stampa" and rec["pagine"] == 2
    assert rec["rifilo_mm"] == [297.0, 420.0] and rec["abbondanza_mm"] == BLEED_MM
    assert paths["mappa-digitale.pdf"]["abbondanza_mm"] == 0.0
    assert paths["anteprime/mappa-p1.png"]["versione"] == "anteprima"
    for f in result.files:
        assert (out / f["path"]).exists() and len(f["sha256"]) == 64


def test_page_and_box_sizes(built):
    out, _ = built
    for b in _boxes(out / "mappa-stampa.pdf"):
        tx0, ty0, tx1, ty1 = b["/TrimBox"]
        assert (tx1 - tx0) / mm == pytest.approx(297.0, abs=0.01)
        assert (ty1 - ty0) / mm == pytest.approx(420.0, abs=0.01)
        bx0, by0, bx1, by1 = b["/BleedBox"]
        assert (tx0 - bx0) / mm == pytest.approx(3.0, abs=0.01) and (bx1 - tx1) / mm == pytest.approx(3.0, abs=0.01)
        mx0, my0, mx1, my1 = b["/MediaBox"]
        assert mx1 - mx0 > bx1 - bx0  # room for crop and fold marks outside the bleed
    for b in _boxes(out / "mappa-digitale.pdf"):
        mx0, my0, mx1, my1 = b["/MediaBox"]
        assert ((mx1 - mx0) / mm, (my1 - my0) / mm) == (pytest.approx(297.0, abs=0.01), pytest.approx(420.0, abs=0.01))


def test_fonts_embedded_no_base14(built):
    out, _ = built
    for name in ("mappa-stampa.pdf", "mappa-digitale.pdf"):
        with pikepdf.open(out / name) as pdf:
            seen = 0
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font" and obj.get("/Subtype") != "/Type0":
                    base = str(obj.get("/BaseFont"))
                    assert base.lstrip("/") not in BASE14, base
                    desc = obj.get("/FontDescriptor")
                    assert desc is not None and ("/FontFile2" in desc or "/FontFile" in desc or "/FontFile3" in desc), base
                    seen += 1
            assert seen >= 3


def test_smallest_text_at_least_6pt(built):
    out, result = built
    for name in ("mappa-stampa.pdf", "mappa-digitale.pdf"):
        sizes = char_sizes(out / name)
        assert sizes and min(sizes) >= 6.0 - 0.01, min(sizes)
    assert 0.8 <= result.index_scale <= 1.0


def test_every_entry_name_and_number_printed(built):
    out, result = built
    for name in ("mappa-stampa.pdf", "mappa-digitale.pdf"):
        text = page_text(out / name)
        for n in result.numbered:
            # the marker's number sits on the name's first line (pdfium may read it before or after)
            nome = re.escape(n.entry.nome)
            pattern = rf"(?<!\d){n.number} {nome}|{nome} {n.number}(?!\d)"
            assert re.search(pattern, text), (name, n.number, n.entry.nome)


def test_print_file_has_no_annotations_digital_has_links(built):
    out, result = built
    with pikepdf.open(out / "mappa-stampa.pdf") as pdf:
        assert all("/Annots" not in p.obj for p in pdf.pages)
    uris = []
    with pikepdf.open(out / "mappa-digitale.pdf") as pdf:
        for p in pdf.pages:
            for a in p.obj.get("/Annots", []):
                action = a.get("/A")
                if action is not None and action.get("/S") == "/URI":
                    uris.append(str(action.get("/URI")))
        assert str(pdf.docinfo.get("/Title")).startswith("Mappa dei Laboratori")
        assert str(pdf.Root.get("/Lang")) == "it-IT"
    assert URL in uris
    entries = [n.entry for n in result.numbered]
    for e in entries:
        if e.email:
            assert f"mailto:{e.email}" in uris
        if e.sito:
            assert e.sito in uris


@pytest.mark.parametrize("name", ["mappa-stampa.pdf", "mappa-digitale.pdf"])
def test_qr_decodes_and_keeps_clear_of_folds_and_trims(built, name):
    out, result = built
    fmt = get_format("A3-pieghevole")
    found = decode_qr_codes(out / name, 0, dpi=150)
    assert [t for t, _ in found] == [URL]
    (x0, y0, x1, y1) = found[0][1]
    check = result.specs[name].check.qr[0]
    qx, qy, qw, qh = check.box_mm
    assert qw >= 30.0 and qw >= check.min_mm  # ≥ reading distance / 10, quiet zone included
    # the decoded symbol lies inside the drawn square
    assert qx - 1 <= x0 and x1 <= qx + qw + 1 and qy - 1 <= y0 and y1 <= qy + qh + 1
    assert fmt.spec.box_ok(check.box_mm, 5.0), check.box_mm
    assert fmt.spec.box_ok((x0, y0, x1 - x0, y1 - y0), 5.0)


def test_text_panels_never_cross_a_fold():
    fmt = get_format("A3-pieghevole")
    for version in ("stampa", "digitale"):
        for p in fmt.panels(version):
            inner = (p.x_mm + PANEL_MARGIN_MM, p.y_mm + PANEL_MARGIN_MM, p.w_mm - 2 * PANEL_MARGIN_MM, p.h_mm - 2 * PANEL_MARGIN_MM)
            assert fmt.spec.box_ok(inner, 5.0), (version, p)


def test_cover_is_outside_once_folded():
    """Cross fold: top half behind, then left half behind → bottom-right is the front cover,
    bottom-left the back, the top row (inside spread) printed upside down."""
    fmt = get_format("A3-pieghevole")
    roles = {(p.x_mm, p.y_mm): (p.role, p.rotation) for p in fmt.panels("stampa")}
    assert roles[(148.5, 0)] == ("copertina", 0)
    assert roles[(0, 0)] == ("retro", 0)
    assert roles[(148.5, 210.0)] == ("indice", 180) and roles[(0, 210.0)] == ("indice", 180)
    assert [(f.orientation, f.position_mm) for f in fmt.spec.folds] == [("horizontal", 210.0), ("vertical", 148.5)]


def test_verifica_description(built):
    """What the Mappa asks of its PDFs, as rapporto.json carries it and the preflight reads it."""
    out, result = built
    records = {f["path"]: f for f in result.files}
    v = records["mappa-stampa.pdf"]["verifica"]
    # Text keeps off the folds on the text side (page 1); on the map side (page 2) only QR codes do.
    assert v["pieghe"] == [
        {"asse": "y", "mm": 210.0, "pagine": [1], "testo": True},
        {"asse": "y", "mm": 210.0, "pagine": [2], "testo": False},
        {"asse": "x", "mm": 148.5, "pagine": [1], "testo": True},
        {"asse": "x", "mm": 148.5, "pagine": [2], "testo": False},
    ]
    assert v["qr"][0]["url"] == URL and v["qr"][0]["pagine"] == [1] and v["qr"][0]["min_mm"] == 30.0
    _, _, entries = sample()
    assert len(v["testi"]) == 2 * len(entries)
    assert records["mappa-digitale.pdf"]["verifica"]["link_attesi"] is True and v["link_attesi"] is False
    assert "verifica" not in records["anteprime/mappa-p1.png"]
    assert {e.id for e in result.layout.entries} == {e.id for e in entries}
    # The preflight reads back what the Mappa meant (the QR box to 1/100 mm, as written).
    (out / "rapporto.json").write_text(json.dumps({"file": list(result.files)}), encoding="utf-8")
    read = {f.path: f for f in files_from_report(out / "rapporto.json")}
    assert set(read) == {"mappa-stampa.pdf", "mappa-digitale.pdf"}
    for name, f in read.items():
        meant = result.specs[name]
        assert (f.trim_mm, f.bleed_mm, f.expected_pages) == (meant.trim_mm, meant.bleed_mm, meant.expected_pages)
        assert (f.folds, f.texts_expected, f.links_expected) == (meant.check.folds, meant.check.texts_expected, meant.check.links_expected)
        assert [(q.url, q.min_mm, q.pages) for q in f.qr] == [(q.url, q.min_mm, q.pages) for q in meant.check.qr]
        assert f.qr[0].box_mm == pytest.approx(meant.check.qr[0].box_mm, abs=0.005)


@pytest.mark.lento  # a second whole build; the quick run checks rebuilds on the booklet (test_mappa_cover)
def test_rebuild_is_byte_identical(built, tmp_path):
    out, result = built
    again = build(tmp_path)
    for a, b in zip(result.files, again.files):
        assert a["path"] == b["path"] and a["sha256"] == b["sha256"], a["path"]


def test_text_side_is_100_percent_black_and_cmyk_only(built):
    """Page 1 (cover, index, back) of the print file: every text in 100 % K, no RGB anywhere."""
    out, _ = built
    with pikepdf.open(out / "mappa-stampa.pdf") as pdf:
        for i, page in enumerate(pdf.pages):
            fill = None
            fills = set()
            for operands, op in pikepdf.parse_content_stream(page):
                name = str(op)
                assert name not in ("rg", "RG", "g", "G"), (i, name)
                if name == "k":
                    fill = tuple(round(float(v), 3) for v in operands)
                elif name in ("Tj", "TJ"):
                    fills.add(fill)
            if i == 0:
                assert fills == {(0.0, 0.0, 0.0, 1.0)}, fills
