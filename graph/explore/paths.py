"""Shortest paths between two identifiers or identities, over co-occurrence links.

Identifiers are joined through ``LINKED`` (undirected); an identity at either end is
reached through one of its identifiers (``MEMBER``) or a shared identifier it uses
(``USED_BY``), which counts as one hop. Paths have at most :data:`MAX_PATH_HOPS` hops,
and a search runs in one read transaction with the exploration time-out
(:func:`graph.explore.queries.run_read`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.errors import InputError, NotFound
from graph.explore.queries import current_identity, risks_of, run_read, seed_identifier
from graph.explore.subgraph import (
    EdgeInfo,
    EdgeKind,
    GraphPath,
    Seed,
    SubgraphBuilder,
    identity_node_id,
)
from graph.model.privacy import ShowValue, in_clear
from graph.store.gateway import GraphStore, Tx

__all__ = [
    "DEFAULT_PATH_HOPS",
    "MAX_PATH_HOPS",
    "PATH_ENDS",
    "shortest_path",
]

MAX_PATH_HOPS = 10
DEFAULT_PATH_HOPS = 6
#: Identifiers of an identity tried as the start or end of a path (most used first).
PATH_ENDS = 10


@dataclass(frozen=True)
class _End:
    """Where a path may start or end: an identifier, and the hop to the identity if any."""

    key: tuple[str, str]
    hop: EdgeKind | None  # MEMBER / USED_BY to the seed identity; None: the seed itself


def _ends(tx: Tx, seed: Seed, side: str) -> tuple[list[_End], str | None]:
    """The identifiers a path may use at one end, and the identity at that end if any."""
    key = seed.key
    if key is not None:
        row = seed_identifier(tx, key, f"{side}_value")
        return [_End((row["type"], row["value"]), None)], None
    assert seed.identity_id is not None
    identity_id = current_identity(tx, seed.identity_id, f"{side}_identity")
    rows = tx.rows("explore/path_ends", identity_id=identity_id, cap=PATH_ENDS)
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
            b = SubgraphBuilder(1)
            b.add_identity(start_identity)
            built = b.build(risks_of(tx, b.identity_ids()), show)
            return GraphPath(built.nodes, built.edges, 0)
        by_start = {e.key: e for e in starts}
        by_end = {e.key: e for e in ends}
        common = [k for k in by_start if k in by_end]
        keys: list[tuple[str, str]]
        links: list[dict[str, Any]]
        if common:
            keys, links = [common[0]], []
        elif starts and ends:
            rows = tx.rows(
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

    result: GraphPath = run_read(repo, work, "max_hops")
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
        for r in tx.rows("explore/identifier_nodes", keys=[list(k) for k in keys])
    }
    b = SubgraphBuilder(MAX_PATH_HOPS + 2)
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
        b.add_edge(EdgeInfo(ids[0], identity_node_id(first[1]), first[0].hop))
    for k, link in enumerate(links):
        a, z = ids[k], ids[k + 1]
        source, target = (a, z) if link["forward"] else (z, a)
        b.add_edge(
            EdgeInfo(source, target, "LINKED", link["count"], link["first_seen"], link["last_seen"])
        )
    if last[0].hop is not None and last[1] is not None:
        b.add_edge(EdgeInfo(ids[-1], identity_node_id(last[1]), last[0].hop))
    built = b.build(risks_of(tx, b.identity_ids()), show)
    by_id = {n.id: n for n in built.nodes}
    return GraphPath([by_id[n] for n in order], built.edges, len(built.edges))
