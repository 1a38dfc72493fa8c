"""API keys and roles on a real Neo4j: who may call what, and what each role sees."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from graph.access.keys import key_file_line, new_key
from graph.errors import ConfigurationError
from graph.identity.clustering import cluster
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RawRecord
from graph.model.identifiers import Normaliser
from graph.settings import Settings
from graph.store.algorithms import InProcessAlgorithms
from graph.store.repository import Neo4jStore
from tests.examples import EXAMPLE_EVENT, ROLE_KEYS, api_keys_setting, lookup_identifiers

pytestmark = pytest.mark.integration

KEYS = ROLE_KEYS
WRONG_KEY = "wrong-key-" + "w" * 30
ROLES = list(KEYS)

EMAIL = "jean.dupont@example.fr"
PHONE = "+33612345678"
RESOLVE = {"identifiers": [{"type": "email", "value": "Jean.Dupont@Example.fr"}]}


def _keyed(settings: Settings, **update: Any) -> Settings:
    keys = api_keys_setting()
    return settings.model_copy(update={"api_keys": SecretStr(keys), **update})


@pytest.fixture()
def identity_id(repo: Neo4jStore) -> str:
    """One identity (the example event's e-mail and phone), clustered."""
    summary, _ = Ingestor(repo, Normaliser()).ingest([RawRecord(1, "", EXAMPLE_EVENT)])
    assert summary.accepted == 1
    cluster(repo, InProcessAlgorithms())
    [row] = lookup_identifiers(repo, [{"type": "email", "value": EMAIL}])
    return str(row["identity_id"])


@pytest.fixture()
def client(settings: Settings, identity_id: str) -> Iterator[TestClient]:
    with TestClient(create_app(_keyed(settings))) as c:
        yield c


def _call(client: TestClient, endpoint: str, identity_id: str, headers: dict[str, str]) -> Any:
    if endpoint == "resolve":
        return client.post("/v1/resolve", json=RESOLVE, headers=headers)
    if endpoint == "events":
        event = {**EXAMPLE_EVENT, "event_id": "auth-1"}
        return client.post("/v1/events", json={"events": [event]}, headers=headers)
    if endpoint == "identity":
        return client.get(f"/v1/identities/{identity_id}", headers=headers)
    if endpoint == "influenced":
        return client.get(f"/v1/identities/{identity_id}/influenced", headers=headers)
    if endpoint == "influence_top":
        return client.get("/v1/influence/top", headers=headers)
    assert endpoint == "healthz"
    return client.get("/healthz", headers=headers)


ENDPOINTS = ["resolve", "events", "identity", "influenced", "influence_top", "healthz"]
#: Which roles may call what (healthz: everyone, even without a key).
ALLOWED = {
    "resolve": {"resolver", "analyst", "investigator", "admin"},
    "events": {"admin"},
    "identity": {"analyst", "investigator", "admin"},
    "influenced": {"analyst", "investigator", "admin"},
    "influence_top": {"analyst", "investigator", "admin"},
    "healthz": {"resolver", "analyst", "investigator", "admin"},
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("header", ["bearer", "x-api-key"])
def test_each_role_on_each_endpoint(
    client: TestClient, identity_id: str, role: str, endpoint: str, header: str
) -> None:
    key = KEYS[role]
    headers = {"Authorization": f"Bearer {key}"} if header == "bearer" else {"X-API-Key": key}
    r = _call(client, endpoint, identity_id, headers)
    if role in ALLOWED[endpoint]:
        assert r.status_code == 200, r.text
    else:
        assert r.status_code == 403, r.text
        body = r.json()
        assert body["error"] == "NotAllowed" and role in body["detail"]
        assert "www-authenticate" not in r.headers
    assert key not in r.text


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": f"Bearer {WRONG_KEY}"},
        {"X-API-Key": WRONG_KEY},
        {"Authorization": f"Basic {KEYS['admin']}"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": ""},
        {"Authorization": "Bearer " + "x" * 5000},
        {"Authorization": f"Bearer {KEYS['admin']} extra"},
        {"Authorization": f"bearer {KEYS['admin'][:-1]}"},
        {"X-API-Key": ""},
    ],
    ids=lambda h: repr(h)[:40],
)
def test_no_key_or_a_wrong_key_is_401(
    client: TestClient, identity_id: str, endpoint: str, headers: dict[str, str]
) -> None:
    r = _call(client, endpoint, identity_id, headers)
    if endpoint == "healthz":
        assert r.status_code == 200
        return
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == "Bearer"
    body = r.json()
    assert body["error"] == "NotAuthenticated" and body["detail"] and "location" in body
    assert KEYS["admin"] not in r.text and WRONG_KEY not in r.text


def test_raw_header_bytes_never_give_500(settings: Settings, identity_id: str) -> None:
    """Header values starlette decodes as Latin-1 (any byte) are just wrong keys."""
    with TestClient(create_app(_keyed(settings))) as client:
        for raw in (b"Bearer \xff\xfe", b"\xff", b"Bearer \x01\x02"):
            r = client.post("/v1/resolve", json=RESOLVE, headers=[(b"authorization", raw)])
            assert r.status_code == 401


def test_authentication_comes_before_request_validation(client: TestClient) -> None:
    assert client.post("/v1/resolve", json={}).status_code == 401
    assert client.get("/v1/identities/nope").status_code == 401
    admin = {"X-API-Key": KEYS["admin"]}
    assert client.post("/v1/resolve", json={}, headers=admin).status_code == 422


def test_bearer_scheme_is_case_insensitive(client: TestClient) -> None:
    r = client.post(
        "/v1/resolve", json=RESOLVE, headers={"Authorization": f"bearer {KEYS['admin']}"}
    )
    assert r.status_code == 200


def test_resolver_sees_masked_values_analyst_clear(client: TestClient, identity_id: str) -> None:
    body = {
        "identifiers": [
            {"type": "email", "value": EMAIL},
            {"type": "email", "value": "Nobody@Example.org"},
        ]
    }
    masked = client.post("/v1/resolve", json=body, headers={"X-API-Key": KEYS["resolver"]}).json()
    assert masked["status"] == "matched" and masked["identity_id"] == identity_id
    assert [m["value"] for m in masked["matched"]] == ["j***@example.fr"]
    assert [u["value"] for u in masked["unknown"]] == ["n***@example.org"]
    assert {i["value"] for i in masked["identifiers"]} == {"j***@example.fr", "+33*******78"}
    assert EMAIL not in str(masked) and PHONE not in str(masked)

    clear = client.post("/v1/resolve", json=body, headers={"X-API-Key": KEYS["analyst"]}).json()
    assert [m["value"] for m in clear["matched"]] == [EMAIL]
    assert [u["value"] for u in clear["unknown"]] == ["nobody@example.org"]
    assert {i["value"] for i in clear["identifiers"]} == {EMAIL, PHONE}
    profile = client.get(f"/v1/identities/{identity_id}", headers={"X-API-Key": KEYS["analyst"]})
    assert {i["value"] for i in profile.json()["identifiers"]} == {EMAIL, PHONE}


def test_admin_ingests(client: TestClient) -> None:
    event = {**EXAMPLE_EVENT, "event_id": "auth-2"}
    r = client.post("/v1/events", json={"events": [event]}, headers={"X-API-Key": KEYS["admin"]})
    assert r.status_code == 200 and r.json()["summary"]["accepted"] == 1


def test_keys_never_reach_logs_or_bodies(
    settings: Settings, identity_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    with TestClient(create_app(_keyed(settings))) as client:
        for key in [*KEYS.values(), WRONG_KEY]:
            for endpoint in ENDPOINTS:
                for headers in ({"Authorization": f"Bearer {key}"}, {"X-API-Key": key}):
                    seen.append(_call(client, endpoint, identity_id, headers).text)
    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    assert "401" in logged and "403" in logged  # rejections are logged...
    for key in [*KEYS.values(), WRONG_KEY]:
        assert key not in logged  # ...without the key
        assert all(key not in body for body in seen)


def test_key_file(settings: Settings, identity_id: str, tmp_path: Path) -> None:
    key = new_key()
    path = tmp_path / "keys"
    path.write_text(f"# analysts\n\n{key_file_line(key, 'analyst', 'ops')}\n")
    with TestClient(create_app(settings.model_copy(update={"api_keys_file": path}))) as client:
        ok = client.get(f"/v1/identities/{identity_id}", headers={"X-API-Key": key})
        assert ok.status_code == 200
        assert (
            client.post(
                "/v1/events", json={"events": [EXAMPLE_EVENT]}, headers={"X-API-Key": key}
            ).status_code
            == 403
        )
        assert client.get(f"/v1/identities/{identity_id}").status_code == 401


def test_bad_configuration_refuses_to_build_the_app(settings: Settings, tmp_path: Path) -> None:
    secret = "secret-key-" + "s" * 20
    with pytest.raises(ConfigurationError, match="IDGRAPH_API_KEYS: entry 1") as caught:
        create_app(settings.model_copy(update={"api_keys": SecretStr(f"{secret}=root")}))
    assert secret not in str(caught.value)
    path = tmp_path / "keys"
    path.write_text(f"{secret}  admin\n")  # a clear key pasted where its hash belongs
    with pytest.raises(ConfigurationError, match="IDGRAPH_API_KEYS_FILE: line 1") as caught:
        create_app(settings.model_copy(update={"api_keys_file": path}))
    assert secret not in str(caught.value)


def test_without_keys_everyone_is_admin_with_a_warning(
    settings: Settings, identity_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="idgraph.api")
    with TestClient(create_app(settings)) as client:
        assert client.get(f"/v1/identities/{identity_id}").status_code == 200
        r = client.post("/v1/resolve", json=RESOLVE)
        assert r.json()["matched"][0]["value"] == EMAIL
    assert "AUTHENTICATION IS OFF" in caplog.text


def test_openapi_declares_the_security_schemes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "`Authorization: Bearer <key>`",
    }
    assert schemes["apiKey"]["in"] == "header" and schemes["apiKey"]["name"] == "X-API-Key"
    for path, method in [
        ("/v1/resolve", "post"),
        ("/v1/events", "post"),
        ("/v1/identities/{identity_id}", "get"),
    ]:
        op = spec["paths"][path][method]
        assert {"bearer", "apiKey"} <= {name for s in op["security"] for name in s}
        assert {"401", "403"} <= set(op["responses"])
    assert "security" not in spec["paths"]["/healthz"]["get"]
    assert client.get("/docs").status_code == 200
