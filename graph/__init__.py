"""idgraph's core: identifiers, events, ingest, clustering and queries (no HTTP here).

What other packages may import is listed in ``__all__``; the rest is private.
"""

from graph.clustering import ClusterResult, choose_backend, cluster
from graph.errors import (
    ConfigurationError,
    DatabaseError,
    DatabaseUnavailable,
    IdgraphError,
    InputError,
    InvalidEvent,
    InvalidIdentifier,
    LocalDatabaseError,
    NotFound,
    ResetRefused,
)
from graph.events import EventIn, IdentifierIn
from graph.identifiers import Identifier, NormalisationConfig, Normaliser
from graph.ingest import Ingestor, IngestSummary
from graph.localdb import LocalNeo4j
from graph.repository import GraphRepository, connect
from graph.resolve import IdentityResolver, Resolution
from graph.settings import Settings, get_settings

__all__ = [
    "ClusterResult",
    "ConfigurationError",
    "DatabaseError",
    "DatabaseUnavailable",
    "EventIn",
    "GraphRepository",
    "IdentifierIn",
    "Identifier",
    "IdentityResolver",
    "IdgraphError",
    "IngestSummary",
    "Ingestor",
    "InputError",
    "InvalidEvent",
    "InvalidIdentifier",
    "LocalDatabaseError",
    "LocalNeo4j",
    "NormalisationConfig",
    "Normaliser",
    "NotFound",
    "Resolution",
    "ResetRefused",
    "Settings",
    "choose_backend",
    "cluster",
    "connect",
    "get_settings",
]
