"""What every benchmark needs around it: a Neo4j to measure on, and a log.

Not a benchmark itself (``make bench`` runs the ``bench/*.py`` files whose name
does not start with ``_``).
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from graph.localdb.server import LocalNeo4j
from graph.settings import Settings
from graph.store import admin
from graph.store.repository import Neo4jStore


def log(msg: str) -> None:
    """Progress on stderr, so stdout holds only the figures."""
    print(msg, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(home: Path, heap: str, pagecache: str) -> tuple[Settings, LocalNeo4j | None]:
    """The server of ``NEO4J_URI`` when set, else a throw-away local Neo4j in ``home``
    on free ports (the caller stops it: the second value)."""
    if os.environ.get("NEO4J_URI"):
        return Settings(), None
    local = LocalNeo4j(
        Settings.model_validate(
            {
                "db_dir": home,
                "bolt_port": free_port(),
                "http_port": free_port(),
                "heap": heap,
                "pagecache": pagecache,
                "NEO4J_URI": None,
                "NEO4J_PASSWORD": None,
            }
        ),
        progress=log,
    )
    local.start()
    settings = Settings.model_validate(
        {"NEO4J_URI": local.bolt_uri, "NEO4J_PASSWORD": local.password()}
    )
    return settings, local


def require_empty(repo: Neo4jStore) -> None:
    """Benchmarks wipe the database: refuse one holding data unless told it may go."""
    if admin.counts(repo).get("events", 0) and os.environ.get("IDGRAPH_BENCH_MAY_WIPE") != "1":
        sys.exit(
            "the database holds data; set IDGRAPH_BENCH_MAY_WIPE=1 to let the benchmark wipe it"
        )
