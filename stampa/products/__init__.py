"""Printed products (the Mappa, the manifesto): each composes the pieces of stampa.printing."""
