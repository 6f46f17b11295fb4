"""The digital version of the Mappa: an interactive page for screens (`out/web/index.html`)."""

from .page import PAGE, WEB_DIR, build_web, render_page

__all__ = ["PAGE", "WEB_DIR", "build_web", "render_page"]
