"""Who brought whom, in time order: the pure part of influence (no database here).

Referrals (``(:Identifier)-[:REFERRED {at}]->(:Identifier)``) are *lifted* to
identities: one edge from the referrer's identity to the referred's identity per pair,
at the pair's **earliest** referral (later ones re-refer someone already brought in),
citing the events of that referral. Self-referrals and identifiers without an identity
(shared ones) are left out. The lifting happens in Cypher (``influence/referrals_*``);
:class:`ReferralGraph` applies the same rule to rows in Python.

**Time-respecting rule.** A referral ``X -> Y`` counts in the cascade of a root ``R``
only if it happened strictly after the referral that brought ``X`` into that cascade
(for ``R`` itself every referral counts). So a cascade is the set of identities reachable
from ``R`` along paths whose referral times strictly increase. Each identity is counted
once, entering at its *earliest* possible time (the earliest-arrival tree: computed like
Dijkstra's algorithm, with the arrival time as distance), which is both the fairest
choice and the one that lets the most later referrals count; cycles cannot loop since
times strictly increase. Depth in the tree is the length of that earliest path.

Upwards (:meth:`ReferralGraph.influencers`) the same rule reads backwards: the referrers
of ``R``, then *their* referrers whose referral happened strictly before the one they
made, and so on: every such path, as a tree (an identity may appear in several
branches, never twice on one path).

Reading the graph is :mod:`graph.influence.queries`; rankings :mod:`graph.influence.ranking`.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import networkx as nx

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_MAX_DEPTH",
    "Cascade",
    "CascadeNode",
    "EventRef",
    "InfluencerNode",
    "Influencers",
    "Referral",
    "ReferralGraph",
    "referral_from_row",
]

DEFAULT_MAX_DEPTH = 10
DEFAULT_LIMIT = 1000


@dataclass(frozen=True, order=True)
class EventRef:
    """An event that made a referral."""

    source: str
    event_id: str


@dataclass(frozen=True)
class Referral:
    """A referral lifted to identities: ``source`` brought ``target`` in at ``at``."""

    source: str
    target: str
    at: datetime
    events: tuple[EventRef, ...] = ()
    """The events of the referral at ``at``."""
    referrals: int = 1
    """How many distinct events referred ``target`` from ``source`` (at any time)."""


@dataclass
class CascadeNode:
    """An identity in a cascade, with those it brought in afterwards."""

    identity_id: str
    at: datetime | None
    """When the referral that brought it into the cascade happened (None: the root)."""
    depth: int
    events: list[EventRef] = field(default_factory=list)
    children: list[CascadeNode] = field(default_factory=list)


@dataclass(frozen=True)
class Cascade:
    """The time-respecting cascade below one identity."""

    identity_id: str
    size: int
    """How many identities the whole cascade holds (the root not counted)."""
    depth: int
    """The deepest level of the whole cascade (0: nobody was brought in)."""
    returned: int
    """How many identities ``tree`` shows below the root."""
    truncated: bool
    """Whether ``tree`` leaves out part of the cascade (``max_depth``, ``limit``)."""
    tree: CascadeNode


@dataclass
class InfluencerNode:
    """An identity upstream: it referred the node below it at ``at``."""

    identity_id: str
    at: datetime | None
    """When it referred the identity below it (None: the root)."""
    depth: int
    events: list[EventRef] = field(default_factory=list)
    referrers: list[InfluencerNode] = field(default_factory=list)


@dataclass(frozen=True)
class Influencers:
    """Who brought one identity in, and who brought them in earlier, as a tree upward."""

    identity_id: str
    size: int
    """How many distinct identities lie upstream within ``max_depth`` referrals."""
    depth: int
    """The deepest level ``tree`` shows."""
    returned: int
    """How many nodes ``tree`` shows above the root (an identity may appear twice)."""
    truncated: bool
    tree: InfluencerNode


# --- time-respecting search on a lifted referral graph ------------------------------------


class ReferralGraph:
    """Lifted referrals, indexed for time-respecting searches.

    Args:
        referrals: lifted referrals; several for one pair are merged (earliest ``at``,
            its events), self-referrals dropped.
    """

    def __init__(self, referrals: Iterable[Referral] = ()) -> None:
        self._pairs: dict[tuple[str, str], Referral] = {}
        self._out: dict[str, list[Referral]] = {}
        self._in: dict[str, list[Referral]] = {}
        self._out_at: dict[str, list[datetime]] = {}
        self._in_at: dict[str, list[datetime]] = {}
        self._fresh = True
        self.add(referrals)

    @classmethod
    def from_referrals(cls, referrals: Iterable[Referral]) -> ReferralGraph:
        return cls(referrals)

    def add(self, referrals: Iterable[Referral]) -> None:
        for r in referrals:
            if r.source == r.target:
                continue
            key = (r.source, r.target)
            known = self._pairs.get(key)
            if known is None:
                self._pairs[key] = r
            elif r.at < known.at:
                self._pairs[key] = Referral(
                    r.source, r.target, r.at, r.events, known.referrals + r.referrals
                )
            else:
                events = known.events
                if r.at == known.at:
                    events = tuple(sorted(set(known.events) | set(r.events)))
                self._pairs[key] = Referral(
                    r.source, r.target, known.at, events, known.referrals + r.referrals
                )
            self._fresh = False

    def _index(self) -> None:
        if self._fresh:
            return
        out: dict[str, list[Referral]] = {}
        into: dict[str, list[Referral]] = {}
        for r in self._pairs.values():
            out.setdefault(r.source, []).append(r)
            into.setdefault(r.target, []).append(r)
        for edges in out.values():
            edges.sort(key=lambda r: (r.at, r.target))
        for edges in into.values():
            edges.sort(key=lambda r: (r.at, r.source))
        self._out, self._in = out, into
        self._out_at = {k: [r.at for r in v] for k, v in out.items()}
        self._in_at = {k: [r.at for r in v] for k, v in into.items()}
        self._fresh = True

    @property
    def identities(self) -> set[str]:
        return {i for pair in self._pairs for i in pair}

    @property
    def referrals(self) -> list[Referral]:
        return list(self._pairs.values())

    def referrers(self) -> list[str]:
        """Identities that referred someone, sorted."""
        self._index()
        return sorted(self._out)

    # --- downward ---------------------------------------------------------------------------

    def earliest_arrivals(self, root: str) -> dict[str, tuple[Referral, int]]:
        """Every identity of ``root``'s cascade: the referral that brought it in, its depth.

        The earliest-arrival search: an identity is reached at the time of the earliest
        time-respecting path from ``root``, and its referrals count only if later.
        """
        self._index()
        arrival: dict[str, datetime] = {}
        brought: dict[str, tuple[Referral, int]] = {}
        heap: list[tuple[datetime, str]] = []

        def relax(u: str, depth: int) -> None:
            edges = self._out.get(u)
            if not edges:
                return
            after = arrival.get(u)
            start = 0 if after is None else bisect_right(self._out_at[u], after)
            for ref in edges[start:]:
                v = ref.target
                if v == root:
                    continue
                current = arrival.get(v)
                if current is None or ref.at < current:
                    arrival[v] = ref.at
                    brought[v] = (ref, depth + 1)
                    heapq.heappush(heap, (ref.at, v))

        relax(root, 0)
        done = {root}
        while heap:
            at, v = heapq.heappop(heap)
            if v in done or arrival[v] != at:
                continue
            done.add(v)
            relax(v, brought[v][1])
        return brought

    def cascade(
        self, root: str, max_depth: int = DEFAULT_MAX_DEPTH, limit: int = DEFAULT_LIMIT
    ) -> Cascade:
        """``root``'s time-respecting cascade as a tree, cut at ``max_depth`` and ``limit``.

        ``size`` and ``depth`` describe the whole cascade; the tree keeps the first
        ``limit`` identities in breadth-first order (by depth, then time).
        """
        brought = self.earliest_arrivals(root)
        children: dict[str, list[str]] = {}
        for v, (ref, _) in brought.items():
            children.setdefault(ref.source, []).append(v)
        for kids in children.values():
            kids.sort(key=lambda v: (brought[v][0].at, v))
        tree = CascadeNode(identity_id=root, at=None, depth=0)
        queue: deque[CascadeNode] = deque([tree])
        returned = 0
        truncated = False
        while queue:
            node = queue.popleft()
            kids = children.get(node.identity_id, [])
            if kids and node.depth >= max_depth:
                truncated = True
                continue
            for v in kids:
                if returned >= limit:
                    truncated = True
                    break
                ref, depth = brought[v]
                child = CascadeNode(v, ref.at, depth, list(ref.events))
                node.children.append(child)
                queue.append(child)
                returned += 1
        return Cascade(
            identity_id=root,
            size=len(brought),
            depth=max((d for _, d in brought.values()), default=0),
            returned=returned,
            truncated=truncated,
            tree=tree,
        )

    def cascade_sizes(self) -> dict[str, tuple[int, int]]:
        """Every referrer's cascade ``(size, depth)``: one earliest-arrival search each."""
        out: dict[str, tuple[int, int]] = {}
        for root in self.referrers():
            brought = self.earliest_arrivals(root)
            out[root] = (len(brought), max((d for _, d in brought.values()), default=0))
        return out

    # --- upward -----------------------------------------------------------------------------

    def upstream(self, root: str, max_depth: int = DEFAULT_MAX_DEPTH) -> dict[str, int]:
        """Identities with a time-respecting path to ``root`` of at most ``max_depth``
        referrals: how few referrals they need.

        Bellman-Ford by levels on the *latest* time each one can make its referral and
        still reach ``root`` in time order.
        """
        self._index()
        latest: dict[str, datetime | None] = {root: None}  # None: any time (the root)
        hops: dict[str, int] = {}
        frontier = {root}
        for level in range(1, max_depth + 1):
            improved: set[str] = set()
            previous = dict(latest)  # paths of fewer than `level` referrals
            for v in frontier:
                edges = self._in.get(v)
                if not edges:
                    continue
                before = previous[v]
                stop = len(edges) if before is None else bisect_left(self._in_at[v], before)
                for ref in edges[:stop]:
                    u = ref.source
                    if u == root:
                        continue
                    known = u in latest
                    best = latest.get(u)
                    if not known or (best is not None and ref.at > best):
                        latest[u] = ref.at
                        hops.setdefault(u, level)
                        improved.add(u)
            frontier = improved
            if not frontier:
                break
        return hops

    def influencers(
        self, root: str, max_depth: int = DEFAULT_MAX_DEPTH, limit: int = DEFAULT_LIMIT
    ) -> Influencers:
        """Every time-respecting referral path up from ``root``, as a tree.

        A referrer's own referrers count only if they referred it strictly before the
        referral it made on the path; no identity appears twice on one path.
        """
        self._index()
        tree = InfluencerNode(identity_id=root, at=None, depth=0)
        queue: deque[tuple[InfluencerNode, frozenset[str]]] = deque([(tree, frozenset({root}))])
        returned = 0
        deepest = 0
        truncated = False
        while queue and not (truncated and returned >= limit):
            node, path = queue.popleft()
            edges = self._in.get(node.identity_id, [])
            stop = (
                len(edges)
                if node.at is None
                else bisect_left(self._in_at.get(node.identity_id, []), node.at)
            )
            candidates = [r for r in edges[:stop] if r.source not in path]
            if not candidates:
                continue
            if node.depth >= max_depth:
                truncated = True
                continue
            for ref in candidates:
                if returned >= limit:
                    truncated = True
                    break
                child = InfluencerNode(ref.source, ref.at, node.depth + 1, list(ref.events))
                node.referrers.append(child)
                queue.append((child, path | {ref.source}))
                returned += 1
                deepest = max(deepest, child.depth)
        return Influencers(
            identity_id=root,
            size=len(self.upstream(root, max_depth)),
            depth=deepest,
            returned=returned,
            truncated=truncated,
            tree=tree,
        )

    # --- rankings in this process -----------------------------------------------------------

    def credit_graph(self) -> nx.DiGraph[str]:
        """The lifted graph with edges from the referred to the referrer (credit flows up)."""
        g: nx.DiGraph[str] = nx.DiGraph()
        g.add_nodes_from(sorted(self.identities))
        g.add_edges_from((r.target, r.source) for r in self._pairs.values())
        return g


def referral_from_row(row: Mapping[str, Any]) -> Referral:
    """A lifted referral from a row of ``influence/referrals_*`` (``source, target, at``,
    optional ``events`` and ``referrals``)."""
    events = tuple(
        sorted(
            {
                EventRef(str(e["source"]), str(e["event_id"]))
                for e in row.get("events") or []
                if e.get("event_id") is not None
            }
        )
    )
    return Referral(
        source=str(row["source"]),
        target=str(row["target"]),
        at=row["at"],
        events=events,
        referrals=int(row.get("referrals") or 1),
    )
