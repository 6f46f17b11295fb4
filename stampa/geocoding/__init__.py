"""Geocoding: addresses of the entries → points, through a Nominatim-compatible service, with a
record (``dati/geocodifica.csv``) that is both the cache and the place where staff correct points.

One job per module: :mod:`.query` (an address as staff type it → a structured query),
:mod:`.client` (the HTTP client, within the public service's rules), :mod:`.turn` (one request at a
time from the whole machine), :mod:`.answers` (precision
of an answer and the choice among several), :mod:`.record` (the CSV record), :mod:`.stage` (the
stage: records without a position → records with one, or problems).
"""
