"""Links and annotations. A print file must have none (links are useless on paper and some RIPs
print or choke on annotations; form fields are refused). A digital file should have clickable
links, and only to web addresses, email and phone numbers: never a script or a local file."""

from __future__ import annotations

import pikepdf

from ..problems import ERROR, WARNING
from ..urls import url_problem
from .document import PdfFile
from .model import Finding, finding

LINK_SCHEMES = ("http", "https", "mailto", "tel")
IGNORED = {"/PrinterMark"}  # printer's marks are meant for the shop


def _annotations(page: pikepdf.Page) -> list[pikepdf.Dictionary]:
    annots = page.obj.get("/Annots")
    if annots is None:
        return []
    return [a for a in annots if isinstance(a, pikepdf.Dictionary) and str(a.get("/Subtype", "")) not in IGNORED]


def check_links(doc: PdfFile) -> list[Finding]:
    return _print(doc) if doc.spec.is_print else _digital(doc)


def _print(doc: PdfFile) -> list[Finding]:
    spec = doc.spec
    out = []
    for number, page in enumerate(doc.pike.pages, start=1):
        annots = _annotations(page)
        if annots:
            kinds = sorted({str(a.get("/Subtype", "?")).lstrip("/") for a in annots})
            what = "1 annotazione" if len(annots) == 1 else f"{len(annots)} annotazioni"
            out.append(
                finding(
                    ERROR, "annotazioni", "collegamenti o annotazioni nel file di stampa", spec, number,
                    found=f"{what} ({', '.join(kinds)})", expected="nessuna annotazione",
                    fix="I collegamenti vanno solo nel file «digitale»: consegna alla tipografia il file «stampa» "
                    "ricostruito con «stampa edizione».",
                )
            )
    if "/AcroForm" in doc.pike.Root:
        fields = doc.pike.Root.AcroForm.get("/Fields")
        if fields is not None and len(fields) > 0:
            out.append(
                finding(ERROR, "annotazioni", "campi di modulo nel file di stampa", spec,
                        found="1 campo" if len(fields) == 1 else f"{len(fields)} campi", expected="nessun campo",
                        fix="Il file di stampa non deve contenere moduli compilabili: ricostruiscilo con «stampa edizione».")
            )
    return out


def link_target(annot: pikepdf.Dictionary) -> tuple[str, str] | None:
    """(kind, target) of a link annotation: ('uri', url), ('interno', ''), or ('azione', name)."""
    action = annot.get("/A")
    if action is None:
        return ("interno", "") if "/Dest" in annot else None
    kind = str(action.get("/S", ""))
    if kind == "/URI":
        return ("uri", str(action.get("/URI", "")))
    if kind in ("/GoTo",):
        return ("interno", "")
    return ("azione", kind.lstrip("/"))


def _digital(doc: PdfFile) -> list[Finding]:
    spec = doc.spec
    out = []
    links = 0
    for number, page in enumerate(doc.pike.pages, start=1):
        for annot in _annotations(page):
            if str(annot.get("/Subtype", "")) != "/Link":
                continue
            target = link_target(annot)
            if target is None:
                continue
            kind, value = target
            if kind == "uri":
                links += 1
                if url_problem(value, LINK_SCHEMES):
                    out.append(_bad_link(doc, number, value))
            elif kind == "azione":
                out.append(_bad_link(doc, number, f"azione {value}"))
    if links == 0 and spec.links_expected is not False:
        out.append(
            finding(
                WARNING, "collegamenti", "nessun collegamento cliccabile nel file digitale", spec,
                found="nessun collegamento", expected="siti, email e telefoni cliccabili",
                fix="Il file digitale dovrebbe avere collegamenti: ricostruiscilo con «stampa edizione».",
            )
        )
    return out


def _bad_link(doc: PdfFile, page: int, value: str) -> Finding:
    return finding(
        ERROR, "collegamenti", "collegamento non ammesso", doc.spec, page,
        found=value[:80], expected="solo http, https, mailto o tel",
        fix="Correggi il sito, l'email o il telefono della voce nei dati e ricostruisci il file.",
    )
