"""The Docker Compose file (and the Dockerfile it builds) keep their safety properties.

No Docker daemon is needed: the file is checked as YAML. When the ``docker compose``
client is installed, its own ``config`` rendering is checked too.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
TEST_PASSWORD = "test-password-123"

# `${VAR:?message}`: compose refuses to start when VAR is unset, so no default secret.
REQUIRED_VAR = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:\?[^}]*\}")
SECRET_KEY = re.compile(r"PASSWORD|SECRET|TOKEN|(^|_)AUTH$|(^|_)KEY$")
# NEO4J_* variables the neo4j image's entrypoint does not turn into neo4j.conf settings.
# Any other NEO4J_X must name a real setting: Neo4j 5 refuses to start on unknown ones.
NEO4J_IMAGE_VARS = {
    "NEO4J_ACCEPT_LICENSE_AGREEMENT",
    "NEO4J_AUTH",
    "NEO4J_DEBUG",
    "NEO4J_EDITION",
    "NEO4J_HOME",
    "NEO4J_PLUGINS",
    "NEO4J_SHA256",
    "NEO4J_TARBALL",
}


def _env(service: dict[str, Any]) -> dict[str, str]:
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {str(k): "" if v is None else str(v) for k, v in raw.items()}


def _host_ips(service: dict[str, Any]) -> list[str]:
    """The host address of every published port ("" when it is all interfaces)."""
    ips = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):  # long syntax, as `docker compose config` prints it
            ips.append(str(port.get("host_ip") or ""))
            continue
        parts = str(port).split(":")
        # "ip:host:container" binds one address; "host:container" and "container" bind all.
        ips.append(":".join(parts[:-2]) if len(parts) >= 3 else "")
    return ips


def _argv(value: Any) -> list[str]:
    if isinstance(value, str):
        return shlex.split(value)
    return [str(v) for v in value or []]


def _healthcheck(name: str, service: dict[str, Any]) -> str:
    check = service.get("healthcheck")
    assert isinstance(check, dict), f"{name}: no healthcheck"
    assert not check.get("disable"), f"{name}: healthcheck disabled"
    for key in ("test", "interval", "retries"):
        assert check.get(key), f"{name}: healthcheck has no {key}"
    test = check["test"]
    if isinstance(test, list):
        assert test[0] in {"CMD", "CMD-SHELL"}, f"{name}: healthcheck test {test[0]!r}"
        return " ".join(str(t) for t in test[1:])
    return str(test)


def _dockerfile_cmd(dockerfile: Path) -> list[str]:
    cmds = [
        line.strip()[3:].strip()
        for line in dockerfile.read_text(encoding="utf-8").splitlines()
        if line.strip().upper().startswith("CMD ")
    ]
    assert cmds, f"{dockerfile}: no CMD"
    last = cmds[-1]  # only the last CMD counts
    return json.loads(last) if last.startswith("[") else shlex.split(last)


def check_compose(doc: dict, root: Path, *, interpolated: bool = False) -> None:
    """Assert the safety properties of a compose document.

    ``interpolated`` is for the output of ``docker compose config``, in which the
    ``${VAR:?...}`` references have already been replaced by NEO4J_PASSWORD's value.
    """
    assert isinstance(doc, dict), "compose file is not a mapping"
    services = doc.get("services") or {}
    assert {"neo4j", "api"} <= set(services), f"services: {sorted(services)}"
    neo4j, api = services["neo4j"], services["api"]

    # Neo4j 5.26 with GDS, its procedures allowed, memory set explicitly.
    assert str(neo4j.get("image", "")).startswith("neo4j:5.26"), neo4j.get("image")
    env = _env(neo4j)
    assert "graph-data-science" in json.loads(env.get("NEO4J_PLUGINS", "[]"))
    unrestricted = env.get("NEO4J_dbms_security_procedures_unrestricted", "")
    assert "gds.*" in unrestricted.split(","), unrestricted
    for setting in ("NEO4J_server_memory_heap_max__size", "NEO4J_server_memory_pagecache_size"):
        assert env.get(setting), f"neo4j: {setting} not set"
    assert env.get("NEO4J_dbms_usage__report_enabled", "").lower() == "false"
    for key in env:
        if key.startswith("NEO4J_") and key not in NEO4J_IMAGE_VARS:
            setting = key.removeprefix("NEO4J_").replace("__", "")
            assert "_" in setting, f"neo4j: {key} would become an unknown neo4j.conf setting"

    # The data outlives the container, in a named volume.
    named = set(doc.get("volumes") or {})
    data = [
        (v.get("source"), v.get("target")) if isinstance(v, dict) else (v.split(":") + [""])[:2]
        for v in neo4j.get("volumes") or []
    ]
    # A bare "/data" (anonymous volume) has no source and fails here.
    assert any(src in named and dst == "/data" for src, dst in data), f"neo4j volumes: {data}"

    # Nothing is reachable from outside the machine.
    for name, service in services.items():
        for ip in _host_ips(service):
            assert ip == "127.0.0.1", f"{name}: a port is published on {ip or 'all interfaces'}"

    # Both services say when they are ready; the API waits for a healthy Neo4j.
    neo4j_check = _healthcheck("neo4j", neo4j)
    assert "cypher-shell" in neo4j_check and "RETURN 1" in neo4j_check, neo4j_check
    assert "healthz" in _healthcheck("api", api)
    depends = api.get("depends_on")
    assert isinstance(depends, dict), "api: depends_on must be a mapping with a condition"
    assert (depends.get("neo4j") or {}).get("condition") == "service_healthy", depends

    # Secrets come from the caller's environment, never from this file.
    api_env = _env(api)
    assert api_env.get("NEO4J_URI") == "bolt://neo4j:7687", api_env.get("NEO4J_URI")
    if interpolated:
        assert env.get("NEO4J_AUTH") == f"neo4j/{TEST_PASSWORD}", "NEO4J_AUTH"
        assert api_env.get("NEO4J_PASSWORD") == TEST_PASSWORD, "api NEO4J_PASSWORD"
    else:
        assert re.match(r"neo4j/\$\{NEO4J_PASSWORD:\?", env.get("NEO4J_AUTH", "")), (
            "NEO4J_AUTH must be neo4j/${NEO4J_PASSWORD:?...}"
        )
        for name, service in services.items():
            for key, value in _env(service).items():
                if SECRET_KEY.search(key):
                    assert REQUIRED_VAR.search(value), f"{name}: {key} is not a ${{VAR:?...}}"
        # `$$`: the container's shell expands the password, not compose.
        assert re.search(r"-p\s+\"?\$\$\{", neo4j_check), "neo4j healthcheck password"

    # The API image is built here and serves the API on all of the container's interfaces.
    build = api.get("build")
    assert build, "api: no build"
    if isinstance(build, str):
        build = {"context": build}
    context = root / build.get("context", ".")
    dockerfile = context / build.get("dockerfile", "Dockerfile")
    assert dockerfile.is_file(), f"{dockerfile} does not exist"
    assert _dockerfile_cmd(dockerfile)[:2] == ["idgraph", "serve"], _dockerfile_cmd(dockerfile)
    command = _argv(api.get("command")) or _dockerfile_cmd(dockerfile)
    assert command[:2] == ["idgraph", "serve"], command
    assert "0.0.0.0" in command, f"api: {command} is unreachable through the published port"


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_compose_file() -> None:
    check_compose(_load(COMPOSE), ROOT)


def test_compose_config_from_the_docker_cli() -> None:
    """`docker compose config` needs no daemon; skipped where the plugin is missing."""
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker client")
    version = subprocess.run(
        [docker, "compose", "version"], capture_output=True, text=True, timeout=60
    )
    if version.returncode != 0:
        pytest.skip("the docker compose plugin is not installed")
    env = {**os.environ, "NEO4J_PASSWORD": TEST_PASSWORD}
    done = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE), "config"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    if done.returncode != 0 and "daemon" in done.stderr.lower():
        pytest.skip(f"docker compose config wants a daemon: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    check_compose(yaml.safe_load(done.stdout), ROOT, interpolated=True)


def _set(path: str, value: Any) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        *parents, last = path.split(".")
        node = doc
        for part in parents:
            node = node[part]
        node[last] = value

    return mutate


def _drop(path: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        *parents, last = path.split(".")
        node = doc
        for part in parents:
            node = node[part]
        del node[last]

    return mutate


# Each one breaks a single property; check_compose must notice every one of them.
TEXT_MUTATIONS = {
    "public bolt port": ('"127.0.0.1:7687:7687"', '"7687:7687"'),
    "api on all interfaces": ('"127.0.0.1:8000:8000"', '"0.0.0.0:8000:8000"'),
    "literal password": ("neo4j/${NEO4J_PASSWORD:?", "neo4j/hunter22${NEO4J_PASSWORD:-"),
    "default api password": ("NEO4J_PASSWORD: ${NEO4J_PASSWORD:?", "NEO4J_PASSWORD: ${X:-"),
    "older neo4j": ("neo4j:5.26-community", "neo4j:4.4-community"),
    "no gds": ('["graph-data-science"]', '["apoc"]'),
    "uri to localhost": ("bolt://neo4j:7687", "bolt://localhost:7687"),
}
DOC_MUTATIONS = {
    "no neo4j healthcheck": _drop("services.neo4j.healthcheck"),
    "no api healthcheck retries": _drop("services.api.healthcheck.retries"),
    "healthcheck without cypher-shell": _set(
        "services.neo4j.healthcheck.test", ["CMD-SHELL", "wget -q localhost:7474 || exit 1"]
    ),
    "api starts too early": _set("services.api.depends_on", ["neo4j"]),
    "api waits only for start": _set(
        "services.api.depends_on", {"neo4j": {"condition": "service_started"}}
    ),
    "procedures restricted": _drop(
        "services.neo4j.environment.NEO4J_dbms_security_procedures_unrestricted"
    ),
    "unknown neo4j setting": _set(
        "services.neo4j.environment.NEO4J_PASSWORD", "${NEO4J_PASSWORD:?x}"
    ),
    "anonymous data volume": _set("services.neo4j.volumes", ["/data"]),
    "api bound to loopback inside": _set(
        "services.api.command", "idgraph serve --host 127.0.0.1 --port 8000"
    ),
    "no build": _drop("services.api.build"),
    "missing dockerfile": _set("services.api.build", {"context": ".", "dockerfile": "Nope"}),
}


@pytest.mark.parametrize("case", sorted(TEXT_MUTATIONS))
def test_broken_compose_text_is_rejected(case: str, tmp_path: Path) -> None:
    old, new = TEXT_MUTATIONS[case]
    text = COMPOSE.read_text(encoding="utf-8")
    assert old in text, f"mutation {case!r} no longer applies"
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(AssertionError):
        check_compose(_load(broken), ROOT)


@pytest.mark.parametrize("case", sorted(DOC_MUTATIONS))
def test_broken_compose_doc_is_rejected(case: str) -> None:
    doc = copy.deepcopy(_load(COMPOSE))
    DOC_MUTATIONS[case](doc)
    with pytest.raises(AssertionError):
        check_compose(doc, ROOT)


def test_dockerfile_that_does_not_serve_is_rejected(tmp_path: Path) -> None:
    doc = _load(COMPOSE)
    doc["services"]["api"].pop("command", None)
    check_compose(doc, ROOT)  # the Dockerfile's CMD is enough on its own
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    (tmp_path / "Dockerfile").write_text(
        text + '\nCMD ["python", "-m", "http.server"]\n', encoding="utf-8"
    )
    with pytest.raises(AssertionError):
        check_compose(doc, tmp_path)
