"""``idgraph serve``: the HTTP API, in one process or several (``--workers N``)."""

from __future__ import annotations

from typing import Annotated

import typer

from graph.runtime import open_runtime, periodic_clustering
from graph.settings import get_settings

__all__ = ["WORKER_APP", "serve"]

WORKER_APP = "api.app:create_worker_app"
"""What each worker of ``--workers N`` builds its app with (a uvicorn factory)."""


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
    import uvicorn

    from api.app import create_app
    from api.auth import api_keys

    settings = get_settings()
    host, port = host or settings.api_host, port or settings.api_port
    if workers == 1:
        uvicorn.run(
            create_app(settings), host=host, port=port, log_level="info", access_log=access_log
        )
        return
    # Each worker builds its app from the same settings (the environment it inherits,
    # unchanged): check the API keys here first, so that a misconfiguration stops the
    # command instead of every worker.
    api_keys(settings)
    # The schema migrations once, here, before the workers start (the workers apply
    # none: no concurrent index creations); and one clustering job for all workers
    # (several would redo each other's work), which the workers' factory leaves out.
    with open_runtime(settings) as runtime, periodic_clustering(runtime):
        uvicorn.run(
            WORKER_APP,
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="info",
            access_log=access_log,
        )
