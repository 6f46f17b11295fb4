from stampa.entries.model import Entry, Origin
from stampa.glyphs import check_glyphs
from stampa.printing.fonts import register_family


def entry(nome: str) -> Entry:
    return Entry(id="X", nome=nome, tipo="gruppo", comune="Pavia", istat="018110", lon=9.15, lat=45.18, origin=Origin("voci.csv", row=4))


def test_italian_text_and_typographic_signs_are_fine():
    fonts = [register_family("Titillium Web"), register_family("Atkinson Hyperlegible")]
    assert check_glyphs([entry("Perché sì: caffè & «più» città – 10 €")], fonts) == []


def test_missing_character_named_with_entry_and_field():
    fonts = [register_family("Atkinson Hyperlegible")]
    (p,) = check_glyphs([entry("Orto ✿ condiviso")], fonts)
    assert p.format() == (
        "voci.csv, riga 4, campo «nome», valore «Orto ✿ condiviso»: il carattere tipografico Atkinson Hyperlegible "
        "non ha «✿» (U+273F BLACK FLORETTE): stamperebbe un quadratino vuoto. Togli o sostituisci il simbolo, "
        "oppure scegli un altro carattere in [mappa]."
    )
