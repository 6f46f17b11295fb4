"""`stampa app`: a local web page for staff who do not use a terminal.

The same engine as the CLI (stampa.build, stampa.inputs, stampa.config), served on 127.0.0.1 only,
with a secret token per run. Small modules: security (token, CSRF, host), project (what the
browser may name on disk), tomledit (stampa.toml round trip), jobs (the build in a thread),
printshop (the sheet and the zip for the print shop), pages/ (one module per page), server (start
and stop).
"""
