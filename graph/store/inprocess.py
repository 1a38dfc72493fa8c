"""The in-process graph algorithms: networkx, for servers without the GDS plugin.

Pure functions of the graph they are given (no database here): connected components,
and PageRank and ArticleRank with GDS's formulas and defaults, so that both back ends
of :mod:`graph.store.algorithms` rank alike. (``networkx.pagerank`` is not used: it
needs scipy, normalises scores and spreads the score of nodes without out-links over
everyone, which GDS does not.)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import networkx as nx

__all__ = [
    "DAMPING",
    "MAX_ITERATIONS",
    "TOLERANCE",
    "article_rank",
    "connected_components",
    "group_components",
    "page_rank",
]

#: PageRank / ArticleRank settings, the GDS defaults.
DAMPING = 0.85
MAX_ITERATIONS = 20
TOLERANCE = 1e-7


def connected_components(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Node -> component number; edges to nodes not listed are ignored (as a projection
    of ``nodes`` would ignore them)."""
    g: nx.Graph[str] = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from((a, b) for a, b in edges if a in g and b in g)
    out: dict[str, int] = {}
    for number, members in enumerate(nx.connected_components(g)):
        for node in members:
            out[node] = number
    return out


def group_components(groups: Iterable[Collection[str]]) -> dict[str, int]:
    """Components of the graph where the members of each group are all linked (a shared
    identifier links every identity that uses it)."""
    g: nx.Graph[str] = nx.Graph()
    for group in groups:
        members = sorted(group)
        g.add_nodes_from(members)
        g.add_edges_from(zip(members, members[1:], strict=False))  # a path links them all
    out: dict[str, int] = {}
    for number, found in enumerate(nx.connected_components(g)):
        for node in found:
            out[node] = number
    return out


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
