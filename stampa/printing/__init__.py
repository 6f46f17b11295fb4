"""Pieces every printed product shares: fonts, theme colours, page geometry, typography, QR codes."""
