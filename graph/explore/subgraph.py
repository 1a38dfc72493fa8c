"""What an exploration answers, built without the database: seeds, node ids, the answer.

What an investigator sees is a small graph of two kinds of node and four kinds of edge:

- ``identifier`` nodes (an e-mail, a phone, a device...) and ``identity`` nodes (a
  person, as clustering built it);
- ``LINKED`` (two identifiers seen together, read undirected), ``REFERRED`` (a referral,
  directed; several referrals of one pair are one edge with their ``count``),
  ``MEMBER`` (an identifier to the identity it belongs to: the ``identity_id``
  property, drawn as an edge) and ``USED_BY`` (a shared identifier to each identity
  that uses it).

Node ids are opaque and stable between calls (Neo4j's element ids are not): an
identifier is ``"idf:" + sha1(type + value)[:16]``, so that no value shows in an id,
and an identity ``"ide:" + identity_id``.

Here: where an exploration starts (:class:`Seed`, :func:`seed_of`, checked as query
parameters are), its bounds (at most :data:`MAX_HOPS` hops and :data:`MAX_LIMIT`
nodes), the answer's shape (:class:`Subgraph`, :class:`GraphPath`), the
:class:`SubgraphBuilder` that gathers nodes and edges within the node limit, every
identifier value shown through a :data:`~graph.model.privacy.ShowValue`, and
:func:`to_graphml`, which writes a subgraph as GraphML (readable by
``networkx.read_graphml``, Gephi, yEd, Cytoscape). Pure: no I/O; reading the graph is
:mod:`graph.explore.queries` and :mod:`graph.explore.paths`.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from graph.errors import InputError, InvalidIdentifier
from graph.model.identifiers import Normaliser
from graph.model.ids import is_identity_id
from graph.model.privacy import ShowValue
from graph.model.times import time_window

__all__ = [
    "DEFAULT_HOPS",
    "DEFAULT_LIMIT",
    "MAX_HOPS",
    "MAX_LIMIT",
    "Edge",
    "EdgeInfo",
    "EdgeKind",
    "GraphPath",
    "Node",
    "NodeInfo",
    "NodeKind",
    "Seed",
    "Subgraph",
    "SubgraphBuilder",
    "check_bounds",
    "identifier_node_id",
    "identity_node_id",
    "seed_of",
    "to_graphml",
]

MAX_HOPS = 3
DEFAULT_HOPS = 1
MAX_LIMIT = 1000
DEFAULT_LIMIT = 200

NodeKind = Literal["identifier", "identity"]
EdgeKind = Literal["LINKED", "MEMBER", "USED_BY", "REFERRED"]


@dataclass(frozen=True)
class Seed:
    """Where an exploration starts: one identifier (normalised) or one identity."""

    identifier_type: str | None = None
    identifier_value: str | None = None
    identity_id: str | None = None

    @property
    def key(self) -> tuple[str, str] | None:
        """The identifier's ``(type, value)`` key, or None for an identity."""
        if self.identifier_type is None or self.identifier_value is None:
            return None
        return (self.identifier_type, self.identifier_value)


@dataclass(frozen=True)
class Node:
    """A node of the answer (the JSON shape of the graph endpoints)."""

    id: str
    kind: NodeKind
    type: str | None
    value: str | None
    identity_id: str | None
    risk: float | None
    label: str


@dataclass(frozen=True)
class Edge:
    """An edge of the answer; ``count`` is how many events (LINKED) or referrals."""

    id: str
    source: str
    target: str
    kind: EdgeKind
    count: int | None
    first_seen: datetime | None
    last_seen: datetime | None


@dataclass(frozen=True)
class Subgraph:
    """Nodes and edges; ``truncated``: the bounds left some of the graph out."""

    nodes: list[Node]
    edges: list[Edge]
    truncated: bool


@dataclass(frozen=True)
class GraphPath:
    """A shortest path, nodes in order from start to end; ``length`` is its edge count."""

    nodes: list[Node]
    edges: list[Edge]
    length: int


# --- ids and input -------------------------------------------------------------------------


def identifier_node_id(identifier_type: str, value: str) -> str:
    """The opaque, stable node id of an identifier: no value can be read from it."""
    digest = hashlib.sha1((identifier_type + value).encode("utf-8"), usedforsecurity=False)
    return "idf:" + digest.hexdigest()[:16]


def identity_node_id(identity_id: str) -> str:
    """The node id of an identity (its public id is no personal data)."""
    return "ide:" + identity_id


def seed_of(
    normaliser: Normaliser,
    identifier_type: str | None,
    value: str | None,
    identity_id: str | None,
    prefix: str = "",
) -> Seed:
    """The seed named by query parameters: an identifier (type and value) or an identity.

    Raw identifier formats are welcome (``06 12 34 56 78``): they are normalised as on
    ingest, so the same key is found.

    Args:
        prefix: the parameters' prefix (``from_``, ``to_``), for error locations.

    Raises:
        InputError: neither or both of the two ways are given, half an identifier, a
            malformed identity id, or an invalid identifier (location says which).
    """
    has_identifier = identifier_type is not None or value is not None
    identity_name = "identity" if prefix else "identity_id"
    if has_identifier and identity_id is not None:
        raise InputError(
            f"give either {prefix}type and {prefix}value, or {prefix}{identity_name}, not both",
            location=prefix + identity_name,
        )
    if identity_id is not None:
        if not is_identity_id(identity_id):
            raise InputError(
                "an identity id is 'id_' followed by 20 lowercase hexadecimal characters",
                location=prefix + identity_name,
            )
        return Seed(identity_id=identity_id)
    if identifier_type is None or value is None:
        missing = f"{prefix}type" if identifier_type is None else f"{prefix}value"
        raise InputError(
            f"name where to start: {prefix}type and {prefix}value (an identifier), "
            f"or {prefix}{identity_name}",
            location=missing,
        )
    if identifier_type.strip().lower() not in normaliser.types:
        known = ", ".join(sorted(normaliser.types))
        raise InputError(f"unknown identifier type; known types: {known}", prefix + "type")
    try:
        found = normaliser.normalise(identifier_type, value)
    except InvalidIdentifier as e:
        raise InvalidIdentifier(str(e), location=prefix + "value") from None
    return Seed(identifier_type=found.type, identifier_value=found.value)


def _check(name: str, value: int, highest: int) -> None:
    if not 1 <= value <= highest:
        raise InputError(f"{name} must be between 1 and {highest}", location=name)


def check_bounds(
    hops: int, limit: int, since: datetime | None, until: datetime | None
) -> dict[str, datetime | None]:
    """Check a subgraph's bounds; returns the time window as query parameters."""
    _check("hops", hops, MAX_HOPS)
    _check("limit", limit, MAX_LIMIT)
    return time_window(since, until)


# --- building the answer ---------------------------------------------------------------------


@dataclass
class NodeInfo:
    kind: NodeKind
    type: str | None = None
    value: str | None = None
    identity_id: str | None = None


@dataclass
class EdgeInfo:
    source: str
    target: str
    kind: EdgeKind
    count: int | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None


class SubgraphBuilder:
    """Nodes and edges gathered so far, within the node limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.nodes: dict[str, NodeInfo] = {}
        self.edges: dict[str, EdgeInfo] = {}
        self.truncated = False

    @property
    def full(self) -> bool:
        """Whether the node limit is reached."""
        return len(self.nodes) >= self.limit

    def add_identifier(self, type_: str, value: str, identity_id: str | None) -> str | None:
        """Add an identifier node; its id, or None when the limit left it out."""
        node_id = identifier_node_id(type_, value)
        known = self.nodes.get(node_id)
        if known is not None:
            if known.identity_id is None and identity_id is not None:
                known.identity_id = identity_id
            return node_id
        if len(self.nodes) >= self.limit:
            self.truncated = True
            return None
        self.nodes[node_id] = NodeInfo("identifier", type_, value, identity_id)
        return node_id

    def add_identity(self, identity_id: str) -> str | None:
        """Add an identity node; its id, or None when the limit left it out."""
        node_id = identity_node_id(identity_id)
        if node_id in self.nodes:
            return node_id
        if len(self.nodes) >= self.limit:
            self.truncated = True
            return None
        self.nodes[node_id] = NodeInfo("identity", identity_id=identity_id)
        return node_id

    def add_edge(self, edge: EdgeInfo) -> None:
        """Add an edge; referrals of one pair add up into one edge."""
        edge_id = f"{edge.kind}:{edge.source}>{edge.target}"
        known = self.edges.get(edge_id)
        if known is None:
            if edge.kind == "REFERRED":
                edge.count = 1
            self.edges[edge_id] = edge
            return
        if edge.kind == "REFERRED":
            known.count = (known.count or 0) + 1
            known.first_seen = _earliest(known.first_seen, edge.first_seen)
            known.last_seen = _latest(known.last_seen, edge.last_seen)

    def identity_ids(self) -> list[str]:
        """Every identity the nodes show or belong to (for their risk)."""
        ids = {n.identity_id for n in self.nodes.values() if n.identity_id is not None}
        return sorted(ids)

    def build(self, risks: Mapping[str, float | None], show: ShowValue) -> Subgraph:
        nodes = [_node(node_id, info, risks, show) for node_id, info in self.nodes.items()]
        edges = [
            Edge(edge_id, e.source, e.target, e.kind, e.count, e.first_seen, e.last_seen)
            for edge_id, e in self.edges.items()
        ]
        return Subgraph(nodes=nodes, edges=edges, truncated=self.truncated)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


def _node(node_id: str, info: NodeInfo, risks: Mapping[str, float | None], show: ShowValue) -> Node:
    risk = risks.get(info.identity_id) if info.identity_id is not None else None
    if info.kind == "identity":
        assert info.identity_id is not None
        return Node(node_id, "identity", None, None, info.identity_id, risk, info.identity_id)
    assert info.type is not None and info.value is not None
    shown = show(info.type, info.value)
    return Node(node_id, "identifier", info.type, shown, info.identity_id, risk, shown)


_GRAPHML = "http://graphml.graphdrawing.org/xmlns"
_NODE_KEYS = [
    ("kind", "string"),
    ("type", "string"),
    ("value", "string"),
    ("identity_id", "string"),
    ("risk", "double"),
    ("label", "string"),
]
_EDGE_KEYS = [
    ("kind", "string"),
    ("count", "long"),
    ("first_seen", "string"),
    ("last_seen", "string"),
]


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_graphml(graph: Subgraph | GraphPath) -> str:
    """The subgraph as a GraphML document (directed; LINKED edges read undirected).

    Pure: the same nodes and edges as the JSON answer, attributes left out where null,
    so that any GraphML reader (networkx, Gephi, yEd) opens the export.
    """
    ET.register_namespace("", _GRAPHML)
    root = ET.Element(f"{{{_GRAPHML}}}graphml")
    for owner, keys in (("node", _NODE_KEYS), ("edge", _EDGE_KEYS)):
        for name, kind in keys:
            ET.SubElement(
                root,
                f"{{{_GRAPHML}}}key",
                {"id": f"{owner[0]}_{name}", "for": owner, "attr.name": name, "attr.type": kind},
            )
    body = ET.SubElement(root, f"{{{_GRAPHML}}}graph", {"id": "idgraph", "edgedefault": "directed"})
    for node in graph.nodes:
        element = ET.SubElement(body, f"{{{_GRAPHML}}}node", {"id": node.id})
        for name, _ in _NODE_KEYS:
            value = getattr(node, name)
            if value is not None:
                ET.SubElement(element, f"{{{_GRAPHML}}}data", {"key": f"n_{name}"}).text = _text(
                    value
                )
    for edge in graph.edges:
        element = ET.SubElement(
            body,
            f"{{{_GRAPHML}}}edge",
            {"id": edge.id, "source": edge.source, "target": edge.target},
        )
        for name, _ in _EDGE_KEYS:
            value = getattr(edge, name)
            if value is not None:
                ET.SubElement(element, f"{{{_GRAPHML}}}data", {"key": f"e_{name}"}).text = _text(
                    value
                )
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
