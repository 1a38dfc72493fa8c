"""The data commands: ingest, cluster, detect, export and simulate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from graph.identity import cluster_store
from graph.identity.clustering import cluster
from graph.ingest.outcomes import IngestSummary
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RejectsFile, read_path
from graph.lab.simulate import WorldConfig, simulate, write_world
from graph.runtime import Runtime, open_runtime
from graph.settings import get_settings
from graph.store.algorithms import choose_algorithms
from idgraph.cli.common import err, open_store, print_json

__all__ = [
    "cluster_cmd",
    "detect_cmd",
    "export_app",
    "ingest",
    "ingest_files",
    "simulate_cmd",
]

export_app = typer.Typer(help="Export what the graph knows.", no_args_is_help=True)


def ingest_files(
    runtime: Runtime, paths: list[Path], rejects: Path | None, quiet: bool = False
) -> IngestSummary:
    """Ingest files one after the other; rejected lines go to a rejects file."""
    settings = runtime.settings
    total = IngestSummary()
    for path in paths:
        target = rejects or path.with_name(path.name + ".rejects.jsonl")
        sink = RejectsFile(target, str(path))
        ingestor = Ingestor(
            runtime.store,
            runtime.normaliser,
            settings.batch_size,
            sink,
            settings.ingest_writers,
            tune_gc=True,
            event_types=settings.event_type_map(),
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


def ingest(
    paths: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)],
    rejects: Annotated[
        Path | None,
        typer.Option(help="rejects file (default: <input>.rejects.jsonl beside each input)"),
    ] = None,
) -> None:
    """Ingest events from JSON Lines (.jsonl) or CSV (.csv) files; prints a JSON summary."""
    with open_runtime(get_settings(), migrate=False) as runtime:
        summary = ingest_files(runtime, paths, rejects)
    if summary.unmapped:
        events = sum(summary.unmapped.values())
        err.print(
            f"{events:,} events of {len(summary.unmapped)} source type(s) map to no canonical "
            "event type: stored as `event` (see unmapped_event_types; map them with "
            "IDGRAPH_EVENT_TYPES)"
        )
    print_json(summary.as_dict())


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
    with open_store(settings) as repo:
        chosen = choose_algorithms(repo, backend or settings.cluster_backend)
        result = cluster(repo, chosen, full=full)
        data: dict[str, Any] = result.as_dict()
        if run_detect and (result.identities or result.shared or result.components):
            data["detection"] = detect_fraud(repo, algorithms=chosen).as_dict()
    print_json(data)


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
    with open_store(settings) as repo:
        result = detect_fraud(
            repo, algorithms=choose_algorithms(repo, backend or settings.cluster_backend)
        )
    print_json(result.as_dict())


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
    with open_store(get_settings()) as repo, tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        for row in cluster_store.export_identities(repo):
            writer.writerow({k: row[k] for k in columns})
            count += 1
    tmp.replace(out_path)
    err.print(f"wrote {count:,} identifiers to {out_path}")


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
