"""The catalog of Cypher texts: ``.cypher`` files in the ``cypher`` package, by name.

A query's name is its path below ``cypher/`` without the suffix, e.g.
``"ingest/write_batch"``. Texts are read once through ``importlib.resources``.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from importlib.resources.abc import Traversable

__all__ = ["all_query_names", "query", "schema_migrations", "split_statements"]

_PACKAGE = "cypher"


def _root() -> Traversable:
    return importlib.resources.files(_PACKAGE)


@cache
def query(name: str) -> str:
    """The text of the query ``name`` (e.g. ``"identity/resolve/lookup_identifiers"``).

    Raises:
        KeyError: no such file in the catalog.
    """
    path = _root()
    parts = name.split("/")
    for part in parts[:-1]:
        path = path.joinpath(part)
    path = path.joinpath(parts[-1] + ".cypher")
    if not path.is_file():
        raise KeyError(f"no Cypher file named {name!r}")
    return path.read_text(encoding="utf-8")


def _walk(node: Traversable, prefix: str) -> list[str]:
    names: list[str] = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.is_dir() and not child.name.startswith(("_", ".")):
            names.extend(_walk(child, f"{prefix}{child.name}/"))
        elif child.name.endswith(".cypher"):
            names.append(prefix + child.name.removesuffix(".cypher"))
    return names


def all_query_names() -> list[str]:
    """Every Cypher file of the catalog, by name, sorted."""
    return _walk(_root(), "")


def schema_migrations() -> list[tuple[str, list[str]]]:
    """The schema migrations in order: (name, statements)."""
    names = [n for n in all_query_names() if n.startswith("schema/")]
    return [(n.removeprefix("schema/"), split_statements(query(n))) for n in sorted(names)]


def split_statements(text: str) -> list[str]:
    """Split a file of several statements on semicolons at line ends, dropping comments."""
    statements: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("//") or not stripped:
            continue
        current.append(line)
        if stripped.endswith(";"):
            statements.append("\n".join(current).rstrip().removesuffix(";"))
            current = []
    if current:
        statements.append("\n".join(current))
    return statements
