"""Clustering: identifiers linked by co-occurrence form identities.

One interface, two back ends that must agree: GDS weakly connected components
(through the ``graphdatascience`` client, on the server) and networkx (in this
process, for servers without the GDS plugin). Each writes a ``component`` number on
every identifier; :func:`cluster` then turns components into identities whose id
is derived from the component's smallest ``type:value``, so that an identity keeps
its id across runs while its anchor stays in it.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from typing import Protocol

import networkx as nx

from graph.errors import ConfigurationError
from graph.repository import GraphRepository

__all__ = [
    "ClusterBackend",
    "ClusterResult",
    "GdsBackend",
    "NetworkxBackend",
    "choose_backend",
    "cluster",
    "identity_id_for",
]


class ClusterBackend(Protocol):
    """Writes a ``component`` number on every identifier."""

    name: str

    def label_components(self, repo: GraphRepository) -> int:
        """Label connected components; returns how many there are."""
        ...


class NetworkxBackend:
    """Connected components computed in this process with networkx."""

    name = "networkx"

    def label_components(self, repo: GraphRepository) -> int:
        g: nx.Graph[str] = nx.Graph()
        g.add_nodes_from(repo.iter_identifier_ids())
        g.add_edges_from(repo.iter_links())
        rows = []
        count = 0
        for number, members in enumerate(nx.connected_components(g)):
            count += 1
            rows += [{"id": node, "component": number} for node in members]
        repo.write_components(rows)
        return count


class GdsBackend:
    """Weakly connected components run by the GDS plugin on the server."""

    name = "gds"

    def label_components(self, repo: GraphRepository) -> int:
        from graphdatascience import GraphDataScience

        if repo.counts().get("links", 0) == 0:
            # GDS cannot project a relationship type that does not exist yet; with no
            # links every identifier is alone, which networkx labels just as well.
            return NetworkxBackend().label_components(repo)

        gds = GraphDataScience(
            repo.driver, database=repo.database, arrow=False, show_progress=False
        )
        graph_name = f"idgraph-wcc-{uuid.uuid4().hex[:12]}"
        graph, _ = gds.graph.project.native(
            graph_name, "Identifier", {"LINKED": {"orientation": "UNDIRECTED"}}
        )
        try:
            result = gds.wcc.write(graph, write_property="component")
            return int(result.component_count)
        finally:
            graph.drop()


def choose_backend(repo: GraphRepository, preference: str = "auto") -> ClusterBackend:
    """GDS when the server has it (or when asked for), else networkx.

    Raises:
        ConfigurationError: ``gds`` was asked for but the server lacks the plugin.
    """
    if preference == "networkx":
        return NetworkxBackend()
    has_gds = repo.gds_version() is not None
    if preference == "gds" and not has_gds:
        raise ConfigurationError(
            "the GDS back end was asked for but the server has no Graph Data Science plugin"
        )
    return GdsBackend() if has_gds else NetworkxBackend()


def identity_id_for(anchor: str) -> str:
    """The public id of the identity anchored at ``anchor`` (no personal data in clear)."""
    return "id_" + hashlib.sha256(anchor.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class ClusterResult:
    backend: str
    components: int
    identities: int
    largest: int
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return {
            "backend": self.backend,
            "components": self.components,
            "identities": self.identities,
            "largest_identity": self.largest,
            "seconds": round(self.seconds, 3),
        }


def cluster(repo: GraphRepository, backend: ClusterBackend) -> ClusterResult:
    """Recompute components and identities over the whole graph."""
    started = time.perf_counter()
    components = backend.label_components(repo)
    anchors = repo.component_anchors()
    rows = [
        {
            "component": r["component"],
            "identity_id": identity_id_for(str(r["anchor"])),
            "size": int(r["size"]),
        }
        for r in anchors
    ]
    repo.write_identities(f"run-{uuid.uuid4().hex}", rows)
    largest = max((r["size"] for r in rows), default=0)
    return ClusterResult(
        backend=backend.name,
        components=components,
        identities=len(rows),
        largest=int(largest),
        seconds=time.perf_counter() - started,
    )
