"""Administration over any :class:`~graph.store.gateway.GraphStore`: health, the GDS
plugin's version, schema migrations, counts and reset."""

from __future__ import annotations

from graph.errors import StatementRejected
from graph.store import catalog
from graph.store.gateway import GraphStore, Row

__all__ = ["counts", "gds_version", "migrate", "ping", "reset_data"]


def ping(store: GraphStore) -> Row:
    """The server's name, version and edition; raises if it does not answer."""
    rows = store.read("store/ping")
    return rows[0] if rows else {}


def gds_version(store: GraphStore) -> str | None:
    """The GDS plugin's version, or None when the server does not have it."""
    try:
        rows = store.read("store/gds_version")
    except StatementRejected:  # gds.version() is an unknown function without the plugin
        return None
    return str(rows[0]["version"]) if rows else None


def migrate(store: GraphStore) -> list[str]:
    """Apply every schema migration (idempotent). Returns the names applied."""
    applied = []
    for name, statements in catalog.schema_migrations():
        store.run_statements(statements)
        store.write("store/record_migration", name=name)
        applied.append(name)
    return applied


def reset_data(store: GraphStore) -> None:
    """Delete every node and relationship; the schema stays. Callers confirm first."""
    store.write_autocommit("store/reset_data")


def counts(store: GraphStore) -> dict[str, int]:
    """How many identifiers, events, identities, links and referrals the graph holds."""
    rows = store.read("store/counts")
    return {k: int(v) for k, v in rows[0].items()} if rows else {}
