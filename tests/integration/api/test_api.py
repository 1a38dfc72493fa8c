"""The HTTP API on a real Neo4j, through FastAPI's test client (lifespan included)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.identity.clustering import cluster
from graph.settings import Settings
from graph.store import admin
from graph.store.algorithms import InProcessAlgorithms
from graph.store.repository import Neo4jStore
from tests.examples import EXAMPLE_EVENT

pytestmark = pytest.mark.integration


@pytest.fixture()
def client(settings: Settings, repo: Neo4jStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def test_healthz_reports_neo4j_and_gds(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["neo4j"].startswith("5.26") and body["gds"]


def test_docs_and_openapi(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/resolve", "/v1/events", "/healthz"} <= set(paths)


def test_events_then_resolve(client: TestClient, repo: Neo4jStore) -> None:
    events = [
        EXAMPLE_EVENT,
        {"event_id": "bad", "timestamp": "nope", "identifiers": []},
    ]
    r = client.post("/v1/events", json={"events": events})
    assert r.status_code == 200
    body = r.json()
    assert body["summary"]["accepted"] == 1 and body["summary"]["rejected"] == 1
    assert [x["status"] for x in body["results"]] == ["accepted", "rejected"]
    assert body["results"][1]["location"] == "timestamp"
    cluster(repo, InProcessAlgorithms())
    r = client.post(
        "/v1/resolve", json={"identifiers": [{"type": "email", "value": " JEAN.dupont@example.fr"}]}
    )
    assert r.status_code == 200
    res = r.json()
    assert res["status"] == "matched"
    assert {i["value"] for i in res["identifiers"]} == {"+33612345678", "jean.dupont@example.fr"}


def test_unknown_identifier_is_an_answer_not_an_error(client: TestClient) -> None:
    r = client.post(
        "/v1/resolve", json={"identifiers": [{"type": "phone", "value": "+33 7 00 00 00 01"}]}
    )
    assert r.status_code == 200
    assert r.json()["status"] == "unknown"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"identifiers": []},
        {"identifiers": [{"type": "email"}]},
        {"identifiers": [{"type": "email", "value": "a@b.c", "extra": 1}]},
        {"identifiers": "x"},
        {"identifiers": [{"type": "x" * 500, "value": "v"}]},
    ],
)
def test_bad_input_is_422_with_location(client: TestClient, body: object) -> None:
    r = client.post("/v1/resolve", json=body)
    assert r.status_code == 422
    assert r.json()["location"] is not None


def test_invalid_json_is_422(client: TestClient) -> None:
    r = client.post("/v1/resolve", content=b"{", headers={"Content-Type": "application/json"})
    assert r.status_code == 422


def test_error_messages_do_not_echo_values(client: TestClient) -> None:
    secret = "secret-phone-9999"
    r = client.post("/v1/resolve", json={"identifiers": [{"type": "phone", "value": secret}]})
    assert r.status_code == 200
    assert secret not in r.text


def test_periodic_clustering_refreshes_identities(settings: Settings, repo: Neo4jStore) -> None:
    """With an interval set, the API clusters what changed without being asked."""
    import time

    periodic = settings.model_copy(update={"cluster_interval": 0.3})
    with TestClient(create_app(periodic)) as client:
        r = client.post("/v1/events", json={"events": [EXAMPLE_EVENT]})
        assert r.json()["summary"]["accepted"] == 1
        deadline = time.monotonic() + 20
        status = None
        while time.monotonic() < deadline:
            status = client.get("/healthz").json()["clustering"]
            if status["runs"] and status["last_result"]["identities"]:
                break
            time.sleep(0.2)
        assert status is not None and status["interval"] == 0.3
        assert status["last_result"]["identities"] == 1 and status["last_error"] is None
    with repo.driver.session(database=repo.database) as s:
        confidences = s.run("MATCH (i:Identifier) RETURN i.confidence AS c").value()
    assert len(confidences) == 2 and all(c is not None for c in confidences)


def test_resolve_context_flags_and_verification(client: TestClient, repo: Neo4jStore) -> None:
    client.post("/v1/events", json={"events": [EXAMPLE_EVENT]})
    cluster(repo, InProcessAlgorithms())
    body = {
        "identifiers": [
            {"type": "phone", "value": "06 12 34 56 78"},
            {"type": "email", "value": "new@example.fr"},
        ],
        "context": {
            "channel": "call",
            "timestamp": "2026-03-09T10:00:00+01:00",
            "intent": "transfer",
        },
    }
    r = client.post("/v1/resolve", json=body)
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["status"] == "matched" and 0 < res["confidence"] <= 1
    assert [f["name"] for f in res["flags"]] == ["new_identifier"]
    assert res["verification"] == "step_up"  # a transfer with a new e-mail
    assert res["evidence"][0]["events"][0]["event_id"] == EXAMPLE_EVENT["event_id"]
    assert {i["value"]: i["channels"] for i in res["identifiers"]}["+33612345678"] == ["call"]


@pytest.mark.parametrize(
    ("context", "location"),
    [
        ({"intent": "steal"}, "body.context.intent"),
        ({"timestamp": "2026-03-09T10:00:00"}, "body.context.timestamp"),
        ({"channel": ""}, "body.context.channel"),
        ({"mood": "happy"}, "body.context.mood"),
    ],
)
def test_bad_resolve_context_is_422_with_location(
    client: TestClient, context: dict[str, str], location: str
) -> None:
    body = {"identifiers": [{"type": "phone", "value": "0612345678"}], "context": context}
    r = client.post("/v1/resolve", json=body)
    assert r.status_code == 422 and r.json()["location"] == location


def test_resolve_reports_the_stored_risk_flags(client: TestClient, repo: Neo4jStore) -> None:
    """``ring_member`` comes from fraud detection's verdict stored on the identity (the
    shared contract's properties, written here as ``graph/fraud/detect.py`` writes them)."""
    client.post("/v1/events", json={"events": [EXAMPLE_EVENT]})
    cluster(repo, InProcessAlgorithms())
    body = {"identifiers": [{"type": "phone", "value": "06 12 34 56 78"}]}
    before = client.post("/v1/resolve", json=body).json()
    assert before["status"] == "matched" and before["verification"] == "none"
    with repo.driver.session(database=repo.database) as s:
        s.run(
            "MATCH (p:Identity {identity_id: $id}) SET p.risk_flags = ['ring_member'], "
            "p.ring_id = 'ring_00ff', p.ring_score = 0.9, "
            "p.ring_reasons = ['5 identities share a card'], p.bot_score = 0.1, p.risk = 0.9",
            id=before["identity_id"],
        ).consume()
    after = client.post("/v1/resolve", json=body).json()
    assert after["flags"] == [
        {
            "name": "ring_member",
            "reason": "member of ring ring_00ff (score 0.90): 5 identities share a card",
        }
    ]
    assert after["verification"] == "step_up"


def test_resolve_through_idgraph_serve_with_two_workers(
    settings: Settings, repo: Neo4jStore, tmp_path: Path
) -> None:
    """``idgraph serve --workers 2``: both workers answer, and the periodic clustering
    runs once, in the supervising process (the workers run none)."""
    import http.client
    import json
    import os
    import subprocess
    import sys
    import time

    from graph.ingest.pipeline import Ingestor
    from graph.ingest.readers import RawRecord
    from graph.model.identifiers import Normaliser
    from tests.conftest import free_port, neo4j_env

    Ingestor(repo, Normaliser()).ingest([RawRecord(1, "", dict(EXAMPLE_EVENT))])
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IDGRAPH_", "NEO4J_"))}
    env |= neo4j_env(settings) | {"IDGRAPH_CLUSTER_INTERVAL": "0.3"}
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "idgraph", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    body = json.dumps({"identifiers": [{"type": "phone", "value": "06 12 34 56 78"}]})
    statuses: list[str] = []
    health: dict[str, object] = {}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and statuses[-1:] != ["matched"]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("POST", "/v1/resolve", body, {"Content-Type": "application/json"})
                statuses.append(json.loads(conn.getresponse().read())["status"])
                conn.request("GET", "/healthz")
                health = json.loads(conn.getresponse().read())
            except OSError:
                time.sleep(0.3)
            finally:
                conn.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert statuses[-1:] == ["matched"], log.read_text(errors="replace")[-2000:]
    assert health["status"] == "ok" and health["clustering"] is None


def test_start_up_resolves_once_before_serving(
    settings: Settings, repo: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server plans the resolve statement on its first use (about a second): the
    # API does that at start-up, with an address no one has, not on a caller's time.
    import api.app as app_module
    from graph.identity.resolve import IdentityResolver, Resolution

    asked: list[list[tuple[str, str]]] = []
    real = IdentityResolver.resolve

    def recording(self: IdentityResolver, items: list[tuple[str, str]]) -> Resolution:
        asked.append(items)
        return real(self, items)

    monkeypatch.setattr(IdentityResolver, "resolve", recording)
    with TestClient(create_app(settings)) as client:
        assert asked == [[app_module._WARM_UP_IDENTIFIER]]
        assert client.get("/healthz").status_code == 200
    assert admin.counts(repo)["identifiers"] == 0  # read only: nothing written


def test_start_up_survives_a_failed_warm_up(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from neo4j.exceptions import ServiceUnavailable

    from graph.identity.resolve import IdentityResolver

    def failing(*_a: object, **_k: object) -> None:
        raise ServiceUnavailable("connection refused")

    monkeypatch.setattr(IdentityResolver, "resolve", failing)
    with caplog.at_level("WARNING", logger="idgraph.api"), TestClient(create_app(settings)) as c:
        assert c.get("/healthz").status_code == 200
    assert "resolve warm-up failed (ServiceUnavailable)" in caplog.text
