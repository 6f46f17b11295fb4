"""What the glyph check says: only characters that no font prints are reported, as warnings."""

from stampa.entries.model import Entry, Origin
from stampa.glyphs import check_glyphs
from stampa.printing.fonts import register_family, split_runs, unprintable


def entry(nome: str, **kw) -> Entry:
    return Entry(id="X", nome=nome, tipo="gruppo", comune="Pavia", istat="018110", lon=9.15, lat=45.18, origin=Origin("voci.csv", row=4), **kw)


def fonts():
    return [register_family("Titillium Web"), register_family("Atkinson Hyperlegible")]


def test_italian_text_and_typographic_signs_are_fine():
    assert check_glyphs([entry("Perché sì: caffè & «più» città – 10 €")], fonts()) == []


def test_emoji_greek_cyrillic_and_latin_extended_print_through_the_fallbacks():
    names = ["Orto condiviso 🌱 Vernavola", "Coro «Ελληνικά»", "Biblioteca Русский", "Ștefan Łukasz Gökhan Ő", "Tè ☕ e → ♻"]
    assert check_glyphs([entry(n) for n in names], fonts()) == []


def test_runs_keep_the_family_and_use_a_fallback_of_the_same_weight():
    bold = register_family("Titillium Web").bold
    assert split_runs("Orto 🌱 Coro «Ελληνικά» Ștefan", bold) == (
        ("TitilliumWeb-bold", "Orto "),
        ("NotoEmoji-bold", "🌱"),
        ("TitilliumWeb-bold", " Coro «"),
        ("NotoSans-bold", "Ελληνικά"),
        ("TitilliumWeb-bold", "» Ștefan"),
    )


def test_character_no_font_has_is_a_warning_naming_entry_field_and_character():
    (p,) = check_glyphs([entry("Orto 𐀀 condiviso")], fonts())
    assert p.level == "avviso"
    assert p.format() == (
        "voci.csv, riga 4, campo «nome», valore «Orto 𐀀 condiviso»: il carattere «𐀀» (U+10000 LINEAR B SYLLABLE "
        "B008 A) non è in nessuno dei caratteri tipografici disponibili: viene tolto dalla stampa. Se serve, "
        "sostituiscilo con lettere o con un simbolo comune."
    )


def test_private_use_characters_are_left_out_with_a_warning():
    (p,) = check_glyphs([entry("Orto", attivita="Orti \ue000 e \U000f0000 giardini")], fonts())
    assert p.field == "attivita"
    assert p.message.startswith("i caratteri «\ue000» (U+E000), «\U000f0000» (U+F0000) non sono in nessuno dei caratteri")
    assert "vengono tolti dalla stampa" in p.message


def test_arabic_and_devanagari_are_left_out_with_a_warning_about_the_script():
    (p,) = check_glyphs([entry("Gruppo نور الهدى Pavia")], fonts())
    assert p.format() == (
        "voci.csv, riga 4, campo «nome», valore «Gruppo نور الهدى Pavia»: i caratteri in scrittura araba "
        "(«نور الهدى») non si possono stampare: stampa non sa comporre le lettere legate né il testo da destra a "
        "sinistra, e li toglie dalla stampa. Scrivi il testo anche in lettere latine (traslitterato)."
    )
    (q,) = check_glyphs([entry("Yoga योग")], fonts())
    assert "i caratteri in scrittura devanagari («योग») non si possono stampare" in q.message


def test_a_name_with_no_letter_that_prints_is_an_error():
    """Left out of the print, it would leave the index with a number and no name."""
    (p,) = check_glyphs([entry("مركز ثقافي")], fonts())
    assert p.level == "errore"
    assert p.format() == (
        "voci.csv, riga 4, campo «nome», valore «مركز ثقافي»: nessuna lettera del nome si può stampare (una scrittura "
        "che stampa non sa comporre, o caratteri che nessun carattere tipografico ha): nell'elenco la voce avrebbe un "
        "numero senza nome. Scrivi il nome in lettere latine (traslitterato), da solo o accanto all'originale."
    )


def test_invisible_joiners_and_selectors_are_not_reported():
    assert check_glyphs([entry("Famiglie 👨‍👩‍👧 e ❤️ cuore")], fonts()) == []
    assert unprintable(register_family("Atkinson Hyperlegible").regular, "❤️\u200d") == set()


def test_accents_typed_as_combining_marks_print_as_the_accented_letter():
    regular = register_family("Atkinson Hyperlegible").regular
    assert split_runs("Caffe\u0300 citta\u0300", regular) == (("AtkinsonHyperlegible-regular", "Caffè città"),)
    assert check_glyphs([entry("Caffe\u0300 e Ş\u0327")], fonts()) == []
