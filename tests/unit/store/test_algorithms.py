"""Choosing the algorithms once, and the in-process ones on scripted rows (no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graph.errors import ConfigurationError, StatementRejected
from graph.store import inprocess
from graph.store.algorithms import GdsAlgorithms, InProcessAlgorithms, choose_algorithms
from tests.fakes import FakeStore


def _without_gds() -> FakeStore:
    return FakeStore().answer("store/gds_version", StatementRejected("no such function"))


def test_networkx_is_chosen_without_asking_the_server() -> None:
    store = FakeStore()
    assert isinstance(choose_algorithms(store, "networkx"), InProcessAlgorithms)
    assert store.calls == []


def test_auto_follows_the_plugin() -> None:
    with_gds = FakeStore().answer("store/gds_version", [{"version": "2.13.9"}])
    assert isinstance(choose_algorithms(with_gds), GdsAlgorithms)
    assert isinstance(choose_algorithms(_without_gds()), InProcessAlgorithms)


def test_gds_without_the_plugin_and_unknown_preferences_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="no Graph Data Science plugin"):
        choose_algorithms(_without_gds(), "gds")
    store = FakeStore()
    with pytest.raises(ConfigurationError, match="auto, gds or networkx"):
        choose_algorithms(store, "spark")
    assert store.calls == []


def test_in_process_rank_lifts_referrals_to_a_credit_graph() -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    rows = [
        {"source": "a", "target": "b", "at": at, "referrals": 1},
        {"source": "a", "target": "c", "at": at, "referrals": 1},
        {"source": "b", "target": "d", "at": at, "referrals": 1},
    ]
    store = FakeStore().answer("influence/referrals_all", rows)
    considered, best = InProcessAlgorithms().rank(
        store, "pagerank", 2, {"since": None, "until": None}
    )
    assert considered == 4 and [i for i, _ in best] == ["a", "b"]
    b = 0.15 + 0.85 * 0.15  # d's credit
    assert best[0][1] == pytest.approx(0.15 + 0.85 * (0.15 + b))
    assert store.names() == ["influence/referrals_all"]


def test_in_process_components() -> None:
    found = inprocess.connected_components(["a", "b", "c", "d"], [("a", "b"), ("c", "x")])
    assert found["a"] == found["b"] and len({found["a"], found["c"], found["d"]}) == 3
    groups = inprocess.group_components([{"a", "b", "c"}, {"c", "d"}, {"e", "f"}])
    assert len({groups[n] for n in "abcd"}) == 1 and groups["e"] == groups["f"] != groups["a"]
