"""Time-respecting influence on hand-made referral graphs (no database)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import networkx as nx
import pytest

from graph.errors import InputError
from graph.influence.cascade import (
    CascadeNode,
    EventRef,
    InfluencerNode,
    Referral,
    ReferralGraph,
)
from graph.influence.queries import influenced
from graph.influence.ranking import top_influencers
from graph.store.inprocess import article_rank, page_rank
from tests.fakes import FakeStore

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def ref(a: str, b: str, d: float, event: str = "") -> Referral:
    return Referral(a, b, day(d), (EventRef("app", event or f"{a}{b}"),))


def tree_ids(node: CascadeNode) -> dict[str, tuple[str | None, int]]:
    """identity -> (parent, depth), for every node below ``node``."""
    out: dict[str, tuple[str | None, int]] = {}

    def walk(n: CascadeNode) -> None:
        for c in n.children:
            out[c.identity_id] = (n.identity_id, c.depth)
            walk(c)

    walk(node)
    return out


def up_paths(node: InfluencerNode) -> list[list[str]]:
    """Every path from the root upward, as lists of ids (the root excluded)."""
    if not node.referrers:
        return [[]]
    return [[r.identity_id, *p] for r in node.referrers for p in up_paths(r)]


# The integration test's tree: A->B->C, A->D, D->E, and C->F before C was referred.
TREE = [
    ref("A", "B", 1),
    ref("B", "C", 2),
    ref("A", "D", 3),
    ref("D", "E", 4),
    ref("C", "F", 0.5),
]


def test_cascade_follows_time_and_skips_a_referral_made_before_its_referrer_came_in() -> None:
    g = ReferralGraph(TREE)
    c = g.cascade("A")
    assert tree_ids(c.tree) == {
        "B": ("A", 1),
        "C": ("B", 2),
        "D": ("A", 1),
        "E": ("D", 2),
    }
    assert (c.size, c.depth, c.returned, c.truncated) == (4, 2, 4, False)
    assert c.tree.at is None and c.tree.depth == 0
    b = c.tree.children[0]
    assert b.identity_id == "B" and b.at == day(1) and b.events == [EventRef("app", "AB")]
    # C's own cascade: as the root, every referral of C counts.
    own = g.cascade("C")
    assert tree_ids(own.tree) == {"F": ("C", 1)} and own.size == 1


def test_equal_times_do_not_count() -> None:
    # B was referred at day 1 and referred C at day 1 too: not strictly after.
    g = ReferralGraph([ref("A", "B", 1), ref("B", "C", 1)])
    assert g.cascade("A").size == 1


def test_earliest_entry_wins_so_more_referrals_count() -> None:
    # A reaches B directly late (day 10), and early through W (day 1 then 2). B->Z at
    # day 5 counts because B entered the cascade at day 2.
    g = ReferralGraph([ref("A", "B", 10), ref("A", "W", 1), ref("W", "B", 2), ref("B", "Z", 5)])
    ids = tree_ids(g.cascade("A").tree)
    assert ids["B"] == ("W", 2) and ids["Z"] == ("B", 3) and len(ids) == 3


def test_cycles_count_each_identity_once_and_never_the_root() -> None:
    g = ReferralGraph(
        [ref("A", "B", 1), ref("B", "C", 2), ref("C", "A", 3), ref("C", "B", 4), ref("B", "A", 5)]
    )
    c = g.cascade("A")
    assert tree_ids(c.tree) == {"B": ("A", 1), "C": ("B", 2)}
    assert c.size == 2
    # From B: B->C (2), C->A (3), then A->B is at day 1, before A came in: not counted.
    assert tree_ids(g.cascade("B").tree) == {"C": ("B", 1), "A": ("C", 2)}


def test_lifting_keeps_the_earliest_referral_per_pair_and_drops_self_loops() -> None:
    g = ReferralGraph(
        [ref("A", "B", 5, "late"), ref("A", "B", 1, "early"), ref("A", "A", 0), ref("B", "C", 3)]
    )
    (ab,) = [r for r in g.referrals if (r.source, r.target) == ("A", "B")]
    assert ab.at == day(1) and ab.events == (EventRef("app", "early"),) and ab.referrals == 2
    assert all(r.source != r.target for r in g.referrals)
    assert g.cascade("A").size == 2


def test_depth_and_limit_truncate_the_tree_but_not_the_size() -> None:
    chain = [ref(f"n{i}", f"n{i + 1}", i + 1) for i in range(6)]
    g = ReferralGraph(chain)
    c = g.cascade("n0", max_depth=3)
    assert (c.size, c.depth, c.returned, c.truncated) == (6, 6, 3, True)
    assert max(d for _, d in tree_ids(c.tree).values()) == 3
    assert g.cascade("n0", max_depth=6).truncated is False

    star = ReferralGraph([ref("A", f"x{i}", i + 1) for i in range(5)])
    c = star.cascade("A", limit=2)
    assert (c.size, c.returned, c.truncated) == (5, 2, True)
    # Breadth first, earliest first: the kept ones are the first two brought in.
    assert [n.identity_id for n in c.tree.children] == ["x0", "x1"]


def test_limit_keeps_parents_before_children() -> None:
    g = ReferralGraph(TREE)
    c = g.cascade("A", limit=3)
    ids = tree_ids(c.tree)
    assert set(ids) == {"B", "D", "C"} and c.truncated
    assert all(parent == "A" or parent in ids for parent, _ in ids.values())


def test_influencers_walk_up_in_time_order() -> None:
    g = ReferralGraph(TREE)
    up = g.influencers("E")
    assert up_paths(up.tree) == [["D", "A"]]
    assert (up.size, up.depth, up.returned, up.truncated) == (2, 2, 2, False)
    d = up.tree.referrers[0]
    assert d.at == day(4) and d.referrers[0].at == day(3)
    # F was referred by C at day 0.5, before C was referred by B (day 2): stops at C.
    assert up_paths(g.influencers("F").tree) == [["C"]]
    assert g.influencers("F").size == 1
    assert up_paths(g.influencers("A").tree) == [[]]


def test_influencers_show_every_path_and_no_identity_twice_on_one() -> None:
    g = ReferralGraph(
        [
            ref("P", "X", 1),
            ref("Q", "X", 2),
            ref("R", "P", 0),
            ref("R", "Q", 1),
            ref("X", "R", -1),  # X referred R before: a cycle X <- P <- R <- X
            ref("S", "X", 9),  # after X referred Y: does not count upward from Y
            ref("X", "Y", 5),
        ]
    )
    up = g.influencers("Y")
    assert sorted(up_paths(up.tree)) == [["X", "P", "R"], ["X", "Q", "R"]]
    assert up.size == 4 and up.returned == 5 and not up.truncated


def test_influencers_depth_and_limit() -> None:
    chain = ReferralGraph([ref(f"n{i}", f"n{i + 1}", i + 1) for i in range(6)])
    up = chain.influencers("n6", max_depth=2)
    assert up_paths(up.tree) == [["n5", "n4"]] and up.truncated and up.size == 2
    assert chain.influencers("n6", max_depth=6).size == 6

    fan = ReferralGraph([ref(f"r{i}", "X", i + 1) for i in range(5)])
    up = fan.influencers("X", limit=3)
    assert up.returned == 3 and up.truncated and up.size == 5


def test_upstream_agrees_with_the_path_tree_on_random_graphs() -> None:
    rng = random.Random(7)
    for _ in range(30):
        nodes = [f"v{i}" for i in range(8)]
        refs = [
            ref(a, b, rng.randint(0, 20))
            for a in nodes
            for b in nodes
            if a != b and rng.random() < 0.2
        ]
        g = ReferralGraph(refs)
        for root in nodes:
            up = g.influencers(root, max_depth=8, limit=100_000)
            in_tree = {i for p in up_paths(up.tree) for i in p}
            assert in_tree == set(g.upstream(root, 8)) and up.size == len(in_tree)
            # Downward: whoever is upstream of root has root in its cascade, and back.
            for other in nodes:
                if other != root:
                    assert (other in in_tree) == (root in g.earliest_arrivals(other))


def test_cascade_sizes_for_every_referrer() -> None:
    sizes = ReferralGraph(TREE).cascade_sizes()
    assert sizes == {"A": (4, 2), "B": (1, 1), "C": (1, 1), "D": (1, 1)}


def test_article_rank_follows_the_gds_formula() -> None:
    g: nx.DiGraph[str] = nx.DiGraph([("b", "a"), ("c", "a"), ("d", "c")])
    scores = article_rank(g, max_iterations=100)
    mean_out = 3 / 4
    # d and b have no in-links: 1 - 0.85.
    assert scores["d"] == pytest.approx(0.15) and scores["b"] == pytest.approx(0.15)
    c = 0.15 + 0.85 * 0.15 / (1 + mean_out)
    assert scores["c"] == pytest.approx(c)
    assert scores["a"] == pytest.approx(0.15 + 0.85 * (0.15 + c) / (1 + mean_out))
    assert article_rank(nx.DiGraph()) == {}


def test_credit_flows_from_the_referred_to_the_referrer() -> None:
    credit = ReferralGraph(TREE).credit_graph()
    assert credit.has_edge("B", "A") and not credit.has_edge("A", "B")
    scores = page_rank(credit)
    assert max(scores, key=lambda k: scores[k]) == "A"


def test_page_rank_follows_the_gds_formula() -> None:
    g: nx.DiGraph[str] = nx.DiGraph([("b", "a"), ("c", "a"), ("d", "c"), ("d", "b")])
    scores = page_rank(g, max_iterations=100)
    assert scores["d"] == pytest.approx(0.15)
    b = c = 0.15 + 0.85 * 0.15 / 2
    assert scores["b"] == pytest.approx(b) and scores["c"] == pytest.approx(c)
    assert scores["a"] == pytest.approx(0.15 + 0.85 * (b + c))


@pytest.mark.parametrize(
    ("kwargs", "location"),
    [
        ({"by": "degree"}, "by"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"since": day(2), "until": day(1)}, "until"),
        ({"since": day(1), "until": day(1)}, "until"),
    ],
)
def test_top_refuses_bad_input(kwargs: dict[str, Any], location: str) -> None:
    store = FakeStore()
    with pytest.raises(InputError) as e:
        top_influencers(store, **kwargs)
    assert e.value.location == location
    assert store.calls == []  # refused before the store is touched


@pytest.mark.parametrize(
    ("identity_id", "kwargs", "location"),
    [
        ("nope", {}, "identity_id"),
        ("id_0123456789ABCDEF0123", {}, "identity_id"),
        ("id_0123456789abcdef0123", {"max_depth": 0}, "max_depth"),
        ("id_0123456789abcdef0123", {"max_depth": 51}, "max_depth"),
        ("id_0123456789abcdef0123", {"limit": 0}, "limit"),
    ],
)
def test_influenced_refuses_bad_input(
    identity_id: str, kwargs: dict[str, int], location: str
) -> None:
    store = FakeStore()
    with pytest.raises(InputError) as e:
        influenced(store, identity_id, **kwargs)
    assert e.value.location == location
    assert store.calls == []  # refused before the store is touched
