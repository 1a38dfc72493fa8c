"""Schemathesis against the OpenAPI schema: no input, however odd, is a server error.

Every operation of the app's OpenAPI document is called with its examples, the
schema's boundary values (coverage phase) and generated data, valid and invalid,
through the ASGI app with its lifespan running (so the real Neo4j of the test session
answers), on a database holding one clustered identity and a referral. Responses are
also checked against the documented status codes, content types and schemas.

The run is seeded and bounded so that ``make test`` stays fast and a failure replays
the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from pydantic import SecretStr
from schemathesis import Case
from schemathesis.config import SchemathesisConfig

from api.app import create_app
from graph.identity.clustering import cluster
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RawRecord
from graph.settings import Settings
from graph.store.algorithms import InProcessAlgorithms
from graph.store.repository import Neo4jStore
from tests.examples import EXAMPLE_EVENT, lookup_identifiers

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SEED = 20260301
ADMIN_KEY = "fuzz-admin-key-" + "f" * 30
MAX_EXAMPLES = 50

REFERRAL_EVENT: dict[str, Any] = {
    "event_id": "e-2",
    "timestamp": "2026-03-02T09:00:00Z",
    "source": "web",
    "channel": "web",
    "type": "signup",
    "identifiers": [{"type": "email", "value": "marie.martin@example.fr"}],
    "referred_by": [{"type": "email", "value": "jean.dupont@example.fr"}],
}

FUZZ_CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            # No example database: every run generates the same cases from the seed.
            "database": "none",
        },
        # Authentication on: the fuzzer calls as admin (every route allowed), and its
        # ignored_auth check sends wrong keys to each operation and expects 401.
        "auth": {"openapi": {"apiKey": {"api_key": ADMIN_KEY}}},
        "operations": [
            {
                # `since < until` spans two parameters, which the schema cannot say:
                # a schema-valid window that is empty or reversed is a 422.
                "include-path": "/v1/influence/top",
                "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", 422]}},
            },
            {
                # The same cross-field window on the ring list.
                "include-path": "/v1/rings",
                "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", 422]}},
            },
            {
                # Exactly one of `name` and `query` (also cross-field), and a schema-valid
                # query can still fail to parse, name an unknown query or try to write.
                "include-path": "/v1/cypher",
                "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", 422]}},
            },
            {
                # Graph exploration: one start (type + value, identity_id or ring_id) out
                # of several parameters, and since < until (cross-field: 422); an unknown
                # start or no path is a 404.
                "include-path-regex": "^/v1/graph/",
                "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", 404, 422]}},
            },
        ],
    }
)


def _openapi_document() -> dict[str, Any]:
    # Only renders the document: the app connects to Neo4j in its lifespan, which does
    # not run here. (schemathesis.pytest.from_fixture, which would build the schema in
    # a fixture, fails on pytest 9.2: it sets the removed `Item._nodeid`.)
    offline = Settings.model_validate({"api_keys": None, "api_keys_file": None})
    return create_app(offline).openapi()


class _LiveApp:
    """The ASGI app schemathesis calls: it forwards to the current test's app.

    The schema is built at collection, the app (settings of the test server, data) in a
    fixture. Schemathesis's ASGI transport starts the lifespan (driver, migrations) on
    the first request, and every request it makes, the checks' follow-up probes
    included, reaches the app through here; its pytest plugin ends the lifespan when
    the test ends.
    """

    def __init__(self) -> None:
        self.app: FastAPI | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert self.app is not None, "no app: use the `app` fixture"
        await self.app(scope, receive, send)


live_app = _LiveApp()
schema = schemathesis.openapi.from_dict(_openapi_document(), config=FUZZ_CONFIG)
schema.app = live_app


@pytest.fixture()
def app(settings: Settings, repo: Neo4jStore) -> Iterator[FastAPI]:
    """The app with an admin key, on a database with a clustered identity and a referral."""
    records = [RawRecord(n, "", e) for n, e in enumerate([EXAMPLE_EVENT, REFERRAL_EVENT])]
    summary, _ = Ingestor(repo, settings.normaliser(), settings.batch_size).ingest(records)
    assert summary.accepted == 2
    cluster(repo, InProcessAlgorithms())
    keyed = settings.model_copy(update={"api_keys": SecretStr(f"{ADMIN_KEY}=admin")})
    live_app.app = create_app(keyed)
    yield live_app.app
    live_app.app = None


def test_requests_reach_neo4j(app: FastAPI) -> None:
    """The transport the fuzzer uses runs the lifespan: a known identifier resolves."""
    case = schema["/v1/resolve"]["POST"].Case(
        body={"identifiers": [{"type": "email", "value": "Jean.Dupont@Example.fr"}]}
    )
    response = case.call(headers={"X-API-Key": ADMIN_KEY})
    assert response.status_code == 200
    assert response.json()["status"] == "matched"


@pytest.mark.parametrize("tail", ["", "/influenced", "/influencers"])
def test_found_identities_match_the_schema(app: FastAPI, repo: Neo4jStore, tail: str) -> None:
    """Generated ids are almost never found: check the 200 answers with a known one."""
    [row] = lookup_identifiers(repo, [{"type": "email", "value": "jean.dupont@example.fr"}])
    case = schema["/v1/identities/{identity_id}" + tail]["GET"].Case(
        path_parameters={"identity_id": row["identity_id"]}
    )
    response = case.call_and_validate(headers={"X-API-Key": ADMIN_KEY})
    assert response.status_code == 200


@pytest.mark.parametrize("when", ["2026-03-01T10:00:00+23:20", "9999-12-31T23:00:00-05:00"])
def test_times_neo4j_cannot_hold_are_input_errors(app: FastAPI, when: str) -> None:
    """Found by fuzzing: offsets beyond +/-18:00 (Neo4j refuses them) and UTC instants
    past year 9999 (stored, never read back) were 503s, or a 500 on a later resolve."""
    auth = {"X-API-Key": ADMIN_KEY}
    top = schema["/v1/influence/top"]["GET"].Case(query={"since": when, "by": "pagerank"})
    assert top.call_and_validate(headers=auth).status_code in (200, 422)
    event = {**EXAMPLE_EVENT, "event_id": "e-far", "timestamp": when}
    ingest = schema["/v1/events"]["POST"].Case(body={"events": [event]})
    [result] = ingest.call_and_validate(headers=auth).json()["results"]
    assert result["status"] == "rejected" and result["location"] == "timestamp"
    resolve = schema["/v1/resolve"]["POST"].Case(body={"identifiers": EXAMPLE_EVENT["identifiers"]})
    assert resolve.call_and_validate(headers=auth).json()["status"] == "matched"


@schema.parametrize()
@hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    # `app` (and its data) is set up once per operation, on purpose: the cases share
    # it, and what POST /v1/events ingests along the way is more data to find.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_server_error_and_responses_match_the_schema(case: Case[Any], app: FastAPI) -> None:
    case.call_and_validate()
