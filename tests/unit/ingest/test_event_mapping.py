"""Ingest without a database: canonical types in a batch's rows, what the source sent
beside them, and unmapped types counted per source for the events actually created."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graph.ingest.outcomes import IngestSummary
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RawRecord
from graph.ingest.rows import Plan, batch_rows
from graph.model.event_types import EventTypeMap, SourceMapping
from graph.model.events import prepare_event
from graph.model.identifiers import Normaliser


def _event(n: int, type_: str, source: str = "legacy", **attributes: Any) -> dict[str, Any]:
    return {
        "event_id": f"e{n}",
        "timestamp": "2026-03-01T10:00:00Z",
        "source": source,
        "type": type_,
        "identifiers": [{"type": "email", "value": f"p{n}@example.fr"}],
        "attributes": attributes,
    }


def test_batch_rows_carry_canonical_and_source_names_and_count_unmapped() -> None:
    events = [
        prepare_event(_event(1, "Sale", amt=3), Normaliser()),  # unknown type, amt renamed
        prepare_event(_event(2, "login"), Normaliser()),
        prepare_event(_event(3, "Sale"), Normaliser()),
        prepare_event(_event(4, "Sale", source="other"), Normaliser()),
        prepare_event(_event(5, "Log_In"), Normaliser()),
    ]
    params = batch_rows(events).params
    rows = {r[1]: r for r in params["events"]}
    # [source, event_id, timestamp, channel, type, attributes, source_type, source_attrs]
    assert rows["e1"][4:] == ["event", '{"amount":3}', "Sale", '{"amt":3}']
    assert rows["e2"][4:] == ["login", "{}", None, None]  # sent canonical: nothing more
    assert rows["e5"][4:] == ["login", "{}", "Log_In", None]
    assert params["unmapped"] == [["legacy", "Sale", 2], ["other", "Sale", 1]]
    assert repr(params["unmapped"]) == "<2 rows>"


class _HalfNewRepo:
    """Stands in for the store: the even positions of each batch are already in the
    graph (duplicates), the others are created."""

    def write_batch(self, plan: Plan) -> list[int]:
        new = [n for n in range(len(plan.events)) if n % 2]
        plan.rows(new)
        self.unmapped = plan.batch.params["unmapped"]
        return new


@pytest.fixture(autouse=True)
def _plans_go_to_the_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.ingest import pipeline

    monkeypatch.setattr(pipeline, "write_batch", lambda store, plan: store.write_batch(plan))


def test_the_summary_counts_unmapped_types_of_created_events_only() -> None:
    events = [_event(n, "Sale" if n < 4 else "purchase") for n in range(6)]
    records = [RawRecord(n, json.dumps(e), e) for n, e in enumerate(events, 1)]
    repo = _HalfNewRepo()
    summary, _ = Ingestor(repo, Normaliser(), batch_size=100).ingest(records)  # type: ignore[arg-type]
    # Positions 1 and 3 are created with type Sale; 0 and 2 were duplicates.
    assert (summary.accepted, summary.duplicates) == (3, 3)
    assert summary.unmapped == {("legacy", "Sale"): 2}
    assert repo.unmapped == [["legacy", "Sale", 2]]
    assert summary.as_dict()["unmapped_event_types"] == [
        {"source": "legacy", "source_type": "Sale", "count": 2}
    ]


def test_the_ingestor_applies_the_mapping_it_is_given() -> None:
    mapping = EventTypeMap({"legacy": SourceMapping(types={"sale": "purchase"})})
    records = [RawRecord(1, "", _event(1, "Sale")), RawRecord(2, "", _event(3, "Sale"))]
    repo = _HalfNewRepo()
    summary, _ = Ingestor(repo, Normaliser(), event_types=mapping).ingest(records)  # type: ignore[arg-type]
    assert summary.accepted == 1 and summary.unmapped == {}
    assert repo.unmapped == []


def test_summaries_add_their_unmapped_counts() -> None:
    a, b = IngestSummary(), IngestSummary()
    a.count_unmapped("s", "x")
    b.count_unmapped("s", "x")
    b.count_unmapped("t", "y")
    a.add(b)
    assert a.unmapped == {("s", "x"): 2, ("t", "y"): 1}
    assert [r["count"] for r in a.as_dict()["unmapped_event_types"]] == [2, 1]
