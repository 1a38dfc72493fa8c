"""The layout's rules, checked on the source text (``ast``; nothing here imports the code
it checks, except the store's two classes whose access declarations are compared).

- Pure modules (:data:`PURE`) import neither the driver, nor FastAPI, nor ``graph.store``,
  directly or through the graph modules they import.
- ``graph/`` never imports ``api``, ``idgraph`` or FastAPI; ``api/`` never imports
  ``graph.lab``.
- ``api/`` and ``idgraph/`` import from ``graph.*`` only what the module lists in its
  ``__all__``.
- Every public method of the store declares whether it reads or writes, the same way in
  the protocol and in ``Neo4jStore``; nothing outside ``graph/store/`` opens a session or
  makes a driver.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

PURE = [
    "graph/errors.py",
    "graph/model/",
    "graph/access/keys.py",
    "graph/ingest/rows.py",
    "graph/ingest/outcomes.py",
    "graph/identity/rules.py",
    "graph/identity/ties.py",
    "graph/fraud/rings.py",
    "graph/fraud/bots.py",
    "graph/fraud/risk.py",
    "graph/fraud/signals.py",
    "graph/fraud/model.py",
    "graph/influence/cascade.py",
    "graph/explore/subgraph.py",
    "graph/analyst/gate.py",
    "graph/lab/",
]
"""Pure modules (a path ending in ``/`` is every module of that package): no I/O, no
database, testable without Neo4j. Entries whose file does not exist yet are skipped."""

IMPURE = ("neo4j", "graphdatascience", "fastapi", "graph.store")
"""What a pure module may not import."""

SCANNED = ("graph", "api", "idgraph")
"""The packages whose imports are checked (tests and bench are exempt)."""


# --- reading the sources ---------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """One imported module (``import m`` or ``from m import names``) at a line."""

    path: Path
    line: int
    module: str
    names: tuple[str, ...] = ()
    """The names of ``from m import a, b``; empty for ``import m``."""
    asname: str | None = None
    """The local name of ``import m as x`` (to follow ``x.attr``)."""

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _module_file(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports(path: Path) -> list[Import]:
    """Every import of the file, at any depth (inside functions too)."""
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(path, node.lineno, alias.name, (), alias.asname))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            names = tuple(a.name for a in node.names)
            found.append(Import(path, node.lineno, module, names))
    return found


def _is_under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _pure_entries() -> list[Path]:
    out: list[Path] = []
    for entry in PURE:
        if entry.endswith("/"):
            out.extend(sorted((ROOT / entry).glob("*.py")))
        elif (ROOT / entry).is_file():
            out.append(ROOT / entry)
    return out


def _all_of(path: Path) -> set[str] | None:
    """The names of the module's ``__all__`` (None without one).

    Reads ``__all__ = [...]`` (or a tuple, or ``sorted(X)`` of a module-level literal)
    and ``__all__ += [...]``.
    """
    tree = _tree(path)
    literals: dict[str, ast.expr] = {}
    names: set[str] | None = None

    def strings(node: ast.expr) -> set[str]:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            if node.func.id in {"sorted", "list", "tuple", "set"} and len(node.args) == 1:
                return strings(node.args[0])
        if isinstance(node, ast.Name) and node.id in literals:
            return strings(literals[node.id])
        if isinstance(node, ast.Dict):
            node = ast.List(elts=[k for k in node.keys if k is not None])
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            out = set()
            for elt in node.elts:
                if not (isinstance(elt, ast.Constant) and isinstance(elt.value, str)):
                    break
                out.add(elt.value)
            else:
                return out
        raise AssertionError(
            f"{path.relative_to(ROOT)}:{node.lineno}: __all__ is not a literal list of names"
        )

    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and node.value is not None:
                    if target.id == "__all__":
                        names = strings(node.value)
                    else:
                        literals[target.id] = node.value
        elif (
            isinstance(node, ast.AugAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == "__all__"
        ):
            names = (names or set()) | strings(node.value)
    return names


def _graph_closure(path: Path) -> dict[Path, list[Import]]:
    """Every graph module that importing ``path`` loads (packages' ``__init__`` too), each
    with the chain of imports that leads to it."""
    chains: dict[Path, list[Import]] = {path: []}
    todo = [path]
    parts = _module_name(path).split(".")
    for n in range(1, len(parts)):  # its own packages load first
        package = ".".join(parts[:n])
        file = _module_file(package)
        if file is not None and file not in chains:
            chains[file] = [Import(path, 1, package)]
            todo.append(file)
    while todo:
        current = todo.pop()
        for imp in _imports(current):
            if not _is_under(imp.module, "graph"):
                continue
            targets = [imp.module]
            parts = imp.module.split(".")
            targets += [".".join(parts[:n]) for n in range(1, len(parts))]  # packages
            targets += [f"{imp.module}.{name}" for name in imp.names]  # submodules
            for target in targets:
                file = _module_file(target)
                if file is not None and file not in chains:
                    chains[file] = [*chains[current], imp]
                    todo.append(file)
    return chains


# --- pure modules ------------------------------------------------------------------------


def test_the_list_of_pure_modules_is_not_empty() -> None:
    assert _pure_entries(), f"none of the pure modules exists: {PURE}"


@pytest.mark.parametrize("entry", PURE)
def test_pure_modules_import_no_driver_fastapi_or_store(entry: str) -> None:
    files = sorted((ROOT / entry).glob("*.py")) if entry.endswith("/") else [ROOT / entry]
    files = [f for f in files if f.is_file()]
    if not files:
        pytest.skip(f"{entry} does not exist (yet)")
    bad = [
        f"{imp.where()}: imports {imp.module}"
        for file in files
        for imp in _imports(file)
        if any(_is_under(imp.module, m) for m in IMPURE)
    ]
    assert not bad, "a pure module imports I/O:\n" + "\n".join(bad)


@pytest.mark.parametrize("entry", PURE)
def test_pure_modules_do_not_reach_the_driver_through_other_modules(entry: str) -> None:
    files = sorted((ROOT / entry).glob("*.py")) if entry.endswith("/") else [ROOT / entry]
    files = [f for f in files if f.is_file()]
    if not files:
        pytest.skip(f"{entry} does not exist (yet)")
    bad = []
    for file in files:
        for reached, chain in _graph_closure(file).items():
            if not chain:
                continue  # the module itself: the test above
            via = " -> ".join(f"{i.where()} ({i.module})" for i in chain)
            if any(_is_under(_module_name(reached), m) for m in IMPURE):
                bad.append(f"{file.relative_to(ROOT)} loads {_module_name(reached)} via {via}")
            for imp in _imports(reached):
                if any(_is_under(imp.module, m) for m in IMPURE):
                    bad.append(f"{file.relative_to(ROOT)} via {via}: {imp.where()} {imp.module}")
    assert not bad, "a pure module loads I/O through another module:\n" + "\n".join(bad)


def test_graph_never_imports_fastapi_api_or_the_cli() -> None:
    bad = [
        f"{imp.where()}: imports {imp.module}"
        for file in _files("graph")
        for imp in _imports(file)
        if any(_is_under(imp.module, m) for m in ("fastapi", "starlette", "api", "idgraph"))
    ]
    assert not bad, "\n".join(bad)


def test_api_never_imports_the_lab() -> None:
    bad = []
    for file in _files("api"):
        for imp in _imports(file):
            reached = [imp.module, *(f"{imp.module}.{n}" for n in imp.names)]
            if any(_is_under(m, "graph.lab") for m in reached):
                bad.append(f"{imp.where()}: imports {imp.module} {list(imp.names)}")
    assert not bad, "\n".join(bad)


# --- the public surface of graph/ -------------------------------------------------------


def _surface_violations(file: Path) -> list[str]:
    bad: list[str] = []
    aliases: dict[str, tuple[str, Path, Import]] = {}  # local name -> graph module
    for imp in _imports(file):
        if not _is_under(imp.module, "graph"):
            continue
        target = _module_file(imp.module)
        if target is None:
            bad.append(f"{imp.where()}: {imp.module} does not exist")
            continue
        if not imp.names:
            if imp.asname:
                aliases[imp.asname] = (imp.module, target, imp)
            continue
        exported = _all_of(target)
        for name in imp.names:
            sub = _module_file(f"{imp.module}.{name}")
            if sub is not None and (exported is None or name not in exported):
                aliases[name] = (f"{imp.module}.{name}", sub, imp)  # a module: check its uses
            elif exported is None:
                bad.append(f"{imp.where()}: {imp.module} has no __all__ (importing {name})")
            elif name not in exported:
                bad.append(f"{imp.where()}: {name} is not in {imp.module}.__all__")
    for node in ast.walk(_tree(file)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            module, target, imp = aliases[node.value.id]
            exported = _all_of(target)
            where = f"{file.relative_to(ROOT)}:{node.lineno}"
            if exported is None:
                bad.append(f"{where}: {module} has no __all__ (using {node.attr})")
            elif node.attr not in exported and _module_file(f"{module}.{node.attr}") is None:
                bad.append(f"{where}: {node.attr} is not in {module}.__all__")
    return sorted(set(bad))


@pytest.mark.parametrize("package", ["api", "idgraph"])
def test_api_and_cli_import_only_what_graph_exports(package: str) -> None:
    bad = [v for file in _files(package) for v in _surface_violations(file)]
    assert not bad, f"{package}/ uses graph names that are not exported:\n" + "\n".join(bad)


# --- the store ---------------------------------------------------------------------------


def _public_methods(cls: type) -> dict[str, Callable[..., Any]]:
    return {
        name: member
        for name, member in vars(cls).items()
        if not name.startswith("_") and inspect.isfunction(member)
    }


def test_every_store_method_declares_its_access_and_both_sides_agree() -> None:
    from graph.store.gateway import GraphStore, access_of
    from graph.store.repository import Neo4jStore

    protocol = _public_methods(GraphStore)
    store = _public_methods(Neo4jStore)
    bad = [f"GraphStore.{n} declares no access" for n, m in protocol.items() if not access_of(m)]
    bad += [f"Neo4jStore.{n} declares no access" for n, m in store.items() if not access_of(m)]
    bad += [f"Neo4jStore lacks GraphStore.{n}" for n in protocol if n not in store]
    bad += [
        f"{n}: GraphStore says {access_of(protocol[n])}, Neo4jStore {access_of(store[n])}"
        for n in protocol.keys() & store.keys()
        if access_of(protocol[n]) is not access_of(store[n])
    ]
    assert protocol, "GraphStore has no public method"
    assert not bad, "\n".join(sorted(bad))


def test_only_the_store_opens_sessions_or_makes_drivers() -> None:
    bad = []
    for file in _files(*SCANNED):
        if file.is_relative_to(ROOT / "graph" / "store"):
            continue
        where = file.relative_to(ROOT)
        for imp in _imports(file):
            if "GraphDatabase" in imp.names or _is_under(imp.module, "neo4j.GraphDatabase"):
                bad.append(f"{where}:{imp.line}: imports GraphDatabase")
        for node in ast.walk(_tree(file)):
            if isinstance(node, ast.Attribute) and node.attr == "GraphDatabase":
                bad.append(f"{where}:{node.lineno}: uses {ast.unparse(node)}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "session"
            ):
                bad.append(f"{where}:{node.lineno}: calls {ast.unparse(node.func)}(...)")
    assert not bad, "outside graph/store:\n" + "\n".join(bad)
