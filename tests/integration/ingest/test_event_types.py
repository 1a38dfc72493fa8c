"""Canonical event types on a real Neo4j: a source's own names come out canonical, what
it sent is kept beside them, and unmapped types are counted per source in the graph."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from graph.errors import ConfigurationError
from graph.ingest.sources import unmapped_event_types
from graph.settings import Settings, get_settings
from graph.store.repository import Neo4jStore
from idgraph.cli import app

pytestmark = pytest.mark.integration

MAPPING = """
sources:
  legacy-pos:
    types:
      SALE: purchase
      Return: refund
    attributes:
      total: amount
"""


def _ev(n: int, source: str, type_: str, **attributes: Any) -> dict[str, Any]:
    return {
        "event_id": f"{source}-{n}",
        "timestamp": f"2026-03-01T10:{n:02d}:00Z",
        "source": source,
        "channel": "store",
        "type": type_,
        "identifiers": [{"type": "email", "value": f"person{n}@example.fr"}],
        "attributes": attributes,
    }


EVENTS = [
    _ev(1, "legacy-pos", "SALE", total=12.5, till=4),
    _ev(2, "legacy-pos", "Return", total=3.0, reason="damaged"),
    _ev(3, "legacy-pos", "loyalty_scan"),
    _ev(4, "legacy-pos", "loyalty_scan"),
    _ev(5, "legacy-pos", "till_opened"),
    _ev(6, "kiosk", "loyalty_scan"),
    _ev(7, "p2p-app", "transfer", amount=20.0, to_account="acc-9"),
    _ev(8, "website", "Payment_Declined", amt=9.0),
]


@pytest.fixture()
def cli_env(
    settings: Settings, repo: Neo4jStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("NEO4J_URI", settings.bolt_uri)
    monkeypatch.setenv("NEO4J_USERNAME", settings.neo4j_username)
    assert settings.neo4j_password is not None
    monkeypatch.setenv("NEO4J_PASSWORD", settings.neo4j_password.get_secret_value())
    monkeypatch.setenv("NEO4J_DATABASE", settings.neo4j_database)
    mapping = tmp_path / "event_types.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    monkeypatch.setenv("IDGRAPH_EVENT_TYPES", str(mapping))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _events(repo: Neo4jStore) -> dict[str, dict[str, Any]]:
    with repo.driver.session(database=repo.database) as s:
        rows = s.run(
            "MATCH (e:Event) RETURN e.event_id AS id, e.type AS type, e.source_type AS st,"
            " e.attributes AS a, e.source_attributes AS sa"
        ).data()
    return {r["id"]: r for r in rows}


def test_a_sources_own_names_come_out_canonical(
    cli_env: None, repo: Neo4jStore, tmp_path: Path
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in EVENTS), encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(app, ["ingest", str(path)])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["accepted"] == len(EVENTS)
    assert summary["unmapped_event_types"] == [
        {"source": "legacy-pos", "source_type": "loyalty_scan", "count": 2},
        {"source": "kiosk", "source_type": "loyalty_scan", "count": 1},
        {"source": "legacy-pos", "source_type": "till_opened", "count": 1},
    ]

    stored = _events(repo)
    sale = stored["legacy-pos-1"]
    assert (sale["type"], sale["st"]) == ("purchase", "SALE")
    assert json.loads(sale["a"]) == {"amount": 12.5, "till": 4}
    assert json.loads(sale["sa"]) == {"total": 12.5, "till": 4}
    ret = stored["legacy-pos-2"]
    assert (ret["type"], ret["st"]) == ("refund", "Return")
    assert json.loads(ret["a"]) == {"amount": 3.0, "reason": "damaged"}
    scan = stored["legacy-pos-3"]
    assert (scan["type"], scan["st"], scan["sa"]) == ("event", "loyalty_scan", None)
    # Canonical already: stored unchanged, no second copy.
    transfer = stored["p2p-app-7"]
    assert (transfer["type"], transfer["st"], transfer["sa"]) == ("transfer", None, None)
    assert json.loads(transfer["a"]) == {"amount": 20.0, "to_account": "acc-9"}
    # The defaults still apply beside the file.
    declined = stored["website-8"]
    assert (declined["type"], declined["st"]) == ("payment_failed", "Payment_Declined")
    assert json.loads(declined["a"]) == {"amount": 9.0}

    counts = [(u.source, u.source_type, u.count) for u in unmapped_event_types(repo)]
    assert counts == [
        ("legacy-pos", "loyalty_scan", 2),
        ("kiosk", "loyalty_scan", 1),
        ("legacy-pos", "till_opened", 1),
    ]
    first = unmapped_event_types(repo)[0]
    assert first.first_seen is not None and first.last_seen is not None

    # A re-run is all duplicates: no count moves.
    again = runner.invoke(app, ["ingest", str(path)])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["unmapped_event_types"] == []
    assert [(u.source, u.source_type, u.count) for u in unmapped_event_types(repo)] == counts

    # New events of a known unmapped type add to its count.
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps(_ev(9, "kiosk", "loyalty_scan")) + "\n", encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(more)]).exit_code == 0
    kiosk = [u for u in unmapped_event_types(repo) if u.source == "kiosk"]
    assert [u.count for u in kiosk] == [2]


def test_a_bad_mapping_file_stops_the_ingest_naming_the_file(
    cli_env: None, repo: Neo4jStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  pos:\n    types:\n      SALE: sold\n", encoding="utf-8")
    monkeypatch.setenv("IDGRAPH_EVENT_TYPES", str(bad))
    get_settings.cache_clear()
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(EVENTS[0]) + "\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["ingest", str(path)])
    assert r.exit_code != 0
    assert isinstance(r.exception, ConfigurationError)
    assert "bad.yaml" in str(r.exception) and "sources.pos.types.SALE" in str(r.exception)
    assert _events(repo) == {}
