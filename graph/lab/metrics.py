"""Scores of a clustering against the truth: B-cubed, over-merges, detection, calibration.

:func:`bcubed` scores any clustering of identifiers against their true owners;
:func:`over_merged` counts the clusters that fuse distinct people;
:func:`connected_components` is the naive baseline (every component of the link graph
an identity); :func:`detection` measures how well a risk flag finds the planted people
of one kind; :func:`calibration` how well membership confidences match how often
memberships are right. :func:`own_phone_calls` and :func:`handover_calls` list the
calls a bench makes (resolve a phone, or a handed-over identifier at a time) and
:func:`call_outcomes` scores the answers: does the identifier resolve to the person
who holds it then? No database: the inputs are mappings of identifier keys
(``type:value``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import networkx as nx

from graph.lab.truth import PersonInfo, Truth

_PERSON = PersonInfo()

__all__ = [
    "Call",
    "CalibrationBin",
    "Calls",
    "Detection",
    "Scores",
    "bcubed",
    "calibration",
    "cluster_of",
    "connected_components",
    "detection",
    "over_merged",
    "call_outcomes",
    "handover_calls",
    "own_phone_calls",
    "person_identities",
]


@dataclass(frozen=True)
class Scores:
    """B-cubed scores, and how many identifiers they are computed over."""

    precision: float
    recall: float
    f1: float
    identifiers: int


def cluster_of(key: str, predicted: Mapping[str, str]) -> tuple[bool, str]:
    # A key missing from the prediction is a cluster of its own: (False, key) can
    # never collide with a predicted label (True, label).
    label = predicted.get(key)
    return (True, label) if label is not None else (False, key)


def bcubed(owners: Mapping[str, str], predicted: Mapping[str, str]) -> Scores:
    """B-cubed precision, recall and F1 of a clustering, over the identifiers of ``owners``.

    For each scored identifier, precision is the share of its predicted cluster that
    belongs to its true person, recall the share of its true person's identifiers
    that are in its predicted cluster; both are averaged over identifiers. Only
    identifiers owned by exactly one person are scored (``owners``): a shared one (a
    family tablet, a shop kiosk) has no single true cluster, and predicted clusters
    are measured on their scored identifiers only. An identifier missing from
    ``predicted`` counts as a cluster of its own.

    With nothing to score, every score is 1.0 and ``identifiers`` is 0.

    Args:
        owners: ``type:value`` -> true person id.
        predicted: ``type:value`` -> predicted cluster label (any string).
    """
    total = len(owners)
    if total == 0:
        return Scores(precision=1.0, recall=1.0, f1=1.0, identifiers=0)
    pairs: Counter[tuple[tuple[bool, str], str]] = Counter()
    for key, person in owners.items():
        pairs[(cluster_of(key, predicted), person)] += 1
    cluster_sizes: Counter[tuple[bool, str]] = Counter()
    person_sizes: Counter[str] = Counter()
    for (cluster, person), n in pairs.items():
        cluster_sizes[cluster] += n
        person_sizes[person] += n
    precision = sum(n * n / cluster_sizes[c] for (c, _), n in pairs.items()) / total
    recall = sum(n * n / person_sizes[p] for (_, p), n in pairs.items()) / total
    # Float sums can overshoot 1 by an ulp; the scores are shares.
    precision, recall = min(precision, 1.0), min(recall, 1.0)
    f1 = 2 * precision * recall / (precision + recall)
    return Scores(precision=precision, recall=recall, f1=f1, identifiers=total)


def over_merged(
    owners: Mapping[str, str],
    predicted: Mapping[str, str],
    min_people: int = 2,
    min_identifiers: int = 2,
) -> int:
    """How many predicted clusters fuse distinct people.

    A cluster is over-merged when at least ``min_people`` true people each hold at
    least ``min_identifiers`` of its scored identifiers (those in ``owners``). One
    stray identifier in someone else's cluster is a small error that B-cubed already
    counts; two people's identities fused into one is the error that matters (a
    marketing e-mail to the wrong person, a fraud flag on a whole household). A
    person with fewer than ``min_identifiers`` scored identifiers can therefore never
    make a cluster over-merged, and identifiers missing from ``predicted`` are
    singletons.

    Raises:
        ValueError: ``min_people`` below 2 or ``min_identifiers`` below 1.
    """
    if min_people < 2:
        raise ValueError("min_people must be at least 2: one person is not a merge")
    if min_identifiers < 1:
        raise ValueError("min_identifiers must be at least 1")
    per_cluster: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for key, person in owners.items():
        label = predicted.get(key)
        if label is not None:
            per_cluster[label][person] += 1
    return sum(
        1
        for people in per_cluster.values()
        if sum(1 for n in people.values() if n >= min_identifiers) >= min_people
    )


def connected_components(nodes: Iterable[str], links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The naive baseline: every connected component of the link graph is an identity.

    Args:
        nodes: identifier keys (ends of ``links`` are added too).
        links: pairs of identifier keys seen together.

    Returns:
        Every node -> the smallest key of its component (stable across runs).
    """
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(links)
    labels: dict[str, str] = {}
    for component in nx.connected_components(graph):
        label = min(component)
        for node in component:
            labels[node] = label
    return labels


# -- detection -----------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    """How well one risk flag finds the planted people of one kind.

    Each predicted identity stands for the person owning most of its scored
    identifiers (its *majority person*).

    Attributes:
        flag: ``ring_member`` or ``bot_suspected``.
        kind: the planted kind it should find (``synthetic``, ``bot``).
        planted: planted people of that kind.
        found: planted people that are the majority person of a flagged identity.
        flagged: identities carrying the flag.
        true_flagged: flagged identities whose majority person is planted.
        recall: ``found / planted`` (1.0 when nothing is planted).
        precision: ``true_flagged / flagged`` (1.0 when nothing is flagged).
    """

    flag: str
    kind: str
    planted: int
    found: int
    flagged: int
    true_flagged: int
    recall: float
    precision: float


def detection(
    truth: Truth,
    predicted: Mapping[str, str],
    flags: Mapping[str, Iterable[str]],
    flag: str,
    kind: str,
) -> Detection:
    """Recall and precision of ``flag`` against the planted people of ``kind``.

    Args:
        truth: the ground truth (``people`` says who is planted, ``owners`` who owns what).
        predicted: identifier key -> identity id.
        flags: identity id -> its risk flags.
        flag: the flag scored (``ring_member``...).
        kind: the person kind it should find (``synthetic``...).
    """
    per_identity: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for key, person in truth.owners.items():
        identity = predicted.get(key)
        if identity is not None:
            per_identity[identity][person] += 1
    major = {identity: min(c, key=lambda p: (-c[p], p)) for identity, c in per_identity.items()}
    planted = {p for p, info in truth.people.items() if info.kind == kind}
    flagged = sorted(identity for identity, fs in flags.items() if flag in set(fs))
    true_flagged = [i for i in flagged if major.get(i) in planted]
    found = {major[i] for i in true_flagged}
    return Detection(
        flag=flag,
        kind=kind,
        planted=len(planted),
        found=len(found),
        flagged=len(flagged),
        true_flagged=len(true_flagged),
        recall=len(found) / len(planted) if planted else 1.0,
        precision=len(true_flagged) / len(flagged) if flagged else 1.0,
    )


# -- calibration ---------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationBin:
    """Identifiers whose confidence falls in ``[low, high)``, and how often they are right."""

    low: float
    high: float
    count: int
    mean_confidence: float
    accuracy: float


def calibration(
    owners: Mapping[str, str],
    predicted: Mapping[str, str],
    confidence: Mapping[str, float],
    bins: int = 10,
) -> list[CalibrationBin]:
    """How well membership confidences match how often memberships are right.

    A scored identifier's membership is *right* when its identity is the one that
    holds most of its true person's identifiers, and that identity's identifiers
    mostly belong to that person: it sits with its own person, in that person's main
    identity (a stray cookie left alone in an identity of its own is wrong). Only
    identifiers that are in ``owners``, ``predicted`` and ``confidence`` are counted;
    empty bins are left out.
    """
    scored = [k for k in owners if k in predicted and k in confidence]
    by_identity: dict[str, Counter[str]] = defaultdict(Counter)
    by_person: dict[str, Counter[str]] = defaultdict(Counter)
    for k in scored:
        by_identity[predicted[k]][owners[k]] += 1
        by_person[owners[k]][predicted[k]] += 1
    major = {pid: c.most_common(1)[0][0] for pid, c in by_identity.items()}
    main = {person: min(c, key=lambda p: (-c[p], p)) for person, c in by_person.items()}
    totals: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for k in scored:
        c = min(max(float(confidence[k]), 0.0), 1.0)
        b = min(bins - 1, int(c * bins))
        person, pid = owners[k], predicted[k]
        right = major[pid] == person and main[person] == pid
        totals[b][0] += 1
        totals[b][1] += c
        totals[b][2] += 1.0 if right else 0.0
    return [
        CalibrationBin(
            low=b / bins,
            high=(b + 1) / bins,
            count=int(n),
            mean_confidence=s / n,
            accuracy=ok / n,
        )
        for b, (n, s, ok) in sorted(totals.items())
    ]


@dataclass(frozen=True)
class Call:
    """One simulated call: resolve ``key`` (at ``at``, RFC 3339; None: now), expecting
    the identity of ``person``."""

    key: str
    person: str
    at: str | None = None


@dataclass(frozen=True)
class Calls:
    """How the calls resolved.

    Attributes:
        calls: calls made.
        right: answered ``matched`` with the identity holding most of the expected
            person's identifiers.
        shared: answered ``shared`` (the agent cannot say who is calling).
        wrong: matched, or in conflict with, another identity.
        other: anything else (``unclustered``, ``unknown``, or a person with no
            identity at all).
    """

    calls: int
    right: int
    shared: int
    wrong: int
    other: int

    @property
    def share(self) -> float:
        """``right / calls``; 1.0 with no calls."""
        return self.right / self.calls if self.calls else 1.0


def person_identities(truth: Truth, predicted: Mapping[str, str]) -> dict[str, str]:
    """Person -> the predicted identity holding most of their owned identifiers (ties:
    the smallest label)."""
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for key, person in truth.owners.items():
        label = predicted.get(key)
        if label is not None:
            counts[person][label] += 1
    return {person: min(c, key=lambda label: (-c[label], label)) for person, c in counts.items()}


def own_phone_calls(truth: Truth) -> list[Call]:
    """A call from every phone owned by one customer (``kind`` person), at now."""
    return [
        Call(key, person)
        for key, person in sorted(truth.owners.items())
        if key.startswith("phone:") and truth.people.get(person, _PERSON).kind == "person"
    ]


def handover_calls(truth: Truth) -> list[Call]:
    """Per tenure of every handed-over identifier, a call at the tenure's middle."""
    calls: list[Call] = []
    for key, tenures in sorted(truth.handovers.items()):
        for t in tenures:
            first = datetime.fromisoformat(t.first)
            middle = first + (datetime.fromisoformat(t.last) - first) / 2
            calls.append(Call(key, t.person, middle.strftime("%Y-%m-%dT%H:%M:%SZ")))
    return calls


def call_outcomes(
    calls: Iterable[Call],
    answers: Iterable[tuple[str, str | None]],
    identities: Mapping[str, str],
) -> Calls:
    """Score resolve answers, ``(status, identity id)`` in the order of ``calls``.

    Args:
        calls: the calls made.
        answers: what resolve said to each.
        identities: person -> their identity (:func:`person_identities`).
    """
    made = right = shared = wrong = 0
    for call, (status, identity) in zip(calls, answers, strict=True):
        made += 1
        expected = identities.get(call.person)
        if status == "matched" and expected is not None and identity == expected:
            right += 1
        elif status == "shared":
            shared += 1
        elif status in ("matched", "conflict"):
            wrong += 1
    return Calls(made, right, shared, wrong, made - right - shared - wrong)
