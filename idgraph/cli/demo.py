"""``idgraph demo``: the whole main job, and the requests it suggests trying."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Annotated, Any

import typer

from graph.errors import IdgraphError
from graph.identity.clustering import cluster
from graph.lab.simulate import World, WorldConfig, simulate, write_world
from graph.runtime import open_runtime
from graph.settings import get_settings
from graph.store.algorithms import choose_algorithms
from idgraph.cli.common import err, local_neo4j, out
from idgraph.cli.data import ingest_files

__all__ = ["DemoRequest", "as_curl", "demo", "demo_requests"]


def _wait_http(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


DemoRequest = tuple[str, str, dict[str, Any] | None]


def demo_requests(world: World) -> list[DemoRequest]:
    """Requests that show the API on the demo data: (method, path, JSON body).

    The phone and the cookie come from events of people who share nothing (no
    household, no ring), so that each answer is one clear identity.
    """
    loners = {p.person_id for p in world.people if p.kind == "person" and p.household is None}
    events = [e for e in world.events if world.actors.get(e["event_id"]) in loners]
    # A phone in a raw national format shows normalisation at work.
    call = next(
        e
        for e in events
        if any(i["type"] == "phone" and " " in i["value"] for i in e["identifiers"])
    )
    web = next(e for e in events if any(i["type"] == "cookie" for i in e["identifiers"]))
    phone = next(i for i in call["identifiers"] if i["type"] == "phone" and " " in i["value"])
    cookie = next(i for i in web["identifiers"] if i["type"] == "cookie")
    nobody = {"type": "email", "value": "nobody@example.invalid"}
    return [
        ("GET", "/healthz", None),
        ("POST", "/v1/resolve", {"identifiers": [phone]}),
        ("POST", "/v1/resolve", {"identifiers": [cookie]}),
        ("POST", "/v1/resolve", {"identifiers": [nobody]}),
        ("GET", "/v1/rings?limit=5", None),
    ]


def as_curl(base: str, request: DemoRequest) -> str:
    """A request as a ``curl`` command line."""
    method, path, body = request
    if body is None:
        return f"curl -s {base}{path}"
    data = json.dumps(body).replace("'", "'\\''")
    return f"curl -s -X {method} {base}{path} -H 'Content-Type: application/json' -d '{data}'"


def demo(
    people: Annotated[int, typer.Option(min=10, max=100_000)] = 1000,
    seed: Annotated[int, typer.Option()] = 7,
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
) -> None:
    """The whole main job: local Neo4j, demo data, ingest, clustering, then the API."""
    settings = get_settings()
    if settings.uses_local_db:
        status, _ = local_neo4j(settings).start()
        err.print(f"Neo4j running: {status.bolt_uri} (Browser {status.http_url}/browser/)")
    with open_runtime(settings) as runtime:  # the schema migrations first
        # The realistic world: households, kiosks, fraud rings and bots for the explorer.
        world = simulate(people=people, seed=seed, config=WorldConfig())
        data_dir = settings.db_dir.parent / "demo"
        events_path, _ = write_world(world, data_dir)
        err.print(f"demo data: {len(world.events):,} events of {people} people in {events_path}")
        summary = ingest_files(runtime, [events_path], None)
        err.print("ingest: " + json.dumps(summary.as_dict()))
        repo = runtime.store
        chosen = choose_algorithms(repo, settings.cluster_backend)
        result = cluster(repo, chosen)
        err.print("cluster: " + json.dumps(result.as_dict()))
        from graph.fraud.detect import detect as detect_fraud

        found = detect_fraud(repo, algorithms=chosen)
    err.print("detect: " + json.dumps(found.as_dict()))
    if not serve_api:
        return

    import uvicorn

    from api.app import create_app

    config = uvicorn.Config(
        create_app(settings), host=settings.api_host, port=settings.api_port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://{settings.api_host}:{settings.api_port}"
    if not _wait_http(f"{base}/healthz", 60):
        server.should_exit = True
        raise IdgraphError(f"the API did not come up on {base}")
    out.print(f"\n[bold green]idgraph API is up on {base}[/] (docs: {base}/docs). Try:\n")
    for request in demo_requests(world):
        print(as_curl(base, request))
    out.print(f"\nThe investigator explorer: {base}/ui/")
    out.print("\nPress Ctrl+C to stop the API (Neo4j keeps running: idgraph db stop).")
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        server.should_exit = True
        thread.join(10)
