"""stampa: the Mappa dei Laboratori Sociali and the manifesto, from a data file to print-ready PDFs."""

__version__ = "0.1.0"
