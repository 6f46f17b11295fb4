"""The persistent tile cache: the tiles as the server sent them (PNG/JPEG bytes), one file each.

contextily's own cache lives in a temp dir deleted at exit and stores decoded arrays (262 KB per
tile); this one survives between runs, stores the compressed bytes (~10–60 KB per tile), and only
tiles that decoded correctly at the expected size (checked before storing, written atomically), so
a bad answer is never served again. Keys are the tile URL with secrets masked, so an API key never
lands on disk and changing it does not empty the cache.

Where: ``$STAMPA_CACHE`` if set (tests), else ``sfondo.cache``, else ``$XDG_CACHE_HOME/stampa/tessere``
or ``~/.cache/stampa/tessere``. Layout: ``<cache>/<16 hex of the URL template>/<z>/<x>/<y>`` plus
``fonte.txt`` naming the template, so a person can tell the folders apart and delete one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

CACHE_ENV = "STAMPA_CACHE"


def cache_dir(setting: str, root: Path) -> Path:
    env = os.environ.get(CACHE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    if setting.strip():
        path = Path(setting.strip()).expanduser()
        return path if path.is_absolute() else root / path
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "stampa" / "tessere"


class TileCache:
    """Tiles of one URL template. A cache that cannot be written is used read-only, silently:
    the build still works, it only downloads again next time."""

    def __init__(self, base: Path, public_url: str):
        self.folder = base / hashlib.sha256(public_url.encode("utf-8")).hexdigest()[:16]
        self.public_url = public_url
        self.writable = True

    def path(self, z: int, x: int, y: int) -> Path:
        return self.folder / str(z) / str(x) / str(y)

    def get(self, z: int, x: int, y: int) -> bytes | None:
        try:
            data = self.path(z, x, y).read_bytes()
        except OSError:
            return None
        return data or None

    def put(self, z: int, x: int, y: int, data: bytes) -> None:
        """Store a tile already validated by the caller (see tiles.validate)."""
        if not self.writable:
            return
        final = self.path(z, x, y)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            label = self.folder / "fonte.txt"
            if not label.exists():
                label.write_text(self.public_url + "\n", encoding="utf-8")
            fd, tmp = tempfile.mkstemp(prefix=".tile.", dir=final.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, final)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            self.writable = False

    def forget(self, z: int, x: int, y: int) -> None:
        try:
            self.path(z, x, y).unlink()
        except OSError:
            pass


class NoCache:
    """For tiles whose terms forbid keeping copies (CARTO): every build asks the server, and
    nothing is written to disk. Same interface as :class:`TileCache`."""

    def get(self, z: int, x: int, y: int) -> bytes | None:
        return None

    def put(self, z: int, x: int, y: int, data: bytes) -> None:
        return None

    def forget(self, z: int, x: int, y: int) -> None:
        return None
