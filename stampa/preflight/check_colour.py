"""Colour in print files: the shop prints CMYK. Vector colour set in RGB (``rg``/``RG`` or an RGB
colour space) is an error: the theme's colours are CMYK, so RGB vector colour means something
bypassed the theme, and text in RGB black prints as four-colour black with fringes. RGB raster
images (the basemap tiles are RGB by nature) are a warning: the RIP converts them, with a small
colour shift that is acceptable for a basemap or a photo."""

from __future__ import annotations

from ..problems import ERROR, WARNING
from .document import PdfFile
from .model import Finding, finding

FIX_VECTOR = (
    "Usa i colori del tema (layout/tema.toml, in CMYK) per testi e disegni; un elemento in RGB "
    "viene convertito dalla tipografia e il nero del testo diventa un nero in quadricromia."
)
FIX_RASTER = (
    "La tipografia converte l'immagine in CMYK e i colori cambiano un poco: per lo sfondo della mappa va bene; "
    "per un logo usa una versione CMYK o vettoriale."
)


def check_colour(doc: PdfFile) -> list[Finding]:
    spec = doc.spec
    if not spec.is_print:
        return []
    out = []
    for page, content in zip(doc.pages, doc.content):
        if content.rgb_ops:
            examples = ", ".join(f"«{e}»" for e in content.rgb_examples)
            what = "1 impostazione" if content.rgb_ops == 1 else f"{content.rgb_ops} impostazioni"
            out.append(
                finding(
                    ERROR, "colore", "colori RGB nel disegno vettoriale", spec, page.number,
                    found=f"{what} di colore RGB (es. {examples})",
                    expected="solo CMYK o scala di grigi", fix=FIX_VECTOR,
                )
            )
        rgb_images = sorted({i.name for i in content.images if i.colour == "rgb"})
        if rgb_images:
            out.append(
                finding(
                    WARNING, "colore", "immagine in RGB", spec, page.number,
                    found=f"{len(rgb_images)} immagini RGB ({', '.join(rgb_images[:3])})" if len(rgb_images) > 1
                    else f"1 immagine RGB ({rgb_images[0]})",
                    expected="immagini CMYK o in scala di grigi", fix=FIX_RASTER,
                )
            )
    return out
