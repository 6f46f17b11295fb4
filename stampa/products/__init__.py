"""The printed products: each composes the shared printing and cartography pieces."""
