"""The recording fake (tests/fakes.py) keeps up with the GraphStore protocol.

The fake stands in for the store in unit tests; these checks keep a test from passing
against a fake that has drifted from the contract (a method missing, a read recorded
as a write, a query name the catalog does not have).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from graph.store.gateway import Access, GraphStore, Tx, access_of
from tests.fakes import FakeStore, FakeTx


def _public_methods(cls: type) -> dict[str, Callable[..., Any]]:
    return {
        name: member
        for name, member in vars(cls).items()
        if not name.startswith("_") and inspect.isfunction(member)
    }


def test_fake_has_every_store_method_with_the_same_access_and_parameters() -> None:
    protocol = _public_methods(GraphStore)
    fake = _public_methods(FakeStore)
    for name, method in protocol.items():
        assert name in fake, f"FakeStore lacks GraphStore.{name}"
        assert access_of(fake[name]) is access_of(method), name
        expected = list(inspect.signature(method).parameters.values())
        got = list(inspect.signature(fake[name]).parameters.values())
        assert [(p.name, p.kind, p.default) for p in got] == [
            (p.name, p.kind, p.default) for p in expected
        ], name


def test_fake_tx_has_every_tx_method() -> None:
    for name in _public_methods(Tx):
        assert callable(getattr(FakeTx, name, None)), f"FakeTx lacks Tx.{name}"


def test_fake_refuses_a_query_name_the_catalog_does_not_have() -> None:
    with pytest.raises(KeyError):
        FakeStore().read("store/no_such_query")
    with pytest.raises(KeyError):
        FakeStore().read_transaction(lambda tx: tx.rows("store/no_such_query"))


def test_transactions_record_their_queries_with_their_number_and_access() -> None:
    store = FakeStore().answer("store/counts", lambda params: [{"n": params["k"]}])
    got = store.read_transaction(lambda tx: tx.single("store/counts", k=1))
    store.write_retrying(lambda tx: tx.rows("store/record_migration", name="x"))
    assert got == {"n": 1}
    assert [(c.method, c.name, c.tx, c.access) for c in store.calls] == [
        ("read_transaction", None, 1, Access.READ),
        ("single", "store/counts", 1, Access.READ),
        ("write_retrying", None, 2, Access.WRITE),
        ("rows", "store/record_migration", 2, Access.WRITE),
    ]


def test_chunked_calls_are_recorded_once_per_chunk() -> None:
    store = FakeStore()
    store.write_batches("store/record_migration", [{"a": i} for i in range(5)], batch_size=2)
    assert [len(p["rows"]) for p in store.params_of("store/record_migration")] == [2, 2, 1]


def test_strict_fake_fails_an_unscripted_query() -> None:
    with pytest.raises(AssertionError, match="store/counts"):
        FakeStore(strict=True).read("store/counts")
