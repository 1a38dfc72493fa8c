"""Graph exploration for investigators: neighbourhoods, shortest paths, subgraph export.

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

The work is bounded whatever the graph holds: at most :data:`MAX_HOPS` hops and
:data:`MAX_LIMIT` nodes, at most :data:`NEIGHBOURS_PER_NODE` neighbours of each kind
per node (a kiosk or a ring's shared phone linked to thousands does not flood the
answer: ``truncated`` says something was left out), paths of at most
:data:`MAX_PATH_HOPS` hops, and every exploration runs in one read transaction with a
:data:`TIMEOUT_S` time-out.

The time window (``since``/``until``) keeps links (``LINKED``, ``REFERRED``) active in
``[since, until)`` and, from an identity, the identifiers seen in it.

:func:`to_graphml` writes a subgraph as GraphML (readable by ``networkx.read_graphml``,
Gephi, yEd, Cytoscape) without touching the database.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from graph.errors import (
    ExplorationTimedOut,
    InputError,
    InvalidIdentifier,
    NotFound,
    TransactionTimedOut,
)
from graph.identity.profiles import MAX_MERGE_HOPS, ShowValue, in_clear, is_identity_id
from graph.model.identifiers import Normaliser
from graph.model.times import time_window
from graph.store.gateway import GraphStore, Tx

__all__ = [
    "DEFAULT_HOPS",
    "DEFAULT_LIMIT",
    "DEFAULT_PATH_HOPS",
    "MAX_HOPS",
    "MAX_LIMIT",
    "MAX_PATH_HOPS",
    "NEIGHBOURS_PER_NODE",
    "Edge",
    "GraphPath",
    "Node",
    "Seed",
    "Subgraph",
    "export_ring",
    "identifier_node_id",
    "identity_node_id",
    "neighbourhood",
    "seed_of",
    "shortest_path",
    "to_graphml",
]

MAX_HOPS = 3
DEFAULT_HOPS = 1
MAX_LIMIT = 1000
DEFAULT_LIMIT = 200
MAX_PATH_HOPS = 10
DEFAULT_PATH_HOPS = 6
#: Neighbours of each kind (LINKED, REFERRED, MEMBER, USED_BY) kept per expanded node.
NEIGHBOURS_PER_NODE = 50
#: Identifiers of an identity tried as the start or end of a path (most used first).
PATH_ENDS = 10
#: Members of a ring exported at most.
RING_MEMBERS = 200
#: Time-out of one exploration (one read transaction), in seconds.
TIMEOUT_S = 10.0

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


def _bounds(
    hops: int, limit: int, since: datetime | None, until: datetime | None
) -> dict[str, datetime | None]:
    """Check a subgraph's bounds; returns the time window as query parameters."""
    _check("hops", hops, MAX_HOPS)
    _check("limit", limit, MAX_LIMIT)
    return time_window(since, until)


# --- building the answer (pure) --------------------------------------------------------------


@dataclass
class _NodeInfo:
    kind: NodeKind
    type: str | None = None
    value: str | None = None
    identity_id: str | None = None


@dataclass
class _EdgeInfo:
    source: str
    target: str
    kind: EdgeKind
    count: int | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None


class _Builder:
    """Nodes and edges gathered so far, within the node limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.nodes: dict[str, _NodeInfo] = {}
        self.edges: dict[str, _EdgeInfo] = {}
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
        self.nodes[node_id] = _NodeInfo("identifier", type_, value, identity_id)
        return node_id

    def add_identity(self, identity_id: str) -> str | None:
        """Add an identity node; its id, or None when the limit left it out."""
        node_id = identity_node_id(identity_id)
        if node_id in self.nodes:
            return node_id
        if len(self.nodes) >= self.limit:
            self.truncated = True
            return None
        self.nodes[node_id] = _NodeInfo("identity", identity_id=identity_id)
        return node_id

    def add_edge(self, edge: _EdgeInfo) -> None:
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


def _node(
    node_id: str, info: _NodeInfo, risks: Mapping[str, float | None], show: ShowValue
) -> Node:
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


# --- reading the graph ----------------------------------------------------------------------


def _rows(tx: Tx, name: str, **params: Any) -> list[dict[str, Any]]:
    return tx.rows(name, **params)


def _identity_rows(tx: Tx, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    return {r["identity_id"]: r for r in _rows(tx, "explore/identities", ids=list(ids))}


def _current_identity(tx: Tx, identity_id: str, location: str) -> str:
    """The identity an id lives on as (merges followed).

    Raises:
        NotFound: no identity has this id (or its merges lead nowhere).
    """
    current = identity_id
    for _ in range(MAX_MERGE_HOPS):
        row = _identity_rows(tx, [current]).get(current)
        if row is None:
            break
        if row["status"] != "merged" or not row["merged_into"]:
            return current
        current = str(row["merged_into"])
    raise NotFound(f"no identity has this id ({location})")


def _seed_identifier(tx: Tx, key: tuple[str, str], location: str) -> dict[str, Any]:
    rows = _rows(tx, "explore/identifier_nodes", keys=[list(key)])
    if not rows:
        raise NotFound(f"no {key[0]} identifier has this value ({location})")
    return rows[0]


def _expand(
    tx: Tx,
    b: _Builder,
    frontier: Iterable[str],
    window: Mapping[str, datetime | None],
) -> list[str]:
    """One hop out of ``frontier`` (node ids); the node ids reached for the first time."""
    keys: list[list[str]] = []
    identities: list[str] = []
    for node_id in frontier:
        info = b.nodes[node_id]
        if info.kind == "identifier":
            assert info.type is not None and info.value is not None
            keys.append([info.type, info.value])
        elif info.identity_id is not None:
            identities.append(info.identity_id)
    seen_before = set(b.nodes)
    cap = NEIGHBOURS_PER_NODE
    kept: dict[tuple[str, str], int] = {}

    def room(source: str, kind: str) -> bool:
        n = kept.get((source, kind), 0)
        if n >= cap:
            b.truncated = True
            return False
        kept[(source, kind)] = n + 1
        return True

    if keys:
        rows = _rows(tx, "explore/expand_identifiers", keys=keys, cap=cap + 1, **window)
        for r in rows:
            here = identifier_node_id(r["type"], r["value"])
            if not room(here, r["kind"]):
                continue
            if r["kind"] in ("LINKED", "REFERRED"):
                there = b.add_identifier(r["n_type"], r["n_value"], r["n_identity"])
            else:
                there = b.add_identity(r["n_identity"])
            if there is None:
                continue
            source, target = (here, there) if r["outgoing"] else (there, here)
            b.add_edge(
                _EdgeInfo(source, target, r["kind"], r["count"], r["first_seen"], r["last_seen"])
            )
    if identities:
        rows = _rows(tx, "explore/expand_identities", ids=identities, cap=cap + 1, **window)
        for r in rows:
            here = identity_node_id(r["identity_id"])
            if not room(here, r["kind"]):
                continue
            member_of = r["identity_id"] if r["kind"] == "MEMBER" else None
            there = b.add_identifier(r["n_type"], r["n_value"], member_of)
            if there is not None:
                b.add_edge(_EdgeInfo(there, here, r["kind"]))
    return [n for n in b.nodes if n not in seen_before]


def _risks(tx: Tx, identity_ids: Sequence[str]) -> dict[str, float | None]:
    rows = _identity_rows(tx, identity_ids) if identity_ids else {}
    return {
        k: (float(r["risk"]) if isinstance(r["risk"], int | float) else None)
        for k, r in rows.items()
    }


def _run_read(repo: GraphStore, work: Any, location: str) -> Any:
    """Run ``work`` in one read transaction with the exploration time-out.

    Raises:
        ExplorationTimedOut: it ran longer than :data:`TIMEOUT_S`.
    """
    try:
        return repo.read_transaction(work, timeout=TIMEOUT_S)
    except TransactionTimedOut:
        raise ExplorationTimedOut(
            f"the exploration ran longer than {TIMEOUT_S:g} s: ask for fewer hops or nodes",
            location,
        ) from None


def _explore(
    tx: Tx,
    seeds: Sequence[Seed],
    hops: int,
    limit: int,
    window: Mapping[str, datetime | None],
    show: ShowValue,
) -> Subgraph:
    b = _Builder(limit)
    frontier: list[str] = []
    for seed in seeds:
        key = seed.key
        if key is not None:
            row = _seed_identifier(tx, key, "value")
            node_id = b.add_identifier(row["type"], row["value"], row["identity_id"])
        else:
            assert seed.identity_id is not None
            node_id = b.add_identity(_current_identity(tx, seed.identity_id, "identity_id"))
        if node_id is not None and node_id not in frontier:
            frontier.append(node_id)
    for _ in range(hops):
        if not frontier:
            break
        if b.full:
            # No room for more nodes: another hop would only add edges between the
            # ones already there, at the price of expanding the whole frontier.
            b.truncated = True
            break
        frontier = _expand(tx, b, frontier, window)
    return b.build(_risks(tx, b.identity_ids()), show)


def neighbourhood(
    repo: GraphStore,
    seed: Seed,
    hops: int = DEFAULT_HOPS,
    limit: int = DEFAULT_LIMIT,
    since: datetime | None = None,
    until: datetime | None = None,
    show: ShowValue = in_clear,
) -> Subgraph:
    """The graph around an identifier or an identity, ``hops`` hops out, breadth first.

    Nodes are added nearest first until ``limit``; each node gives at most
    :data:`NEIGHBOURS_PER_NODE` neighbours of each kind (most events first), so hubs
    stay readable. ``truncated`` says either bound left something out.

    Raises:
        InputError: ``hops`` or ``limit`` out of range, a bad time window.
        NotFound: the identifier or identity does not exist.
        ExplorationTimedOut: it took longer than :data:`TIMEOUT_S`.
    """
    window = _bounds(hops, limit, since, until)

    def work(tx: Tx) -> Subgraph:
        return _explore(tx, [seed], hops, limit, window, show)

    result: Subgraph = _run_read(repo, work, "hops")
    return result


def export_ring(
    repo: GraphStore,
    ring_id: str,
    hops: int = DEFAULT_HOPS,
    limit: int = DEFAULT_LIMIT,
    since: datetime | None = None,
    until: datetime | None = None,
    show: ShowValue = in_clear,
) -> Subgraph:
    """A fraud ring's members and what they hold and share, ``hops`` hops out.

    Raises:
        InputError: ``hops`` or ``limit`` out of range, a bad time window.
        NotFound: no ring has this id.
    """
    window = _bounds(hops, limit, since, until)

    def work(tx: Tx) -> Subgraph:
        rows = _rows(tx, "explore/ring_members", ring_id=ring_id, cap=RING_MEMBERS)
        if not rows or not rows[0]["found"]:
            raise NotFound("no ring has this id (ring_id)")
        members = [str(m) for m in rows[0]["members"] if m is not None]
        if len(members) > limit:
            members = members[:limit]
        seeds = [Seed(identity_id=m) for m in members]
        return _explore(tx, seeds, hops, limit, window, show)

    result: Subgraph = _run_read(repo, work, "hops")
    return result


# --- shortest path --------------------------------------------------------------------------


@dataclass(frozen=True)
class _End:
    """Where a path may start or end: an identifier, and the hop to the identity if any."""

    key: tuple[str, str]
    hop: EdgeKind | None  # MEMBER / USED_BY to the seed identity; None: the seed itself


def _ends(tx: Tx, seed: Seed, side: str) -> tuple[list[_End], str | None]:
    """The identifiers a path may use at one end, and the identity at that end if any."""
    key = seed.key
    if key is not None:
        row = _seed_identifier(tx, key, f"{side}_value")
        return [_End((row["type"], row["value"]), None)], None
    assert seed.identity_id is not None
    identity_id = _current_identity(tx, seed.identity_id, f"{side}_identity")
    rows = _rows(tx, "explore/path_ends", identity_id=identity_id, cap=PATH_ENDS)
    ends = [_End((r["type"], r["value"]), r["kind"]) for r in rows]
    return ends, identity_id


def _no_path(max_hops: int) -> NotFound:
    return NotFound(f"no path within {max_hops} hops between these two nodes")


def shortest_path(
    repo: GraphStore,
    start: Seed,
    end: Seed,
    max_hops: int = DEFAULT_PATH_HOPS,
    show: ShowValue = in_clear,
) -> GraphPath:
    """The shortest path between two identifiers or identities, over co-occurrence links.

    Identifiers are joined through ``LINKED`` (undirected); an identity at either end
    is reached through one of its identifiers (``MEMBER``) or a shared identifier it
    uses (``USED_BY``), which counts as one hop. For an identity, its
    :data:`PATH_ENDS` most used identifiers and shared ones are tried.

    Raises:
        InputError: ``max_hops`` out of range.
        NotFound: an end does not exist, or no path of at most ``max_hops`` hops.
        ExplorationTimedOut: it took longer than :data:`TIMEOUT_S`.
    """
    if not 1 <= max_hops <= MAX_PATH_HOPS:
        raise InputError(f"max_hops must be between 1 and {MAX_PATH_HOPS}", "max_hops")

    def work(tx: Tx) -> GraphPath:
        starts, start_identity = _ends(tx, start, "from")
        ends, end_identity = _ends(tx, end, "to")
        if start_identity is not None and start_identity == end_identity:
            b = _Builder(1)
            b.add_identity(start_identity)
            built = b.build(_risks(tx, b.identity_ids()), show)
            return GraphPath(built.nodes, built.edges, 0)
        by_start = {e.key: e for e in starts}
        by_end = {e.key: e for e in ends}
        common = [k for k in by_start if k in by_end]
        keys: list[tuple[str, str]]
        links: list[dict[str, Any]]
        if common:
            keys, links = [common[0]], []
        elif starts and ends:
            rows = _rows(
                tx,
                "explore/shortest_path",
                from_keys=[list(k) for k in by_start],
                to_keys=[list(k) for k in by_end],
            )
            if not rows:
                raise _no_path(max_hops)
            keys = [(str(k[0]), str(k[1])) for k in rows[0]["keys"]]
            links = list(rows[0]["links"])
        else:
            raise _no_path(max_hops)
        first, last = by_start[keys[0]], by_end[keys[-1]]
        length = len(links) + (first.hop is not None) + (last.hop is not None)
        if length > max_hops:
            raise _no_path(max_hops)
        return _path(tx, keys, links, (first, start_identity), (last, end_identity), show)

    result: GraphPath = _run_read(repo, work, "max_hops")
    return result


def _path(
    tx: Tx,
    keys: list[tuple[str, str]],
    links: list[dict[str, Any]],
    first: tuple[_End, str | None],
    last: tuple[_End, str | None],
    show: ShowValue,
) -> GraphPath:
    """The path's nodes in order (identity ends included) and its edges."""
    found = {
        (r["type"], r["value"]): r
        for r in _rows(tx, "explore/identifier_nodes", keys=[list(k) for k in keys])
    }
    b = _Builder(MAX_PATH_HOPS + 2)
    order: list[str] = []
    if first[0].hop is not None and first[1] is not None:
        order.append(identity_node_id(first[1]))
        b.add_identity(first[1])
    ids: list[str] = []
    for key in keys:
        node_id = b.add_identifier(key[0], key[1], found.get(key, {}).get("identity_id"))
        assert node_id is not None
        ids.append(node_id)
    order.extend(ids)
    if last[0].hop is not None and last[1] is not None:
        order.append(identity_node_id(last[1]))
        b.add_identity(last[1])
    if first[0].hop is not None and first[1] is not None:
        b.add_edge(_EdgeInfo(ids[0], identity_node_id(first[1]), first[0].hop))
    for k, link in enumerate(links):
        a, z = ids[k], ids[k + 1]
        source, target = (a, z) if link["forward"] else (z, a)
        b.add_edge(
            _EdgeInfo(
                source, target, "LINKED", link["count"], link["first_seen"], link["last_seen"]
            )
        )
    if last[0].hop is not None and last[1] is not None:
        b.add_edge(_EdgeInfo(ids[-1], identity_node_id(last[1]), last[0].hop))
    built = b.build(_risks(tx, b.identity_ids()), show)
    by_id = {n.id: n for n in built.nodes}
    return GraphPath([by_id[n] for n in order], built.edges, len(built.edges))
