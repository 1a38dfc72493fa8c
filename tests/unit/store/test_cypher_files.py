"""The Cypher catalog loads without a database."""

from __future__ import annotations

import pytest

from graph.store import catalog


def test_catalog_lists_and_loads_every_file() -> None:
    names = catalog.all_query_names()
    assert "ingest/write_batch" in names and "schema/001_identifier_keys" in names
    for name in names:
        assert catalog.query(name).strip()


def test_unknown_query_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        catalog.query("nope/nothing")


def test_split_statements_drops_comments() -> None:
    text = "// c\nCREATE A;\n\n// d\nCREATE B\nX;\nRETURN 1"
    assert catalog.split_statements(text) == ["CREATE A", "CREATE B\nX", "RETURN 1"]


def test_no_query_formats_values_into_text() -> None:
    # Values go in as $parameters: no Python format fields in any Cypher file.
    for name in catalog.all_query_names():
        text = catalog.query(name)
        assert "{0}" not in text and "%s" not in text
