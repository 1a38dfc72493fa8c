"""Fixtures: one real Neo4j with GDS for the whole session.

Where the server comes from, in order:
1. ``NEO4J_URI`` (with ``NEO4J_USERNAME``/``NEO4J_PASSWORD``): that server is used. Tests
   wipe data, so it must be empty at the start of the session, or the caller says it
   may be wiped with ``IDGRAPH_TESTS_MAY_WIPE=1``.
2. A Docker daemon that answers: testcontainers starts ``neo4j:5.26-community`` with the
   GDS plugin.
3. Otherwise the project's own local Neo4j, as a separate instance in a temporary
   folder on free ports (never the instance ``make demo`` uses), stopped at the end.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from neo4j import Driver

from graph.localdb.server import LocalNeo4j
from graph.settings import Settings
from graph.store import admin
from graph.store.repository import Neo4jStore, connect


@dataclass(frozen=True)
class Server:
    uri: str
    username: str
    password: str
    database: str
    origin: str  # "env", "testcontainers" or "local"
    may_wipe: bool
    local: LocalNeo4j | None = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def neo4j_env(settings: Settings) -> dict[str, str]:
    """The environment variables that point a subprocess at the tests' Neo4j."""
    password = settings.neo4j_password
    return {
        "NEO4J_URI": settings.bolt_uri,
        "NEO4J_USERNAME": settings.neo4j_username,
        "NEO4J_PASSWORD": password.get_secret_value() if password else "",
        "NEO4J_DATABASE": settings.neo4j_database,
    }


def _docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        proc = subprocess.run(["docker", "info"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def local_test_settings(home: Path, **overrides: object) -> Settings:
    """Settings of a throw-away local instance (small memory, free ports)."""
    values: dict[str, object] = {
        "db_dir": home,
        "bolt_port": free_port(),
        "http_port": free_port(),
        "heap": "1g",
        "pagecache": "512m",
    }
    values.update(overrides)
    # Build without reading NEO4J_* from the environment for the server's address.
    return Settings.model_validate({**values, "NEO4J_URI": None, "NEO4J_PASSWORD": None})


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    uri = os.environ.get("NEO4J_URI")
    if uri:
        password = os.environ.get("NEO4J_PASSWORD", "")
        yield Server(
            uri=uri,
            username=os.environ.get("NEO4J_USERNAME", "neo4j"),
            password=password,
            database=os.environ.get("NEO4J_DATABASE", "neo4j"),
            origin="env",
            may_wipe=os.environ.get("IDGRAPH_TESTS_MAY_WIPE") == "1",
        )
        return
    if _docker_answers():
        from testcontainers.neo4j import Neo4jContainer

        password = "idgraph-test-password"
        container = (
            Neo4jContainer("neo4j:5.26-community", password=password)
            .with_env("NEO4J_PLUGINS", '["graph-data-science"]')
            .with_env("NEO4J_dbms_security_procedures_unrestricted", "gds.*")
        )
        with container:
            yield Server(
                uri=container.get_connection_url(),
                username="neo4j",
                password=password,
                database="neo4j",
                origin="testcontainers",
                may_wipe=True,
            )
        return
    home = tmp_path_factory.mktemp("neo4j-instance")
    local = LocalNeo4j(local_test_settings(home))
    try:
        local.start()
    except Exception as e:
        pytest.fail(f"could not start the local Neo4j for the tests: {e}", pytrace=False)
    try:
        yield Server(
            uri=local.bolt_uri,
            username="neo4j",
            password=local.password(),
            database="neo4j",
            origin="local",
            may_wipe=True,
            local=local,
        )
    finally:
        local.stop()


@pytest.fixture(scope="session")
def settings(neo4j_server: Server) -> Settings:
    """Settings pointing at the test server."""
    return Settings.model_validate(
        {
            "NEO4J_URI": neo4j_server.uri,
            "NEO4J_USERNAME": neo4j_server.username,
            "NEO4J_PASSWORD": neo4j_server.password,
            "NEO4J_DATABASE": neo4j_server.database,
            "batch_size": 500,
            "cluster_interval": 0,  # tests cluster when they mean to; one test turns it on
            # No API key, whatever the environment says: authentication off (tests that
            # need keys add them, see tests/integration/api/test_auth.py).
            "api_keys": None,
            "api_keys_file": None,
        }
    )


@pytest.fixture(scope="session")
def driver(settings: Settings) -> Iterator[Driver]:
    d = connect(settings)
    yield d
    d.close()


@pytest.fixture(scope="session")
def _wipe_allowed(neo4j_server: Server, driver: Driver) -> bool:
    if neo4j_server.may_wipe:
        return True
    with driver.session(database=neo4j_server.database) as s:
        record = s.run("MATCH (n) RETURN count(n) AS n").single()
        empty = record is not None and record["n"] == 0
    if not empty:
        pytest.fail(
            "NEO4J_URI points at a database that holds data; the tests wipe it. Use an "
            "empty database or set IDGRAPH_TESTS_MAY_WIPE=1 to allow it.",
            pytrace=False,
        )
    return True


@pytest.fixture()
def repo(driver: Driver, settings: Settings, _wipe_allowed: bool) -> Neo4jStore:
    """A repository on an empty database with the schema applied."""
    r = Neo4jStore(driver, settings.neo4j_database)
    admin.reset_data(r)
    admin.migrate(r)
    return r


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.path):
            item.add_marker(pytest.mark.integration)
