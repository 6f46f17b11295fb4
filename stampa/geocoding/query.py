"""An address as staff type it → the structured query a Nominatim-compatible service expects.

Italian abbreviations are spelled out (P.zza → Piazza, P.le → Piazzale, V.le → Viale, C.so → Corso,
Str. → Strada, L.go → Largo, V.lo → Vicolo, V. → Via when a name follows); apostrophes and accents
are kept as typed («Via Sant'Ennodio»). A frazione or località («Fraz. Fossarmato, Via Roma 3», «Loc.
Cascina Rossa») is a place, not the street: kept apart (see :meth:`Address.params`). «snc» (senza numero civico) is taken off, «12 bis» kept
whole. The house number is moved in front of the street, as
Nominatim's structured ``street`` parameter asks (``<housenumber> <streetname>``). A comune
written at the end of the address («Piazzale Torino 40, 27100 Pavia») is recognised and taken off.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..district import name_key

COUNTRY = "Italia"
COUNTRY_CODE = "it"

# (pattern at the start of the address, what it stands for). Each pattern must be followed by a
# dot or a space and then the name, so "Piazza", "Viale", "Corso" written in full never match.
_ABBREVIATIONS = [
    (r"p\.?\s?zz?a", "Piazza"),
    (r"p\.?\s?le", "Piazzale"),
    (r"v\.?\s?le", "Viale"),
    (r"v\.?\s?lo", "Vicolo"),
    (r"c\.?\s?so", "Corso"),
    (r"l\.?\s?go", "Largo"),
    (r"str", "Strada"),
    (r"v", "Via"),
]
_ABBREV_RE = [
    (re.compile(rf"^{pat}(?:\.\s*|\s+)(?=[^\W\d_]|\d)" if name != "Via" else rf"^{pat}\.\s*(?=[^\W\d_])", re.I), name)
    for pat, name in _ABBREVIATIONS
]
# Only abbreviations written with a dot count for the short ones ("Str", "V"): "Str Nuova" is rare,
# "V Roma" could be a typo of anything.
_NEEDS_DOT = {"Strada", "Via"}

_NUMBER = re.compile(
    r"^(?P<street>.*?\S)[\s,]+(?:n\.?\s*|n°\s*|nr\.?\s*|civ\.?\s*)?"
    r"(?P<number>\d{1,4}(?:\s?(?:bis|ter|quater)\b|\s?[a-z])?(?:\s?/\s?[a-z0-9]{1,3})?)$",
    re.IGNORECASE,
)
_SUFFIX = re.compile(r"(?<=\d)\s?(bis|ter|quater)\b", re.IGNORECASE)  # «12 bis»: the way OpenStreetMap writes it
# «snc», «s.n.c.», «s.n.», «senza numero civico»: an address with no house number (common for
# cascine and public buildings). Taken off: the street alone is asked for.
_NO_NUMBER = re.compile(r"[\s,]+(?:s\.?\s?n\.?\s?c\.?|s\.\s?n\.?|senza\s+numero(?:\s+civico)?)$", re.IGNORECASE)
_CAP = re.compile(r"^\d{5}\s+")
# «Fraz. Fossarmato», «Frazione Mirabello», «Loc. Cascina Rossa», «Località Boschetto»: a place of the
# comune, not a street. Before the street («Fraz. X, Via Roma 3», «Fraz. X - Via Roma 3») or after it.
_LOCALITY_WORD = r"(?:fraz(?:ione)?|loc(?:alit[aà])?)(?:\.\s*|\s+)"
_LOCALITY_FIRST = re.compile(rf"^{_LOCALITY_WORD}(?P<name>[^,;]+?)(?:\s*[,;]\s*|\s+[-–]\s+)(?P<rest>.+)$", re.IGNORECASE)
_LOCALITY_AFTER = re.compile(rf"^(?P<rest>.+?)(?:\s*[,;]\s*|\s+[-–]\s+){_LOCALITY_WORD}(?P<name>.+)$", re.IGNORECASE)
_LOCALITY_ONLY = re.compile(rf"^{_LOCALITY_WORD}(?P<name>.+)$", re.IGNORECASE)


def clean_spaces(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def expand_abbreviation(street: str) -> str:
    for pattern, name in _ABBREV_RE:
        m = pattern.match(street)
        if not m:
            continue
        if name in _NEEDS_DOT and "." not in m.group(0):
            continue
        return f"{name} {street[m.end():].lstrip()}"
    return street


@dataclass(frozen=True)
class Address:
    """What is asked for one entry: the address as typed, the comune (official spelling) and the
    structured query."""

    typed: str  # as in the entries file
    comune: str  # official ISTAT name of the comune searched in
    street: str  # spelled out, without the house number; "" for a frazione or località alone
    number: str  # "" when the address has none
    locality: str = ""  # the frazione or località written in the address («Fraz. Fossarmato»)

    @property
    def text(self) -> str:
        """Human-readable query, as the record shows it: «Piazzale Torino 40, Pavia»."""
        place = ", ".join(p for p in (f"{self.street} {self.number}".strip(), self.locality) if p)
        return f"{place}, {self.comune}"

    @property
    def key(self) -> tuple[str, str]:
        return address_key(self.typed, self.comune)

    def params(self, viewbox: tuple[float, float, float, float]) -> dict[str, str]:
        """Structured search parameters (Nominatim API): street, city, country; results limited to
        Italy and biased (not bounded) to the district's box. A frazione with a street is not sent
        (the structured query has no field for it: it picks among the answers, see
        :func:`~stampa.geocoding.answers.choose`); a frazione or località alone is a free-form query
        («Fossarmato, Pavia, Italia»: the structured «street» would look for a street of that name)."""
        west, south, east, north = viewbox
        if self.street:
            asked = {"street": f"{self.number} {self.street}".strip(), "city": self.comune, "country": COUNTRY}
        else:
            asked = {"q": f"{self.locality}, {self.comune}, {COUNTRY}"}
        return {
            **asked,
            "countrycodes": COUNTRY_CODE,
            "viewbox": f"{west:.4f},{north:.4f},{east:.4f},{south:.4f}",
            "bounded": "0",
            "format": "jsonv2",
            "addressdetails": "1",
            "limit": "5",
            "accept-language": "it",
        }


def address_key(typed: str, comune: str) -> tuple[str, str]:
    """How the record matches an entry: the address ignoring case and spacing, the comune as the
    district matches comune names («Travaco'», «TRAVACÒ SICCOMARIO» and «Travacò Siccomario» are one)."""
    return clean_spaces(typed).casefold(), name_key(comune)


def split_comune(typed: str, match_comune) -> tuple[str, str | None]:  # noqa: ANN001 - name → ISTAT code or None
    """«Piazzale Torino 40, 27100 Pavia» → («Piazzale Torino 40», code of Pavia). The last comma
    part is taken off only if it names a comune known to ``match_comune``."""
    text = clean_spaces(typed)
    if "," not in text:
        return text, None
    head, tail = text.rsplit(",", 1)
    tail = _CAP.sub("", tail.strip())
    tail = re.sub(r"\s*\(\s*pv\s*\)\s*$", "", tail, flags=re.I)
    code = match_comune(tail) if tail and not tail[0].isdigit() else None
    return (head.strip(), code) if code else (text, None)


def parse_address(typed: str, comune: str, street_part: str | None = None) -> Address:
    """The structured query for ``typed`` in ``comune`` (official name). ``street_part`` is the
    address without a trailing comune (see :func:`split_comune`), if already split."""
    text = clean_spaces(street_part if street_part is not None else typed)
    text, locality = split_locality(text)
    if not text:
        return Address(typed=typed.strip(), comune=comune, street="", number="", locality=locality)
    text = _NO_NUMBER.sub("", text) or text
    m = _NUMBER.match(text)
    street, number = (m.group("street").rstrip(" ,"), re.sub(r"\s+", "", m.group("number"))) if m else (text, "")
    number = _SUFFIX.sub(lambda s: " " + s.group(1).lower(), number)
    if m and not re.search(r"[^\W\d_]", street):  # "4 Novembre": the number is the street's name
        street, number = text, ""
    return Address(typed=typed.strip(), comune=comune, street=expand_abbreviation(street), number=number, locality=locality)


def split_locality(text: str) -> tuple[str, str]:
    """«Fraz. Fossarmato, Via Roma 3» → («Via Roma 3», «Fossarmato»); «Loc. Cascina Rossa» →
    («», «Cascina Rossa»); an address without a frazione or località → (itself, «»)."""
    for pattern in (_LOCALITY_FIRST, _LOCALITY_AFTER, _LOCALITY_ONLY):
        m = pattern.match(text)
        if m:
            return m.groupdict().get("rest", "").strip(" ,;-–"), m.group("name").strip(" ,;-–")
    return text, ""
