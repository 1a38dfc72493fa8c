"""Fraud rings and bots on a real Neo4j: a simulated world is ingested, clustered and
scanned; planted rings and bots are found, the storage follows the contract, ring ids
are stable, resolve raises the flags, and the rings API answers per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from pydantic import SecretStr

from api.app import create_app
from graph.fraud.detect import detect, flagged_identities
from graph.fraud.ring_queries import get_ring, list_rings
from graph.fraud.rings import RingParams
from graph.fraud.risk import FraudParams
from graph.identity import cluster_store
from graph.identity.clustering import cluster
from graph.identity.resolve import IdentityResolver
from graph.identity.scheduler import ClusterJob
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RawRecord
from graph.lab.metrics import detection
from graph.lab.simulate import WorldConfig, simulate
from graph.lab.truth import Truth
from graph.model.privacy import mask_identifier
from graph.settings import Settings
from graph.store import admin
from graph.store.algorithms import GdsAlgorithms, InProcessAlgorithms
from graph.store.repository import Neo4jStore
from tests.examples import ROLE_KEYS, api_keys_setting

pytestmark = pytest.mark.integration

KEYS = ROLE_KEYS

# A small world with more rings and bots than the default, so that a few hundred
# people hold several of each (and households, kiosks, staff addresses around them).
CONFIG = WorldConfig(ring_share=0.1, ring_size=(4, 12), bot_share=0.03)
PEOPLE = 300
SEED = 61


@dataclass
class World:
    repo: Neo4jStore
    truth: Truth
    events: list[dict[str, Any]]


def _predicted(repo: Neo4jStore) -> dict[str, str]:
    return {
        f"{r['identifier_type']}:{r['identifier_value']}": str(r["identity_id"])
        for r in cluster_store.export_identities(repo)
    }


def _rows(repo: Neo4jStore, text: str, **params: Any) -> list[dict[str, Any]]:
    with repo.driver.session(database=repo.database) as s:
        return [dict(r) for r in s.run(text, params)]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def world(driver: Driver, settings: Settings, _wipe_allowed: bool) -> World:
    """The world, ingested, clustered and scanned once for the module's tests."""
    repo = Neo4jStore(driver, settings.neo4j_database)
    admin.reset_data(repo)
    admin.migrate(repo)
    simulated = simulate(people=PEOPLE, seed=SEED, config=CONFIG)
    records = [RawRecord(n + 1, "", e) for n, e in enumerate(simulated.events)]
    Ingestor(repo, settings.normaliser(), settings.batch_size).ingest(records)
    cluster(repo, InProcessAlgorithms())
    result = detect(repo, algorithms=InProcessAlgorithms())
    assert result.rings >= 1 and result.bots_flagged >= 1
    return World(repo, simulated.ground_truth(), simulated.events)


def test_planted_rings_and_bots_are_found(world: World) -> None:
    predicted = _predicted(world.repo)
    flags = flagged_identities(world.repo)
    rings = detection(world.truth, predicted, flags, "ring_member", "synthetic")
    bots = detection(world.truth, predicted, flags, "bot_suspected", "bot")
    assert rings.planted >= 20 and bots.planted >= 5
    assert rings.recall >= 0.9 and rings.precision >= 0.8, rings
    assert bots.recall >= 0.9 and bots.precision >= 0.8, bots


def test_households_and_kiosk_users_are_not_flagged(world: World) -> None:
    predicted = _predicted(world.repo)
    flags = flagged_identities(world.repo)
    people = world.truth.people
    for identity, fs in flags.items():
        owners = {world.truth.owners[k] for k, i in predicted.items() if i == identity}
        owners &= set(people)
        kinds = {people[p].kind for p in owners}
        assert kinds & {"synthetic", "bot"}, (identity, fs, kinds)


def test_storage_follows_the_contract(world: World) -> None:
    repo = world.repo
    rings = _rows(
        repo,
        "MATCH (g:Ring) OPTIONAL MATCH (p:Identity)-[:IN_RING]->(g) "
        "RETURN g {.*} AS g, collect(p {.*}) AS members",
    )
    assert rings
    for row in rings:
        g, members = row["g"], row["members"]
        assert g["ring_id"].startswith("ring_") and len(g["ring_id"]) == 21
        assert 0.0 <= g["score"] <= 1.0 and g["size"] == len(members) >= 2
        assert isinstance(g["reasons"], list) and isinstance(g["signals"], str)
        assert g["first_seen"] <= g["last_seen"] and g["detected_at"] is not None
        for p in members:
            assert p["ring_id"] == g["ring_id"] and p["ring_score"] == g["score"]
            assert 0.0 <= p["risk"] <= 1.0
            # A flagged ring's score is part of the risk; an unflagged candidate's is not.
            if "ring_member" in p["risk_flags"]:
                assert p["risk"] >= p["ring_score"]
            assert set(p["risk_flags"]) <= {
                "ring_member",
                "bot_suspected",
                "high_risk",
                "confirmed_fraud",
            }
            assert ("ring_member" in p["risk_flags"]) == (g["score"] >= RingParams().threshold)
    stray = _rows(
        repo,
        "MATCH (p:Identity) WHERE p.ring_id IS NOT NULL AND NOT (p)-[:IN_RING]->(:Ring) "
        "RETURN count(p) AS n",
    )
    assert stray[0]["n"] == 0


def test_rerunning_keeps_ring_ids_and_backends_agree(world: World) -> None:
    repo = world.repo
    before = {r.ring_id: r.score for r in list_rings(repo, limit=500).rings}
    again = detect(repo, algorithms=InProcessAlgorithms())
    after = {r.ring_id: r.score for r in list_rings(repo, limit=500).rings}
    assert after == before and again.rings == len(before)
    if admin.gds_version(repo) is not None:
        assert detect(repo, algorithms=GdsAlgorithms()).backend == "gds"
        assert {r.ring_id: r.score for r in list_rings(repo, limit=500).rings} == before


def test_resolve_raises_the_stored_flags(world: World, settings: Settings) -> None:
    repo = world.repo
    [member] = _rows(
        repo,
        "MATCH (p:Identity)-[:IN_RING]->(g:Ring) WHERE 'ring_member' IN p.risk_flags "
        "MATCH (i:Identifier {identity_id: p.identity_id, type: 'email'}) "
        "RETURN i.value AS value, g.ring_id AS ring_id LIMIT 1",
    )
    result = IdentityResolver(repo, settings.normaliser()).resolve([("email", member["value"])])
    flags = {f.name: f.reason for f in result.flags}
    assert "ring_member" in flags and member["ring_id"] in flags["ring_member"]


def test_shared_values_go_through_the_show_function(world: World) -> None:
    top = list_rings(world.repo, limit=1).rings[0]
    clear = get_ring(world.repo, top.ring_id)
    masked = get_ring(world.repo, top.ring_id, show=mask_identifier)
    assert clear.shared and len(clear.shared) == len(masked.shared)
    for a, b in zip(clear.shared, masked.shared, strict=True):
        assert b.value == mask_identifier(a.type, a.value) != a.value


# --- the API ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(world: World, settings: Settings) -> Iterator[TestClient]:
    keys = api_keys_setting()
    keyed = settings.model_copy(update={"api_keys": SecretStr(keys)})
    with TestClient(create_app(keyed)) as c:
        yield c


def _get(client: TestClient, path: str, role: str = "investigator", **params: Any) -> Any:
    return client.get(path, params=params, headers={"X-API-Key": KEYS[role]})


def test_list_rings_ranked_and_filtered(client: TestClient) -> None:
    r = _get(client, "/v1/rings")
    assert r.status_code == 200
    body = r.json()
    scores = [g["score"] for g in body["rings"]]
    assert scores == sorted(scores, reverse=True) and body["total"] == len(scores) >= 1
    assert (body["limit"], body["offset"]) == (50, 0)
    assert set(body["rings"][0]) == {
        "ring_id",
        "score",
        "size",
        "reasons",
        "first_seen",
        "last_seen",
    }

    high = _get(client, "/v1/rings", min_score=0.5).json()
    assert all(g["score"] >= 0.5 for g in high["rings"]) and high["total"] <= body["total"]
    page = _get(client, "/v1/rings", limit=1, offset=1).json()
    assert page["total"] == body["total"]
    assert [g["ring_id"] for g in page["rings"]] == [g["ring_id"] for g in body["rings"][1:2]]

    first = min(g["first_seen"] for g in body["rings"])
    last = max(g["last_seen"] for g in body["rings"])
    assert _get(client, "/v1/rings", until=first).json()["total"] == 0
    assert _get(client, "/v1/rings", since="2099-01-01T00:00:00Z").json()["total"] == 0
    assert _get(client, "/v1/rings", since=first, until=last).json()["total"] == body["total"]
    # A reversed or empty window is a 422 that names `until`, as on the influence and
    # graph endpoints.
    for since, until in ((last, first), (first, first)):
        r = _get(client, "/v1/rings", since=since, until=until)
        assert r.status_code == 422
        assert r.json()["location"] == "until"


def test_bad_parameters_are_422(client: TestClient) -> None:
    for params in ({"min_score": 2}, {"limit": 0}, {"offset": -1}, {"since": "yesterday"}):
        r = _get(client, "/v1/rings", **params)
        assert r.status_code == 422 and r.json()["location"], params
    r = _get(client, "/v1/rings/not-a-ring")
    assert r.status_code == 422 and {"error", "detail", "location"} <= set(r.json())


def test_ring_detail(client: TestClient) -> None:
    listed = _get(client, "/v1/rings", min_score=0.5).json()["rings"][0]
    r = _get(client, f"/v1/rings/{listed['ring_id']}")
    assert r.status_code == 200
    ring = r.json()
    assert {k: ring[k] for k in listed} == listed
    assert len(ring["members"]) == ring["size"]
    assert set(ring["signals"]) >= {"failed_payments", "signup_burst", "shared_density"}
    assert all(0.0 <= v <= 1.0 for v in ring["signals"].values())
    member = ring["members"][0]
    assert set(member) == {
        "identity_id",
        "risk",
        "bot_score",
        "first_seen",
        "last_seen",
        "identifiers",
    }
    assert member["identifiers"] >= 1 and member["risk"] >= ring["score"] - 1e-9
    assert ring["shared"] and all(s["identities"] >= 2 for s in ring["shared"])
    assert all("*" not in s["value"] for s in ring["shared"])  # investigators see values
    times = [e["timestamp"] for e in ring["timeline"]]
    assert times == sorted(times) and len(times) >= ring["size"]
    members = {m["identity_id"] for m in ring["members"]}
    assert {e["identity_id"] for e in ring["timeline"]} <= members
    assert "signup" in {e["type"] for e in ring["timeline"]}


def test_unknown_ring_is_404(client: TestClient) -> None:
    r = _get(client, "/v1/rings/ring_0000000000000000")
    assert r.status_code == 404
    assert r.json()["error"] == "NotFound" and "ring_0000" not in r.json()["detail"]


@pytest.mark.parametrize("path", ["/v1/rings", "/v1/rings/ring_0000000000000000"])
def test_roles_below_investigator_are_refused(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401
    for role in ("resolver", "analyst"):
        r = _get(client, path, role=role)
        assert r.status_code == 403 and r.json()["error"] == "NotAllowed"
    assert _get(client, path, role="admin").status_code in (200, 404)


# --- replacing a run, and the scheduler ----------------------------------------------------


def test_a_run_replaces_the_previous_output(world: World) -> None:
    repo = world.repo
    nothing = FraudParams(rings=RingParams(store_min=1.01))
    result = detect(repo, nothing, algorithms=InProcessAlgorithms())
    assert result.rings == 0 and result.ring_members == 0
    counts = _rows(
        repo,
        "OPTIONAL MATCH (g:Ring) WITH count(g) AS rings "
        "OPTIONAL MATCH (p:Identity) WHERE p.ring_id IS NOT NULL OR p.ring_score IS NOT NULL "
        "WITH rings, count(p) AS members "
        "OPTIONAL MATCH ()-[m:IN_RING]->() RETURN rings, members, count(m) AS links",
    )
    assert counts == [{"rings": 0, "members": 0, "links": 0}]
    # Bots are still scored; a normal run brings the rings back with the same ids.
    assert flagged_identities(repo)
    detect(repo, algorithms=InProcessAlgorithms())
    assert list_rings(repo).total >= 1


def test_the_scheduler_detects_after_a_run_that_changed_something(world: World) -> None:
    repo = world.repo
    job = ClusterJob(repo, interval=3600, algorithms=InProcessAlgorithms())
    event = {
        "event_id": "late-1",
        "timestamp": "2026-05-01T10:00:00Z",
        "source": "test",
        "channel": "web",
        "type": "login",
        "identifiers": [{"type": "email", "value": "late.comer@example.fr"}],
    }
    Ingestor(repo, Settings().normaliser()).ingest([RawRecord(1, "", event)])
    job.run_once()
    last = job.status().last_result
    assert last is not None and isinstance(last.get("detection"), dict)
    assert last["detection"]["rings"] == list_rings(repo).total


# --- the command line ----------------------------------------------------------------------


@pytest.fixture()
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from graph.settings import get_settings

    monkeypatch.setenv("NEO4J_URI", settings.bolt_uri)
    monkeypatch.setenv("NEO4J_USERNAME", settings.neo4j_username)
    if settings.neo4j_password is not None:
        monkeypatch.setenv("NEO4J_PASSWORD", settings.neo4j_password.get_secret_value())
    monkeypatch.setenv("NEO4J_DATABASE", settings.neo4j_database)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cli_detect_and_evaluate(world: World, cli_env: None, tmp_path: Any) -> None:
    import json

    from typer.testing import CliRunner

    from idgraph.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["detect", "--backend", "networkx"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)
    assert result["backend"] == "networkx" and result["rings"] == list_rings(world.repo).total
    assert result["ring_members_flagged"] >= 1 and result["bots_flagged"] >= 1

    truth = tmp_path / "truth.json"
    truth.write_text(json.dumps(world.truth.as_dict()))
    r = runner.invoke(app, ["evaluate", str(truth), "--json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["rings"]["recall"] >= 0.9 and report["bots"]["precision"] >= 0.8
    r = runner.invoke(app, ["evaluate", str(truth)])
    assert "fraud rings: recall" in r.stdout and "bots: recall" in r.stdout

    # Nothing changed since the last clustering run: no detection follows it.
    r = runner.invoke(app, ["cluster", "--incremental"])
    assert r.exit_code == 0, r.output
    assert "detection" not in json.loads(r.stdout)
