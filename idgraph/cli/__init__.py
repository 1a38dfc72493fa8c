"""The ``idgraph`` command: the local database, ingest, clustering, the API and the demo.

This package is the composition root: it wires the core (``graph``) and the HTTP API
(``api``) together; neither of them imports it. One module per group of sub-commands
(:mod:`~idgraph.cli.db`, :mod:`~idgraph.cli.data`, :mod:`~idgraph.cli.evaluate`,
:mod:`~idgraph.cli.cypher`,
:mod:`~idgraph.cli.serve`, :mod:`~idgraph.cli.demo`), registered on :data:`app` here.
"""

from __future__ import annotations

import sys

import typer

from graph.errors import ConfigurationError, IdgraphError
from idgraph.cli import cypher, data, db, demo, evaluate, serve
from idgraph.cli.demo import as_curl, demo_requests

__all__ = ["app", "as_curl", "demo_requests", "main"]

app = typer.Typer(
    help="idgraph: an identity graph on Neo4j.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# In the order of `idgraph --help` (commands first, then the groups).
app.command()(data.ingest)
app.command("cluster")(data.cluster_cmd)
app.command("detect")(data.detect_cmd)
app.command("evaluate")(evaluate.evaluate_cmd)
app.command("simulate")(data.simulate_cmd)
app.command()(serve.serve)
app.command()(demo.demo)
app.add_typer(db.db_app, name="db")
app.add_typer(data.export_app, name="export")
app.add_typer(cypher.cypher_app, name="cypher")


def main() -> None:
    """Entry point: domain errors become a message and exit code 1 (2 for config)."""
    try:
        app()
    except IdgraphError as e:
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(2 if isinstance(e, ConfigurationError) else 1) from None
