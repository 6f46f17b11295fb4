"""run_preflight over several files: the outcome, verifica.json, rapporto.json as input, the table."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from stampa.preflight import FileToCheck, Fold, QrSpec, TextSpec, file_from_pdf, files_from_report, print_report, run_preflight
from stampa.preflight.model import Finding, merge_pages, pages_label
from stampa.printspec import FileSpec, PrintSpec, spec_record
from stampa.problems import StampaError

from preflight_samples import BLEED, FOLD_X, NAMES, TRIM, URL, Sample, build, spec


def report_entry(name: str, sample: Sample) -> dict:
    """A rapporto.json file entry as the products write it."""
    return {
        "path": name,
        "prodotto": "mappa",
        "versione": "digitale" if sample.digital else "stampa",
        "pagine": 1,
        "rifilo_mm": list(TRIM),
        "abbondanza_mm": 0 if sample.digital else BLEED,
        "sha256": "0" * 64,
        "verifica": {
            "qr": [{"url": URL, "min_mm": 30}],
            "pieghe": [] if sample.digital else [{"asse": "x", "mm": FOLD_X, "pagine": [1]}],
            "testi": list(NAMES[:2]) + [{"testo": NAMES[2], "pagine": [1]}],
        },
    }


def write_report(folder: Path, entries: list[dict]) -> Path:
    path = folder / "rapporto.json"
    path.write_text(json.dumps({"file": entries + [{"path": "web/index.html", "prodotto": "web", "versione": "web"}]}))
    return path


def test_report_in_report_out(tmp_path):
    build(tmp_path / "mappa-stampa.pdf", Sample())
    build(tmp_path / "mappa-digitale.pdf", Sample(digital=True))
    report = write_report(
        tmp_path, [report_entry("mappa-stampa.pdf", Sample()), report_entry("mappa-digitale.pdf", Sample(digital=True))]
    )
    files = files_from_report(report)
    assert [(f.path, f.versione) for f in files] == [("mappa-stampa.pdf", "stampa"), ("mappa-digitale.pdf", "digitale")]
    stampa = files[0]
    assert stampa.folds == (Fold("x", FOLD_X, (1,)),)
    assert stampa.qr == (QrSpec(URL, 30.0),)
    assert stampa.texts_expected[2] == TextSpec(NAMES[2], (1,))
    result = run_preflight(files, tmp_path)
    assert result.ok and result.findings == ()
    data = json.loads((tmp_path / "verifica.json").read_text(encoding="utf-8"))
    assert data["ok"] is True and data["esito"] == "superata"
    assert [f["path"] for f in data["file"]] == ["mappa-stampa.pdf", "mappa-digitale.pdf"]
    assert data["risultati"] == []


def test_an_error_in_a_print_file_fails_and_is_written(tmp_path):
    build(tmp_path / "mappa-stampa.pdf", Sample(base14_text=True))
    result = run_preflight([spec(Path("mappa-stampa.pdf"), Sample(), label="mappa-stampa.pdf")], tmp_path)
    assert not result.ok
    data = json.loads((tmp_path / "verifica.json").read_text(encoding="utf-8"))
    assert data["esito"] == "non superata"
    assert data["risultati"] == [
        {
            "livello": "errore",
            "controllo": "caratteri",
            "file": "mappa-stampa.pdf",
            "pagine": [1],
            "cosa": "carattere non incorporato",
            "trovato": "Helvetica",
            "atteso": "carattere incorporato nel PDF",
            "come_rimediare": data["risultati"][0]["come_rimediare"],
        }
    ]


def test_warnings_and_digital_problems_do_not_fail(tmp_path):
    build(tmp_path / "a.pdf", Sample(image_rgb=True))  # a warning
    build(tmp_path / "b.pdf", Sample(digital=True, link_url="file:///etc/passwd"))
    files = [spec(Path("a.pdf"), Sample(), label="a.pdf"), spec(Path("b.pdf"), Sample(digital=True), folds=(), label="b.pdf")]
    result = run_preflight(files, tmp_path)
    assert result.ok
    assert [(f.file, f.level, f.message) for f in result.findings] == [
        ("a.pdf", "avviso", "immagine in RGB"),
        ("b.pdf", "avviso", "collegamento non ammesso"),
    ]


def test_table_is_readable(tmp_path):
    build(tmp_path / "a.pdf", Sample(small_text_pt=5, image_ppi=72))
    result = run_preflight([spec(Path("a.pdf"), Sample(), label="a.pdf")], tmp_path)
    console = Console(record=True, width=200)
    print_report(result, console)
    text = console.export_text()
    for words in ("cosa", "pagina", "trovato", "atteso", "come rimediare", "ERRORE", "testo più piccolo di 6 pt",
                  "immagine a bassa risoluzione", "Verifica non superata", "verifica.json"):
        assert words in text


def test_pdfs_named_on_the_command_line(tmp_path):
    good = build(tmp_path / "manifesto-A4.pdf", Sample())
    digital = build(tmp_path / "manifesto-digitale.pdf", Sample(digital=True))
    f = file_from_pdf(good)
    assert (f.versione, f.trim_mm, f.bleed_mm) == ("stampa", (210.0, 297.0), 3.0)
    assert file_from_pdf(digital).versione == "digitale"
    result = run_preflight([f, file_from_pdf(digital)], tmp_path)
    assert result.ok
    assert result.findings == ()
    no_trim = build(tmp_path / "senza.pdf", Sample(trimbox=False))
    result = run_preflight([file_from_pdf(no_trim)], None)
    assert not result.ok
    assert [f.message for f in result.findings] == ["manca il TrimBox (il formato finito, dove tagliare)"]


def test_bad_rapporto_is_a_clear_error(tmp_path):
    with pytest.raises(StampaError) as exc:
        files_from_report(tmp_path / "rapporto.json")
    assert "stampa edizione" in exc.value.problems[0].message
    report = tmp_path / "rapporto.json"
    report.write_text(json.dumps({"file": [{"path": "a.pdf", "versione": "stampa", "rifilo_mm": [210],
                                            "verifica": {"pieghe": [{"asse": "z", "mm": 3}]}}]}))
    with pytest.raises(StampaError) as exc:
        files_from_report(report)
    messages = [p.message for p in exc.value.problems]
    assert messages == [
        "«rifilo_mm» deve essere [larghezza, altezza] in mm.",
        'una piega è {"asse": "x" o "y", "mm": posizione dal bordo}.',
    ]
    assert exc.value.problems[1].where == "file[0].verifica.pieghe[0]"


def test_pages_are_merged_and_labelled():
    assert pages_label((1, 2, 3, 5, 7, 8)) == "1–3, 5, 7–8"
    rows = [Finding("errore", "c", "m", "f", (p,), "x", "y", "z") for p in (1, 2, 3)]
    merged = merge_pages(rows + [Finding("errore", "c", "m", "f", (4,), "other", "y", "z")])
    assert [(f.pages, f.found) for f in merged] == [((1, 2, 3), "x"), ((4,), "other")]


def test_a_spec_written_by_a_product_is_read_back(tmp_path):
    """A product writes its spec with stampa.printspec.spec_record; the preflight reads that very
    file back into the same spec, placed QR box included."""
    build(tmp_path / "mappa-stampa.pdf", Sample())
    q = 30 / 29  # module of the 30 mm symbol (29 modules)
    box = (150 - 4 * q, 40 - 4 * q, 30 + 8 * q, 30 + 8 * q)
    check = PrintSpec(
        qr=(QrSpec(URL, 38.0, (1,), box),),
        folds=(Fold("x", FOLD_X, (), False),),
        texts_expected=(TextSpec("1"), TextSpec(NAMES[0]), TextSpec("3", (1,)), TextSpec(NAMES[2], (1,), (40.0, 60.0), 200.0)),
        links_expected=False,
    )
    spec = FileSpec("mappa-stampa.pdf", "mappa", "stampa", TRIM, BLEED, 1, check)
    entry = spec_record(spec, sha256="0" * 64)
    (f,) = files_from_report(write_report(tmp_path, [entry]))
    assert f == FileToCheck.from_spec(
        replace(spec, check=replace(check, qr=(QrSpec(URL, 38.0, (1,), tuple(round(v, 2) for v in box)),))), "mappa-stampa.pdf"
    )
    assert run_preflight([f], tmp_path).findings == ()
    # The same code drawn 20 mm lower than the layout says: not the code the layout placed.
    entry["verifica"]["qr"][0]["box_mm"][1] += 20
    (f,) = files_from_report(write_report(tmp_path, [entry]))
    (hit,) = run_preflight([f], tmp_path).findings
    assert hit.message == "codice QR fuori dalla posizione prevista"
    assert hit.found in ("a 19,9 mm dal punto previsto", "a 20,0 mm dal punto previsto", "a 20,1 mm dal punto previsto")


def test_a_second_spelling_is_refused(tmp_path):
    """One spelling only: a key the spec does not know (an older or misspelt one) is an error that
    says what to do, never silently skipped (a check the product asked for would go missing)."""
    entry = report_entry("mappa-stampa.pdf", Sample())
    entry["verifica"] = {"testi_attesi": ["1"], "qr": [{"url": URL, "lato_minimo_mm": 38}]}
    with pytest.raises(StampaError) as exc:
        files_from_report(write_report(tmp_path, [entry]))
    assert [(p.where, p.message) for p in exc.value.problems] == [
        ("file[0].verifica", ("«testi_attesi» non è una chiave di «verifica» (sono: qr, pieghe, testi, margine_mm, "
                              "corpo_minimo_pt, ppi_minimo, ppi_avviso, link_attesi): ricostruisci rapporto.json con «stampa edizione».")),
        ("file[0].verifica.qr[0]", ("«lato_minimo_mm» non è una chiave di un QR (sono: url, min_mm, pagine, box_mm): "
                                    "ricostruisci rapporto.json con «stampa edizione».")),
    ]
    assert all(p.file == str(tmp_path / "rapporto.json") for p in exc.value.problems)


def test_preflight_report_file_as_stampa_edizione_calls_it(tmp_path, capsys):
    from stampa.preflight import preflight_report_file

    build(tmp_path / "mappa-stampa.pdf", Sample(small_text_pt=5))
    report = write_report(tmp_path, [report_entry("mappa-stampa.pdf", Sample())])
    result = preflight_report_file(report, show=False)
    assert not result.ok
    assert [f.message for f in result.findings] == ["testo più piccolo di 6 pt"]
    assert result.report_path == str(tmp_path / "verifica.json")
    assert capsys.readouterr().out == ""  # show=False prints nothing


@pytest.mark.lento  # starts a second process
def test_long_files_checked_in_parts_give_the_same_findings(tmp_path, monkeypatch):
    """Long files are cut into parts (text, QR codes, content) shared with a second process; the
    findings, their order and the merged pages are those of each file checked whole, here."""
    from dataclasses import replace

    from stampa.preflight import run as run_module
    from stampa.preflight.run import check_file

    faults = Sample(pages=3, small_text_pt=4.0, image_ppi=120.0, image_rgb=True, rgb_fill=True, text_on_fold=True,
                    text_overflow=True, qr_url="https://altro.example/")
    files = []
    for name, sample in (("mappa-stampa.pdf", faults), ("mappa-digitale.pdf", replace(faults, digital=True))):
        path = build(tmp_path / name, sample)
        wanted = spec(path, sample, expected_pages=3, label=name, texts_expected=(TextSpec(NAMES[0]), TextSpec("Nessuno così")))
        files.append(replace(wanted, path=name))
    monkeypatch.setattr(run_module, "ASIDE_FROM_PAGES", 2)
    jobs = run_module._jobs(files)
    here, aside = run_module._share(files, jobs)
    assert aside and here  # both processes have work
    assert {jobs[k][0] for k in aside} | {jobs[k][0] for k in here} == {0, 1}
    result = run_preflight(files, tmp_path)
    whole = [f for spec_ in files for f in check_file(spec_, tmp_path)]
    assert list(result.findings) == whole
    messages = {f.message for f in whole}
    assert {"testo sulla piega", "immagine a bassa risoluzione", "colori RGB nel disegno vettoriale",
            "testo atteso non trovato", "il codice QR porta a un altro indirizzo"} <= messages
    assert [(o.errors, o.warnings) for o in result.files] == [
        (sum(f.is_error for f in got), sum(not f.is_error for f in got))
        for got in (check_file(files[0], tmp_path), check_file(files[1], tmp_path))
    ]
