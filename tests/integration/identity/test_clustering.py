"""Identities on real Neo4j: both back ends agree, beat naive components, keep ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.identity import cluster_store
from graph.identity.clustering import cluster
from graph.identity.profiles import IdentityProfile, MergedIdentity, identity_profile
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RawRecord, read_path
from graph.lab.evaluate import evaluate
from graph.lab.metrics import bcubed
from graph.lab.simulate import simulate, write_world
from graph.lab.truth import load_truth
from graph.model.identifiers import Normaliser
from graph.store.algorithms import Algorithms, GdsAlgorithms, InProcessAlgorithms
from graph.store.gateway import GraphStore, Row
from graph.store.repository import Neo4jStore


def _ingest(repo: Neo4jStore, events: list[dict[str, object]]) -> None:
    records = [RawRecord(n + 1, json.dumps(e), e) for n, e in enumerate(events)]
    Ingestor(repo, Normaliser()).ingest(records)


def _event(event_id: str, *ids: tuple[str, str]) -> dict[str, object]:
    return {
        "event_id": event_id,
        "timestamp": "2026-03-01T10:00:00Z",
        "identifiers": [{"type": t, "value": v} for t, v in ids],
    }


def _predicted(repo: Neo4jStore) -> dict[str, str]:
    return {
        f"{r['identifier_type']}:{r['identifier_value']}": str(r["identity_id"])
        for r in cluster_store.export_identities(repo)
    }


@pytest.mark.gds
def test_realistic_world_both_back_ends_agree_and_beat_components(
    repo: Neo4jStore, tmp_path: Path
) -> None:
    events, truth_path = write_world(simulate(people=250, seed=21), tmp_path)
    Ingestor(repo, Normaliser()).ingest(read_path(events))
    by_gds = cluster(repo, GdsAlgorithms(), full=True)
    gds_partition = _predicted(repo)
    by_nx = cluster(repo, InProcessAlgorithms(), full=True)
    assert _predicted(repo) == gds_partition  # same identities, same ids
    assert by_gds.identities == by_nx.identities and by_nx.merged == 0
    assert by_gds.hubs > 0 and by_gds.splits > 0
    report = evaluate(load_truth(truth_path), gds_partition, list(cluster_store.links_by_key(repo)))
    assert report.idgraph.f1 > 0.9
    assert report.idgraph.f1 > report.baseline.f1 + 0.2
    assert report.idgraph.over_merged < report.baseline.clusters


def test_kiosk_is_shared_not_glue(repo: Neo4jStore) -> None:
    events = [
        _event(f"k{n}", ("email", f"shopper{n}@example.fr"), ("device", "kiosk-1"))
        for n in range(8)
    ]
    _ingest(repo, events)
    result = cluster(repo, InProcessAlgorithms())
    assert result.identities == 8 and result.hubs == 1
    with repo.driver.session(database=repo.database) as s:
        row = s.run(
            "MATCH (k:Identifier {value: 'kiosk-1'}) "
            "RETURN k.identity_id AS id, k.shared AS shared, COUNT { (k)-[:USED_BY]->() } AS uses"
        ).single()
    assert row is not None
    assert row["id"] is None and row["shared"] is True and row["uses"] == 8


def test_merge_keeps_the_older_id_and_the_other_points_to_it(repo: Neo4jStore) -> None:
    _ingest(repo, [_event("a", ("email", "a@example.fr"), ("phone", "0612345678"))])
    cluster(repo, InProcessAlgorithms())
    _ingest(repo, [_event("b", ("email", "b@example.fr"), ("phone", "0698765432"))])
    cluster(repo, InProcessAlgorithms())
    before = _predicted(repo)
    older, newer = before["email:a@example.fr"], before["email:b@example.fr"]
    assert older != newer
    _ingest(repo, [_event("glue", ("email", "a@example.fr"), ("email", "b@example.fr"))] * 1)
    _ingest(repo, [_event("glue2", ("email", "a@example.fr"), ("email", "b@example.fr"))])
    result = cluster(repo, InProcessAlgorithms())
    after = _predicted(repo)
    assert set(after.values()) == {older} and result.merged == 1
    history = identity_profile(repo, newer)
    assert isinstance(history, MergedIdentity)
    assert history.merged_into == older and history.chain == [newer, older]
    absorbed = identity_profile(repo, older)
    assert isinstance(absorbed, IdentityProfile)
    assert newer in {a.identity_id for a in absorbed.history.merged_in}


def test_split_when_a_device_becomes_a_hub(repo: Neo4jStore) -> None:
    main = [
        _event(
            f"m{n}",
            ("email", "main@example.fr"),
            ("phone", "0611111111"),
            ("device", "dev-1"),
            ("cookie", f"c{n}"),
        )
        for n in range(4)
    ]
    # Anonymous visits on the same device: only the device ties this cookie to anyone.
    anonymous = [_event(f"a{n}", ("device", "dev-1"), ("cookie", "anon-1")) for n in range(2)]
    _ingest(repo, [*main, *anonymous])
    cluster(repo, InProcessAlgorithms())
    first = _predicted(repo)
    pid = first["email:main@example.fr"]
    assert first["cookie:anon-1"] == pid  # glued through the device
    # The device turns out to be used by many people: a hub, no longer glue.
    _ingest(
        repo,
        [_event(f"x{n}", ("device", "dev-1"), ("email", f"x{n}@example.fr")) for n in range(5)],
    )
    cluster(repo, InProcessAlgorithms())
    second = _predicted(repo)
    assert second["email:main@example.fr"] == pid  # the larger part keeps the id
    split_off = second["cookie:anon-1"]
    assert split_off != pid and "device:dev-1" not in second
    history = identity_profile(repo, split_off)
    assert isinstance(history, IdentityProfile)
    assert pid in {s.identity_id for s in history.history.split_from}


def test_scores_are_perfect_on_a_clean_world(repo: Neo4jStore) -> None:
    from graph.lab.simulate import WorldConfig

    world = simulate(people=60, seed=4, config=WorldConfig.clean())
    _ingest(repo, world.events)
    cluster(repo, InProcessAlgorithms())
    scores = bcubed(world.truth(), _predicted(repo))
    assert scores.precision == 1.0 and scores.recall > 0.97


def _partition(repo: Neo4jStore) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for key, pid in _predicted(repo).items():
        groups.setdefault(pid, set()).add(key)
    return {frozenset(g) for g in groups.values()}


def test_incremental_runs_match_a_full_run_and_touch_only_the_change(
    repo: Neo4jStore,
) -> None:
    events = simulate(people=150, seed=8).events
    third = len(events) // 3
    _ingest(repo, events[:third])
    first = cluster(repo, InProcessAlgorithms())
    assert "incremental" not in first.backend  # everything changed: a full run
    for chunk in (events[third : 2 * third], events[2 * third :]):
        _ingest(repo, chunk)
        result = cluster(repo, InProcessAlgorithms(), full=False)
        assert result.backend == "networkx, incremental"
    incremental = _partition(repo)
    ids_before = _predicted(repo)
    cluster(repo, InProcessAlgorithms(), full=True)
    assert _partition(repo) == incremental
    assert _predicted(repo) == ids_before  # a full run keeps every id
    # One new event: the run recomputes only the identities around it.
    _ingest(repo, [_event("late", ("email", "late@example.fr"), ("phone", "0655555555"))])
    small = cluster(repo, InProcessAlgorithms())
    assert small.backend == "networkx, incremental" and small.identities == 1
    assert cluster(repo, InProcessAlgorithms()).identities == 0  # nothing changed since


def _flagged(repo: Neo4jStore) -> set[str]:
    with repo.driver.session(database=repo.database) as s:
        return {
            str(r["key"])
            for r in s.run(
                "MATCH (i:Identifier {changed: true}) RETURN i.type + ':' + i.value AS key"
            )
        }


def test_an_identifier_touched_during_a_run_keeps_its_flag(
    repo: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lost change flags: the run reads the flags, ingest touches one of those
    identifiers again, the run ends: its new link must wait for the next run, flagged."""
    _ingest(repo, [_event("e1", ("email", "a@example.fr"), ("email", "b@example.fr"))])
    read_flags = cluster_store.changed_identifiers

    def ingest_meanwhile(store: GraphStore) -> list[Row]:
        flags = read_flags(store)
        _ingest(repo, [_event("e2", ("email", "a@example.fr"), ("email", "c@example.fr"))])
        return flags

    monkeypatch.setattr(cluster_store, "changed_identifiers", ingest_meanwhile)
    cluster(repo, InProcessAlgorithms(), full=False)
    monkeypatch.undo()
    assert _flagged(repo) == {"email:a@example.fr", "email:c@example.fr"}
    cluster(repo, InProcessAlgorithms(), full=False)  # the next run picks the change up
    assert _flagged(repo) == set()
    found = _predicted(repo)
    assert len({found[f"email:{p}@example.fr"] for p in "abc"}) == 1


@pytest.mark.parametrize(
    "algorithms",
    [pytest.param(GdsAlgorithms(), id="gds", marks=pytest.mark.gds), InProcessAlgorithms()],
)
def test_a_full_run_asks_for_components_before_reading_the_graph(
    repo: Neo4jStore, algorithms: Algorithms, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full run gets its components first, then reads each identifier and link once:
    no region-wide look-ups by id (what the incremental run reads)."""
    _ingest(repo, simulate(people=40, seed=3).events)
    order: list[str] = []

    def recording(name: str, real: object) -> object:
        def call(*args: object, **kwargs: object) -> object:
            order.append(name)
            return real(*args, **kwargs)  # type: ignore[operator]

        return call

    for name in ("all_identifier_nodes", "all_links", "identifier_nodes", "incident_links"):
        monkeypatch.setattr(cluster_store, name, recording(name, getattr(cluster_store, name)))
    monkeypatch.setattr(
        algorithms,
        "identity_components",
        recording("components", algorithms.identity_components),
    )
    result = cluster(repo, algorithms, full=True)
    assert result.backend == algorithms.name and result.identities > 0
    assert order == ["components", "all_identifier_nodes", "all_links"]
