"""What the sub-commands share: the consoles, JSON output, the local Neo4j, the store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from graph.localdb.server import LocalNeo4j
from graph.runtime import open_runtime
from graph.settings import Settings
from graph.store.repository import Neo4jStore

__all__ = ["err", "local_neo4j", "no_local_db_when_uri", "open_store", "out", "print_json"]

err = Console(stderr=True)
out = Console()


def print_json(data: object) -> None:
    print(json.dumps(data, indent=2, default=str))


def local_neo4j(settings: Settings) -> LocalNeo4j:
    return LocalNeo4j(settings, progress=lambda msg: err.print(f"[dim]{msg}[/dim]"))


@contextmanager
def open_store(settings: Settings) -> Iterator[Neo4jStore]:
    """The store of the configured database, its driver closed at the end; no schema
    migration (the commands that migrate say so)."""
    with open_runtime(settings, migrate=False) as runtime:
        yield runtime.store


def no_local_db_when_uri(settings: Settings, action: str) -> bool:
    if not settings.uses_local_db:
        err.print(
            f"NEO4J_URI is set ({settings.neo4j_uri}): idgraph does not {action} a server "
            "it does not manage."
        )
        return True
    return False
