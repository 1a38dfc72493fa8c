"""The analysts' query library, ``idgraph cypher`` and ``POST /v1/cypher`` on a real Neo4j.

One simulated world (150 people, realistic) is ingested and clustered once for the
module; every test only reads it, and the write attempts check it is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import neo4j
import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from neo4j.exceptions import ClientError
from pydantic import SecretStr
from typer.testing import CliRunner

from api.app import create_app
from graph.analyst.library import library
from graph.analyst.runner import explain_query_type, run_adhoc, run_named
from graph.errors import QueryRefused, QueryTimedOut
from graph.identity.clustering import cluster
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RawRecord
from graph.lab.simulate import simulate
from graph.model.identifiers import Normaliser
from graph.settings import Settings, get_settings
from graph.store import admin
from graph.store.algorithms import InProcessAlgorithms
from graph.store.repository import Neo4jStore
from idgraph.cli import app as cli_app

pytestmark = pytest.mark.integration

QUERIES = sorted(library())

WRITES = [
    "CREATE (n:Intruder {x: 1})",
    "MERGE (n:Intruder {x: 1}) RETURN n",
    "MATCH (i:Identifier) SET i.value = 'x'",
    "MATCH (i:Identifier) WITH i LIMIT 1 DETACH DELETE i",
    "MATCH (e:Event) REMOVE e.source",
    "CALL db.createLabel('Intruder')",
    "CALL db.createProperty('intruder')",
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "CREATE INDEX intruder IF NOT EXISTS FOR (n:Intruder) ON (n.x)",
    "CREATE CONSTRAINT intruder IF NOT EXISTS FOR (n:Intruder) REQUIRE n.x IS UNIQUE",
    "DROP INDEX identifier_identity",
    "UNWIND range(1, 3) AS x CALL (x) { CREATE (:Intruder {x: x}) } IN TRANSACTIONS",
    "CREATE DATABASE intruder",
    "SHOW USERS",
    "MATCH (n) RETURN count(n); CREATE (:Intruder)",
]


@pytest.fixture(scope="module")
def world(driver: Driver, settings: Settings, _wipe_allowed: bool) -> Neo4jStore:
    """The database holding a clustered simulated world (built once for the module)."""
    repo = Neo4jStore(driver, settings.neo4j_database)
    admin.reset_data(repo)
    admin.migrate(repo)
    events = simulate(people=150, seed=5).events
    Ingestor(repo, Normaliser()).ingest([RawRecord(n, "", e) for n, e in enumerate(events)])
    cluster(repo, InProcessAlgorithms())
    return repo


def _fingerprint(repo: Neo4jStore) -> dict[str, Any]:
    """What a write would change: counts, labels, property keys, indexes, constraints."""
    with repo.driver.session(database=repo.database) as s:
        return {
            "counts": admin.counts(repo),
            "nodes": s.run("MATCH (n) RETURN count(n) AS n").single(strict=True)["n"],
            "labels": sorted(r["label"] for r in s.run("CALL db.labels() YIELD label")),
            "keys": sorted(r["k"] for r in s.run("CALL db.propertyKeys() YIELD propertyKey AS k")),
            "indexes": sorted(r["name"] for r in s.run("SHOW INDEXES YIELD name")),
            "sample": s.run("MATCH (i:Identifier) RETURN collect(i.value)[..50] AS v").single(
                strict=True
            )["v"],
        }


@pytest.fixture(scope="module")
def client(world: Neo4jStore, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:  # the app includes the Cypher router
        yield c


@pytest.fixture()
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
    for key, value in {
        "NEO4J_URI": settings.bolt_uri,
        "NEO4J_USERNAME": settings.neo4j_username,
        "NEO4J_PASSWORD": password,
        "NEO4J_DATABASE": settings.neo4j_database,
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# --- the library ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", QUERIES)
def test_every_query_runs_with_its_examples_and_returns_its_columns(
    world: Neo4jStore, name: str
) -> None:
    q = library()[name]
    result = run_named(world, name, q.example_params())
    assert result.columns == q.column_names
    assert result.query_type == "r"
    for row in result.rows:
        assert list(row) == q.column_names


ANSWERS_ON_THE_WORLD = [
    "data_quality/blocked_by_source",
    "data_quality/events_per_source_channel_day",
    "data_quality/identity_size_distribution",
    "data_quality/single_channel_identifiers",
    "data_quality/single_sighting_links",
    "data_quality/top_hub_identifiers",
    "influence/top_influencers",
    "journeys/channel_transitions",
    "journeys/store_then_web",
]


@pytest.mark.parametrize("name", ANSWERS_ON_THE_WORLD)
def test_aggregate_queries_find_something_in_the_world(world: Neo4jStore, name: str) -> None:
    assert run_named(world, name, {**library()[name].example_params()}).rows


def test_person_queries_on_a_real_identity(world: Neo4jStore) -> None:
    top = run_named(
        world, "influence/top_influencers", library()["influence/top_influencers"].example_params()
    ).rows[0]
    identity_id = top["identity_id"]
    cascade = run_named(world, "influence/referral_cascade", {"identity_id": identity_id}).rows
    assert cascade and cascade[0]["depth"] == 1 and cascade[0]["referred_by"] == identity_id
    assert all(r["depth"] in (1, 2, 3) for r in cascade)
    assert len({r["identity_id"] for r in cascade}) == len(cascade)  # each identity once
    child = cascade[0]["identity_id"]
    referrers = run_named(world, "influence/referrers_of", {"identity_id": child}).rows
    assert identity_id in {r["referrer_id"] for r in referrers}

    members = run_named(world, "resolution/identifiers_of_person", {"identity_id": identity_id})
    assert members.rows and {r["identity_id"] for r in members.rows} == {identity_id}
    first = members.rows[0]
    found = run_named(
        world,
        "resolution/identity_of_identifier",
        {"type": first["type"], "value": first["value"]},
    ).rows
    assert found[0]["identity_id"] == identity_id
    confidence = run_named(
        world, "resolution/members_with_confidence", {"identity_id": identity_id}
    ).rows
    assert len(confidence) == len(members.rows)
    if len(members.rows) > 1:
        last = members.rows[-1]
        path = run_named(
            world,
            "resolution/connection_path",
            {
                "from_type": first["type"],
                "from_value": first["value"],
                "to_type": last["type"],
                "to_value": last["value"],
            },
        ).rows
        if path:
            assert path[0]["identifiers"][0] == f"{first['type']}:{first['value']}"
    journey = run_named(world, "journeys/cross_channel_journey", {"identity_id": identity_id})
    steps = journey.rows
    assert steps and [s["step"] for s in steps] == list(range(1, len(steps) + 1))
    assert all(a["channel"] != b["channel"] for a, b in zip(steps, steps[1:], strict=False))
    assert all(isinstance(s["first_at"], str) for s in steps)  # ISO strings


def test_row_limit_is_applied_while_consuming(world: Neo4jStore) -> None:
    result = run_adhoc(world, "MATCH (e:Event) RETURN e", limit=7)
    assert len(result.rows) == 7 and result.truncated
    node = result.rows[0]["e"]
    assert node["labels"] == ["Event"] and node["element_id"]
    assert isinstance(node["properties"]["timestamp"], str)
    whole = run_adhoc(world, "MATCH (p:Identity) RETURN count(p) AS n", limit=1)
    assert not whole.truncated and whole.rows[0]["n"] > 0


def test_paths_and_relationships_are_json(world: Neo4jStore) -> None:
    result = run_adhoc(world, "MATCH p = (:Event)-[:OBSERVED]->(:Identifier) RETURN p LIMIT 1")
    path = result.rows[0]["p"]
    assert path["relationships"][0]["type"] == "OBSERVED"
    assert [n["labels"] for n in path["nodes"]] == [["Event"], ["Identifier"]]


# --- read-only enforcement --------------------------------------------------------------------


def test_explain_sees_writes_and_schema_changes(world: Neo4jStore) -> None:
    assert explain_query_type(world, "MATCH (n) RETURN n") == "r"
    assert explain_query_type(world, "CREATE (n:Intruder)") == "w"
    assert explain_query_type(world, "MATCH (n) SET n.intruder = 1") in ("rw", "w")
    assert explain_query_type(world, "CREATE INDEX i IF NOT EXISTS FOR (n:X) ON (n.y)") == "s"
    assert explain_query_type(world, "CALL db.createLabel('Intruder')") != "r"


def test_read_transactions_cannot_write(world: Neo4jStore) -> None:
    def work(tx: neo4j.ManagedTransaction) -> None:
        tx.run("CREATE (:Intruder)").consume()

    with (
        world.driver.session(database=world.database, default_access_mode=neo4j.READ_ACCESS) as s,
        pytest.raises(ClientError),
    ):
        s.execute_read(work)


def test_writes_through_the_api_are_refused(world: Neo4jStore, client: TestClient) -> None:
    before = _fingerprint(world)
    for text in WRITES:
        r = client.post("/v1/cypher", json={"query": text})
        assert r.status_code == 422, text
        body = r.json()
        assert body["error"] in ("QueryRefused", "QueryFailed"), (text, body)
    assert _fingerprint(world) == before


def test_writes_through_the_cli_are_refused(world: Neo4jStore, cli_env: None) -> None:
    before = _fingerprint(world)
    runner = CliRunner()
    for text in WRITES:
        r = runner.invoke(cli_app, ["cypher", "query", text])
        assert r.exit_code != 0, text
        assert isinstance(r.exception, QueryRefused), (text, r.exception)
    assert _fingerprint(world) == before


# --- the API ----------------------------------------------------------------------------------


def test_api_named_query(client: TestClient) -> None:
    r = client.post(
        "/v1/cypher",
        json={
            "name": "influence/top_influencers",
            "params": {"since": "2026-03-01T00:00:00Z", "until": "2026-06-01", "top": 3},
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "influence/top_influencers" and body["query_type"] == "r"
    assert body["columns"] == library()["influence/top_influencers"].column_names
    assert 0 < body["row_count"] == len(body["rows"]) <= 3
    assert isinstance(body["rows"][0]["first_at"], str)


def test_api_adhoc_query_with_limit(client: TestClient) -> None:
    r = client.post(
        "/v1/cypher",
        json={
            "query": "MATCH (i:Identifier) WHERE i.type = $t RETURN i.value AS v",
            "params": {"t": "email"},
            "limit": 5,
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] is None and body["columns"] == ["v"]
    assert body["row_count"] == 5 and body["truncated"]


@pytest.mark.parametrize(
    ("body", "location", "words"),
    [
        ({"name": "nope/nothing"}, "name", "no library query"),
        (
            {"name": "influence/top_influencers", "params": {"since": "2026-03-01"}},
            "params.until",
            "missing parameter 'until'",
        ),
        (
            {"name": "fraud/newest_rings", "params": {"sizes": 3}},
            "params.sizes",
            "unknown parameter 'sizes'",
        ),
        (
            {"name": "fraud/newest_rings", "params": {"min_identities": "three"}},
            "params.min_identities",
            "must be an integer",
        ),
        ({"name": "x", "query": "RETURN 1"}, "body", "either name"),
        ({}, "body", "either name"),
        ({"query": "RETURN 1", "limit": 10_001}, "body.limit", ""),
        ({"query": "RETURN 1", "timeout_s": 61}, "body.timeout_s", ""),
        ({"query": "MATCH (n RETURN n"}, "query", "Neo4j refused the query"),
    ],
)
def test_api_bad_requests_are_422_with_what_is_wrong(
    client: TestClient, body: dict[str, Any], location: str, words: str
) -> None:
    r = client.post("/v1/cypher", json=body)
    assert r.status_code == 422, r.text
    answer = r.json()
    assert answer["location"] == location
    assert words in answer["detail"]


def test_api_timeout_is_a_clear_error(client: TestClient) -> None:
    r = client.post(
        "/v1/cypher",
        json={
            "query": "UNWIND range(1, 200000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x)",
            "timeout_s": 0.5,
        },
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "QueryTimedOut"


def test_api_needs_the_analyst_role(world: Neo4jStore, settings: Settings) -> None:
    resolver, analyst = "resolver-key-" + "r" * 30, "analyst-key-" + "a" * 30
    keys = SecretStr(f"{resolver}=resolver,{analyst}=analyst")
    api = create_app(settings.model_copy(update={"api_keys": keys}))
    with TestClient(api) as c:
        body = {"query": "RETURN 1 AS one"}
        assert c.post("/v1/cypher", json=body).status_code == 401
        r = c.post("/v1/cypher", json=body, headers={"X-API-Key": resolver})
        assert r.status_code == 403
        r = c.post("/v1/cypher", json=body, headers={"X-API-Key": analyst})
        assert r.status_code == 200 and r.json()["rows"] == [{"one": 1}]


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_list_and_run(world: Neo4jStore, cli_env: None) -> None:
    import json

    runner = CliRunner()
    r = runner.invoke(cli_app, ["cypher", "list", "--json"])
    assert r.exit_code == 0, r.output
    assert {q["name"] for q in json.loads(r.stdout)} == set(QUERIES)
    r = runner.invoke(
        cli_app,
        [
            "cypher",
            "run",
            "data_quality/oversized_identities",
            "--param",
            "min_size=2",
            "--format",
            "json",
            "--limit",
            "3",
        ],
    )
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert 0 < len(rows) <= 3 and all(row["size"] >= 2 for row in rows)
    r = runner.invoke(
        cli_app,
        [
            "cypher",
            "run",
            "influence/top_influencers",
            "-p",
            "since=2026-03-01",
            "-p",
            "until=2026-06-01T00:00:00Z",
            "--format",
            "csv",
        ],
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == "identity_id,referred,referrals,first_at,last_at"
    r = runner.invoke(cli_app, ["cypher", "run", "fraud/newest_rings", "--format", "table"])
    assert r.exit_code == 0, r.output


def test_cli_parameter_errors_name_the_parameter(world: Neo4jStore, cli_env: None) -> None:
    runner = CliRunner()
    r = runner.invoke(cli_app, ["cypher", "run", "influence/top_influencers"])
    assert r.exit_code != 0 and "missing parameter 'since'" in str(r.exception)
    r = runner.invoke(cli_app, ["cypher", "run", "fraud/newest_rings", "-p", "max_identities=lots"])
    assert "'max_identities' must be an integer" in str(r.exception)
    r = runner.invoke(cli_app, ["cypher", "run", "fraud/newest_rings", "-p", "bogus=1"])
    assert "unknown parameter 'bogus'" in str(r.exception)


def test_timeouts_stop_the_query(world: Neo4jStore) -> None:
    with pytest.raises(QueryTimedOut):
        run_adhoc(
            world,
            "UNWIND range(1, 200000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x)",
            timeout_s=0.5,
        )
