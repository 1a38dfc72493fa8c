"""Start-up wiring, written once for the API, the CLI and the clustering scheduler.

:func:`open_runtime` connects to Neo4j, builds the store and the identifier normaliser,
applies the schema migrations (unless told not to) and closes the driver on the way
out; :func:`periodic_clustering` runs the incremental clustering job beside it::

    with open_runtime(settings) as runtime, periodic_clustering(runtime) as job:
        ...  # runtime.store, runtime.normaliser; job is None when switched off
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from neo4j import Driver

from graph.identity.scheduler import ClusterJob
from graph.model.identifiers import Normaliser
from graph.settings import Settings, get_settings
from graph.store import admin
from graph.store.algorithms import Algorithms, choose_algorithms
from graph.store.repository import Neo4jStore, connect

__all__ = ["Runtime", "open_runtime", "periodic_clustering"]

log = logging.getLogger("idgraph.runtime")


@dataclass(frozen=True)
class Runtime:
    """What a running process works with; the driver is open while the runtime is.

    The normaliser and the algorithms are made on first use, once: a command that needs
    neither (``idgraph db status``) neither validates the normalisation settings nor
    asks the server for its GDS plugin.
    """

    settings: Settings
    driver: Driver
    store: Neo4jStore

    @cached_property
    def normaliser(self) -> Normaliser:
        """The identifier normaliser of the settings (raises ConfigurationError)."""
        return self.settings.normaliser()

    @cached_property
    def algorithms(self) -> Algorithms:
        """GDS or in-process, chosen once from ``IDGRAPH_CLUSTER_BACKEND`` and the server."""
        return choose_algorithms(self.store, self.settings.cluster_backend)


@contextmanager
def open_runtime(settings: Settings | None = None, *, migrate: bool = True) -> Iterator[Runtime]:
    """Connect, build the store and the normaliser, migrate; close the driver at the end.

    Args:
        settings: default: from the environment.
        migrate: apply the schema migrations first (idempotent); off where another
            process already did (the workers of ``idgraph serve --workers N``).

    Raises:
        DatabaseUnavailable: Neo4j does not answer or refuses the credentials.
    """
    settings = settings or get_settings()
    driver = connect(settings)
    try:
        store = Neo4jStore(driver, settings.neo4j_database)
        if migrate:
            applied = admin.migrate(store)
            log.info("schema migrations applied: %s", ", ".join(applied))
        yield Runtime(settings, driver, store)
    finally:
        driver.close()


@contextmanager
def periodic_clustering(runtime: Runtime) -> Iterator[ClusterJob | None]:
    """The incremental clustering job every ``cluster_interval`` seconds, stopped at the
    end (None when the interval is 0: no periodic runs)."""
    settings = runtime.settings
    if settings.cluster_interval <= 0:
        yield None
        return
    job = ClusterJob(
        runtime.store,
        settings.cluster_interval,
        runtime.algorithms,
    )
    job.start()
    try:
        yield job
    finally:
        job.stop()
