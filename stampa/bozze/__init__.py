"""Proofs («bozze»): one page per entry for each organisation to confirm or correct (`stampa bozze`)."""
