"""Every Cypher file of the catalog is valid for the real server (EXPLAIN)."""

from __future__ import annotations

import pytest

from graph.store import admin, catalog
from graph.store.repository import Neo4jStore

pytestmark = pytest.mark.integration

QUERIES = [n for n in catalog.all_query_names() if not n.startswith("schema/")]


@pytest.mark.parametrize("name", QUERIES)
def test_explain(repo: Neo4jStore, name: str) -> None:
    with repo.driver.session(database=repo.database) as s:
        s.run("EXPLAIN " + catalog.query(name)).consume()


def test_migrations_are_idempotent(repo: Neo4jStore) -> None:
    first = admin.migrate(repo)
    second = admin.migrate(repo)
    assert first == second == [n for n, _ in catalog.schema_migrations()]
    with repo.driver.session(database=repo.database) as s:
        names = {r["name"] for r in s.run("SHOW CONSTRAINTS YIELD name").data()}
    assert {"identifier_type_value", "event_source_id", "identity_id"} <= names
