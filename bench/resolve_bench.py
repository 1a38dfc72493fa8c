"""Resolve latency benchmark: /v1/resolve under load, next to the driver floor, in one run.

A world is simulated, ingested and clustered into a throw-away local Neo4j (or the
server of ``NEO4J_URI``, which must be empty unless ``IDGRAPH_BENCH_MAY_WIPE=1``). The
API runs as its own process (uvicorn, as ``idgraph serve`` runs it) on loopback. Each
step sends requests at a fixed rate (open loop: a slow answer does not slow the
senders, so queueing shows in the latencies) and records every latency:

- ``api``: ``POST /v1/resolve`` with one phone number in a raw format, as a contact
  centre sends it while the phone rings (the full answer: identity, flags,
  verification, evidence);
- ``floor``: the same identifier looked up with the Neo4j driver directly (the
  lookup query and the identity's members in one read transaction), at the same rate:
  what the database and Bolt cost before any API.

Usage (from the repository root)::

    .venv/bin/python bench/resolve_bench.py [--people 2000] [--rates 50,100,200] [--seconds 10]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph import cypher  # noqa: E402
from graph.clustering import choose_backend, cluster  # noqa: E402
from graph.ingest import Ingestor, read_path  # noqa: E402
from graph.localdb import LocalNeo4j  # noqa: E402
from graph.repository import GraphRepository, connect  # noqa: E402
from graph.settings import Settings  # noqa: E402
from graph.simulate import WorldConfig, simulate, write_world  # noqa: E402


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_at_rate(
    call: Callable[[int], None], rate: float, seconds: float, workers: int
) -> tuple[list[float], int]:
    """Call ``call(n)`` ``rate`` times a second for ``seconds``; latencies in ms, errors."""
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        nonlocal errors
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            due = start + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            try:
                call(n)
                ok = True
            except Exception:
                ok = False
            # Latency from when the request was due: waiting for a free sender counts.
            elapsed = (time.perf_counter() - due) * 1000
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument(
        "--rates", default="50,100,200", help="requests per second, comma-separated"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="per rate and target")
    parser.add_argument("--workers", type=int, default=32, help="sender threads")
    parser.add_argument(
        "--warmup", type=float, default=5.0, help="seconds of unmeasured load on each path first"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]

    tmp = Path(tempfile.mkdtemp(prefix="idgraph-resolve-bench-"))
    local: LocalNeo4j | None = None
    api: subprocess.Popen[bytes] | None = None
    try:
        if os.environ.get("NEO4J_URI"):
            settings = Settings()
        else:
            local = LocalNeo4j(
                Settings.model_validate(
                    {
                        "db_dir": tmp / "neo4j",
                        "bolt_port": free_port(),
                        "http_port": free_port(),
                        "heap": "2g",
                        "pagecache": "1g",
                        "NEO4J_URI": None,
                        "NEO4J_PASSWORD": None,
                    }
                ),
                progress=log,
            )
            local.start()
            settings = Settings.model_validate(
                {"NEO4J_URI": local.bolt_uri, "NEO4J_PASSWORD": local.password()}
            )
        driver = connect(settings)
        repo = GraphRepository(driver, settings.neo4j_database)
        if repo.counts().get("events", 0) and os.environ.get("IDGRAPH_BENCH_MAY_WIPE") != "1":
            sys.exit("the database holds data; set IDGRAPH_BENCH_MAY_WIPE=1 to let it be wiped")
        repo.reset_data()
        repo.migrate()
        log(f"simulating {args.people:,} people, ingesting, clustering")
        world = simulate(people=args.people, seed=99, config=WorldConfig())
        events, _ = write_world(world, tmp / "world")
        Ingestor(repo, settings.normaliser()).ingest(read_path(events))
        cluster(repo, choose_backend(repo), full=True)
        phones = [p for person in world.people for p in person.phones]
        raw = [f"0{p[3:4]} {p[4:6]} {p[6:8]} {p[8:10]} {p[10:12]}" for p in phones]
        random.Random(1).shuffle(raw)

        port = free_port()
        env = {
            **os.environ,
            "NEO4J_URI": settings.bolt_uri,
            "NEO4J_USERNAME": settings.neo4j_username,
            "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value()
            if settings.neo4j_password
            else "",
            "IDGRAPH_CLUSTER_INTERVAL": "0",
        }
        api = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "api.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
            cwd=Path(__file__).resolve().parents[1],
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit("the API did not come up")
            time.sleep(0.3)

        local_conn = threading.local()

        def call_api(n: int) -> None:
            conn = getattr(local_conn, "http", None)
            if conn is None:
                conn = local_conn.http = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            body = json.dumps(
                {
                    "identifiers": [{"type": "phone", "value": raw[n % len(raw)]}],
                    "context": {"channel": "call", "intent": "deposit"},
                }
            )
            conn.request("POST", "/v1/resolve", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(response.status)

        normaliser = settings.normaliser()
        lookup = cypher.query("resolve/lookup_identifiers")
        members = cypher.query("identity/members")

        def call_driver(n: int) -> None:
            ident = normaliser.normalise("phone", raw[n % len(raw)])

            def work(tx: Any) -> None:
                rows = list(
                    tx.run(lookup, identifiers=[{"type": ident.type, "value": ident.value}])
                )
                if rows and rows[0]["identity_id"]:
                    list(tx.run(members, identity_id=rows[0]["identity_id"]))

            with driver.session(database=settings.neo4j_database) as session:
                session.execute_read(work)

        # Warm both paths up (query plans, JIT, connections): steady state is measured.
        for call in (call_driver, call_api):
            run_at_rate(call, min(rates), args.warmup, args.workers)
        results: list[dict[str, Any]] = []
        for rate in rates:
            row: dict[str, Any] = {"rate_per_s": rate}
            for name, call in (("floor", call_driver), ("api", call_api)):
                log(f"{name} at {rate:g}/s for {args.seconds:g} s")
                started = time.perf_counter()
                lat, errors = run_at_rate(call, rate, args.seconds, args.workers)
                took = time.perf_counter() - started
                row[name] = {
                    "p50_ms": round(statistics.median(lat), 2) if lat else None,
                    "p99_ms": round(percentile(lat, 0.99), 2),
                    "throughput_per_s": round(len(lat) / took, 1),
                    "errors": errors,
                }
            row["api_over_floor_p50"] = round(row["api"]["p50_ms"] / row["floor"]["p50_ms"], 2)
            results.append(row)
        driver.close()
        if args.json:
            print(json.dumps(results, indent=2))
            return
        print(
            f"{'rate/s':>7}  {'floor p50':>9}  {'floor p99':>9}  {'api p50':>8}  {'api p99':>8}"
            f"  {'api/s':>7}  {'errors':>6}  {'api/floor p50':>13}"
        )
        for r in results:
            f, a = r["floor"], r["api"]
            print(
                f"{r['rate_per_s']:>7g}  {f['p50_ms']:>9}  {f['p99_ms']:>9}  {a['p50_ms']:>8}"
                f"  {a['p99_ms']:>8}  {a['throughput_per_s']:>7}  {a['errors']:>6}"
                f"  {r['api_over_floor_p50']:>13}"
            )
        print("targets: api p99 <= 25 ms at 100/s; api p50 <= 2x the floor's")
    finally:
        if api is not None:
            api.terminate()
            api.wait(10)
        if local is not None:
            local.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
