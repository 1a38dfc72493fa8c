"""Score a clustering against the ground truth of a simulated world (no database).

The ground truth (:class:`Truth`, read from ``truth.json`` by :func:`load_truth`)
says which person owns each identifier. :func:`bcubed` scores any clustering of
identifiers against it; :func:`over_merged` counts the clusters that fuse distinct
people; :func:`evaluate` puts idgraph's clustering next to the naive baseline (plain
connected components over the same links), because the baseline is what a graph
with households, shop kiosks and staff addresses does without any care.

``truth.json``, version 2 (all person ids are ``p`` + six digits)::

    {"version": 2,
     "owners": {"email:jean@example.fr": "p000001", ...},
     "shared": {"device:tab-...": ["p000001", "p000002"], ...},
     "shared_kinds": {"device:tab-...": "household", ...},
     "people": {"p000001": {"kind": "person", "household": "h0001", "ring": null}, ...},
     "households": {"h0001": ["p000001", "p000002"], ...},
     "rings": {"r001": ["p000100", ...], ...},
     "bots": ["p000200", ...],
     "referrals": [["p000001", "p000005", "2026-03-04T10:00:00Z"], ...]}

``owners`` holds the identifiers used by exactly one person; ``shared`` those used by
several (sorted person ids), and ``shared_kinds`` why: ``household`` (family tablet,
home landline), ``kiosk`` (shop device), ``staff`` (address typed by agents) or
``ring`` (devices, phones and cards pooled by a fraud ring). ``kind`` is ``person``,
``synthetic`` (a fake identity of a fraud ring) or ``bot``. A referral is
``[referrer, referee, timestamp of the referral event]``.

Version 1 is the older flat object ``{"type:value": "person id"}``: owners only.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import networkx as nx

from graph.errors import InputError

__all__ = [
    "Detection",
    "MethodReport",
    "PersonInfo",
    "Referral",
    "Report",
    "Scores",
    "Truth",
    "CalibrationBin",
    "bcubed",
    "calibration",
    "connected_components",
    "detection",
    "evaluate",
    "format_report",
    "load_truth",
    "over_merged",
    "predictions",
]

TRUTH_VERSION = 2
_PERSON_KINDS = frozenset({"person", "synthetic", "bot"})


class Referral(NamedTuple):
    """One referral: ``referrer`` brought ``referee`` in, at ``timestamp`` (RFC 3339)."""

    referrer: str
    referee: str
    timestamp: str


@dataclass(frozen=True)
class PersonInfo:
    """What the truth knows about one person.

    Attributes:
        kind: ``person``, ``synthetic`` (a fake identity of a fraud ring) or ``bot``.
        household: the household id, for people who share a home.
        ring: the fraud ring id, for synthetic identities.
    """

    kind: str = "person"
    household: str | None = None
    ring: str | None = None


@dataclass(frozen=True)
class Truth:
    """The ground truth of a world; see the module docstring for its JSON form.

    Attributes:
        owners: ``type:normalised value`` -> person id, for identifiers used by
            exactly one person: the only ones a clustering can be scored on.
        shared: identifiers used by several people -> their sorted person ids.
        shared_kinds: shared identifier -> why it is shared (household, kiosk,
            staff, ring).
        people: person id -> :class:`PersonInfo` (empty in version 1).
        households: household id -> members.
        rings: fraud ring id -> its synthetic identities.
        bots: person ids of the bots.
        referrals: who referred whom, and when.
        version: 2, or 1 when read from the old flat format.
    """

    owners: Mapping[str, str]
    shared: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    shared_kinds: Mapping[str, str] = field(default_factory=dict)
    people: Mapping[str, PersonInfo] = field(default_factory=dict)
    households: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    bots: tuple[str, ...] = ()
    referrals: tuple[Referral, ...] = ()
    version: int = TRUTH_VERSION

    def as_dict(self) -> dict[str, Any]:
        """The version 2 JSON object (always version 2, even when read from version 1)."""
        return {
            "version": TRUTH_VERSION,
            "owners": dict(self.owners),
            "shared": {key: list(people) for key, people in self.shared.items()},
            "shared_kinds": dict(self.shared_kinds),
            "people": {pid: asdict(info) for pid, info in self.people.items()},
            "households": {h: list(members) for h, members in self.households.items()},
            "rings": {r: list(members) for r, members in self.rings.items()},
            "bots": list(self.bots),
            "referrals": [list(r) for r in self.referrals],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Truth:
        """Read a version 2 object, or a version 1 flat ``{key: person}`` object.

        Raises:
            InputError: the object is neither (the message names the field, no values).
        """
        if "version" not in data:
            if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
                raise InputError(
                    "truth: a version 1 truth maps identifier keys to person ids (strings)",
                    location="truth",
                )
            return cls(owners=dict(data), version=1)
        if data["version"] != TRUTH_VERSION:
            raise InputError(
                f"truth: unsupported version (this reads 1 and {TRUTH_VERSION})",
                location="version",
            )
        return cls(
            owners=_str_map(data.get("owners", {}), "owners"),
            shared={
                key: tuple(_str_list(people, f"shared.{n}"))
                for n, (key, people) in enumerate(_mapping(data.get("shared", {}), "shared"))
            },
            shared_kinds=_str_map(data.get("shared_kinds", {}), "shared_kinds"),
            people={
                pid: _person_info(info, f"people.{n}")
                for n, (pid, info) in enumerate(_mapping(data.get("people", {}), "people"))
            },
            households={
                h: tuple(_str_list(members, f"households.{n}"))
                for n, (h, members) in enumerate(_mapping(data.get("households", {}), "households"))
            },
            rings={
                r: tuple(_str_list(members, f"rings.{n}"))
                for n, (r, members) in enumerate(_mapping(data.get("rings", {}), "rings"))
            },
            bots=tuple(_str_list(data.get("bots", []), "bots")),
            referrals=tuple(
                _referral(item, f"referrals[{n}]")
                for n, item in enumerate(_list(data.get("referrals", []), "referrals"))
            ),
        )


def _bad(location: str, what: str) -> InputError:
    return InputError(f"truth: {location} must be {what}", location=location)


def _mapping(obj: object, location: str) -> list[tuple[str, Any]]:
    if not isinstance(obj, Mapping) or not all(isinstance(k, str) for k in obj):
        raise _bad(location, "an object")
    return list(obj.items())


def _list(obj: object, location: str) -> list[Any]:
    if not isinstance(obj, list):
        raise _bad(location, "a list")
    return obj


def _str_map(obj: object, location: str) -> dict[str, str]:
    items = _mapping(obj, location)
    if not all(isinstance(v, str) for _, v in items):
        raise _bad(location, "an object of strings")
    return dict(items)


def _str_list(obj: object, location: str) -> list[str]:
    items = _list(obj, location)
    if not all(isinstance(v, str) for v in items):
        raise _bad(location, "a list of strings")
    return items


def _optional_str(obj: object, location: str) -> str | None:
    if obj is not None and not isinstance(obj, str):
        raise _bad(location, "a string or null")
    return obj


def _person_info(obj: object, location: str) -> PersonInfo:
    if not isinstance(obj, Mapping):
        raise _bad(location, "an object")
    kind = obj.get("kind", "person")
    if kind not in _PERSON_KINDS:
        raise _bad(f"{location}.kind", "person, synthetic or bot")
    return PersonInfo(
        kind=kind,
        household=_optional_str(obj.get("household"), f"{location}.household"),
        ring=_optional_str(obj.get("ring"), f"{location}.ring"),
    )


def _referral(obj: object, location: str) -> Referral:
    items = _str_list(obj, location)
    if len(items) != 3:
        raise _bad(location, "[referrer, referee, timestamp]")
    return Referral(*items)


def load_truth(path: Path) -> Truth:
    """Read ``truth.json`` (version 2, or the version 1 flat object).

    Raises:
        InputError: not JSON, or not a truth object.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise InputError(f"{path.name}: not JSON ({e.msg})", location=f"line {e.lineno}") from e
    if not isinstance(data, dict):
        raise InputError(f"{path.name}: the truth must be a JSON object", location="truth")
    return Truth.from_dict(data)


# -- scores ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    """B-cubed scores, and how many identifiers they are computed over."""

    precision: float
    recall: float
    f1: float
    identifiers: int


def _cluster_of(key: str, predicted: Mapping[str, str]) -> tuple[bool, str]:
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
        pairs[(_cluster_of(key, predicted), person)] += 1
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


# -- report ---------------------------------------------------------------------


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
    rings_fused: int = 0
    shared_kept: float = 1.0


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
    clusters = len({_cluster_of(key, predicted) for key in owners})
    merged = over_merged(owners, predicted)
    people_in: defaultdict[str, set[str]] = defaultdict(set)
    for key, person in owners.items():
        label = predicted.get(key)
        if label is not None:
            people_in[label].add(person)
    synthetic = {p for p, info in truth.people.items() if info.ring is not None}
    return MethodReport(
        name=name,
        precision=scores.precision,
        recall=scores.recall,
        f1=scores.f1,
        over_merged=merged,
        clusters=clusters,
        over_merged_share=merged / clusters if clusters else 0.0,
        mixed=sum(1 for people in people_in.values() if len(people) > 1),
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
