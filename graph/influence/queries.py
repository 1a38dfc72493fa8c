"""Who brought whom: influence along referrals, lifted to identities, in time order.

Referrals (``(:Identifier)-[:REFERRED {at}]->(:Identifier)``) are *lifted* to
identities: one edge from the referrer's identity to the referred's identity per pair,
at the pair's **earliest** referral (later ones re-refer someone already brought in),
citing the events of that referral. Self-referrals and identifiers without an identity
(shared ones) are left out. The lifting happens in Cypher (``influence/referrals_*``);
:meth:`ReferralGraph.from_referrals` applies the same rule to rows in Python.

**Time-respecting rule.** A referral ``X -> Y`` counts in the cascade of a root ``R``
only if it happened strictly after the referral that brought ``X`` into that cascade
(for ``R`` itself every referral counts). So a cascade is the set of identities reachable
from ``R`` along paths whose referral times strictly increase. Each identity is counted
once, entering at its *earliest* possible time (the earliest-arrival tree: computed like
Dijkstra's algorithm, with the arrival time as distance), which is both the fairest
choice and the one that lets the most later referrals count; cycles cannot loop since
times strictly increase. Depth in the tree is the length of that earliest path.

Upwards (:func:`influencers`) the same rule reads backwards: the referrers of ``R``,
then *their* referrers whose referral happened strictly before the one they made, and
so on: every such path, as a tree (an identity may appear in several branches, never
twice on one path).

**Rankings** (:func:`top_influencers`):

- ``cascade``: how many identities each identity's time-respecting cascade holds, in
  Python over the whole lifted graph: one earliest-arrival search per referrer, i.e.
  roughly the sum of the cascades' edge counts (fine for tens of thousands of
  referrals; a dense graph of millions would want a server-side job).
- ``pagerank``: PageRank on the lifted graph with edges pointing from the referred to
  the referrer, so credit flows up: you rank high when you brought in people who
  themselves brought in many. Times are ignored (except for the window).
- ``articlerank``: ArticleRank, the PageRank variant that divides what a node passes on
  by its out-degree *plus the average out-degree*, so that credit from identities with
  few connections counts for less and a handful of incidental referrals does not make
  someone look influential.

PageRank and ArticleRank run in GDS when the server has the plugin (projection
``influence/gds_project``, dropped afterwards), else in this process with
:func:`page_rank` and :func:`article_rank`, GDS's formulas and defaults (damping 0.85,
20 iterations, not normalised), so both back ends give the same ranking.
(``networkx.pagerank`` is not used: it needs scipy, normalises scores and spreads the
score of identities without referrer over everyone.) Scores rank identities within
one answer.

Ids: an unknown id raises :class:`~graph.errors.NotFound`, a malformed one
:class:`~graph.errors.InputError`; a merged or retired id is answered with
:class:`~graph.identity.profiles.MergedIdentity` or
:class:`~graph.identity.profiles.RetiredIdentity`, as the profile does.
"""

from __future__ import annotations

import heapq
import uuid
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import networkx as nx

from graph.errors import InputError, NotFound
from graph.identity.profiles import (
    MergedIdentity,
    RetiredIdentity,
    identity_status,
    is_identity_id,
)
from graph.model.times import time_window
from graph.store import admin, catalog
from graph.store.gateway import GraphStore, Tx

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_MAX_DEPTH",
    "MAX_DEPTH",
    "MAX_LIMIT",
    "MAX_TOP",
    "Cascade",
    "CascadeNode",
    "EventRef",
    "InfluencerNode",
    "Influencers",
    "RankBy",
    "RankedIdentity",
    "Ranking",
    "Referral",
    "ReferralGraph",
    "article_rank",
    "page_rank",
    "influenced",
    "influencers",
    "top_influencers",
]

DEFAULT_MAX_DEPTH = 10
MAX_DEPTH = 50
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
MAX_TOP = 1000

#: How many identities a cascade or influencer search reads at most; past this the
#: answer says ``truncated`` and its size is a lower bound.
MAX_FETCH = 100_000

#: PageRank / ArticleRank settings, the GDS defaults.
DAMPING = 0.85
MAX_ITERATIONS = 20
TOLERANCE = 1e-7

RankBy = Literal["cascade", "pagerank", "articlerank"]
RANK_BY: tuple[RankBy, ...] = ("cascade", "pagerank", "articlerank")


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


@dataclass(frozen=True)
class RankedIdentity:
    rank: int
    identity_id: str
    score: float
    cascade_depth: int | None = None
    """For ``by=cascade``: the deepest level of its cascade."""


@dataclass(frozen=True)
class Ranking:
    by: RankBy
    backend: Literal["python", "gds", "networkx"]
    since: datetime | None
    until: datetime | None
    identities_considered: int
    """Identities with at least one referral (made or received) in the window."""
    identities: list[RankedIdentity]


# --- the pure part: time-respecting search on a lifted referral graph -----------------------


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


def _power_iteration(
    g: nx.DiGraph[str], damping: float, max_iterations: int, tolerance: float, article: bool
) -> dict[str, float]:
    nodes = list(g.nodes)
    if not nodes:
        return {}
    out_degree = {n: int(g.out_degree(n)) for n in nodes}
    extra = sum(out_degree.values()) / len(nodes) if article else 0.0
    score = dict.fromkeys(nodes, 1.0 - damping)
    for _ in range(max_iterations):
        following = {
            v: (1.0 - damping)
            + damping * sum(score[u] / (out_degree[u] + extra) for u in g.predecessors(v))
            for v in nodes
        }
        moved = max(abs(following[n] - score[n]) for n in nodes)
        score = following
        if moved < tolerance:
            break
    return score


def page_rank(
    g: nx.DiGraph[str],
    damping: float = DAMPING,
    max_iterations: int = MAX_ITERATIONS,
    tolerance: float = TOLERANCE,
) -> dict[str, float]:
    """PageRank as GDS computes it, for servers without the plugin.

    ``PR(v) = (1 - d) + d * sum(PR(u) / out(u) for u -> v)``, from ``1 - d`` everywhere,
    until no score moves more than ``tolerance``: not normalised, and nothing is
    redistributed from nodes without out-links (``networkx.pagerank`` does both, and
    needs scipy).
    """
    return _power_iteration(g, damping, max_iterations, tolerance, article=False)


def article_rank(
    g: nx.DiGraph[str],
    damping: float = DAMPING,
    max_iterations: int = MAX_ITERATIONS,
    tolerance: float = TOLERANCE,
) -> dict[str, float]:
    """ArticleRank as GDS computes it, for servers without the plugin.

    ``AR(v) = (1 - d) + d * sum(AR(u) / (out(u) + mean_out) for u -> v)``, from
    ``1 - d`` everywhere, until no score moves more than ``tolerance``.
    """
    return _power_iteration(g, damping, max_iterations, tolerance, article=True)


# --- reading the graph ----------------------------------------------------------------------


def _check_bounds(max_depth: int, limit: int) -> None:
    if not 1 <= max_depth <= MAX_DEPTH:
        raise InputError(f"max_depth is between 1 and {MAX_DEPTH}", location="max_depth")
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit is between 1 and {MAX_LIMIT}", location="limit")


def _check_id(identity_id: str) -> None:
    if not is_identity_id(identity_id):
        raise InputError(
            "an identity id is 'id_' followed by 20 lowercase hexadecimal characters",
            location="identity_id",
        )


def _referral(row: Mapping[str, Any]) -> Referral:
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


def _read_referrals(tx: Tx, name: str, ids: Sequence[str]) -> list[Referral]:
    return [_referral(r) for r in tx.rows(name, identity_ids=list(ids))]


def _read_rounds(
    tx: Tx,
    name: str,
    identity_id: str,
    reached: Callable[[ReferralGraph], Iterable[str]],
) -> tuple[ReferralGraph, bool]:
    """Referrals read round by round with query ``name``: first those of
    ``identity_id``, then those of every identity ``reached`` names that was not read
    yet, until none is new. Reads at most :data:`MAX_FETCH` identities; the second
    value says the cap cut the reading short."""
    graph = ReferralGraph()
    read: set[str] = set()
    wanted = [identity_id]
    while wanted:
        room = MAX_FETCH - len(read)
        capped = len(wanted) > room
        wanted = wanted[:room]
        graph.add(_read_referrals(tx, name, wanted))
        read.update(wanted)
        if capped:
            return graph, True
        wanted = sorted(v for v in reached(graph) if v not in read)
    return graph, False


def _status(tx: Tx, identity_id: str) -> MergedIdentity | RetiredIdentity | None:
    """None for an active identity; where a merged one went; a retired one.

    Raises:
        NotFound: no identity has this id.
    """
    found = identity_status(tx, identity_id)
    if found is None:
        raise NotFound("no identity has this id")
    return found if isinstance(found, MergedIdentity | RetiredIdentity) else None


def influenced(
    repo: GraphStore,
    identity_id: str,
    max_depth: int = DEFAULT_MAX_DEPTH,
    limit: int = DEFAULT_LIMIT,
) -> Cascade | MergedIdentity | RetiredIdentity:
    """The time-respecting cascade below ``identity_id`` (see the module docstring).

    Reads referrals round by round in one read transaction: those made by the
    identities the cascade has reached so far, until it reaches no one new (at most
    :data:`MAX_FETCH` identities).

    Raises:
        InputError: a malformed id, or bounds out of range.
        NotFound: no identity has this id.
    """
    _check_id(identity_id)
    _check_bounds(max_depth, limit)

    def work(tx: Tx) -> Cascade | MergedIdentity | RetiredIdentity:
        moved = _status(tx, identity_id)
        if moved is not None:
            return moved
        graph, capped = _read_rounds(
            tx, "influence/referrals_out", identity_id, lambda g: g.earliest_arrivals(identity_id)
        )
        found = graph.cascade(identity_id, max_depth, limit)
        if capped:
            found = Cascade(
                found.identity_id, found.size, found.depth, found.returned, True, found.tree
            )
        return found

    return repo.read_transaction(work)


def influencers(
    repo: GraphStore,
    identity_id: str,
    max_depth: int = DEFAULT_MAX_DEPTH,
    limit: int = DEFAULT_LIMIT,
) -> Influencers | MergedIdentity | RetiredIdentity:
    """Who brought ``identity_id`` in, and who brought them in earlier, up to
    ``max_depth`` referrals (see the module docstring).

    Raises:
        InputError: a malformed id, or bounds out of range.
        NotFound: no identity has this id.
    """
    _check_id(identity_id)
    _check_bounds(max_depth, limit)

    def work(tx: Tx) -> Influencers | MergedIdentity | RetiredIdentity:
        moved = _status(tx, identity_id)
        if moved is not None:
            return moved
        # Those at the last level are read too, to tell whether the tree is cut there.
        graph, capped = _read_rounds(
            tx, "influence/referrals_in", identity_id, lambda g: g.upstream(identity_id, max_depth)
        )
        found = graph.influencers(identity_id, max_depth, limit)
        if capped:
            found = Influencers(
                found.identity_id, found.size, found.depth, found.returned, True, found.tree
            )
        return found

    return repo.read_transaction(work)


# --- rankings -------------------------------------------------------------------------------


def _read_all(repo: GraphStore, window: Mapping[str, Any]) -> ReferralGraph:
    def work(tx: Tx) -> ReferralGraph:
        rows = tx.rows("influence/referrals_all", **window)
        return ReferralGraph(_referral(r) for r in rows)

    return repo.read_transaction(work)


def _ranked(scores: Mapping[str, float], limit: int) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def _gds_rank(
    repo: GraphStore, by: RankBy, limit: int, window: Mapping[str, Any]
) -> tuple[int, list[tuple[str, float]]]:
    """Identities in the projection, and the best ``limit`` by ``by``, from GDS."""
    found = repo.read_transaction(lambda tx: tx.single("influence/any_referral", **window))
    if found is None or not found["found"]:
        return 0, []
    gds = repo.gds()
    graph_name = f"idgraph-influence-{uuid.uuid4().hex[:12]}"
    projected = gds.graph.project.cypher(
        catalog.query("influence/gds_project"), graph_name=graph_name, **window
    )
    try:
        rows = gds.run_cypher(
            catalog.query(f"influence/gds_{by}_stream"),
            {
                "graph_name": graph_name,
                "damping": DAMPING,
                "max_iterations": MAX_ITERATIONS,
                "limit": limit,
            },
        )
        nodes = int(projected.graph.node_count())
    finally:
        projected.graph.drop()
    return nodes, [
        (str(i), float(s)) for i, s in zip(rows["identity_id"], rows["score"], strict=True)
    ]


def top_influencers(
    repo: GraphStore,
    by: str = "cascade",
    limit: int = 20,
    since: datetime | None = None,
    until: datetime | None = None,
    backend: Literal["auto", "gds", "networkx"] = "auto",
) -> Ranking:
    """The most influential identities (see the module docstring for each ranking).

    Args:
        repo: the graph.
        by: ``cascade``, ``pagerank`` or ``articlerank``.
        limit: how many identities, 1 to :data:`MAX_TOP`.
        since, until: only referrals at or after ``since`` and strictly before
            ``until`` (a time without zone is UTC).
        backend: for ``pagerank``/``articlerank``: GDS when the server has it
            (``auto``), or ``networkx`` (this process) anyway. ``gds`` on a server
            without the plugin falls back to networkx too.

    Raises:
        InputError: unknown ``by``, ``limit`` out of range, ``since`` not before ``until``.
    """
    if by not in RANK_BY:
        raise InputError("by is one of: " + ", ".join(RANK_BY), location="by")
    if not 1 <= limit <= MAX_TOP:
        raise InputError(f"limit is between 1 and {MAX_TOP}", location="limit")
    window = time_window(since, until)
    rank_by: RankBy = by  # narrowed by the check against RANK_BY above

    def answer(
        used: Literal["python", "gds", "networkx"],
        considered: int,
        best: list[tuple[str, float]],
        depths: Mapping[str, int] | None = None,
    ) -> Ranking:
        return Ranking(
            by=rank_by,
            backend=used,
            since=window["since"],
            until=window["until"],
            identities_considered=considered,
            identities=[
                RankedIdentity(
                    rank=n,
                    identity_id=i,
                    score=s,
                    cascade_depth=None if depths is None else depths.get(i, 0),
                )
                for n, (i, s) in enumerate(best, start=1)
            ],
        )

    if rank_by != "cascade" and backend != "networkx" and admin.gds_version(repo) is not None:
        considered, best = _gds_rank(repo, rank_by, limit, window)
        return answer("gds", considered, best)

    graph = _read_all(repo, window)
    considered = len(graph.identities)
    if rank_by == "cascade":
        sizes = graph.cascade_sizes()
        scores = {i: float(sizes.get(i, (0, 0))[0]) for i in graph.identities}
        depths = {i: d for i, (_, d) in sizes.items()}
        return answer("python", considered, _ranked(scores, limit), depths)
    credit = graph.credit_graph()
    if credit.number_of_nodes() == 0:
        return answer("networkx", 0, [])
    scores = page_rank(credit) if rank_by == "pagerank" else article_rank(credit)
    return answer("networkx", considered, _ranked(scores, limit))
