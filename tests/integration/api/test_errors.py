"""Every error answer has the project's body, unknown routes and wrong methods included."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.settings import Settings
from graph.store.repository import Neo4jStore

pytestmark = pytest.mark.integration


@pytest.fixture()
def client(settings: Settings, repo: Neo4jStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def test_unknown_route_answers_404_in_the_project_format(client: TestClient) -> None:
    answer = client.get("/v1/no-such-route")
    assert answer.status_code == 404
    assert answer.json() == {"error": "NotFound", "detail": "Not Found", "location": None}


def test_wrong_method_answers_405_with_allow_header(client: TestClient) -> None:
    answer = client.get("/v1/resolve")
    assert answer.status_code == 405
    body = answer.json()
    assert body["error"] == "MethodNotAllowed" and body["location"] is None
    assert "POST" in answer.headers["allow"]


def test_a_body_over_the_limit_answers_413_and_is_not_read(
    settings: Settings, repo: Neo4jStore
) -> None:
    small = settings.model_copy(update={"max_body_bytes": 2048})
    with TestClient(create_app(small)) as client:
        big = {"identifiers": [{"type": "email", "value": "x" * 4000 + "@example.fr"}]}
        answer = client.post("/v1/resolve", json=big)
        assert answer.status_code == 413
        body = answer.json()
        assert body["error"] == "BodyTooLarge" and body["location"] == "body"
        assert "x" * 20 not in answer.text  # the body is never echoed
        # Within the limit the same route reads the body as usual.
        ok = client.post(
            "/v1/resolve", json={"identifiers": [{"type": "email", "value": "a@b.fr"}]}
        )
        assert ok.status_code == 200


def test_a_chunked_body_over_the_limit_answers_413(settings: Settings, repo: Neo4jStore) -> None:
    small = settings.model_copy(update={"max_body_bytes": 2048})
    with TestClient(create_app(small)) as client:

        def chunks() -> Iterator[bytes]:
            for _ in range(10):
                yield b"x" * 1000

        answer = client.post(
            "/v1/resolve", content=chunks(), headers={"content-type": "application/json"}
        )
        assert answer.status_code == 413
