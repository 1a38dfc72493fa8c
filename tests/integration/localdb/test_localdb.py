"""The project-managed Neo4j: real starts, stops, passwords, GDS and Browser."""

from __future__ import annotations

import os
import stat
import urllib.request

import pytest

from graph.localdb.server import LocalNeo4j
from graph.localdb.versions import GDS_VERSION, NEO4J_VERSION
from graph.store import admin
from tests.conftest import Server, local_test_settings

pytestmark = pytest.mark.integration


def _local(server: Server) -> LocalNeo4j:
    if server.local is None:
        pytest.skip("the test server is not the project's local Neo4j (NEO4J_URI or Docker)")
    return server.local


def test_start_twice_is_harmless(neo4j_server: Server) -> None:
    local = _local(neo4j_server)
    pid_before = local.running_pid()
    status, started = local.start()
    assert started is False
    assert status.running and status.pid == pid_before


def test_password_is_generated_and_private(neo4j_server: Server) -> None:
    local = _local(neo4j_server)
    mode = stat.S_IMODE(os.stat(local.password_file).st_mode)
    assert mode == 0o600
    password = local.password()
    assert password != "neo4j" and len(password) >= 24


def test_default_password_is_refused(neo4j_server: Server) -> None:
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError

    with GraphDatabase.driver(neo4j_server.uri, auth=("neo4j", "neo4j")) as d:
        with pytest.raises(AuthError):
            d.verify_connectivity()


def test_listens_on_loopback_only(neo4j_server: Server) -> None:
    local = _local(neo4j_server)
    conf = (local.conf_dir / "neo4j.conf").read_text()
    assert "server.default_listen_address=127.0.0.1" in conf
    assert f"server.bolt.listen_address=127.0.0.1:{local.settings.bolt_port}" in conf


def test_browser_answers(neo4j_server: Server) -> None:
    local = _local(neo4j_server)
    with urllib.request.urlopen(f"{local.http_url}/browser/", timeout=10) as r:
        body = r.read(4000).decode()
    assert r.status == 200
    assert "Neo4j Browser" in body


def test_versions(repo) -> None:
    assert admin.ping(repo)["version"] == NEO4J_VERSION or not NEO4J_VERSION.startswith("5.26")
    assert admin.ping(repo)["version"].startswith("5.26")
    version = admin.gds_version(repo)
    assert version is not None
    if admin.ping(repo)["version"] == NEO4J_VERSION:
        assert version == GDS_VERSION


def test_stop_only_stops_its_own_process(neo4j_server: Server, tmp_path) -> None:
    local = _local(neo4j_server)
    pid = local.running_pid()
    assert pid is not None
    # Another instance whose pid file names the running server's pid must not stop it.
    other = LocalNeo4j(local_test_settings(tmp_path / "other"))
    other.pid_file.parent.mkdir(parents=True)
    other.pid_file.write_text(f"{pid}\n")
    assert other.running_pid() is None
    assert other.stop() is False
    assert local.running_pid() == pid


def test_start_failure_shows_the_log(neo4j_server: Server, tmp_path) -> None:
    local = _local(neo4j_server)
    # The same Bolt port as the running server: the start must fail with a clear error.
    clash = LocalNeo4j(local_test_settings(tmp_path / "clash", bolt_port=local.settings.bolt_port))
    from graph.errors import LocalDatabaseError

    with pytest.raises(LocalDatabaseError, match="already in use"):
        clash.start()
    assert clash.running_pid() is None


def test_start_timeout_stops_and_reports_the_log(neo4j_server: Server, tmp_path) -> None:
    _local(neo4j_server)  # only with the project's own Neo4j
    from graph.errors import LocalDatabaseError

    slow = LocalNeo4j(local_test_settings(tmp_path / "slow", start_timeout=1.0))
    with pytest.raises(LocalDatabaseError) as info:
        slow.start()
    assert "did not answer" in str(info.value)
    assert "last lines of the Neo4j log" in str(info.value)
    assert slow.running_pid() is None
