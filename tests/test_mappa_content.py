"""Mappa content rules: the edition that does not fit, user text printed as typed, texts file
checks, the A4 and booklet formats."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace

import pikepdf
import pytest
from reportlab.lib.units import mm

from stampa.numbering import number_entries
from stampa.problems import StampaError
from stampa.products.mappa import load_texts
from stampa.products.mappa.panels import BackMatter
from stampa.products.mappa.plan import plan_index
from stampa.products.mappa.styles import load_fonts

from mappa_support import ROOT, build, config, page_text, renamed, sample


def _many(n: int):
    _, _, entries = sample()
    return [renamed(entries[i % len(entries)], i) for i in range(n)]


def _capacity_check(entries, formato="A3-pieghevole"):
    cfg = config(formato)
    texts = load_texts(ROOT / "layout", cfg)
    fonts = load_fonts(cfg.mappa.carattere_titoli, cfg.mappa.carattere_testo)

    def back_for(w, row):
        return BackMatter(w, cfg=cfg, texts=texts, fonts=fonts, attribution=(), links=False, compact=row, row=row)

    return plan_index(cfg, formato, number_entries(entries), texts, fonts, back_for)


def test_overfull_leaflet_refused_with_the_capacity_it_measured(tmp_path):
    entries = _many(60)
    with pytest.raises(StampaError) as exc:
        build(tmp_path, entries)
    [problem] = exc.value.problems
    m = re.fullmatch(
        r"l'edizione ha 60 voci e il pieghevole ne contiene al massimo (\d+): usa formato = \"libretto\" \(o \"automatico\"\) in \[mappa\]",
        problem.message,
    )
    assert m, problem.message
    most = int(m.group(1))
    assert 30 <= most < 60
    assert not list(tmp_path.glob("*.pdf"))  # nothing half-written
    # M is real: that many of these entries fit (flowed at minimum size), one more does not
    in_order = [n.entry for n in number_entries(entries)]
    _, _, flow = _capacity_check(in_order[:most])
    assert flow.complete
    with pytest.raises(StampaError, match=f"l'edizione ha {most + 1} voci e il pieghevole ne contiene al massimo {most}:"):
        _capacity_check(in_order[: most + 1])


def test_overfull_fixed_format_is_refused_before_any_map_is_planned(tmp_path, monkeypatch):
    """The capacity is checked first: no map planning for an edition the format cannot hold."""
    import stampa.products.mappa.plan as mappa_plan

    def no_maps(*args, **kwargs):
        raise AssertionError("the map was planned before the capacity check")

    monkeypatch.setattr(mappa_plan, "plan_map", no_maps)
    monkeypatch.setattr(mappa_plan, "plan_sheets", no_maps)
    with pytest.raises(StampaError, match=r"l'edizione ha 400 voci e il pieghevole ne contiene al massimo \d+: "):
        build(tmp_path, _many(400))


def test_automatic_format_takes_the_leaflet_while_the_edition_fits(tmp_path):
    result = build(tmp_path, formato="automatico")
    assert result.formato == "A3-pieghevole"
    assert result.format_reason == "formato automatico: il pieghevole A3, che contiene tutte le 38 voci."


def test_automatic_format_takes_the_booklet_beyond_the_leaflet(tmp_path):
    result = build(tmp_path, _many(60), formato="automatico")
    assert result.formato == "libretto"
    assert re.fullmatch(
        r"formato automatico: il libretto, perché le 60 voci non entrano nel pieghevole A3 \(ne contiene al massimo \d+\)\.",
        result.format_reason,
    ), result.format_reason
    assert (tmp_path / "mappa-stampa.pdf").exists()


def test_entry_too_long_for_a_column_is_named(tmp_path):
    _, _, entries = sample()
    long = replace(entries[3], attivita=" ".join(["laboratorio di quartiere aperto a tutti"] * 120))
    with pytest.raises(StampaError) as exc:
        build(tmp_path, [long, *entries[:2]])
    msg = exc.value.problems[0].format()
    assert f"«{long.nome}» non entra in una colonna dell'indice nemmeno con il testo al minimo (6 pt)" in msg
    assert long.id in msg


def test_markup_characters_print_as_typed(tmp_path):
    _, _, entries = sample()
    tricky = [
        renamed(entries[0], 1, "Arte & Gioco <Insieme>", ente="Soci <tutti> & amici", attivita="a <b>grassetto</b> & co."),
        *entries[1:5],
    ]
    result = build(tmp_path, tricky)
    # the digital version has every panel upright, so pdfium reads lines in order
    text = page_text(tmp_path / "mappa-digitale.pdf")
    assert "Arte & Gioco <Insieme>" in text
    assert "Soci <tutti> & amici" in text
    assert "a <b>grassetto</b> & co." in text
    # the print version holds the same characters (its inside panels are upside down, which
    # scrambles pdfium's reading order, so count them)
    printed = page_text(tmp_path / "mappa-stampa.pdf")
    for ch in "&<>/":
        assert printed.count(ch) == text.count(ch) > 0
    assert result.formato == "A3-pieghevole"


def test_a4_sheet_pages_and_message(tmp_path):
    _, _, entries = sample()
    result = build(tmp_path, entries[:12], formato="A4")
    with pikepdf.open(tmp_path / "mappa-stampa.pdf") as pdf:
        assert len(pdf.pages) == 2
        for p in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in p.obj["/TrimBox"])
            assert ((x1 - x0) / mm, (y1 - y0) / mm) == (pytest.approx(210, abs=0.01), pytest.approx(297, abs=0.01))
    assert result.specs["mappa-stampa.pdf"].check.folds == ()
    assert result.specs["mappa-stampa.pdf"].check.qr[0].pages == (2,)
    with pytest.raises(StampaError, match=r"^l'edizione ha 60 voci e il foglio A4 ne contiene al massimo \d+: usa formato"):
        _capacity_check(_many(60), "A4")


def test_booklet_grows_in_fours_and_holds_large_editions(tmp_path):
    entries = _many(70)
    result = build(tmp_path, entries, formato="libretto")
    rec = next(f for f in result.files if f["path"] == "mappa-stampa.pdf")
    assert rec["pagine"] % 4 == 0 and rec["pagine"] >= 8
    assert rec["rifilo_mm"] == [210.0, 297.0]
    text = page_text(tmp_path / "mappa-digitale.pdf")
    for n in result.numbered:
        assert n.entry.nome in text
    assert result.index_scale == 1.0  # the booklet adds pages instead of shrinking


def _copy_layout(tmp_path, edit):
    d = tmp_path / "layout"
    shutil.copytree(ROOT / "layout", d)
    f = d / "mappa.toml"
    f.write_text(edit(f.read_text(encoding="utf-8")), encoding="utf-8")
    return d


def test_texts_unknown_and_missing_keys_refused(tmp_path):
    d = _copy_layout(
        tmp_path,
        lambda s: s.replace("qr_didascalia =", "qr_didascalie =").replace("[libretto]", "[libretto]\ncolore = \"rosso\""),
    )
    with pytest.raises(StampaError) as exc:
        load_texts(d, config())
    lines = [p.format() for p in exc.value.problems]
    assert any("chiave «copertina.qr_didascalie»: chiave sconosciuta: toglila o correggi il nome. Forse intendevi «qr_didascalia»?" in l for l in lines), lines
    assert any("chiave «copertina.qr_didascalia»: testo mancante: aggiungilo." in l for l in lines), lines
    assert any("chiave «libretto.colore»: chiave sconosciuta" in l for l in lines), lines


def test_texts_placeholders(tmp_path):
    texts = load_texts(ROOT / "layout", config())
    assert "{" not in texts("retro.crediti") and "Edizione 2026" in texts("retro.crediti")
    d = _copy_layout(tmp_path, lambda s: s.replace('occhiello = "{distretto}"', 'occhiello = "{provincia}"'))
    with pytest.raises(StampaError, match=r"segnaposto sconosciuto \{provincia\}"):
        load_texts(d, config())


def test_basemap_attribution_printed_in_credits(tmp_path):
    """The credits take the attribution lines from the basemaps the integrator hands in."""
    from stampa.basemap import Basemap
    from stampa.printing.theme import load_theme
    from stampa.products.mappa import build_mappa

    cfg, district, entries = sample()
    asked = []
    lines = ("© OpenStreetMap contributors, dati ODbL (openstreetmap.org/copyright)", "Stile © Prova & Figli <test>")

    def basemaps(views):
        asked.extend(views)
        return {name: Basemap(None, v.extent, "Prova.Stile", "tessere", 15, 300.0, lines, False, view=name) for name, v in views.items()}

    result = build_mappa(
        config(), entries[:6], district, tmp_path, theme=load_theme(ROOT / "layout" / "tema.toml"),
        layout_dir=ROOT / "layout", basemaps=basemaps,
    )
    assert "mappa" in asked and set(result.basemaps) == set(asked)
    text = page_text(tmp_path / "mappa-digitale.pdf")
    assert "Sfondo della mappa: " + "; ".join(lines) in text


def test_short_edition_warns_about_empty_panels(tmp_path):
    _, _, entries = sample()
    result = build(tmp_path, entries[:3])
    messages = [p.message for p in result.warnings if p.level == "avviso"]
    assert "l'elenco è corto e lascia vuoto un pannello interno del pieghevole: con poche voci puoi usare formato = \"A4\" in [mappa]." in messages
