"""The package's import graph is a DAG: no module imports itself back through others.

Every import statement counts, wherever it stands (module level, inside a function, under
``if TYPE_CHECKING``): a lazy import only hides a loop until someone moves it to the top.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import stampa

PACKAGE_DIR = Path(stampa.__file__).parent


def module_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module name → the package's modules it imports (``from pkg import mod`` names the module,
    ``from pkg.mod import name`` the module, ``from pkg import name`` the package itself)."""
    top = package_dir.name
    files: dict[str, Path] = {}
    for path in package_dir.rglob("*.py"):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.split(".")[0] == top)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    here = name.split(".") if is_package else name.split(".")[:-1]
                    here = here[: len(here) - (node.level - 1)]
                    base = ".".join(here + ([base] if base else []))
                if base.split(".")[0] != top:
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.add(sub if sub in files else base)
        graph[name] = {t for t in targets if t in files and t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (the modules in order, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_stampa_has_no_import_cycle():
    cycle = find_cycle(module_graph(PACKAGE_DIR))
    assert cycle is None, "import circolare: " + " → ".join(cycle or [])


def test_a_cycle_through_a_lazy_import_is_found(tmp_path):
    """The detector itself: the loop the preflight had (document imports textlayer inside a
    method, textlayer imports document for Rect) is caught; without it the graph is clean."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "geometry.py").write_text("class Rect: ...\n")
    (pkg / "sub" / "document.py").write_text("def text():\n    from .textlayer import read\n    return read()\n")
    (pkg / "sub" / "textlayer.py").write_text("from .document import Rect\n\ndef read(): ...\n")
    assert find_cycle(module_graph(pkg)) == ["pkg.sub.document", "pkg.sub.textlayer", "pkg.sub.document"]
    (pkg / "sub" / "textlayer.py").write_text("from pkg.sub.geometry import Rect\n\ndef read(): ...\n")
    assert find_cycle(module_graph(pkg)) is None


def test_the_spec_is_a_leaf_and_products_do_not_import_the_preflight():
    """Products write the spec and the preflight reads it: the spec imports neither, and no
    product reaches up into the preflight (nor the preflight into the products)."""
    graph = module_graph(PACKAGE_DIR)
    assert graph["stampa.printspec"] == set()
    assert graph["stampa.preflight.geometry"] == set()
    for name, targets in graph.items():
        if name.startswith("stampa.products"):
            assert not {t for t in targets if t.startswith("stampa.preflight")}, name
        if name.startswith("stampa.preflight"):
            assert not {t for t in targets if t.startswith("stampa.products")}, name


@pytest.mark.lento
def test_every_preflight_module_imports_alone():
    """Each module of the preflight, and the spec, imported first in a fresh interpreter."""
    names = sorted(n for n in module_graph(PACKAGE_DIR) if n.startswith("stampa.preflight") or n == "stampa.printspec")
    code = "import importlib, sys; importlib.import_module(sys.argv[1])"
    failed = {}
    for name in names:
        done = subprocess.run([sys.executable, "-c", code, name], capture_output=True, text=True, cwd=PACKAGE_DIR.parent, check=False)
        if done.returncode:
            failed[name] = done.stderr.strip().splitlines()[-1:]
    assert failed == {}
