"""Both implementations of :class:`graph.store.algorithms.Algorithms` on the same graphs.

The same test runs against GDS and networkx (as splink runs one test per SQL dialect),
on random graphs written to the real Neo4j; the answers must agree with each other and
with a reference computed here (networkx on the graph as generated).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import networkx as nx
import pytest

from graph.store import inprocess
from graph.store.algorithms import Algorithms, GdsAlgorithms, InProcessAlgorithms
from graph.store.repository import Neo4jStore

pytestmark = pytest.mark.integration

BOTH = [
    pytest.param(GdsAlgorithms(), id="gds", marks=pytest.mark.gds),
    pytest.param(InProcessAlgorithms(), id="networkx"),
]
SEEDS = [1, 2, 3]


def _partition(components: dict[str, int], names: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[int, set[str]] = {}
    for node, comp in components.items():
        groups.setdefault(comp, set()).add(names.get(node, node))
    return {frozenset(g) for g in groups.values()}


def _write_identifier_graph(repo: Neo4jStore, seed: int) -> nx.Graph[str]:
    """A random link graph with hubs and weights; returns the trusted graph it holds
    (min weight 0.3), by identifier value."""
    rng = random.Random(seed)
    values = [f"v{seed}-{k}" for k in range(80)]
    hubs = set(rng.sample(values, 4))
    links = {tuple(sorted(rng.sample(values, 2))): round(rng.random(), 3) for _ in range(90)}
    with repo.driver.session(database=repo.database) as s:
        s.run(
            "UNWIND $values AS v CREATE (:Identifier {type: 'email', value: v, hub: v IN $hubs})",
            values=values,
            hubs=sorted(hubs),
        ).consume()
        s.run(
            "UNWIND $links AS l MATCH (a:Identifier {value: l[0]}), (b:Identifier {value: l[1]})"
            " CREATE (a)-[:LINKED {weight: l[2]}]->(b)",
            links=[[a, b, w] for (a, b), w in links.items()],
        ).consume()
    trusted: nx.Graph[str] = nx.Graph()
    trusted.add_nodes_from(v for v in values if v not in hubs)
    trusted.add_edges_from(
        (a, b) for (a, b), w in links.items() if w >= 0.3 and a not in hubs and b not in hubs
    )
    return trusted


def _values(repo: Neo4jStore) -> dict[str, str]:
    with repo.driver.session(database=repo.database) as s:
        return {
            r["id"]: r["value"]
            for r in s.run("MATCH (i:Identifier) RETURN elementId(i) AS id, i.value AS value")
        }


@pytest.mark.parametrize("algorithms", BOTH)
@pytest.mark.parametrize("seed", SEEDS)
def test_identity_components_on_random_graphs(
    repo: Neo4jStore, algorithms: Algorithms, seed: int
) -> None:
    trusted = _write_identifier_graph(repo, seed)
    found = algorithms.identity_components(repo, 0.3)
    expected = {frozenset(c) for c in nx.connected_components(trusted)}
    assert _partition(found, _values(repo)) == expected


def _write_identity_graph(repo: Neo4jStore, seed: int) -> list[frozenset[str]]:
    """Identities using shared devices (some used by more than the fan-out of 6);
    returns each device's identity set."""
    rng = random.Random(seed)
    people = [f"id_{seed}_{k}" for k in range(40)]
    uses = [frozenset(rng.sample(people, rng.choice([2, 2, 3, 8]))) for _ in range(25)]
    with repo.driver.session(database=repo.database) as s:
        s.run(
            "UNWIND $people AS p CREATE (:Identity {identity_id: p, status: 'active'})",
            people=people,
        ).consume()
        s.run(
            "UNWIND range(0, size($uses) - 1) AS k"
            " CREATE (d:Identifier {type: 'device', value: 'd' + k})"
            " WITH d, $uses[k] AS users UNWIND users AS p"
            " MATCH (i:Identity {identity_id: p}) CREATE (d)-[:USED_BY]->(i)",
            uses=[sorted(u) for u in uses],
        ).consume()
    return uses


@pytest.mark.parametrize("algorithms", BOTH)
@pytest.mark.parametrize("seed", SEEDS)
def test_ring_components_on_random_graphs(
    repo: Neo4jStore, algorithms: Algorithms, seed: int
) -> None:
    uses = _write_identity_graph(repo, seed)
    groups = [u for u in uses if 2 <= len(u) <= 6]
    found = algorithms.ring_components(repo, groups, ["device"], 6)
    expected = _partition(inprocess.group_components(groups), {})
    assert _partition(found, {}) == expected


def test_ring_components_of_nothing(repo: Neo4jStore) -> None:
    for algorithms in (GdsAlgorithms(), InProcessAlgorithms()):
        assert algorithms.ring_components(repo, [], ["device"], 6) == {}


def _write_referrals(repo: Neo4jStore, seed: int) -> None:
    rng = random.Random(seed)
    people = [f"id_{seed}_{k:02d}" for k in range(30)]
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    refs = [
        [a, b, t0 + timedelta(hours=rng.randrange(500))]
        for a, b in (rng.sample(people, 2) for _ in range(60))
    ]
    with repo.driver.session(database=repo.database) as s:
        s.run(
            "UNWIND $people AS p CREATE (:Identity {identity_id: p, status: 'active'})"
            " CREATE (:Identifier {type: 'email', value: p, identity_id: p})",
            people=people,
        ).consume()
        s.run(
            "UNWIND $refs AS r MATCH (a:Identifier {value: r[0]}), (b:Identifier {value: r[1]})"
            " CREATE (a)-[:REFERRED {at: r[2], source: 'app', event_id: randomUUID()}]->(b)",
            refs=refs,
        ).consume()


@pytest.mark.parametrize("by", ["pagerank", "articlerank"])
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.gds
def test_rankings_agree(repo: Neo4jStore, by: str, seed: int) -> None:
    _write_referrals(repo, seed)
    window = {"since": None, "until": None}
    n_gds, gds = GdsAlgorithms().rank(repo, by, 1000, window)  # type: ignore[arg-type]
    n_nx, local = InProcessAlgorithms().rank(repo, by, 1000, window)  # type: ignore[arg-type]
    assert n_gds == n_nx > 0 and len(gds) == len(local) == n_nx
    # Close, not equal: on graphs with cycles 20 iterations have not converged, and GDS's
    # maxIterations 20 gives what 19 rounds of page_rank give (0.2% apart at most here).
    scores = dict(local)
    for identity, score in gds:
        assert score == pytest.approx(scores[identity], rel=1e-2)
    # Best first: the same scores in the same order, within that tolerance.
    assert [s for _, s in gds] == pytest.approx([s for _, s in local], rel=1e-2)
    assert {i for i, _ in gds[:5]} & {i for i, _ in local[:5]}


@pytest.mark.parametrize("algorithms", BOTH)
def test_rankings_of_an_empty_window(repo: Neo4jStore, algorithms: Algorithms) -> None:
    _write_referrals(repo, 1)
    window = {"since": datetime(2030, 1, 1, tzinfo=UTC), "until": None}
    assert algorithms.rank(repo, "pagerank", 10, window) == (0, [])
