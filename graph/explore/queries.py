"""Reading the graph for investigators: neighbourhoods and fraud-ring exports.

:func:`neighbourhood` is the graph around an identifier or an identity, breadth first;
:func:`export_ring` a fraud ring's members and what they hold and share. Both build
their answer with :class:`~graph.explore.subgraph.SubgraphBuilder` from named queries
(``explore/*``) run through the store; shortest paths are :mod:`graph.explore.paths`.

The work is bounded whatever the graph holds: at most
:data:`~graph.explore.subgraph.MAX_HOPS` hops and :data:`~graph.explore.subgraph.MAX_LIMIT`
nodes, at most :data:`NEIGHBOURS_PER_NODE` neighbours of each kind per node (a kiosk or
a ring's shared phone linked to thousands does not flood the answer: ``truncated`` says
something was left out), and every exploration runs in one read transaction with a
:data:`TIMEOUT_S` time-out (:func:`run_read`).

The time window (``since``/``until``) keeps links (``LINKED``, ``REFERRED``) active in
``[since, until)`` and, from an identity, the identifiers seen in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from graph.errors import ExplorationTimedOut, NotFound, TransactionTimedOut
from graph.explore.subgraph import (
    DEFAULT_HOPS,
    DEFAULT_LIMIT,
    EdgeInfo,
    Seed,
    Subgraph,
    SubgraphBuilder,
    check_bounds,
    identifier_node_id,
    identity_node_id,
)
from graph.model.ids import MAX_MERGE_HOPS
from graph.model.privacy import ShowValue, in_clear
from graph.store.gateway import GraphStore, Tx

__all__ = [
    "NEIGHBOURS_PER_NODE",
    "RING_MEMBERS",
    "TIMEOUT_S",
    "current_identity",
    "export_ring",
    "neighbourhood",
    "risks_of",
    "run_read",
    "seed_identifier",
]

#: Neighbours of each kind (LINKED, REFERRED, MEMBER, USED_BY) kept per expanded node.
NEIGHBOURS_PER_NODE = 50
#: Members of a ring exported at most.
RING_MEMBERS = 200
#: Time-out of one exploration (one read transaction), in seconds.
TIMEOUT_S = 10.0


def _identity_rows(tx: Tx, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    return {r["identity_id"]: r for r in tx.rows("explore/identities", ids=list(ids))}


def current_identity(tx: Tx, identity_id: str, location: str) -> str:
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


def seed_identifier(tx: Tx, key: tuple[str, str], location: str) -> dict[str, Any]:
    rows = tx.rows("explore/identifier_nodes", keys=[list(key)])
    if not rows:
        raise NotFound(f"no {key[0]} identifier has this value ({location})")
    return rows[0]


def _expand(
    tx: Tx,
    b: SubgraphBuilder,
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
        rows = tx.rows("explore/expand_identifiers", keys=keys, cap=cap + 1, **window)
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
                EdgeInfo(source, target, r["kind"], r["count"], r["first_seen"], r["last_seen"])
            )
    if identities:
        rows = tx.rows("explore/expand_identities", ids=identities, cap=cap + 1, **window)
        for r in rows:
            here = identity_node_id(r["identity_id"])
            if not room(here, r["kind"]):
                continue
            member_of = r["identity_id"] if r["kind"] == "MEMBER" else None
            there = b.add_identifier(r["n_type"], r["n_value"], member_of)
            if there is not None:
                b.add_edge(EdgeInfo(there, here, r["kind"]))
    return [n for n in b.nodes if n not in seen_before]


def risks_of(tx: Tx, identity_ids: Sequence[str]) -> dict[str, float | None]:
    rows = _identity_rows(tx, identity_ids) if identity_ids else {}
    return {
        k: (float(r["risk"]) if isinstance(r["risk"], int | float) else None)
        for k, r in rows.items()
    }


def run_read(repo: GraphStore, work: Any, location: str) -> Any:
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
    b = SubgraphBuilder(limit)
    frontier: list[str] = []
    for seed in seeds:
        key = seed.key
        if key is not None:
            row = seed_identifier(tx, key, "value")
            node_id = b.add_identifier(row["type"], row["value"], row["identity_id"])
        else:
            assert seed.identity_id is not None
            node_id = b.add_identity(current_identity(tx, seed.identity_id, "identity_id"))
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
    return b.build(risks_of(tx, b.identity_ids()), show)


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
    window = check_bounds(hops, limit, since, until)

    def work(tx: Tx) -> Subgraph:
        return _explore(tx, [seed], hops, limit, window, show)

    result: Subgraph = run_read(repo, work, "hops")
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
    window = check_bounds(hops, limit, since, until)

    def work(tx: Tx) -> Subgraph:
        rows = tx.rows("explore/ring_members", ring_id=ring_id, cap=RING_MEMBERS)
        if not rows or not rows[0]["found"]:
            raise NotFound("no ring has this id (ring_id)")
        members = [str(m) for m in rows[0]["members"] if m is not None]
        if len(members) > limit:
            members = members[:limit]
        seeds = [Seed(identity_id=m) for m in members]
        return _explore(tx, seeds, hops, limit, window, show)

    result: Subgraph = run_read(repo, work, "hops")
    return result
