"""The ingest write pipeline without a database: what each batch holds, and that
concurrent batches never both create an identifier."""

from __future__ import annotations

import gc
import json
import threading
import time
from typing import Any

import pytest

from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RawRecord
from graph.ingest.rows import Plan
from graph.lab.simulate import simulate
from graph.model.identifiers import Normaliser


class _RecordingRepo:
    """Stands in for the repository: writes take a few milliseconds, so batches overlap
    as they do on a server, and each batch's identifier keys are kept in order.

    ``clashes`` lists the pairs of batches that ran at the same time while both held
    an identifier that no finished batch had written: on a server both would try to
    create it, and one of them would fail on a deadlock.
    """

    def __init__(self, delay: float = 0.004) -> None:
        self.delay = delay
        self.batches: list[list[set[tuple[str, str]]]] = []
        self.written: set[tuple[str, str]] = set()
        self.running: dict[int, set[tuple[str, str]]] = {}
        self.clashes: list[tuple[int, int]] = []
        self.overlaps = 0
        self.lock = threading.Lock()

    def write_batch(self, plan: Plan) -> list[int]:
        keys = [
            {(i.type, i.value) for i in (*e.identifiers, *e.blocked, *e.referrers)}
            for e in plan.events
        ]
        with self.lock:
            n = len(self.batches)
            self.batches.append(keys)
            new = set().union(*keys) - self.written
            self.overlaps += bool(self.running)
            self.clashes += [(m, n) for m, other in self.running.items() if other & new]
            self.running[n] = new
        time.sleep(self.delay)
        with self.lock:
            self.written |= self.running.pop(n)
        return list(range(len(plan.events)))


@pytest.fixture(autouse=True)
def _plans_go_to_the_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline hands each batch's plan to ``write_batch``: here, to the stand-in."""
    from graph.ingest import pipeline

    monkeypatch.setattr(pipeline, "write_batch", lambda store, plan: store.write_batch(plan))


def _records(events: list[dict[str, Any]]) -> list[RawRecord]:
    return [RawRecord(line=n, text=json.dumps(e), parsed=e) for n, e in enumerate(events, 1)]


def _run(events: list[dict[str, Any]], batch_size: int, writers: int) -> tuple[Any, Any, Any]:
    repo = _RecordingRepo()
    ingestor = Ingestor(repo, Normaliser(), batch_size, writers=writers)  # type: ignore[arg-type]
    summary, outcomes = ingestor.ingest(_records(events))
    return repo, summary, outcomes


def _event(n: int, *keys: tuple[str, str]) -> dict[str, Any]:
    return {
        "event_id": f"e{n}",
        "timestamp": "2026-03-01T10:00:00Z",
        "source": "test",
        "channel": "web",
        "identifiers": [{"type": t, "value": v} for t, v in keys],
    }


@pytest.mark.parametrize("writers", [2, 3])
def test_batches_written_at_once_never_both_create_an_identifier(writers: int) -> None:
    world = simulate(people=120, seed=3)
    repo, summary, outcomes = _run(world.events, batch_size=40, writers=writers)
    assert repo.overlaps > 0  # the check below looked at batches that did overlap
    assert repo.clashes == []
    assert sum(len(b) for b in repo.batches) == summary.accepted
    assert summary.accepted + summary.duplicates + summary.rejected == summary.read
    assert [o.line for o in outcomes] == list(range(1, len(world.events) + 1))


def test_without_holding_back_batches_would_clash(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same stream cut the same way, checked by the same stand-in, but each batch
    # sent as it comes: the check above is not vacuous.
    from graph.ingest import pipeline as ingest

    monkeypatch.setattr(ingest._WritePipeline, "_hold_back", lambda self, batch: (batch, []))
    world = simulate(people=120, seed=3)
    repo, _, _ = _run(world.events, batch_size=40, writers=2)
    assert repo.clashes


class _ThresholdRepo(_RecordingRepo):
    """The stand-in, noting the collector's thresholds while each batch writes."""

    def __init__(self) -> None:
        super().__init__(delay=0.0)
        self.thresholds: list[tuple[int, int, int]] = []

    def write_batch(self, plan: Plan) -> list[int]:
        self.thresholds.append(gc.get_threshold())
        return super().write_batch(plan)


def test_ingest_leaves_the_collector_alone_by_default() -> None:
    # The API ingests (POST /v1/events) with the defaults, in the process that serves
    # resolves at the same time: the collector's thresholds are the whole process's.
    before = gc.get_threshold()
    repo = _ThresholdRepo()
    world = simulate(people=30, seed=5)
    summary, _ = Ingestor(repo, Normaliser(), 20).ingest(_records(world.events))  # type: ignore[arg-type]
    assert summary.accepted > 20 and len(repo.thresholds) > 1
    assert set(repo.thresholds) == {before}
    assert gc.get_threshold() == before


def test_a_bulk_ingest_collects_less_often_while_it_runs() -> None:
    # The CLI's bulk load asks for it: fewer collections while it runs, then as before.
    before = gc.get_threshold()
    repo = _ThresholdRepo()
    world = simulate(people=30, seed=5)
    ingestor = Ingestor(repo, Normaliser(), 20, tune_gc=True)  # type: ignore[arg-type]
    ingestor.ingest(_records(world.events))
    assert repo.thresholds and all(t[0] >= 100_000 for t in repo.thresholds)
    assert all(t[1:] == before[1:] for t in repo.thresholds)
    assert gc.get_threshold() == before


def test_one_writer_keeps_input_batches() -> None:
    world = simulate(people=60, seed=4)
    repo, summary, _ = _run(world.events, batch_size=25, writers=1)
    sizes = [len(b) for b in repo.batches]
    assert all(s == 25 for s in sizes[:-1])
    assert sum(sizes) == summary.accepted


def test_a_chain_of_new_identifiers_is_written_whole() -> None:
    # Each event sees the identifier the previous one introduced: with two writers,
    # every other event waits for the next batch, and all end written once.
    events = [_event(n, ("cookie", f"c{n}"), ("cookie", f"c{n + 1}")) for n in range(50)]
    repo, summary, outcomes = _run(events, batch_size=1, writers=2)
    assert summary.accepted == 50
    assert sum(len(b) for b in repo.batches) == 50
    assert all(o.status == "accepted" for o in outcomes)


class _FlakySession:
    """A session whose first transactions fail with the given errors."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.begun = 0
        self.committed = 0

    def begin_transaction(self) -> _FlakySession:
        self.begun += 1
        return self

    def __enter__(self) -> _FlakySession:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        return None

    def commit(self) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.committed += 1


class _FlakyDriver:
    """Hands out the one flaky session."""

    def __init__(self, session: _FlakySession) -> None:
        self.the_session = session

    def session(self, **config: object) -> _FlakySession:
        return self.the_session


def _server_error(code: str) -> Exception:
    from neo4j.exceptions import Neo4jError

    return Neo4jError._hydrate_neo4j(code=code, message="test")


def test_a_deadlocked_batch_is_retried_soon(monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.store import repository

    slept: list[float] = []
    monkeypatch.setattr(repository.time, "sleep", slept.append)
    deadlock = "Neo.TransientError.Transaction.DeadlockDetected"
    session = _FlakySession(_server_error(deadlock), _server_error(deadlock))
    store = repository.Neo4jStore(_FlakyDriver(session))  # type: ignore[arg-type]
    assert store.write_retrying(lambda tx: "written") == "written"
    assert (session.begun, session.committed) == (3, 1)
    # Two retries after about 20 ms then 40 ms (jitter 0.5-1.5x), not the driver's 1 s, 2 s.
    assert len(slept) == 2
    assert 0.01 <= slept[0] <= 0.03 and 0.02 <= slept[1] <= 0.06


def test_an_error_that_is_not_transient_is_raised_at_once() -> None:
    from graph.errors import ConstraintViolated
    from graph.store.repository import Neo4jStore

    session = _FlakySession(_server_error("Neo.ClientError.Schema.ConstraintValidationFailed"))
    store = Neo4jStore(_FlakyDriver(session))  # type: ignore[arg-type]
    with pytest.raises(ConstraintViolated):
        store.write_retrying(lambda tx: None)
    assert session.begun == 1
