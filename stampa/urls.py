"""What counts as a usable web address, email and phone number.

Only http, https, mailto and tel ever reach a QR code or a link: a `javascript:` or `file:` address
typed into a spreadsheet must never become clickable in the digital PDF or the web page.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https", "mailto", "tel")

# Deliberately plain: one @, a dot in the domain, no spaces. Staff type addresses by hand;
# the aim is to catch typos ("nome@gmail", "nome gmail.com"), not to implement RFC 5322.
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ./-]{4,18}[0-9]$")
_HOST = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$")


def url_problem(url: str, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
    """Why ``url`` cannot be used (an Italian sentence), or None when it is fine."""
    if any(ch.isspace() for ch in url):
        return "un indirizzo web non può contenere spazi."
    try:
        parts = urlsplit(url)
    except ValueError:
        return "indirizzo web non valido."
    scheme = parts.scheme.lower()
    if not scheme:
        return "manca «https://» all'inizio dell'indirizzo."
    if scheme not in schemes:
        allowed = ", ".join(f"{s}:" for s in schemes)
        return f"tipo di indirizzo non ammesso ({scheme}:): sono ammessi solo {allowed}"
    if scheme in ("http", "https"):
        host = parts.hostname or ""
        if not host or not (_HOST.match(host) and ("." in host or host == "localhost")):
            return "l'indirizzo web non ha un dominio valido (es. https://www.esempio.it)."
    return None


def normalise_website(value: str) -> str:
    """A website as staff type it ("www.esempio.it") made into a URL ("https://www.esempio.it")."""
    value = value.strip()
    if value and "://" not in value and ":" not in value.split("/")[0]:
        return "https://" + value
    return value


def email_ok(value: str) -> bool:
    return bool(_EMAIL.match(value.strip()))


def phone_ok(value: str) -> bool:
    return bool(_PHONE.match(value.strip()))
