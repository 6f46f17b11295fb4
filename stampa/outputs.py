"""Writing output files atomically: a temp file in the same folder, then a rename.

An interrupted or failed build never leaves a half-written file under its final name, and the
previous good file stays until the new one is complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Iterator

from .problems import StampaError, error


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``final``; on success it replaces ``final`` in one rename."""
    final = Path(final)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
        os.close(fd)
    except OSError as exc:
        raise StampaError(output_error(final.parent, exc)) from None
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, final)
    except OSError as exc:
        tmp_path.unlink(missing_ok=True)
        raise StampaError(output_error(final, exc)) from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


# What atomic_path's temp files look like: ".<final name>.<8 random characters>.tmp".
_TEMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete the temp files a killed build left in ``folder`` and its subfolders; return them.

    Call it only while holding the folder's build lock: a running build's temp files look the same.
    """
    removed = []
    folder = Path(folder)
    if not folder.is_dir():
        return removed
    for path in sorted(folder.rglob(".*.tmp")):
        if _TEMP_NAME.match(path.name) and path.is_file() and not path.is_symlink():
            try:
                path.unlink()
            except OSError:
                continue  # a read-only folder is reported by the first real write
            removed.append(path)
    return removed


def write_bytes(final: Path, data: bytes) -> Path:
    with atomic_path(final) as tmp:
        try:
            tmp.write_bytes(data)
        except OSError as exc:
            raise StampaError(output_error(final, exc)) from None
    return final


def write_text(final: Path, text: str) -> Path:
    return write_bytes(final, text.encode("utf-8"))


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def output_error(path: Path, exc: OSError):
    import errno

    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "la cartella di uscita è in sola lettura o senza permessi: scegli un'altra cartella con --out"
    elif exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "il disco è pieno: libera spazio o scegli un'altra cartella con --out"
    elif exc.errno in (errno.EEXIST, errno.ENOTDIR):
        why = "al posto della cartella di uscita (o di una sua sottocartella) c'è un file: scegli un'altra cartella con --out"
    else:
        why = f"impossibile scrivere ({exc.strerror or exc})"
    return error(why + ".", file=str(path))
