"""The edition's entries (voci): reading any supported file, and checking each record."""
