"""Score a clustering against the ground truth of a simulated world (no database).

:func:`evaluate` puts idgraph's clustering next to the naive baseline (plain connected
components over the same links), because the baseline is what a graph with
households, shop kiosks and staff addresses does without any care: both are scored on
the same truth (:mod:`graph.lab.truth`) with the metrics of :mod:`graph.lab.metrics`,
and :func:`format_report` prints the side-by-side table. :func:`predictions` reads
what a clustering predicts from ``idgraph export identities`` rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from graph.lab.metrics import (
    Detection,
    bcubed,
    cluster_of,
    connected_components,
    detection,
    over_merged,
)
from graph.lab.truth import Truth

__all__ = [
    "MethodReport",
    "Report",
    "evaluate",
    "format_report",
    "predictions",
]


@dataclass(frozen=True)
class MethodReport:
    """The scores of one clustering method.

    Attributes:
        name: ``idgraph`` or ``connected_components``.
        precision: B-cubed precision (see :func:`bcubed`).
        recall: B-cubed recall.
        f1: B-cubed F1.
        over_merged: clusters fusing people (see :func:`over_merged`).
        clusters: distinct clusters among the scored identifiers (a missing
            identifier is one cluster).
        over_merged_share: ``over_merged / clusters``.
        mixed: clusters holding scored identifiers of two people or more, even a
            single stray one (stricter than ``over_merged``).
        mixed_share: ``mixed / clusters``: the share of identities mixing people.
        rings_fused: clusters holding identifiers of two or more fraud-ring members
            (synthetic identities must stay apart to be seen as a ring).
        shared_kept: share of the truly shared identifiers that the clustering keeps
            out of every cluster (``predicted`` has no label for them); 1.0 when there
            are none.
    """

    name: str
    precision: float
    recall: float
    f1: float
    over_merged: int
    clusters: int
    over_merged_share: float = 0.0
    mixed: int = 0
    mixed_share: float = 0.0
    rings_fused: int = 0
    shared_kept: float = 1.0


@dataclass(frozen=True)
class Report:
    """idgraph's clustering and the naive baseline, scored on the same truth.

    Attributes:
        identifiers: identifiers scored (owned by exactly one person).
        people: distinct true people among them.
        shared: identifiers used by several people (not scored).
        idgraph: the scores of the clustering under test.
        baseline: the scores of plain connected components over the same links.
        rings: how well ``ring_member`` flags find synthetic identities (None: no
            flags given).
        bots: how well ``bot_suspected`` flags find bots (None: no flags given).
    """

    identifiers: int
    people: int
    shared: int
    idgraph: MethodReport
    baseline: MethodReport
    rings: Detection | None = None
    bots: Detection | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types, the methods keyed by name."""
        out: dict[str, Any] = {
            "identifiers": self.identifiers,
            "people": self.people,
            "shared": self.shared,
            self.idgraph.name: _method_dict(self.idgraph),
            self.baseline.name: _method_dict(self.baseline),
        }
        for name, found in (("rings", self.rings), ("bots", self.bots)):
            if found is not None:
                out[name] = asdict(found)
        return out


def _method_dict(method: MethodReport) -> dict[str, Any]:
    out = asdict(method)
    del out["name"]
    return out


def _score(name: str, truth: Truth, predicted: Mapping[str, str]) -> MethodReport:
    owners = truth.owners
    scores = bcubed(owners, predicted)
    clusters = len({cluster_of(key, predicted) for key in owners})
    merged = over_merged(owners, predicted)
    people_in: defaultdict[str, set[str]] = defaultdict(set)
    for key, person in owners.items():
        label = predicted.get(key)
        if label is not None:
            people_in[label].add(person)
    synthetic = {p for p, info in truth.people.items() if info.ring is not None}
    mixed = sum(1 for people in people_in.values() if len(people) > 1)
    return MethodReport(
        name=name,
        precision=scores.precision,
        recall=scores.recall,
        f1=scores.f1,
        over_merged=merged,
        clusters=clusters,
        over_merged_share=merged / clusters if clusters else 0.0,
        mixed=mixed,
        mixed_share=mixed / clusters if clusters else 0.0,
        rings_fused=sum(1 for people in people_in.values() if len(people & synthetic) > 1),
        shared_kept=(
            sum(1 for key in truth.shared if key not in predicted) / len(truth.shared)
            if truth.shared
            else 1.0
        ),
    )


def evaluate(
    truth: Truth,
    predicted: Mapping[str, str],
    links: Iterable[tuple[str, str]],
    flags: Mapping[str, Iterable[str]] | None = None,
) -> Report:
    """Score a clustering and the connected components of its links, side by side.

    Args:
        truth: the ground truth (only ``owners`` are scored).
        predicted: identifier key -> cluster label, as idgraph clustered them.
        links: the identifier pairs the clustering started from; connected
            components over them are the baseline.
        flags: identity id -> its risk flags (from fraud detection); when given, the
            report also scores ring and bot detection (see :func:`detection`).
    """
    owners = truth.owners
    nodes = set(owners) | set(truth.shared) | set(predicted)
    baseline = connected_components(nodes, links)
    return Report(
        identifiers=len(owners),
        people=len(set(owners.values())),
        shared=len(truth.shared),
        idgraph=_score("idgraph", truth, predicted),
        baseline=_score("connected_components", truth, baseline),
        rings=(
            detection(truth, predicted, flags, "ring_member", "synthetic")
            if flags is not None
            else None
        ),
        bots=detection(truth, predicted, flags, "bot_suspected", "bot")
        if flags is not None
        else None,
    )


def format_report(report: Report) -> str:
    """A small aligned text table, one row per method."""
    header = (
        "method",
        "precision",
        "recall",
        "f1",
        "over-merged",
        "share",
        "mixed",
        "mixed-share",
        "rings-fused",
        "shared-kept",
        "clusters",
    )
    rows = [
        (
            m.name,
            f"{m.precision:.4f}",
            f"{m.recall:.4f}",
            f"{m.f1:.4f}",
            str(m.over_merged),
            f"{m.over_merged_share:.2%}",
            str(m.mixed),
            f"{m.mixed_share:.2%}",
            str(m.rings_fused),
            f"{m.shared_kept:.2%}",
            str(m.clusters),
        )
        for m in (report.idgraph, report.baseline)
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        )
        for row in (header, *rows)
    ]
    lines.append(
        f"scored identifiers: {report.identifiers}  true people: {report.people}  "
        f"shared identifiers (not scored): {report.shared}"
    )
    for label, found in (("fraud rings", report.rings), ("bots", report.bots)):
        if found is not None:
            lines.append(
                f"{label}: recall {found.recall:.4f} ({found.found} of {found.planted} planted "
                f"found), precision {found.precision:.4f} ({found.true_flagged} of "
                f"{found.flagged} flagged identities planted)"
            )
    return "\n".join(lines)


def predictions(
    rows: Iterable[Mapping[str, Any]],
) -> tuple[dict[str, str], dict[str, float]]:
    """What a clustering predicts, from ``idgraph export identities`` rows: per
    ``type:value``, its identity id and (where scored) its membership confidence."""
    predicted: dict[str, str] = {}
    confidence: dict[str, float] = {}
    for r in rows:
        key = f"{r['identifier_type']}:{r['identifier_value']}"
        predicted[key] = str(r["identity_id"])
        if r["confidence"] is not None:
            confidence[key] = float(r["confidence"])
    return predicted, confidence
