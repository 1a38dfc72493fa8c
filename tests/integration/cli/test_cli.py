"""The ``idgraph`` command on a real Neo4j."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.lab.truth import load_truth
from graph.settings import Settings, get_settings
from graph.store import admin
from graph.store.algorithms import choose_algorithms
from graph.store.repository import Neo4jStore
from idgraph.cli import app
from tests.conftest import neo4j_env

pytestmark = pytest.mark.integration


@pytest.fixture()
def env(settings: Settings, repo: Neo4jStore, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = neo4j_env(settings)
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()


def test_simulate_ingest_cluster(env: dict[str, str], tmp_path: Path, repo: Neo4jStore) -> None:
    runner = CliRunner()
    r = runner.invoke(
        app, ["simulate", str(tmp_path / "w"), "--people", "30", "--seed", "3", "--clean"]
    )
    assert r.exit_code == 0, r.output
    events = tmp_path / "w" / "events.jsonl"
    r = runner.invoke(app, ["ingest", str(events)])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    n_lines = sum(1 for line in events.read_text().splitlines() if line.strip())
    assert summary["lines_read"] == n_lines
    assert summary["accepted"] == n_lines and summary["rejected"] == 0
    r = runner.invoke(app, ["cluster"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)
    assert result["backend"] == "gds"
    truth = load_truth(tmp_path / "w" / "truth.json")
    # The clean world keeps people apart: as many identities as people.
    assert result["identities"] == len(set(truth.owners.values()))
    r = runner.invoke(app, ["ingest", str(events)])
    again = json.loads(r.stdout)
    assert again["accepted"] == 0 and again["duplicates"] == n_lines


def test_reset_refuses_without_yes(env: dict[str, str], repo: Neo4jStore) -> None:
    from graph.errors import ResetRefused

    admin.migrate(repo)
    with repo.driver.session(database=repo.database) as s:
        s.run("CREATE (:Identifier {type: 'cookie', value: 'x'})").consume()
    r = CliRunner().invoke(app, ["db", "reset"])
    assert r.exit_code != 0 and isinstance(r.exception, ResetRefused)
    assert admin.counts(repo)["identifiers"] == 1
    r = CliRunner().invoke(app, ["db", "reset", "--yes"])
    assert r.exit_code == 0, r.output
    assert admin.counts(repo)["identifiers"] == 0
    with repo.driver.session(database=repo.database) as s:
        names = {r["name"] for r in s.run("SHOW CONSTRAINTS YIELD name").data()}
    assert "identifier_type_value" in names


def test_db_start_with_uri_starts_nothing(env: dict[str, str]) -> None:
    r = CliRunner().invoke(app, ["db", "start"])
    assert r.exit_code == 0
    assert "does not start" in r.output


def test_demo_requests_answer_correctly(settings: Settings, repo: Neo4jStore) -> None:
    """The curl commands `idgraph demo` prints work on the demo data."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from graph.fraud.detect import detect
    from graph.identity.clustering import cluster
    from graph.ingest.pipeline import Ingestor
    from graph.ingest.readers import RawRecord
    from graph.lab.simulate import WorldConfig, simulate
    from graph.model.identifiers import Normaliser
    from idgraph.cli import as_curl, demo_requests

    # The demo's realistic world (households, kiosks, rings, bots), smaller.
    world = simulate(people=200, seed=11, config=WorldConfig())
    records = [RawRecord(n, "", e) for n, e in enumerate(world.events)]
    Ingestor(repo, Normaliser()).ingest(records)
    cluster(repo, choose_algorithms(repo))
    detect(repo)
    requests = demo_requests(world)
    assert as_curl("http://x", requests[1]).startswith("curl -s -X POST http://x/v1/resolve")
    with TestClient(create_app(settings)) as client:
        answers = [
            client.request(method, path, json=body).json() for method, path, body in requests
        ]
    truth = world.truth()
    assert answers[0]["status"] == "ok"
    for answer in answers[1:3]:
        assert answer["status"] == "matched"
        members = {f"{i['type']}:{i['value']}" for i in answer["identifiers"]}
        assert len({truth[m] for m in members}) == 1  # one simulated person
    assert answers[3]["status"] == "unknown"
    # The top ring of the demo is made of planted synthetic identities.
    rings = answers[4]["rings"]
    assert rings
    kinds = {p.person_id: p.kind for p in world.people}
    with TestClient(create_app(settings)) as client:
        ring = client.get(f"/v1/rings/{rings[0]['ring_id']}").json()
        people = set()
        for member in ring["members"]:
            profile = client.get(f"/v1/identities/{member['identity_id']}").json()
            people |= {
                truth[k]
                for i in profile["identifiers"]
                if (k := f"{i['type']}:{i['value']}") in truth
            }
    assert people and {kinds[p] for p in people} == {"synthetic"}


def test_evaluate_and_export(env: dict[str, str], tmp_path: Path, repo: Neo4jStore) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["simulate", str(tmp_path / "w"), "--people", "80", "--seed", "5"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["ingest", str(tmp_path / "w" / "events.jsonl")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["cluster"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["evaluate", str(tmp_path / "w" / "truth.json"), "--json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["idgraph"]["f1"] > report["connected_components"]["f1"]
    assert sum(b["count"] for b in report["calibration"]) > 0
    out = tmp_path / "identities.csv"
    r = runner.invoke(app, ["export", "identities", "--out", str(out)])
    assert r.exit_code == 0, r.output
    import csv

    with out.open() as f:
        rows = list(csv.DictReader(f))
    assert rows and set(rows[0]) == {
        "identifier_type",
        "identifier_value",
        "identity_id",
        "confidence",
    }
    assert all(0.0 <= float(row["confidence"]) <= 1.0 for row in rows)
    assert not (tmp_path / "identities.csv.part").exists()


def test_serve_with_workers_leaves_the_environment_alone(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``idgraph serve --workers N`` gives the workers their configuration without
    writing to the supervising process's ``os.environ`` (uvicorn stubbed: no server)."""
    import importlib
    import os

    import uvicorn
    from fastapi.testclient import TestClient

    from tests.conftest import free_port

    calls: list[tuple[object, dict[str, object]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: calls.append((target, kw)))
    before = dict(os.environ)
    try:
        r = CliRunner().invoke(app, ["serve", "--workers", "2", "--port", str(free_port())])
        after = dict(os.environ)
    finally:  # whatever the command did to the environment, the next tests do not see it
        os.environ.clear()
        os.environ.update(before)
    assert r.exit_code == 0, r.output
    assert after == before
    [(target, options)] = calls
    assert options["workers"] == 2 and options["factory"] is True
    # What each worker builds from the import string: no clustering job of its own (the
    # supervisor runs the one job), although the environment keeps the default interval.
    assert isinstance(target, str) and "IDGRAPH_CLUSTER_INTERVAL" not in os.environ
    module, _, name = target.partition(":")
    factory = getattr(importlib.import_module(module), name)
    with TestClient(factory()) as client:
        health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["clustering"] is None


def test_serve_with_workers_stops_on_bad_keys_before_any_worker(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from graph.errors import ConfigurationError

    def no_workers(*_a: object, **_k: object) -> None:
        pytest.fail("the workers started despite misconfigured API keys")

    monkeypatch.setattr(uvicorn, "run", no_workers)
    monkeypatch.setenv("IDGRAPH_API_KEYS", "no-equals-sign-here")
    get_settings.cache_clear()
    r = CliRunner().invoke(app, ["serve", "--workers", "2"])
    assert isinstance(r.exception, ConfigurationError), r.output
    assert "IDGRAPH_API_KEYS" in str(r.exception) and "no-equals" not in str(r.exception)
