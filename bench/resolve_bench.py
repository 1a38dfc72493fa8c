"""Resolve latency benchmark: /v1/resolve under load, next to the driver floor, in one run.

A world is simulated, ingested and clustered into a throw-away local Neo4j (or the
server of ``NEO4J_URI``, which must be empty unless ``IDGRAPH_BENCH_MAY_WIPE=1``). The
API runs as its own process (``idgraph serve``, see below) on loopback. Each
step sends requests at a fixed rate (open loop: a slow answer does not slow the
senders, so queueing shows in the latencies) and records every latency:

- ``api``: ``POST /v1/resolve`` with one phone number in a raw format, as a contact
  centre sends it while the phone rings (the full answer: identity, flags,
  verification, evidence);
- ``floor``: the same identifier looked up with the Neo4j driver directly (the
  lookup query and the identity's members in one read transaction), at the same rate:
  what the database and Bolt cost before any API. (The API's resolve does this lookup,
  the members and more in one statement: ``cypher/identity/resolve/resolve.cypher``.)

Besides latencies it prints the CPU time the API's processes spent per answer, a
figure that load from elsewhere on the machine changes much less.

The two paths take turns (``--rounds`` alternations per rate) so that load from
elsewhere on the machine weighs on both alike. The API is started as ``idgraph serve``
runs it, with ``--no-access-log`` and ``--workers`` (default 2: one per core of the
reference machine) and ``IDGRAPH_CLUSTER_INTERVAL=0``: the periodic clustering job
must not run during the measure (in production it runs every minute and takes a
share of the machine while it does).

Usage (from the repository root)::

    .venv/bin/python bench/resolve_bench.py [--people 2000] [--rates 50,100,200] [--seconds 30]

To measure again without loading again, keep a server loaded by a first run and
pass ``--reuse`` (with ``NEO4J_URI`` set and the same ``--people``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
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

from bench._server import free_port, log, require_empty, start_server  # noqa: E402
from graph.identity.clustering import cluster  # noqa: E402
from graph.ingest.pipeline import Ingestor  # noqa: E402
from graph.ingest.readers import read_path  # noqa: E402
from graph.lab.simulate import WorldConfig, simulate, write_world  # noqa: E402
from graph.localdb.server import LocalNeo4j  # noqa: E402
from graph.store import (
    admin,
    catalog,  # noqa: E402
)
from graph.store.algorithms import choose_algorithms
from graph.store.repository import Neo4jStore, connect  # noqa: E402


def run_at_rate(
    call: Callable[[int], None], rate: float, seconds: float, workers: int
) -> tuple[list[float], int, float]:
    """Call ``call(n)`` ``rate`` times a second for ``seconds``.

    Returns the latencies in ms, the number of errors, and the seconds from the first
    request's due time to the last answer (for the throughput).
    """
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
    return latencies, errors, time.perf_counter() - start


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux ``/proc``; just ``pid`` elsewhere)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            todo += [int(c) for c in task.read_text().split()]
    return found


def cpu_seconds(pids: list[int]) -> float | None:
    """CPU time (user + system) the processes ``pids`` and their children used so far."""
    total = 0
    try:
        for root in pids:
            for p in process_tree(root):
                fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return None
    return total / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument(
        "--rates", default="50,100,200", help="requests per second, comma-separated"
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=30.0,
        help="per rate and target (p99 of 3,000 requests at 100/s: one stall moves it less)",
    )
    parser.add_argument("--workers", type=int, default=32, help="sender threads")
    parser.add_argument(
        "--warmup", type=float, default=5.0, help="seconds of unmeasured load on each path first"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="turns of floor then API per rate (same total)"
    )
    parser.add_argument("--api-workers", type=int, default=2, help="idgraph serve --workers")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="NEO4J_URI already holds this benchmark's world (same --people): do not reload",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]

    tmp = Path(tempfile.mkdtemp(prefix="idgraph-resolve-bench-"))
    local: LocalNeo4j | None = None
    api: subprocess.Popen[bytes] | None = None
    try:
        settings, local = start_server(tmp / "neo4j", "2g", "1g")
        driver = connect(settings)
        repo = Neo4jStore(driver, settings.neo4j_database)
        world = simulate(people=args.people, seed=99, config=WorldConfig())
        if args.reuse and local is None:
            log("reusing the data already loaded")
        else:
            require_empty(repo)
            admin.reset_data(repo)
            admin.migrate(repo)
            log(f"simulated {args.people:,} people; ingesting, clustering")
            events, _ = write_world(world, tmp / "world")
            Ingestor(repo, settings.normaliser()).ingest(read_path(events))
            cluster(repo, choose_algorithms(repo), full=True)
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
                "idgraph",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.api_workers),
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
        lookup = catalog.query("identity/resolve/lookup_identifiers")
        members = catalog.query("identity/profile/members")

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
            measured: dict[str, tuple[list[float], int, float]] = {
                "floor": ([], 0, 0.0),
                "api": ([], 0, 0.0),
            }
            log(f"floor and api at {rate:g}/s, {args.seconds:g} s each in {args.rounds} turns")
            api_cpu = 0.0
            for _ in range(args.rounds):
                for name, call in (("floor", call_driver), ("api", call_api)):
                    cpu_before = cpu_seconds([api.pid])
                    lat, errors, took = run_at_rate(
                        call, rate, args.seconds / args.rounds, args.workers
                    )
                    cpu_after = cpu_seconds([api.pid])
                    if name == "api" and cpu_before is not None and cpu_after is not None:
                        api_cpu += cpu_after - cpu_before
                    before = measured[name]
                    measured[name] = (before[0] + lat, before[1] + errors, before[2] + took)
            for name, (lat, errors, took) in measured.items():
                row[name] = {
                    "p50_ms": round(statistics.median(lat), 2) if lat else None,
                    "p99_ms": round(percentile(lat, 0.99), 2),
                    "throughput_per_s": round(len(lat) / took, 1),
                    "errors": errors,
                }
            # CPU the API processes spent per answer: what load elsewhere on the
            # machine does not change much, unlike latencies.
            answered = len(measured["api"][0])
            row["api"]["cpu_ms_per_request"] = (
                round(1000 * api_cpu / answered, 2) if answered and api_cpu else None
            )
            row["api_over_floor_p50"] = round(row["api"]["p50_ms"] / row["floor"]["p50_ms"], 2)
            results.append(row)
        driver.close()
        if args.json:
            print(json.dumps(results, indent=2))
            return
        print(
            f"{'rate/s':>7}  {'floor p50':>9}  {'floor p99':>9}  {'api p50':>8}  {'api p99':>8}"
            f"  {'api/s':>7}  {'errors':>6}  {'api/floor p50':>13}  {'api cpu ms/req':>14}"
        )
        for r in results:
            f, a = r["floor"], r["api"]
            print(
                f"{r['rate_per_s']:>7g}  {f['p50_ms']:>9}  {f['p99_ms']:>9}  {a['p50_ms']:>8}"
                f"  {a['p99_ms']:>8}  {a['throughput_per_s']:>7}  {a['errors']:>6}"
                f"  {r['api_over_floor_p50']:>13}  {a['cpu_ms_per_request']!s:>14}"
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
