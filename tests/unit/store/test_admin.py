"""Administration over the store (graph.store.admin), on the recording fake: no database."""

from __future__ import annotations

import pytest

from graph.errors import DatabaseUnavailable, StatementRejected
from graph.store import admin, catalog
from graph.store.gateway import Access
from tests.fakes import Call, FakeStore


def test_migrate_sends_each_migrations_statements_then_records_it() -> None:
    store = FakeStore()
    migrations = catalog.schema_migrations()
    assert migrations, "the catalog has no schema migration"

    applied = admin.migrate(store)

    assert applied == [name for name, _ in migrations]
    expected: list[Call] = []
    for name, statements in migrations:
        expected.append(Call("run_statements", None, {"statements": statements}, Access.WRITE))
        expected.append(Call("write", "store/record_migration", {"name": name}, Access.WRITE))
    assert store.calls == expected


def test_migrate_stops_at_a_rejected_migration_without_recording_it() -> None:
    first, second, *_ = catalog.schema_migrations()
    store = FakeStore().answer(second[1][0], StatementRejected("bad", "Neo.ClientError.X"))

    with pytest.raises(StatementRejected):
        admin.migrate(store)

    assert store.params_of("store/record_migration") == [{"name": first[0]}]


def test_gds_version_is_none_when_the_store_rejects_the_function() -> None:
    store = FakeStore().answer(
        "store/gds_version",
        StatementRejected(
            "Unknown function 'gds.version'", "Neo.ClientError.Statement.SyntaxError"
        ),
    )
    assert admin.gds_version(store) is None
    assert store.names() == ["store/gds_version"] and not store.wrote


def test_gds_version_answers_the_plugins_version() -> None:
    store = FakeStore().answer("store/gds_version", [{"version": "2.13.9"}])
    assert admin.gds_version(store) == "2.13.9"
    assert admin.gds_version(FakeStore()) is None  # no row


def test_gds_version_does_not_hide_an_unavailable_database() -> None:
    store = FakeStore().answer("store/gds_version", DatabaseUnavailable("gone"))
    with pytest.raises(DatabaseUnavailable):
        admin.gds_version(store)


def test_counts_are_integers_and_empty_without_a_row() -> None:
    store = FakeStore().answer("store/counts", [{"identifiers": 3, "events": 2.0}])
    assert admin.counts(store) == {"identifiers": 3, "events": 2}
    assert admin.counts(FakeStore()) == {}


def test_reset_data_is_one_auto_commit_write() -> None:
    store = FakeStore()
    admin.reset_data(store)
    assert store.calls == [Call("write_autocommit", "store/reset_data", {}, Access.WRITE)]


def test_ping_answers_the_first_row_or_nothing() -> None:
    server = {"name": "Neo4j Kernel", "version": "5.26.30", "edition": "community"}
    assert admin.ping(FakeStore().answer("store/ping", [server])) == server
    assert admin.ping(FakeStore()) == {}
