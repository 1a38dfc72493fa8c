"""Ingest benchmark: events/s and peak memory, next to the Bolt floor, in one run.

The floor is the same events written as flat rows by one plain statement,
``UNWIND $rows AS row CREATE (e:BenchFloor) SET e = row``, in batches of the same
size, one transaction each: what Bolt and the server allow before any modelling.

Usage (from the repository root)::

    .venv/bin/python bench/ingest_bench.py [--events 200000] [--repeat 3] [--writers N] [--json]

A third figure, the ingest's writes alone, times the very batches an ingest writes,
built beforehand, so that nothing else runs while the server writes: what the graph
model costs the server, apart from reading, validation and aggregation.

Besides the rates it prints where an ingest's time goes, per 1,000 events: wall clock,
CPU of this process (reading, validation, rows, the driver) and, for the throw-away
local server, CPU of Neo4j. The machine may be shared: compare the ratio to the floor
measured in the same run, not absolute rates across runs.

Without ``NEO4J_URI`` it starts a throw-away local Neo4j on free ports and stops it at
the end; with ``NEO4J_URI`` it needs an empty database (or ``IDGRAPH_BENCH_MAY_WIPE=1``)
since it wipes the data between runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neo4j import Driver, ManagedTransaction  # noqa: E402

from bench._server import log, require_empty, start_server  # noqa: E402
from graph.ingest import pipeline  # noqa: E402
from graph.ingest.batches import write_batch  # noqa: E402
from graph.ingest.pipeline import Ingestor  # noqa: E402
from graph.ingest.readers import read_path  # noqa: E402
from graph.lab.simulate import simulate, write_world  # noqa: E402
from graph.localdb.server import LocalNeo4j  # noqa: E402
from graph.settings import Settings  # noqa: E402
from graph.store import admin  # noqa: E402
from graph.store.gateway import GraphStore  # noqa: E402
from graph.store.repository import Neo4jStore, connect  # noqa: E402

# The benchmark's floor, not product code: the plainest write Bolt allows.
FLOOR = "UNWIND $rows AS row CREATE (e:BenchFloor) SET e = row"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class ServerMemory:
    """Peak proportional set size (PSS) of the server, sampled once a second.

    Not the kernel's peak RSS: ZGC maps its heap at several addresses, and RSS counts
    each mapping, so a 4 GiB heap shows as 8-12 GiB. PSS counts each page once.
    """

    def __init__(self, pid: int | None, interval: float = 1.0) -> None:
        self.pid = pid
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
        if pid is not None:
            self._thread.start()

    def sample(self) -> None:
        try:
            text = Path(f"/proc/{self.pid}/smaps_rollup").read_text()
        except OSError:
            return
        for line in text.splitlines():
            if line.startswith("Pss:"):
                self.peak_kib = max(self.peak_kib, int(line.split()[1]))

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.sample()

    def peak_mib(self) -> float | None:
        if self.pid is None:
            return None
        self._stop.set()
        self._thread.join()
        self.sample()
        return round(self.peak_kib / 1024)


def make_events(n: int, tmp: Path) -> Path:
    people = max(100, n // 9)
    while True:
        world = simulate(people=people, seed=2026)
        if len(world.events) >= n:
            break
        people = int(people * 1.2) + 1
    world.events = world.events[:n]
    events, _ = write_world(world, tmp)
    return events


def floor_rows(path: Path) -> list[dict[str, Any]]:
    from datetime import datetime

    rows = []
    with path.open() as f:
        for line in f:
            e = json.loads(line)
            rows.append(
                {
                    "event_id": e["event_id"],
                    "source": e["source"],
                    "channel": e["channel"],
                    "type": e["type"],
                    "timestamp": datetime.fromisoformat(e["timestamp"]),
                    "identifiers": json.dumps(e["identifiers"]),
                }
            )
    return rows


def wipe(repo: Neo4jStore) -> None:
    admin.reset_data(repo)
    admin.migrate(repo)


def run_floor(driver: Driver, database: str, rows: list[dict[str, Any]], batch: int) -> float:
    started = time.perf_counter()
    with driver.session(database=database) as session:
        for i in range(0, len(rows), batch):
            chunk = rows[i : i + batch]

            def work(tx: ManagedTransaction, chunk: list[dict[str, Any]] = chunk) -> None:
                tx.run(FLOOR, rows=chunk).consume()

            session.execute_write(work)
    return len(rows) / (time.perf_counter() - started)


def process_cpu_s(pid: int | None) -> float | None:
    """CPU seconds (user + system) used so far by a process (None: not on this machine)."""
    if pid is None:
        return None
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_ingest(
    repo: Neo4jStore,
    settings: Settings,
    path: Path,
    batch: int,
    writers: int,
    server_pid: int | None = None,
    cpu: dict[str, list[float]] | None = None,
) -> tuple[float, dict[str, Any]]:
    server_before = process_cpu_s(server_pid)
    python_before = time.process_time()
    started = time.perf_counter()
    ingestor = Ingestor(repo, settings.normaliser(), batch, writers=writers, tune_gc=True)
    summary, _ = ingestor.ingest(read_path(path))
    elapsed = time.perf_counter() - started
    if cpu is not None:
        per_1k = 1000 / max(summary.read, 1)
        cpu.setdefault("python_cpu_ms_per_1k_events", []).append(
            (time.process_time() - python_before) * 1000 * per_1k
        )
        server_after = process_cpu_s(server_pid)
        if server_before is not None and server_after is not None:
            cpu.setdefault("neo4j_cpu_ms_per_1k_events", []).append(
                (server_after - server_before) * 1000 * per_1k
            )
        cpu.setdefault("wall_ms_per_1k_events", []).append(elapsed * 1000 * per_1k)
    return summary.read / elapsed, summary.as_dict()


def build_plans(settings: Settings, path: Path, batch: int, writers: int) -> list[Any]:
    """The batches an ingest of ``path`` writes, validated and aggregated in advance: the
    ingest runs with its batch writer replaced by one that keeps each plan."""
    plans: list[Any] = []
    lock = threading.Lock()

    def keep(store: object, plan: Any) -> list[int]:
        with lock:
            plans.append(plan)
        return list(range(len(plan.event_keys())))

    with mock.patch.object(pipeline, "write_batch", keep):
        store = cast(GraphStore, None)  # never reached: the plans are kept, not written
        Ingestor(store, settings.normaliser(), batch, writers=writers).ingest(read_path(path))
    return plans


def run_writes_only(repo: Neo4jStore, plans: list[Any], events: int, writers: int) -> float:
    """Events/s (input lines, as the ingest rate counts them) of the ingest's own writes
    with nothing else to do: the same batches as an ingest, built beforehand, with
    ``writers`` transactions in flight. Its gap to the ingest rate is what reading,
    validation and aggregation cost while the server writes; its gap to the floor is
    what the graph model costs the server."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=writers) as pool:
        in_flight: deque[Future[list[int]]] = deque()
        for plan in plans:
            if len(in_flight) >= writers:
                in_flight.popleft().result()
            in_flight.append(pool.submit(write_batch, repo, plan))
        for future in in_flight:
            future.result()
    return events / (time.perf_counter() - started)


def resolvable_ms(settings: Settings, events: int = 10) -> list[float]:
    """For each of ``events`` new events, one at a time: how long after its
    ``POST /v1/events`` returned the API first resolved its phone (inf: not in 5 s)."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    waits: list[float] = []
    with TestClient(create_app(settings)) as client:
        for n in range(events):
            phone = f"+336112233{n:02d}"
            event = {
                "event_id": f"bench-fresh-{n}",
                "timestamp": "2026-11-22T10:00:00Z",
                "source": "bench",
                "channel": "call",
                "identifiers": [{"type": "phone", "value": phone}],
            }
            client.post("/v1/events", json={"events": [event]}).raise_for_status()
            returned = time.perf_counter()
            wait = float("inf")
            while time.perf_counter() < returned + 5:
                body = client.post(
                    "/v1/resolve", json={"identifiers": [{"type": "phone", "value": phone}]}
                ).json()
                if body["status"] == "matched":
                    wait = (time.perf_counter() - returned) * 1000
                    break
            waits.append(wait)
    return waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=Settings().batch_size)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--writers",
        type=int,
        default=Settings().ingest_writers,
        help="write transactions in flight (default: IDGRAPH_INGEST_WRITERS)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="idgraph-bench-"))
    local: LocalNeo4j | None = None
    try:
        settings, local = start_server(tmp / "neo4j", "4g", "2g")
        driver = connect(settings)
        repo = Neo4jStore(driver, settings.neo4j_database)
        require_empty(repo)
        log(f"generating {args.events:,} events")
        path = make_events(args.events, tmp / "world")
        rows = floor_rows(path)
        floor_rates: list[float] = []
        ingest_rates: list[float] = []
        rerun_rates: list[float] = []
        writes_rates: list[float] = []
        cpu: dict[str, list[float]] = {}
        server_pid = local.running_pid() if local else None
        memory = ServerMemory(server_pid)
        first_summary: dict[str, Any] = {}
        for n in range(args.repeat):
            wipe(repo)
            log(f"run {n + 1}/{args.repeat}: floor")
            floor_rates.append(run_floor(driver, settings.neo4j_database, rows, args.batch_size))
            wipe(repo)
            log(f"run {n + 1}/{args.repeat}: idgraph ingest")
            rate, summary = run_ingest(
                repo, settings, path, args.batch_size, args.writers, server_pid, cpu
            )
            ingest_rates.append(rate)
            first_summary = first_summary or summary
            log(f"run {n + 1}/{args.repeat}: re-ingest (all duplicates)")
            rerun_rates.append(run_ingest(repo, settings, path, args.batch_size, args.writers)[0])
            ratio = floor_rates[-1] / ingest_rates[-1]
            log(
                f"run {n + 1}/{args.repeat}: floor {floor_rates[-1]:,.0f}/s, ingest "
                f"{ingest_rates[-1]:,.0f}/s (floor/ingest {ratio:.2f}), "
                f"re-ingest {rerun_rates[-1]:,.0f}/s"
            )
        # The ingests' peak memory, before the batches of the writes-only runs are held.
        python_peak_rss = round(peak_rss_mib())
        plans = build_plans(settings, path, args.batch_size, args.writers)
        accepted = first_summary["accepted"]
        for n in range(args.repeat):
            wipe(repo)
            log(f"run {n + 1}/{args.repeat}: the ingest's writes alone (batches built beforehand)")
            server_before = process_cpu_s(server_pid)
            writes_rates.append(run_writes_only(repo, plans, args.events, args.writers))
            server_after = process_cpu_s(server_pid)
            if server_before is not None and server_after is not None:
                cpu.setdefault("writes_only_neo4j_cpu_ms_per_1k_events", []).append(
                    (server_after - server_before) * 1e6 / args.events
                )
            log(f"run {n + 1}/{args.repeat}: writes alone {writes_rates[-1]:,.0f}/s")
        if admin.counts(repo).get("events") != accepted:
            log("writes-only run: event count differs from the ingest's")
        try:
            fresh_ms = resolvable_ms(settings)
        except Exception as e:  # the figures above stand even if the API cannot start
            log(f"resolvable-after-post check failed: {type(e).__name__}")
            fresh_ms = [float("nan")]
        driver.close()
        result = {
            "events": args.events,
            "batch_size": args.batch_size,
            "writers": args.writers,
            "runs": args.repeat,
            "ingest_events_per_s": [round(r) for r in ingest_rates],
            "floor_events_per_s": [round(r) for r in floor_rates],
            "reingest_events_per_s": [round(r) for r in rerun_rates],
            "median_ingest_events_per_s": round(statistics.median(ingest_rates)),
            "median_floor_events_per_s": round(statistics.median(floor_rates)),
            "median_reingest_events_per_s": round(statistics.median(rerun_rates)),
            # The ingest's batches written with nothing else running (see run_writes_only).
            "writes_only_events_per_s": [round(r) for r in writes_rates],
            "median_writes_only_events_per_s": round(statistics.median(writes_rates)),
            "floor_over_ingest": round(
                statistics.median(floor_rates) / statistics.median(ingest_rates), 2
            ),
            # Where the time goes, per 1,000 events of the first-ingest runs (medians):
            # wall clock, and CPU used by this process and by the server (local only).
            **{k: round(statistics.median(v)) for k, v in cpu.items()},
            "python_peak_rss_mib": python_peak_rss,
            "neo4j_peak_pss_mib": memory.peak_mib(),
            "first_run_summary": {
                k: first_summary[k] for k in ("lines_read", "accepted", "duplicates", "rejected")
            },
            # New events posted one at a time: the longest and the median wait before
            # the API resolved each one's identifier.
            "resolvable_after_post_ms_max": round(max(fresh_ms), 1),
            "resolvable_after_post_ms_median": round(statistics.median(fresh_ms), 1),
        }
        result["target_5000_per_s"] = result["median_ingest_events_per_s"] >= 5000
        result["target_within_3x_floor"] = result["floor_over_ingest"] <= 3
        result["target_resolvable_within_1s"] = max(fresh_ms) <= 1000
        if args.json:
            print(json.dumps(result, indent=2))
        else:
            width = max(len(k) for k in result)
            for k, v in result.items():
                print(f"{k:<{width}}  {v}")
    finally:
        if local is not None:
            local.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
