"""The pipeline's direction, held by a test since Python will not hold it: a module imports only
from its own stage or earlier ones (load -> model -> render -> write -> build -> front ends)."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "sitegen"

# Earlier entries may be imported by later ones, never the other way round.
LAYERS = [
    ("sitegen", "sitegen.diagnostics"),
    ("sitegen.model.types", "sitegen.model.slugs"),  # the vocabulary every stage speaks
    ("sitegen.load",),
    ("sitegen.model",),
    ("sitegen.render",),
    ("sitegen.write",),
    ("sitegen.cache", "sitegen.workers", "sitegen.build"),
    ("sitegen.serve", "sitegen.check", "sitegen.importers", "sitegen.scaffold"),
    ("sitegen.cli", "sitegen.__main__"),
]


def layer_of(module: str) -> int:
    best, best_length = None, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sitegen"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("sitegen"))
    return found


def test_imports_point_back_along_the_pipeline():
    backwards = []
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = module_name(path)
        for imported in imported_modules(path):
            if layer_of(imported) > layer_of(importer):
                backwards.append(f"{importer} imports {imported}")
    assert backwards == []
