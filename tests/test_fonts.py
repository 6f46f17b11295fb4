"""Families dropped in fonts/: found by their own names, refused when they may not or cannot be
embedded, and reported with the configuration key when missing."""

from __future__ import annotations

import fontpkg
import pytest
from reportlab.pdfbase import pdfmetrics

from fonts_support import cff_font, renamed_copy
from stampa.entries.model import Entry, Origin
from stampa.glyphs import check_glyphs
from stampa.printing.fonts import register_family
from stampa.problems import StampaError


def _messages(exc: pytest.ExceptionInfo) -> list[str]:
    return [p.format() for p in exc.value.problems]


def test_family_in_fonts_folder_is_matched_by_its_own_names(tmp_path):
    fonts = tmp_path / "fonts"
    renamed_copy(fonts / "uno.ttf", "Prova Locale")
    renamed_copy(fonts / "due.ttf", "Prova Locale", 700)
    renamed_copy(fonts / "tre.ttf", "Prova Locale", 400, "italic")
    (fonts / "leggimi.txt").write_text("non un carattere")
    fs = register_family("prova locale", fonts, "mappa.carattere_testo")
    assert fs.folder == str(fonts)
    files = {v: pdfmetrics.getFont(getattr(fs, v)).face.filename for v in ("regular", "bold", "italic", "bolditalic")}
    assert files == {"regular": str(fonts / "uno.ttf"), "bold": str(fonts / "due.ttf"), "italic": str(fonts / "tre.ttf"),
                     "bolditalic": str(fonts / "due.ttf")}
    # never mistaken for the packaged family the copies come from
    assert fs.regular != register_family("Atkinson Hyperlegible").regular


def test_font_whose_licence_forbids_embedding_is_refused(tmp_path):
    path = renamed_copy(tmp_path / "fonts" / "Riservato.ttf", "Prova Riservata", fs_type=0x0002)
    with pytest.raises(StampaError) as exc:
        register_family("Prova Riservata", tmp_path / "fonts", "mappa.carattere_titoli")
    assert _messages(exc) == [
        f"{path}, chiave «mappa.carattere_titoli»: il carattere «Prova Riservata» non si può usare: la licenza del "
        "carattere vieta di incorporarlo nei documenti (fsType 0x0002, «restricted license»): la tipografia non potrebbe "
        "stamparlo. Usa un carattere con licenza libera (per esempio OFL, come quelli di Google Fonts) o chiedi al "
        "produttore una versione incorporabile."
    ]


def test_restricted_bit_with_print_permission_is_accepted(tmp_path):
    renamed_copy(tmp_path / "fonts" / "Stampabile.ttf", "Prova Stampabile", fs_type=0x0006)
    assert register_family("Prova Stampabile", tmp_path / "fonts").folder == str(tmp_path / "fonts")


def test_otf_with_postscript_outlines_is_refused(tmp_path):
    path = cff_font(tmp_path / "fonts" / "ProvaCFF.otf")
    with pytest.raises(StampaError) as exc:
        register_family("Prova CFF", tmp_path / "fonts", "manifesto.carattere_testo")
    assert _messages(exc) == [
        f"{path}, chiave «manifesto.carattere_testo»: il carattere «Prova CFF» non si può usare: è un OTF con contorni "
        "PostScript (CFF), che non si possono incorporare nel PDF: usa la versione TTF dello stesso carattere (il "
        "produttore o Google Fonts la forniscono di solito)."
    ]


def test_unknown_family_names_the_key_the_value_and_what_there_is(tmp_path):
    renamed_copy(tmp_path / "fonts" / "x.ttf", "Prova Presente")
    with pytest.raises(StampaError) as exc:
        register_family("Garamondo", tmp_path / "fonts", "mappa.carattere_testo")
    packaged = sorted(fontpkg.family(s).name for s in fontpkg.families())
    available = ", ".join(sorted(set(packaged) | {"Prova Presente"}))
    assert _messages(exc) == [
        f"chiave «mappa.carattere_testo», valore «Garamondo»: il carattere «Garamondo» non è tra quelli installati "
        f"né nella cartella {tmp_path / 'fonts'}. Caratteri disponibili: {available}. Scrivi uno di questi nomi, "
        "oppure metti i file TTF della famiglia (normale, grassetto, corsivo) nella cartella fonts/ accanto a "
        "stampa.toml."
    ]


def test_family_from_fonts_lacking_letters_of_the_edition_is_a_warning_listing_entries(tmp_path):
    renamed_copy(tmp_path / "fonts" / "x.ttf", "Prova Latina")
    fs = register_family("Prova Latina", tmp_path / "fonts")
    entries = [
        Entry(id=f"V{i}", nome=nome, tipo="gruppo", comune="Pavia", istat="018110", lon=9.15, lat=45.18, origin=Origin("voci.csv", row=i))
        for i, nome in ((2, "Coro Ελληνικά"), (3, "Orto comune"), (4, "Biblioteca Русский"))
    ]
    (p,) = check_glyphs(entries, [fs])
    assert p.level == "avviso"
    assert p.format() == (
        "voci.csv: il carattere «Prova Latina» della cartella fonts/ non ha «Ε», «ά», «η», «ι», «κ», «λ», «ν», «Р», "
        "«и», «й», «к», «с», «у»: in riga 2 «Coro Ελληνικά», riga 4 «Biblioteca Русский» si stampano con Noto Sans "
        "o con un carattere di simboli, che hanno un disegno diverso. Se non va bene, scegli un carattere che abbia "
        "anche queste lettere."
    )


def test_variable_font_in_fonts_folder_prints_bold_in_bold(tmp_path):
    import manimgx_fonts
    from fontTools.ttLib import TTFont
    from pathlib import Path

    variable = Path(manimgx_fonts.__file__).with_name("NotoSansSymbols[wght].ttf")
    renamed_copy(tmp_path / "fonts" / "variabile.ttf", "Prova Variabile", path=variable)
    fs = register_family("Prova Variabile", tmp_path / "fonts")
    regular = pdfmetrics.getFont(fs.regular).face.filename
    bold = pdfmetrics.getFont(fs.bold).face.filename
    assert regular == str(tmp_path / "fonts" / "variabile.ttf")
    assert bold != regular
    instance = TTFont(bold)
    assert instance["OS/2"].usWeightClass == 700 and "fvar" not in instance
