"""The thin end-to-end path on a real Neo4j: ingest, cluster (GDS and networkx), resolve."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from graph.identity.clustering import cluster
from graph.identity.resolve import IdentityResolver
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RawRecord, read_path
from graph.model.identifiers import Normaliser
from graph.store import admin
from graph.store.algorithms import GdsAlgorithms, InProcessAlgorithms, choose_algorithms
from graph.store.repository import Neo4jStore
from tests.examples import EXAMPLE_EVENT, lookup_identifiers

pytestmark = pytest.mark.integration

EXAMPLE = EXAMPLE_EVENT


def _ingest(repo: Neo4jStore, events: list[dict[str, object]]):
    records = [RawRecord(n + 1, json.dumps(e), e) for n, e in enumerate(events)]
    return Ingestor(repo, Normaliser(), batch_size=7).ingest(records)


def test_example_event_becomes_nodes_and_a_link(repo: Neo4jStore) -> None:
    summary, _ = _ingest(repo, [EXAMPLE])
    assert summary.accepted == 1
    counts = admin.counts(repo)
    assert counts["identifiers"] == 2 and counts["events"] == 1 and counts["links"] == 1
    found = lookup_identifiers(
        repo,
        [
            {"type": "phone", "value": "+33612345678"},
            {"type": "email", "value": "jean.dupont@example.fr"},
        ],
    )
    assert {(r["type"], r["value"]) for r in found} == {
        ("phone", "+33612345678"),
        ("email", "jean.dupont@example.fr"),
    }


def test_reingest_changes_nothing(repo: Neo4jStore, tmp_path: Path) -> None:
    events = [
        EXAMPLE,
        {**EXAMPLE, "event_id": "e-2", "timestamp": "2026-03-05T18:00:00+01:00"},
        {**EXAMPLE, "event_id": "e-3", "source": "website", "channel": "web"},
    ]
    first, _ = _ingest(repo, events)
    assert (first.accepted, first.duplicates) == (3, 0)
    with repo.driver.session(database=repo.database) as s:
        before = s.run(
            "MATCH (a)-[r:LINKED]->(b) RETURN r.count AS c, r.first_seen AS f, r.last_seen AS l,"
            " r.channels AS ch"
        ).data()
    second, _ = _ingest(repo, events)
    assert (second.accepted, second.duplicates) == (0, 3)
    with repo.driver.session(database=repo.database) as s:
        after = s.run(
            "MATCH (a)-[r:LINKED]->(b) RETURN r.count AS c, r.first_seen AS f, r.last_seen AS l,"
            " r.channels AS ch"
        ).data()
    assert before == after
    assert before[0]["c"] == 3
    assert sorted(before[0]["ch"]) == ["call", "web"]


def test_file_ingest_counts_every_line(repo: Neo4jStore, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    lines = [
        json.dumps(EXAMPLE),
        json.dumps(EXAMPLE),  # duplicate
        "{not json",
        json.dumps({**EXAMPLE, "event_id": "e-9", "timestamp": "yesterday"}),
        json.dumps(
            {**EXAMPLE, "event_id": "e-10", "identifiers": [{"type": "phone", "value": "12"}]}
        ),
        "",
        json.dumps({**EXAMPLE, "event_id": "e-11"}),
    ]
    path.write_text("\n".join(lines) + "\n")
    summary, outcomes = Ingestor(repo, Normaliser()).ingest(read_path(path))
    assert summary.read == 6  # the blank line is not a record
    assert (summary.accepted, summary.duplicates, summary.rejected) == (2, 1, 3)
    assert summary.accepted + summary.duplicates + summary.rejected == summary.read
    rejected_lines = [o.line for o in outcomes if o.status == "rejected"]
    assert rejected_lines == [3, 4, 5]


def _random_events(seed: int, people: int = 60) -> list[dict[str, object]]:
    rng = random.Random(seed)
    events: list[dict[str, object]] = []
    for p in range(people):
        ids = [f"dev-{p}-{k}" for k in range(rng.randrange(1, 4))]
        for n in range(rng.randrange(0, 4)):
            chosen = rng.sample(ids, k=min(len(ids), rng.randrange(1, 3)))
            if rng.random() < 0.1:  # occasional cross-person glue
                chosen.append(f"dev-{rng.randrange(people)}-0")
            events.append(
                {
                    "event_id": f"r{seed}-{p}-{n}",
                    "timestamp": "2026-03-01T10:00:00Z",
                    "identifiers": [{"type": "device", "value": v} for v in chosen],
                }
            )
        events.append(
            {
                "event_id": f"r{seed}-{p}-solo",
                "timestamp": "2026-03-01T10:00:00Z",
                "identifiers": [{"type": "device", "value": ids[0]}],
            }
        )
    return events


def _partition(repo: Neo4jStore) -> set[frozenset[str]]:
    with repo.driver.session(database=repo.database) as s:
        rows = s.run(
            "MATCH (i:Identifier) RETURN i.identity_id AS id, collect(i.value) AS members"
        ).data()
    return {frozenset(r["members"]) for r in rows}


@pytest.mark.gds
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_networkx_and_gds_agree(repo: Neo4jStore, seed: int) -> None:
    _ingest(repo, _random_events(seed))
    gds_result = cluster(repo, GdsAlgorithms(), full=True)
    by_gds = _partition(repo)
    nx_result = cluster(repo, InProcessAlgorithms(), full=True)
    by_nx = _partition(repo)
    assert by_gds == by_nx
    assert gds_result.identities == nx_result.identities == len(by_gds)
    assert len(by_gds) > 1


@pytest.mark.gds
def test_gds_wcc_runs_and_is_chosen(repo: Neo4jStore) -> None:
    assert choose_algorithms(repo).name == "gds"
    with repo.driver.session(database=repo.database) as s:
        s.run(
            "CREATE (:Identifier {type:'t', value:'a'})"
            "-[:LINKED {count: 3, last_seen: datetime()}]->(:Identifier {type:'t', value:'b'})"
        ).consume()
        s.run("CREATE (:Identifier {type:'t', value:'c'})").consume()
    result = cluster(repo, GdsAlgorithms(), full=True)
    assert result.identities == 2 and result.largest == 2


def test_identity_ids_are_stable_across_runs(repo: Neo4jStore) -> None:
    _ingest(repo, _random_events(5))
    cluster(repo, InProcessAlgorithms())
    with repo.driver.session(database=repo.database) as s:
        first = dict(
            s.run("MATCH (i:Identifier) RETURN i.value AS v, i.identity_id AS id").values()
        )
    cluster(repo, InProcessAlgorithms())
    with repo.driver.session(database=repo.database) as s:
        second = dict(
            s.run("MATCH (i:Identifier) RETURN i.value AS v, i.identity_id AS id").values()
        )
    assert first == second


def test_resolve_after_cluster(repo: Neo4jStore) -> None:
    second = {
        **EXAMPLE,
        "event_id": "e-2",
        "identifiers": [
            {"type": "email", "value": "jean.dupont@example.fr"},
            {"type": "cookie", "value": "ck-1"},
        ],
    }
    _ingest(repo, [EXAMPLE, second])
    resolver = IdentityResolver(repo, Normaliser())
    # Resolvable at once: ingest attaches unambiguous new identifiers to an identity.
    early = resolver.resolve([("phone", "+33 6 12 34 56 78")])
    assert early.status == "matched"
    cluster(repo, InProcessAlgorithms())
    res = resolver.resolve([("phone", "+33 6 12 34 56 78")])
    assert res.status == "matched" and res.identity_id == early.identity_id
    assert {(m["type"], m["value"]) for m in res.identifiers} == {
        ("phone", "+33612345678"),
        ("email", "jean.dupont@example.fr"),
        ("cookie", "ck-1"),
    }
    unknown = resolver.resolve([("email", "nobody@example.org")])
    assert unknown.status == "unknown" and unknown.identity_id is None
    bad = resolver.resolve([("phone", "not a phone"), ("cookie", "ck-1")])
    assert bad.status == "matched" and bad.invalid[0]["index"] == 0


def _event(event_id: str, *ids: tuple[str, str]) -> dict[str, object]:
    return {
        "event_id": event_id,
        "timestamp": "2026-03-01T10:00:00Z",
        "identifiers": [{"type": t, "value": v} for t, v in ids],
    }


def test_incremental_attach_joins_one_identity(repo: Neo4jStore) -> None:
    _ingest(repo, [_event("a1", ("device", "d-a"), ("cookie", "c-a"))])
    cluster(repo, InProcessAlgorithms())
    resolver = IdentityResolver(repo, Normaliser())
    before = resolver.resolve([("device", "d-a")]).identity_id
    _ingest(repo, [_event("a2", ("device", "d-a"), ("cookie", "c-new"), ("cookie", "c-new2"))])
    after = resolver.resolve([("cookie", "c-new2")])
    assert after.status == "matched" and after.identity_id == before
    assert len(after.identifiers) == 4
    with repo.driver.session(database=repo.database) as s:
        size = s.run("MATCH (p:Identity {identity_id: $id}) RETURN p.size AS n", id=before).single()
    assert size is not None and size["n"] == 4


def test_incremental_attach_waits_when_ambiguous(repo: Neo4jStore) -> None:
    _ingest(
        repo,
        [_event("a", ("device", "d-a"), ("cookie", "c-a")), _event("b", ("device", "d-b"))],
    )
    resolver = IdentityResolver(repo, Normaliser())
    a = resolver.resolve([("device", "d-a")]).identity_id
    b = resolver.resolve([("device", "d-b")]).identity_id
    assert a and b and a != b
    _ingest(repo, [_event("glue", ("device", "d-a"), ("device", "d-b"), ("cookie", "c-x"))])
    assert resolver.resolve([("cookie", "c-x")]).status == "unclustered"
    assert resolver.resolve([("device", "d-a"), ("device", "d-b")]).status == "conflict"
    cluster(repo, InProcessAlgorithms())
    merged = resolver.resolve([("cookie", "c-x")])
    assert merged.status == "matched" and len(merged.identifiers) == 4
