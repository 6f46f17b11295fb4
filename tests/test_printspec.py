"""stampa.printspec: what a product writes into rapporto.json is what the preflight reads back,
key for key, and nothing else is accepted."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from stampa.printspec import (
    FOLD_KEYS,
    QR_KEYS,
    SPEC_KEYS,
    TEXT_KEYS,
    FileSpec,
    Fold,
    PrintSpec,
    QrSpec,
    TextSpec,
    check_to_json,
    read_check,
    read_file_record,
    spec_record,
)

mm = st.floats(min_value=0, max_value=2000, allow_nan=False).map(lambda v: round(v, 3))
pages = st.lists(st.integers(1, 500), max_size=3).map(tuple)
box = st.tuples(mm, mm, mm, mm).map(lambda b: tuple(round(v, 2) for v in b))  # written to 1/100 mm
words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=30).filter(str.strip)

qr_specs = st.builds(QrSpec, words.map(lambda w: "https://" + w), mm, pages, st.none() | box)
folds = st.builds(Fold, st.sampled_from(["x", "y"]), mm, pages, st.booleans())
texts = st.builds(TextSpec, words, pages, st.none() | st.tuples(mm, mm), st.just(3.0) | mm)
checks = st.builds(
    PrintSpec,
    st.lists(qr_specs, max_size=3).map(tuple),
    st.lists(folds, max_size=4).map(tuple),
    st.lists(texts, max_size=6).map(tuple),
    mm,
    mm.filter(bool),  # 0 pt reads as "the default" (no file asks for invisible text)
    st.none() | mm,
    st.none() | mm,
    st.none() | st.booleans(),
)
file_specs = st.builds(
    FileSpec,
    words,
    st.sampled_from(["mappa", "manifesto"]),
    st.sampled_from(["stampa", "digitale"]),
    st.none() | st.tuples(mm.filter(bool), mm.filter(bool)),
    mm,
    st.none() | st.integers(1, 2000),
    st.none() | checks,
)


def _never(where, message, value):
    raise AssertionError(f"{where}: {message} ({value!r})")


@given(file_specs)
def test_what_is_written_is_read_back(spec):
    record = json.loads(json.dumps(spec_record(spec, formato="A3", sha256="0" * 64), ensure_ascii=False))
    assert read_file_record(record, "file[0]", _never, ("stampa", "digitale")) == spec


@given(checks)
def test_the_writer_uses_only_the_readers_keys(check):
    data = check_to_json(check)
    assert set(data) <= set(SPEC_KEYS)
    assert all(set(q) <= set(QR_KEYS) for q in data["qr"])
    assert all(set(f) <= set(FOLD_KEYS) for f in data["pieghe"])
    assert all(isinstance(t, str) or set(t) <= set(TEXT_KEYS) for t in data["testi"])


def test_the_written_form_staff_read():
    check = PrintSpec(
        qr=(QrSpec("https://example.org/", 30.0, (1,), (11.004, 217.0, 30.0, 30.0)),),
        folds=(Fold("y", 210.0, (2,), False),),
        texts_expected=(TextSpec("Spazio Q"), TextSpec("12", (1,), (81.2, 140.5)), TextSpec("13", (), None, 5.0)),
        links_expected=True,
    )
    assert check_to_json(check) == {
        "qr": [{"url": "https://example.org/", "min_mm": 30.0, "pagine": [1], "box_mm": [11.0, 217.0, 30.0, 30.0]}],
        "pieghe": [{"asse": "y", "mm": 210.0, "pagine": [2], "testo": False}],
        "testi": ["Spazio Q", {"testo": "12", "pagine": [1], "posizione_mm": [81.2, 140.5]},
                  {"testo": "13", "pagine": [], "tolleranza_mm": 5.0}],
        "margine_mm": 5.0,
        "corpo_minimo_pt": 6.0,
        "link_attesi": True,
    }
    record = spec_record(FileSpec("a.pdf", "mappa", "stampa", (297.0, 420.0), 3.0, 2, check), formato="A3", sha256="x")
    assert list(record) == ["path", "prodotto", "versione", "pagine", "rifilo_mm", "abbondanza_mm", "formato", "sha256", "verifica"]
    assert "verifica" not in spec_record(FileSpec("p.png", "mappa", "anteprima", (297.0, 420.0), 0.0, 1))


def test_every_fault_is_named_at_once():
    found = []
    v = {
        "qr": [{"url": "https://x.it/", "min_mm": -1, "pagine": [0]}, "https://y.it/"],
        "testi": ["", {"testo": "3", "posizione_mm": [1]}],
        "margine_mm": "5",
        "link_attesi": "sì",
        "pieghe_mm": [],
    }
    check = read_check(v, "file[2]", lambda where, message, value: found.append((where, message, value)))
    assert found == [
        ("file[2].verifica", ("«pieghe_mm» non è una chiave di «verifica» (sono: qr, pieghe, testi, margine_mm, "
                              "corpo_minimo_pt, ppi_minimo, ppi_avviso, link_attesi): ricostruisci rapporto.json con «stampa edizione»."),
         "pieghe_mm"),
        ("file[2]", "«link_attesi» deve essere true o false.", "sì"),
        ("file[2].verifica.qr[0]", "«min_mm» deve essere un numero non negativo.", -1),
        ("file[2].verifica.qr[0]", "«pagine» deve essere un elenco di numeri di pagina (da 1).", [0]),
        ("file[2].verifica.qr[1]", 'un QR è {"url": "https://…", "min_mm": 30}.', "https://y.it/"),
        ("file[2].verifica.testi[1]", "«posizione_mm» deve essere [x, y] in mm.", [1]),
        ("file[2]", "«margine_mm» deve essere un numero non negativo.", "5"),
    ]
    # What was usable is kept, the rest falls back to its default.
    assert check.qr == (QrSpec("https://x.it/", 0.0),)
    assert check.texts_expected == (TextSpec("3"),)
    assert check.safe_margin_mm == 5.0 and check.links_expected is None
