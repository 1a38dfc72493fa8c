"""The most influential identities: rankings over referrals lifted to identities.

- ``cascade``: how many identities each identity's time-respecting cascade holds
  (:mod:`graph.influence.cascade`), in Python over the whole lifted graph: one
  earliest-arrival search per referrer, i.e. roughly the sum of the cascades' edge
  counts (fine for tens of thousands of referrals; a dense graph of millions would want
  a server-side job).
- ``pagerank``: PageRank on the lifted graph with edges pointing from the referred to
  the referrer, so credit flows up: you rank high when you brought in people who
  themselves brought in many. Times are ignored (except for the window).
- ``articlerank``: ArticleRank, the PageRank variant that divides what a node passes on
  by its out-degree *plus the average out-degree*, so that credit from identities with
  few connections counts for less and a handful of incidental referrals does not make
  someone look influential.

PageRank and ArticleRank come from :class:`~graph.store.algorithms.Algorithms`: GDS on
the server, or in this process with GDS's formulas and defaults (damping 0.85, 20
iterations, not normalised), so both give the same ranking. Scores rank identities
within one answer.

A ranking is recomputed only when the data changes: :class:`RankingCache` keeps answers
by :func:`data_version` (referral and identity counts, the last clustering run), which
costs one cheap read per request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from graph.errors import InputError
from graph.influence.cascade import ReferralGraph, referral_from_row
from graph.model.times import time_window
from graph.store.algorithms import Algorithms, choose_algorithms
from graph.store.gateway import GraphStore, Tx

__all__ = [
    "MAX_TOP",
    "RANK_BY",
    "RankBy",
    "RankedIdentity",
    "Ranking",
    "RankingCache",
    "data_version",
    "top_influencers",
]

MAX_TOP = 1000

RankBy = Literal["cascade", "pagerank", "articlerank"]
RANK_BY: tuple[RankBy, ...] = ("cascade", "pagerank", "articlerank")


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


def data_version(store: GraphStore) -> Hashable:
    """What the rankings depend on, cheaply (see ``influence/data_version``): equal
    versions mean an equal lifted referral graph."""
    rows = store.read("influence/data_version")
    if not rows:
        return None
    r = rows[0]
    return (int(r["referrals"]), int(r["identities"]), tuple(str(x) for x in r["runs"]))


class RankingCache:
    """Rankings by request, valid for one data version (thread-safe, at most ``size``).

    One per process (the API keeps it on ``app.state``): a repeated request costs a
    version read instead of a projection or a read of every referral.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[Hashable, Ranking]] = OrderedDict()

    def get(self, key: Hashable, version: Hashable) -> Ranking | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] != version:
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, version: Hashable, ranking: Ranking) -> None:
        with self._lock:
            self._entries[key] = (version, ranking)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def _read_all(repo: GraphStore, window: Mapping[str, Any]) -> ReferralGraph:
    def work(tx: Tx) -> ReferralGraph:
        rows = tx.rows("influence/referrals_all", **window)
        return ReferralGraph(referral_from_row(r) for r in rows)

    return repo.read_transaction(work)


def _ranked(scores: Mapping[str, float], limit: int) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def top_influencers(
    repo: GraphStore,
    by: str = "cascade",
    limit: int = 20,
    since: datetime | None = None,
    until: datetime | None = None,
    algorithms: Algorithms | None = None,
    cache: RankingCache | None = None,
) -> Ranking:
    """The most influential identities (see the module docstring for each ranking).

    Args:
        repo: the graph.
        by: ``cascade``, ``pagerank`` or ``articlerank``.
        limit: how many identities, 1 to :data:`MAX_TOP`.
        since, until: only referrals at or after ``since`` and strictly before
            ``until`` (a time without zone is UTC).
        algorithms: computes ``pagerank``/``articlerank``, chosen once by the caller;
            None: chosen now (``auto``: GDS when the server has it).
        cache: answers kept by data version; None: always computed.

    Raises:
        InputError: unknown ``by``, ``limit`` out of range, ``since`` not before ``until``.
    """
    if by not in RANK_BY:
        raise InputError("by is one of: " + ", ".join(RANK_BY), location="by")
    if not 1 <= limit <= MAX_TOP:
        raise InputError(f"limit is between 1 and {MAX_TOP}", location="limit")
    window = time_window(since, until)
    rank_by: RankBy = by  # narrowed by the check against RANK_BY above
    if rank_by != "cascade" and algorithms is None:
        algorithms = choose_algorithms(repo)
    if cache is None:
        return _compute(repo, rank_by, limit, window, algorithms)
    # The version is read before computing: data newer than it is cached under the older
    # version, which the next request no longer matches.
    version = data_version(repo)
    key = (rank_by, limit, window["since"], window["until"], getattr(algorithms, "name", None))
    found = cache.get(key, version)
    if found is None:
        found = _compute(repo, rank_by, limit, window, algorithms)
        cache.put(key, version, found)
    return found


def _compute(
    repo: GraphStore,
    rank_by: RankBy,
    limit: int,
    window: Mapping[str, Any],
    algorithms: Algorithms | None,
) -> Ranking:
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

    if rank_by == "cascade" or algorithms is None:
        graph = _read_all(repo, window)
        sizes = graph.cascade_sizes()
        scores = {i: float(sizes.get(i, (0, 0))[0]) for i in graph.identities}
        depths = {i: d for i, (_, d) in sizes.items()}
        return answer("python", len(graph.identities), _ranked(scores, limit), depths)
    considered, best = algorithms.rank(repo, rank_by, limit, window)
    return answer(algorithms.name, considered, best)
