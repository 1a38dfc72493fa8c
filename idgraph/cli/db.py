"""``idgraph db ...``: the local Neo4j managed by idgraph, and the schema."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from graph.errors import ResetRefused
from graph.settings import get_settings
from graph.store import admin
from idgraph.cli.common import err, local_neo4j, no_local_db_when_uri, open_store, print_json

__all__ = ["db_app"]

db_app = typer.Typer(help="The local Neo4j managed by idgraph.", no_args_is_help=True)


@db_app.command("install")
def db_install() -> None:
    """Assemble Neo4j, GDS and Neo4j Browser from Maven Central into the cache."""
    local = local_neo4j(get_settings())
    path = local.install()
    err.print(f"Neo4j, GDS and Browser are in {path}")


@db_app.command("start")
def db_start() -> None:
    """Start the local Neo4j (idempotent) and wait until it answers."""
    settings = get_settings()
    if no_local_db_when_uri(settings, "start"):
        return
    local = local_neo4j(settings)
    status, started = local.start()
    word = "started" if started else "already running"
    err.print(
        f"Neo4j {word} (pid {status.pid}): {status.bolt_uri}, Browser {status.http_url}/browser/"
    )
    with open_store(settings) as repo:
        applied = admin.migrate(repo)
    err.print(f"schema up to date ({len(applied)} migration(s))")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the local Neo4j that idgraph started (by its recorded pid)."""
    settings = get_settings()
    if no_local_db_when_uri(settings, "stop"):
        return
    stopped = local_neo4j(settings).stop()
    err.print("Neo4j stopped" if stopped else "Neo4j was not running")


@db_app.command("status")
def db_status() -> None:
    """Whether the local Neo4j runs, where, and which versions (as JSON)."""
    settings = get_settings()
    if settings.uses_local_db:
        status = local_neo4j(settings).status()
        data: dict[str, Any] = status.as_dict()
        if status.running:
            with open_store(settings) as repo:
                data["counts"] = admin.counts(repo)
                data["gds_running_version"] = admin.gds_version(repo)
        print_json(data)
        if not status.running:
            raise typer.Exit(3)
    else:
        with open_store(settings) as repo:
            print_json(
                {
                    "bolt_uri": settings.bolt_uri,
                    "server": admin.ping(repo),
                    "gds": admin.gds_version(repo),
                }
            )


@db_app.command("logs")
def db_logs(lines: Annotated[int, typer.Option("--lines", "-n", min=1)] = 50) -> None:
    """The last lines of the local Neo4j's logs."""
    print(local_neo4j(get_settings()).log_tail(lines))


@db_app.command("migrate")
def db_migrate() -> None:
    """Apply the schema migrations (cypher/schema/*.cypher), idempotently."""
    with open_store(get_settings()) as repo:
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
    with open_store(settings) as repo:
        admin.reset_data(repo)
        admin.migrate(repo)
    err.print("database emptied; schema kept")
