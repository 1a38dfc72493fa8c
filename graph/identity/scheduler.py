"""A periodic incremental clustering run, in a background thread (used by the API).

Ingest attaches new identifiers to an identity at once when the evidence is
unambiguous; the rest (merges, splits, new hubs, confidences) waits for a clustering
run. :class:`ClusterJob` runs an incremental one every ``interval`` seconds, so the
API keeps identities fresh without an operator running ``idgraph cluster``. A run
costs what changed since the previous one; with nothing changed it is one index
lookup. A run that changed something is followed by fraud detection
(:func:`graph.fraud.detect.detect`), so rings, bots and risk flags follow the identities.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from graph.fraud.detect import FraudResult, detect
from graph.identity.clustering import ClusterResult, cluster
from graph.store.algorithms import Algorithms
from graph.store.gateway import GraphStore

__all__ = ["ClusterJob", "JobStatus"]

log = logging.getLogger("idgraph.clustering")


@dataclass(frozen=True)
class JobStatus:
    """What the job last did: times are epoch seconds; ``last_error`` is a class name."""

    interval: float
    runs: int
    last_run_at: float | None
    last_result: dict[str, object] | None
    last_error: str | None


class ClusterJob:
    """Runs ``cluster(..., full=False)`` every ``interval`` seconds until stopped.

    A failing run (Neo4j restarting, say) is logged and retried at the next tick;
    the job never stops the process. One run at a time. ``algorithms`` is chosen once
    by the caller (:func:`~graph.store.algorithms.choose_algorithms`), not per tick.
    """

    def __init__(
        self,
        repo: GraphStore,
        interval: float,
        algorithms: Algorithms,
        detect_fraud: bool = True,
    ) -> None:
        if interval <= 0:
            raise ValueError("the clustering interval must be positive")
        self.repo = repo
        self.interval = interval
        self.algorithms = algorithms
        self.detect_fraud = detect_fraud
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._runs = 0
        self._last_at: float | None = None
        self._last: ClusterResult | None = None
        self._detection: FraudResult | None = None
        self._error: str | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="idgraph-cluster", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_once(self) -> ClusterResult:
        """One incremental run now (also what each tick does), then fraud detection if
        the run changed something."""
        with self._lock:
            result = cluster(self.repo, self.algorithms, full=False)
            if self.detect_fraud and (result.identities or result.shared or result.components):
                self._detection = detect(self.repo, algorithms=self.algorithms)
            self._runs += 1
            self._last_at = time.time()
            self._last = result
            self._error = None
            return result

    def status(self) -> JobStatus:
        """The job's state; ``last_result`` carries the last detection under ``detection``."""
        last: dict[str, object] | None = self._last.as_dict() if self._last else None
        if last is not None and self._detection is not None:
            last = {**last, "detection": self._detection.as_dict()}
        return JobStatus(
            interval=self.interval,
            runs=self._runs,
            last_run_at=self._last_at,
            last_result=last,
            last_error=self._error,
        )

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                result = self.run_once()
            except Exception as e:  # logged and retried: the API must keep serving
                self._error = type(e).__name__
                log.warning("incremental clustering failed: %s", type(e).__name__)
                continue
            if result.identities:
                log.info(
                    "incremental clustering: %d identities recomputed in %.2f s",
                    result.identities,
                    result.seconds,
                )
