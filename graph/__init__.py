"""idgraph's core: identifiers, events, ingest, clustering and queries (no HTTP here).

What other packages may import is listed in ``__all__``; the rest is private. Names
are loaded lazily, so that importing a pure module does not load the Neo4j driver.
"""

from importlib import import_module
from typing import Any

_HOMES = {
    "ClusterResult": "graph.identity.clustering",
    "choose_algorithms": "graph.store.algorithms",
    "cluster": "graph.identity.clustering",
    "ConfigurationError": "graph.errors",
    "DatabaseError": "graph.errors",
    "DatabaseUnavailable": "graph.errors",
    "IdgraphError": "graph.errors",
    "InputError": "graph.errors",
    "InvalidEvent": "graph.errors",
    "InvalidIdentifier": "graph.errors",
    "LocalDatabaseError": "graph.errors",
    "NotFound": "graph.errors",
    "ResetRefused": "graph.errors",
    "EventIn": "graph.model.events",
    "IdentifierIn": "graph.model.events",
    "Identifier": "graph.model.identifiers",
    "NormalisationConfig": "graph.model.identifiers",
    "Normaliser": "graph.model.identifiers",
    "Ingestor": "graph.ingest.pipeline",
    "IngestSummary": "graph.ingest.outcomes",
    "LocalNeo4j": "graph.localdb.server",
    "GraphStore": "graph.store.gateway",
    "Neo4jStore": "graph.store.repository",
    "connect": "graph.store.repository",
    "IdentityResolver": "graph.identity.resolve",
    "Resolution": "graph.identity.resolve",
    "Settings": "graph.settings",
    "get_settings": "graph.settings",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'graph' has no attribute {name!r}")


__all__ = sorted(_HOMES)
