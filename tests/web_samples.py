"""Entries and configuration for the web page tests (positions inside the real district)."""

from __future__ import annotations

from pathlib import Path

from stampa.config import load_config
from stampa.district import load_district
from stampa.entries.model import Entry

ROOT = Path(__file__).resolve().parent.parent
EVIL = "<script>alert(1)</script>"


def config():
    return load_config(ROOT / "stampa.toml")


def district():
    return load_district(config().distretto)


def entries() -> list[Entry]:
    return [
        Entry("lab-1", "Spazio Q", "laboratorio", "Pavia", "018110", 9.1428, 45.1893, quartiere="Vallone",
              indirizzo="Piazzale Torino 40", ente="Cooperativa & Co.", attivita="Cene di quartiere, doposcuola",
              orari="martedì 17–19", telefono="0382 123456", email="spazioq@esempio.it", sito="www.esempio.it/spazio-q"),
        Entry("grp-1", "Spazio Gioco", "gruppo", "Pavia", "018110", 9.1585, 45.1862, quartiere="Centro storico",
              indirizzo="Corso Mazzini 14", attivita="Ludoteca dei genitori"),
        Entry("grp-2", EVIL, "gruppo", "Pavia", "018110", 9.1700, 45.2010, quartiere="Scala",
              attivita="<b>grassetto</b> & \"virgolette\"", sito="javascript:alert(2)", email="non-una-email"),
        Entry("lab-2", "In Scala", "laboratorio", "Pavia", "018110", 9.1640, 45.2040, quartiere="Scala"),
        Entry("lab-3", "Laboratorio di Travacò", "laboratorio", "Travacò Siccomario", "018162", 9.1620, 45.1480,
              sito="https://www.esempio.it/travaco"),
        Entry("grp-3", "Amici di Cava", "gruppo", "Cava Manara", "018041", 9.1090, 45.1400, telefono="+39 333 1234567"),
    ]
