"""The ``idgraph`` command: the local database, ingest, clustering, the API and the demo.

This package is the composition root: it wires the core (``graph``) and the HTTP API
(``api``) together; neither of them imports it.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from graph.analyst.runner import (
    QueryResult,
    get_query,
    library,
    parse_cli_params,
    run_adhoc,
    run_named,
)
from graph.errors import ConfigurationError, IdgraphError, ResetRefused
from graph.identity import cluster_store
from graph.identity.clustering import choose_backend, cluster
from graph.ingest.pipeline import Ingestor, IngestSummary, RejectsFile, read_path
from graph.lab.simulate import World, WorldConfig, simulate, write_world
from graph.localdb.server import LocalNeo4j
from graph.settings import Settings, get_settings
from graph.store import admin
from graph.store.repository import Neo4jStore, connect

app = typer.Typer(
    help="idgraph: an identity graph on Neo4j.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The local Neo4j managed by idgraph.", no_args_is_help=True)
app.add_typer(db_app, name="db")

err = Console(stderr=True)
out = Console()


def _print_json(data: object) -> None:
    print(json.dumps(data, indent=2, default=str))


def _local(settings: Settings) -> LocalNeo4j:
    return LocalNeo4j(settings, progress=lambda msg: err.print(f"[dim]{msg}[/dim]"))


@contextmanager
def _repo(settings: Settings) -> Iterator[Neo4jStore]:
    driver = connect(settings)
    try:
        yield Neo4jStore(driver, settings.neo4j_database)
    finally:
        driver.close()


def _no_local_db_when_uri(settings: Settings, action: str) -> bool:
    if not settings.uses_local_db:
        err.print(
            f"NEO4J_URI is set ({settings.neo4j_uri}): idgraph does not {action} a server "
            "it does not manage."
        )
        return True
    return False


# --- db ----------------------------------------------------------------------------------


@db_app.command("install")
def db_install() -> None:
    """Assemble Neo4j, GDS and Neo4j Browser from Maven Central into the cache."""
    local = _local(get_settings())
    path = local.install()
    err.print(f"Neo4j, GDS and Browser are in {path}")


@db_app.command("start")
def db_start() -> None:
    """Start the local Neo4j (idempotent) and wait until it answers."""
    settings = get_settings()
    if _no_local_db_when_uri(settings, "start"):
        return
    local = _local(settings)
    status, started = local.start()
    word = "started" if started else "already running"
    err.print(
        f"Neo4j {word} (pid {status.pid}): {status.bolt_uri}, Browser {status.http_url}/browser/"
    )
    with _repo(settings) as repo:
        applied = admin.migrate(repo)
    err.print(f"schema up to date ({len(applied)} migration(s))")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the local Neo4j that idgraph started (by its recorded pid)."""
    settings = get_settings()
    if _no_local_db_when_uri(settings, "stop"):
        return
    stopped = _local(settings).stop()
    err.print("Neo4j stopped" if stopped else "Neo4j was not running")


@db_app.command("status")
def db_status() -> None:
    """Whether the local Neo4j runs, where, and which versions (as JSON)."""
    settings = get_settings()
    if settings.uses_local_db:
        status = _local(settings).status()
        data: dict[str, Any] = status.as_dict()
        if status.running:
            with _repo(settings) as repo:
                data["counts"] = admin.counts(repo)
                data["gds_running_version"] = admin.gds_version(repo)
        _print_json(data)
        if not status.running:
            raise typer.Exit(3)
    else:
        with _repo(settings) as repo:
            _print_json(
                {
                    "bolt_uri": settings.bolt_uri,
                    "server": admin.ping(repo),
                    "gds": admin.gds_version(repo),
                }
            )


@db_app.command("logs")
def db_logs(lines: Annotated[int, typer.Option("--lines", "-n", min=1)] = 50) -> None:
    """The last lines of the local Neo4j's logs."""
    print(_local(get_settings()).log_tail(lines))


@db_app.command("migrate")
def db_migrate() -> None:
    """Apply the schema migrations (cypher/schema/*.cypher), idempotently."""
    with _repo(get_settings()) as repo:
        applied = admin.migrate(repo)
    err.print("applied: " + ", ".join(applied))


@db_app.command("reset")
def db_reset(
    yes: Annotated[bool, typer.Option("--yes", help="confirm: delete every node")] = False,
) -> None:
    """Empty the database (data only; constraints and indexes stay). Needs --yes."""
    settings = get_settings()
    if not yes:
        raise ResetRefused(
            f"this deletes every node and relationship in database "
            f"'{settings.neo4j_database}' at {settings.bolt_uri}; run again with --yes"
        )
    with _repo(settings) as repo:
        admin.reset_data(repo)
        admin.migrate(repo)
    err.print("database emptied; schema kept")


# --- data ----------------------------------------------------------------------------------


def ingest_files(
    settings: Settings, paths: list[Path], rejects: Path | None, quiet: bool = False
) -> IngestSummary:
    """Ingest files one after the other; rejected lines go to a rejects file."""
    total = IngestSummary()
    with _repo(settings) as repo:
        for path in paths:
            target = rejects or path.with_name(path.name + ".rejects.jsonl")
            sink = RejectsFile(target, str(path))
            ingestor = Ingestor(
                repo, settings.normaliser(), settings.batch_size, sink, settings.ingest_writers
            )
            show = not quiet and sys.stderr.isatty()
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TextColumn("{task.completed:,} lines"),
                TimeElapsedColumn(),
                console=err,
                disable=not show,
            ) as progress:
                task = progress.add_task(path.name, total=None)

                def advance(n: int, task: TaskID = task, progress: Progress = progress) -> None:
                    progress.update(task, completed=n)

                summary, _ = ingestor.ingest(read_path(path), progress=advance)
            sink.close()
            if summary.rejected:
                summary.rejects_file = str(target)
                total.rejects_file = str(target)
            total.add(summary)
    return total


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)],
    rejects: Annotated[
        Path | None,
        typer.Option(help="rejects file (default: <input>.rejects.jsonl beside each input)"),
    ] = None,
) -> None:
    """Ingest events from JSON Lines (.jsonl) or CSV (.csv) files; prints a JSON summary."""
    summary = ingest_files(get_settings(), paths, rejects)
    _print_json(summary.as_dict())


@app.command("cluster")
def cluster_cmd(
    backend: Annotated[
        str, typer.Option(help="auto (GDS if the server has it), gds or networkx")
    ] = "",
    full: Annotated[
        bool | None,
        typer.Option(
            "--full/--incremental",
            help="the whole graph, or only what changed since the last run "
            "(default: incremental unless most identifiers changed)",
            show_default=False,
        ),
    ] = None,
    run_detect: Annotated[
        bool,
        typer.Option(
            "--detect/--no-detect",
            help="then detect fraud rings and bots (idgraph detect), if identities changed",
        ),
    ] = True,
) -> None:
    """Recompute identities from the co-occurrence graph; prints a JSON summary."""
    from graph.fraud.detect import detect as detect_fraud

    settings = get_settings()
    with _repo(settings) as repo:
        chosen = choose_backend(repo, backend or settings.cluster_backend)
        result = cluster(repo, chosen, full=full)
        data: dict[str, Any] = result.as_dict()
        if run_detect and (result.identities or result.shared or result.components):
            data["detection"] = detect_fraud(
                repo, backend=backend or settings.cluster_backend
            ).as_dict()
    _print_json(data)


@app.command("detect")
def detect_cmd(
    backend: Annotated[
        str, typer.Option(help="auto (GDS if the server has it), gds or networkx")
    ] = "",
) -> None:
    """Detect fraud rings and bots in the clustered graph; prints a JSON summary.

    Replaces the previous detection's rings and risk scores (see graph/fraud/detect.py for
    the signals, weights and thresholds).
    """
    from graph.fraud.detect import detect as detect_fraud

    settings = get_settings()
    with _repo(settings) as repo:
        result = detect_fraud(repo, backend=backend or settings.cluster_backend)
    _print_json(result.as_dict())


@app.command("evaluate")
def evaluate_cmd(
    truth_path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="truth.json")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON, not a table")] = False,
) -> None:
    """Score the identities in the graph against a simulated world's ground truth.

    Prints B-cubed precision, recall and F1 and the number of over-merged identities,
    next to naive connected components over the same links, how well membership
    confidences are calibrated, and the recall and precision of fraud-ring and bot
    flags against the planted ones (run idgraph detect first).
    """
    from graph.fraud.detect import flagged_identities
    from graph.lab.evaluate import calibration, evaluate, format_report, load_truth, predictions

    truth = load_truth(truth_path)
    with _repo(get_settings()) as repo:
        rows = list(cluster_store.export_identities(repo))
        links = list(cluster_store.links_by_key(repo))
        flags = flagged_identities(repo)
    predicted, confidence = predictions(rows)
    report = evaluate(truth, predicted, links, flags)
    bins = calibration(truth.owners, predicted, confidence)
    if as_json:
        _print_json({**report.as_dict(), "calibration": [b.__dict__ for b in bins]})
        return
    print(format_report(report))
    print("\nconfidence calibration (right: in its own person's main identity)")
    print(f"{'confidence':<12}{'identifiers':>12}{'mean':>8}{'right':>8}")
    for b in bins:
        print(
            f"{b.low:.1f}-{b.high:.1f}    {b.count:>12}{b.mean_confidence:>8.3f}{b.accuracy:>8.3f}"
        )


export_app = typer.Typer(help="Export what the graph knows.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("identities")
def export_identities_cmd(
    out_path: Annotated[Path, typer.Option("--out", dir_okay=False, help="CSV file to write")],
) -> None:
    """Write identifier_type, identifier_value, identity_id, confidence as CSV.

    Values are the normalised ones; shared identifiers (hubs, boundary devices) belong
    to no identity and are not listed. Written to a temporary file, then renamed.
    """
    import csv

    columns = ["identifier_type", "identifier_value", "identity_id", "confidence"]
    tmp = out_path.with_name(out_path.name + ".part")
    count = 0
    with _repo(get_settings()) as repo, tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        for row in cluster_store.export_identities(repo):
            writer.writerow({k: row[k] for k in columns})
            count += 1
    tmp.replace(out_path)
    err.print(f"wrote {count:,} identifiers to {out_path}")


@app.command("simulate")
def simulate_cmd(
    out_dir: Annotated[Path, typer.Argument(file_okay=False)],
    people: Annotated[int, typer.Option(min=1, max=5_000_000)] = 200,
    seed: Annotated[int, typer.Option()] = 7,
    clean: Annotated[
        bool,
        typer.Option(
            "--clean/--realistic",
            help="clean: every identifier has one owner (no households, kiosks, rings, "
            "bots or junk); realistic (default): all of those",
        ),
    ] = False,
) -> None:
    """Write a synthetic world: OUT_DIR/events.jsonl and OUT_DIR/truth.json."""
    config = WorldConfig.clean() if clean else WorldConfig()
    events, truth = write_world(simulate(people=people, seed=seed, config=config), out_dir)
    err.print(f"wrote {events} and {truth}")


# --- cypher: the analysts' read-only queries -----------------------------------------------

cypher_app = typer.Typer(
    help="The analysts' query library (cypher/queries/) and read-only ad-hoc queries.",
    no_args_is_help=True,
)
app.add_typer(cypher_app, name="cypher")

ParamOption = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        help="key=value, repeatable; typed as the query's header says "
        "(string, int, float, bool, datetime in ISO 8601)",
    ),
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, csv or json")]
LimitOption = Annotated[int, typer.Option(min=1, max=10_000, help="at most this many rows")]
TimeoutOption = Annotated[
    float, typer.Option("--timeout", min=0.1, max=60.0, help="seconds before the query stops")
]


def _print_result(result: QueryResult, fmt: str) -> None:
    import csv

    if fmt == "json":
        print(json.dumps(result.rows, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(result.columns)
        for row in result.rows:
            writer.writerow(
                [
                    v if isinstance(v, str) or v is None else json.dumps(v, ensure_ascii=False)
                    for v in (row[c] for c in result.columns)
                ]
            )
    else:
        from rich.table import Table

        table = Table(*result.columns)
        for row in result.rows:
            table.add_row(
                *(
                    "" if v is None else v if isinstance(v, str) else json.dumps(v)
                    for v in (row[c] for c in result.columns)
                )
            )
        out.print(table)
    more = " (truncated: raise --limit to see more)" if result.truncated else ""
    err.print(f"[dim]{len(result.rows)} row(s){more}[/dim]")


def _check_format(fmt: str) -> str:
    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter("must be table, csv or json", param_hint="--format")
    return fmt


@cypher_app.command("list")
def cypher_list(
    topic: Annotated[str, typer.Option(help="only this topic (resolution, fraud...)")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON, not a table")] = False,
) -> None:
    """The library's queries: name and purpose."""
    from rich.table import Table

    queries = [q for q in library().values() if not topic or q.topic == topic]
    if as_json:
        _print_json([{"name": q.name, "purpose": q.purpose} for q in queries])
        return
    table = Table("name", "purpose")
    for q in queries:
        table.add_row(q.name, q.summary)
    out.print(table)


@cypher_app.command("show")
def cypher_show(name: Annotated[str, typer.Argument(help="topic/name")]) -> None:
    """One query's purpose, parameters (type, example, default) and columns, then its text."""
    q = get_query(name)
    print(f"{q.name}\n\n{q.purpose}\n\nparameters:")
    for p in q.parameters:
        default = " (default)" if p.has_default else ""
        example = json.dumps(p.example, default=lambda v: v.isoformat())
        print(f"  {p.name} {p.type} = {example}{default}: {p.description}")
    if not q.parameters:
        print("  (none)")
    print("columns:")
    for c in q.columns:
        print(f"  {c.name}: {c.description}")
    print("\n" + q.text.rstrip())


@cypher_app.command("run")
def cypher_run(
    name: Annotated[str, typer.Argument(help="topic/name, as `idgraph cypher list` shows")],
    param: ParamOption = None,
    fmt: FormatOption = "table",
    limit: LimitOption = 1000,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Run a library query, read-only, with --param key=value for each parameter.

    Parameters marked default in the header (`idgraph cypher show NAME`) may be left
    out: they take their example value.
    """
    _check_format(fmt)
    params = parse_cli_params(param or [])
    with _repo(get_settings()) as repo:
        result = run_named(repo, name, params, limit=limit, timeout_s=timeout)
    _print_result(result, fmt)


@cypher_app.command("query")
def cypher_query(
    text: Annotated[str, typer.Argument(help="the Cypher text (read-only)")],
    param: ParamOption = None,
    fmt: FormatOption = "table",
    limit: LimitOption = 1000,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Run an ad-hoc read-only query (writes, schema and admin commands are refused).

    --param key=value: the value is taken as a JSON literal when it is one (12, true,
    "x", [1, 2]), else as a string; use datetime($p) in the query for a date-time.
    """
    _check_format(fmt)
    params: dict[str, object] = {}
    for key, raw in parse_cli_params(param or []).items():
        try:
            params[key] = json.loads(raw)
        except json.JSONDecodeError:
            params[key] = raw
    with _repo(get_settings()) as repo:
        result = run_adhoc(repo, text, params, limit=limit, timeout_s=timeout)
    _print_result(result, fmt)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "",
    port: Annotated[int, typer.Option(min=0, max=65535)] = 0,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="API processes (at most one per core); with more than one, the periodic "
            "clustering runs once, in this supervising process, and /healthz does not "
            "report it",
        ),
    ] = 1,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="a log line per request (method, path, status: never a body)",
        ),
    ] = True,
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs)."""
    import os

    import uvicorn

    from api.app import create_app
    from graph.identity.scheduler import ClusterJob

    settings = get_settings()
    host, port = host or settings.api_host, port or settings.api_port
    if workers == 1:
        uvicorn.run(
            create_app(settings), host=host, port=port, log_level="info", access_log=access_log
        )
        return
    # Each worker builds its app from the environment: build one here first, so that a
    # misconfiguration (API keys) stops the command instead of every worker.
    create_app(settings)
    # The schema migrations once, here, before the workers start (theirs are then
    # no-ops, not concurrent index creations); and one clustering job for all workers
    # (several would redo each other's work).
    driver = connect(settings)
    repo = Neo4jStore(driver, settings.neo4j_database)
    job: ClusterJob | None = None
    try:
        admin.migrate(repo)
        if settings.cluster_interval > 0:
            job = ClusterJob(repo, settings.cluster_interval, settings.cluster_backend)
            job.start()
    except BaseException:
        driver.close()
        raise
    os.environ["IDGRAPH_CLUSTER_INTERVAL"] = "0"
    try:
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="info",
            access_log=access_log,
        )
    finally:
        if job is not None:
            job.stop()
        driver.close()


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


@app.command()
def demo(
    people: Annotated[int, typer.Option(min=10, max=100_000)] = 1000,
    seed: Annotated[int, typer.Option()] = 7,
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
) -> None:
    """The whole main job: local Neo4j, demo data, ingest, clustering, then the API."""
    settings = get_settings()
    if settings.uses_local_db:
        status, _ = _local(settings).start()
        err.print(f"Neo4j running: {status.bolt_uri} (Browser {status.http_url}/browser/)")
    with _repo(settings) as repo:
        admin.migrate(repo)
    # The realistic world: households, kiosks, fraud rings and bots for the explorer.
    world = simulate(people=people, seed=seed, config=WorldConfig())
    data_dir = settings.db_dir.parent / "demo"
    events_path, _ = write_world(world, data_dir)
    err.print(f"demo data: {len(world.events):,} events of {people} people in {events_path}")
    summary = ingest_files(settings, [events_path], None)
    err.print("ingest: " + json.dumps(summary.as_dict()))
    with _repo(settings) as repo:
        result = cluster(repo, choose_backend(repo, settings.cluster_backend))
        err.print("cluster: " + json.dumps(result.as_dict()))
        from graph.fraud.detect import detect as detect_fraud

        found = detect_fraud(repo, backend=settings.cluster_backend)
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


def main() -> None:
    """Entry point: domain errors become a message and exit code 1 (2 for config)."""
    try:
        app()
    except IdgraphError as e:
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(2 if isinstance(e, ConfigurationError) else 1) from None


if __name__ == "__main__":  # pragma: no cover
    main()
