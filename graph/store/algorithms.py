"""The graph algorithms the product runs, behind one interface: :class:`Algorithms`.

Clustering needs the connected components of the trusted link graph, fraud detection
those of the identity graph (identities linked by a pooled identifier), the influence
rankings PageRank and ArticleRank over referrals lifted to identities. Two
implementations give the same answers: :class:`GdsAlgorithms` (the GDS plugin, on the
server, for large graphs) and :class:`InProcessAlgorithms` (networkx in this process,
:mod:`graph.store.inprocess`, for servers without the plugin). :func:`choose_algorithms`
decides once, at start-up or per command, so no request asks for the GDS version.

Every GDS computation follows one lifecycle (:func:`projection`): project with a
catalog query under a fresh name, stream the result, always drop the projection.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import networkx as nx

from graph.errors import ConfigurationError
from graph.store import admin, catalog, inprocess
from graph.store.gateway import GraphStore
from graph.store.translate import translated

__all__ = [
    "Algorithms",
    "GdsAlgorithms",
    "InProcessAlgorithms",
    "Preference",
    "Projection",
    "Rank",
    "choose_algorithms",
    "projection",
]

Preference = Literal["auto", "gds", "networkx"]
Rank = Literal["pagerank", "articlerank"]


class Algorithms(Protocol):
    """Graph algorithms over the store's graph; the implementations agree."""

    name: Literal["gds", "networkx"]

    def identity_components(self, store: GraphStore, min_weight: float) -> dict[str, int]:
        """Identifier node id -> component number, over the trusted link graph: every
        identifier that is not a hub, linked by links at least ``min_weight`` heavy."""
        ...

    def ring_components(
        self,
        store: GraphStore,
        groups: Iterable[Collection[str]],
        types: Sequence[str],
        max_fanout: int,
    ) -> dict[str, int]:
        """Identity id -> component number, over identities linked by a shared
        identifier of ``types`` that 2 to ``max_fanout`` active identities use.

        ``groups`` are those identifiers' identity sets as the caller read them (the
        in-process implementation links them; GDS projects the same on the server).
        """
        ...

    def rank(
        self, store: GraphStore, by: Rank, limit: int, window: Mapping[str, Any]
    ) -> tuple[int, list[tuple[str, float]]]:
        """PageRank or ArticleRank of identities, credit flowing from the referred to
        the referrer, over referrals in ``window`` (``since``, ``until``, as
        ``influence/referrals_all``): how many identities took part, and the best
        ``limit`` (identity id, score), best first (ties by id)."""
        ...


@dataclass(frozen=True)
class Projection:
    """A projected graph in the GDS catalog: ``run`` streams a catalog query over it."""

    gds: Any
    name: str
    graph: Any

    def run(self, query: str, **params: Any) -> Any:
        """The rows (a pandas DataFrame) of catalog query ``query`` on this projection."""
        return self.gds.run_cypher(catalog.query(query), {"graph_name": self.name, **params})

    def node_count(self) -> int:
        return int(self.graph.node_count())


@contextmanager
def projection(store: GraphStore, query: str, **params: Any) -> Iterator[Projection]:
    """Project with catalog query ``query`` (parameter ``graph_name`` and ``params``);
    the projection is dropped however the block ends (projections hold server memory).
    The GDS client talks to the driver itself: its errors are translated here."""
    with translated():
        gds = store.gds()
        name = f"idgraph-{uuid.uuid4().hex[:12]}"
        created = gds.graph.project.cypher(catalog.query(query), graph_name=name, **params)
        try:
            yield Projection(gds, name, created.graph)
        finally:
            created.graph.drop()


def _column_pairs(rows: Any, key: str, value: str) -> list[tuple[Any, Any]]:
    return list(zip(rows[key], rows[value], strict=True))


def _best(scores: Mapping[str, float], limit: int) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


class GdsAlgorithms:
    """The GDS plugin on the server: nothing is read into Python before it runs."""

    name: Literal["gds", "networkx"] = "gds"

    def identity_components(self, store: GraphStore, min_weight: float) -> dict[str, int]:
        with projection(store, "identity/cluster/gds_project", min_weight=min_weight) as p:
            rows = p.run("identity/cluster/gds_wcc_stream")
        return {str(i): int(c) for i, c in _column_pairs(rows, "id", "component")}

    def ring_components(
        self,
        store: GraphStore,
        groups: Iterable[Collection[str]],
        types: Sequence[str],
        max_fanout: int,
    ) -> dict[str, int]:
        if not any(len(g) >= 2 for g in groups):
            return {}  # nothing links two identities: GDS refuses an empty projection
        with projection(store, "fraud/gds_project", types=list(types), max_fanout=max_fanout) as p:
            rows = p.run("fraud/gds_wcc_stream")
        return {str(i): int(c) for i, c in _column_pairs(rows, "identity_id", "component")}

    def rank(
        self, store: GraphStore, by: Rank, limit: int, window: Mapping[str, Any]
    ) -> tuple[int, list[tuple[str, float]]]:
        found = store.read_transaction(lambda tx: tx.single("influence/any_referral", **window))
        if found is None or not found["found"]:
            return 0, []  # GDS refuses an empty projection
        with projection(store, "influence/gds_project", **window) as p:
            rows = p.run(
                f"influence/gds_{by}_stream",
                damping=inprocess.DAMPING,
                max_iterations=inprocess.MAX_ITERATIONS,
                limit=limit,
            )
            nodes = p.node_count()
        return nodes, [(str(i), float(s)) for i, s in _column_pairs(rows, "identity_id", "score")]


class InProcessAlgorithms:
    """networkx in this process, on what it reads through the store."""

    name: Literal["gds", "networkx"] = "networkx"

    def identity_components(self, store: GraphStore, min_weight: float) -> dict[str, int]:
        nodes = [str(r["id"]) for r in store.stream("identity/cluster/trusted_nodes")]
        links = (
            (str(r["a"]), str(r["b"]))
            for r in store.stream("identity/cluster/trusted_links", min_weight=min_weight)
        )
        return inprocess.connected_components(nodes, links)

    def ring_components(
        self,
        store: GraphStore,
        groups: Iterable[Collection[str]],
        types: Sequence[str],
        max_fanout: int,
    ) -> dict[str, int]:
        return inprocess.group_components(g for g in groups if 2 <= len(g) <= max_fanout)

    def rank(
        self, store: GraphStore, by: Rank, limit: int, window: Mapping[str, Any]
    ) -> tuple[int, list[tuple[str, float]]]:
        rows = store.read_transaction(lambda tx: tx.rows("influence/referrals_all", **window))
        credit: nx.DiGraph[str] = nx.DiGraph()
        pairs = {(str(r["target"]), str(r["source"])) for r in rows if r["source"] != r["target"]}
        credit.add_nodes_from(sorted({i for pair in pairs for i in pair}))
        credit.add_edges_from(sorted(pairs))
        if credit.number_of_nodes() == 0:
            return 0, []
        rank = inprocess.page_rank if by == "pagerank" else inprocess.article_rank
        return credit.number_of_nodes(), _best(rank(credit), limit)


def choose_algorithms(store: GraphStore, preference: str = "auto") -> Algorithms:
    """GDS when the server has it (or when asked for), else in process; decided once.

    Raises:
        ConfigurationError: an unknown preference, or ``gds`` asked for but the server
            lacks the plugin.
    """
    if preference not in ("auto", "gds", "networkx"):
        raise ConfigurationError("the back end is auto, gds or networkx")
    if preference == "networkx":
        return InProcessAlgorithms()
    has_gds = admin.gds_version(store) is not None
    if preference == "gds" and not has_gds:
        raise ConfigurationError(
            "the GDS back end was asked for but the server has no Graph Data Science plugin"
        )
    return GdsAlgorithms() if has_gds else InProcessAlgorithms()
