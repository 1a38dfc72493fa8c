"""Clustering: identifiers become identities, without gluing people together.

A run (:func:`cluster`) marks hubs and weighs links on the server (Cypher), asks a back
end for the connected components of the trusted link graph (non-hub identifiers,
links at least ``min_link_weight`` heavy), then splits components that hold several
people, keeps identity ids stable, scores confidence and writes it all back. The
decisions are documented in :mod:`graph.identity.rules`.

The components of a full run come from :class:`~graph.store.algorithms.Algorithms`,
GDS weakly connected components on the server or networkx in this process, before
anything else is read; everything after is the same code for both, so both give the
same identities. A full run then streams every identifier and every link once (the
scoring weighs every link: memberships, cohesion, shared uses).
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.identity import cluster_store
from graph.identity.rules import (
    PERSONAL_TYPES,
    ClusterParams,
    assign_ids,
    cohesion,
    membership_confidence,
    settle_component,
)
from graph.identity.ties import Seen, TieDecision
from graph.model.ids import identity_id_for
from graph.settings import get_settings
from graph.store import admin, inprocess
from graph.store.algorithms import Algorithms
from graph.store.gateway import GraphStore

__all__ = [
    "ClusterResult",
    "cluster",
]

Link = tuple[str, str, float]


@dataclass(frozen=True)
class ClusterResult:
    backend: str
    components: int
    identities: int
    largest: int
    hubs: int
    shared: int
    splits: int
    merged: int
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return {
            "backend": self.backend,
            "components": self.components,
            "identities": self.identities,
            "largest_identity": self.largest,
            "hubs": self.hubs,
            "shared_identifiers": self.shared,
            "split_components": self.splits,
            "merged_identities": self.merged,
            "seconds": round(self.seconds, 3),
        }


def cluster(
    repo: GraphStore,
    algorithms: Algorithms,
    params: ClusterParams | None = None,
    full: bool | None = None,
) -> ClusterResult:
    """Recompute identities (see :mod:`graph.identity.rules`).

    Args:
        repo: the graph.
        algorithms: computes the components of a full run (chosen once by the caller,
            :func:`~graph.store.algorithms.choose_algorithms`).
        params: clustering parameters (defaults: :class:`ClusterParams`).
        full: True: recompute the whole graph with ``algorithms``. False: only the
            region around the identifiers that ingest touched since the last run: their
            identities, and every identity their trusted links reach, grown until
            closed. The region's components are computed in this process whatever the
            back end (it is small); its cost grows with the change, not with the graph.
            None (default): incremental, unless the change touches more than half of
            the identifiers (a first run, a bulk load), then full.
    """
    params = params or ClusterParams(anchor_types=get_settings().anchor_types)
    started = time.perf_counter()
    run_id = f"run-{uuid.uuid4().hex}"
    non_identifying = sorted(k for k, v in params.type_strength.items() if v <= 0)
    changed = cluster_store.changed_identifiers(repo)
    if full is None:
        full = len(changed) * 2 > admin.counts(repo).get("identifiers", 0)
    if full:
        region = cluster_store.all_identifier_ids(repo)
        newest = cluster_store.newest_link(repo)
        cluster_store.mark_hubs(
            repo, region, params.hub_limits(), non_identifying, params.anchor_types
        )
    else:
        if not changed:
            return ClusterResult(
                algorithms.name, 0, 0, 0, 0, 0, 0, 0, time.perf_counter() - started
            )
        touched = [str(r["id"]) for r in changed]
        newest = max(int(r["last_seen"]) for r in changed)
        # New links may make a hub of a touched identifier; what it glued is recomputed.
        new_hubs = cluster_store.mark_hubs(
            repo, touched, params.hub_limits(), non_identifying, params.anchor_types
        )
        glued = cluster_store.neighbours(repo, new_hubs, 0.0, through_hubs=True) if new_hubs else []
        region = _grow_region(repo, sorted(set(touched) | {str(r["id"]) for r in glued}), params)
    if newest is not None:
        cluster_store.write_link_weights(
            repo,
            region,
            newest,
            params.type_strength,
            params.default_strength,
            params.half_life_days,
        )
    outside_identity: dict[str, str] = {}
    used: str
    if full:
        # Components first (GDS projects them on the server), then each identifier
        # and each link read once: no region-wide lookups by id, no link twice.
        component_of = algorithms.identity_components(repo, params.min_link_weight)
        used = algorithms.name
        nodes = cluster_store.all_identifier_nodes(repo)
        links, seen = _distinct(cluster_store.all_links(repo))
    else:
        nodes = cluster_store.identifier_nodes(repo, region)
        in_region = {str(n["id"]) for n in nodes}
        incident = cluster_store.incident_links(repo, region)
        links, seen = _distinct(incident)
        for r in incident:
            b = str(r["b"])
            if b not in in_region and r["b_identity"] is not None:
                outside_identity[b] = str(r["b_identity"])
        trusted = [str(n["id"]) for n in nodes if not n["hub"]]
        component_of = inprocess.connected_components(
            trusted, ((a, b) for a, b, w in links if w >= params.min_link_weight)
        )
        used = f"{algorithms.name}, incremental"

    types = {str(n["id"]): str(n["type"]) for n in nodes}
    keys = {str(n["id"]): str(n["key"]) for n in nodes}
    hubs = {str(n["id"]) for n in nodes if n["hub"]}
    members_of: dict[int, set[str]] = defaultdict(set)
    for node, comp in component_of.items():
        members_of[comp].add(node)
    inner: dict[int, list[Link]] = defaultdict(list)
    inner_seen: dict[int, dict[tuple[str, str], Seen]] = defaultdict(dict)
    for a, b, w in links:
        ca = component_of.get(a)
        if ca is not None and ca == component_of.get(b) and w >= params.min_link_weight:
            inner[ca].append((a, b, w))
            pair = (a, b) if a < b else (b, a)
            if pair in seen:
                inner_seen[ca][pair] = seen[pair]

    def personal(node: str) -> bool:
        return types[node] in PERSONAL_TYPES or types[node] in params.anchor_types

    clusters: list[set[str]] = []
    shared: set[str] = set()
    splits = 0
    ties: list[TieDecision] = []
    retired: set[tuple[str, str]] = set()
    for comp in sorted(members_of, key=lambda c: min(keys[n] for n in members_of[c])):
        members = members_of[comp]
        split = settle_component(
            {n: types[n] for n in members},
            inner[comp],
            params,
            seen=inner_seen[comp],
            local_parts={
                n: keys[n].split(":", 1)[1].rsplit("@", 1)[0]
                for n in members
                if types[n] == "email"
            },
        )
        parts, boundary = split.parts, split.boundary
        ties += split.ties
        retired |= split.retired
        if len(parts) > 1:
            splits += 1
        for part in parts:
            kept = part - boundary
            if not any(personal(n) for n in kept) and any(personal(n) for n in part):
                kept = part  # its only personal identifier is on the boundary: keep it
            shared |= part - kept
            if kept:
                clusters.append(kept)

    anchors = [min(keys[n] for n in c) for c in clusters]
    before = sorted({str(n["previous"]) for n in nodes if n["previous"] is not None})
    known = cluster_store.identities_info(
        repo, sorted(set(before) | {identity_id_for(a) for a in anchors})
    )
    created = {
        str(r["identity_id"]): int(r["created"] or 0) for r in known if r["status"] == "active"
    }
    taken = {str(r["identity_id"]) for r in known}
    # Only active identities can keep their id; a stale one counts as none.
    previous = {
        str(n["id"]): (str(n["previous"]) if n["previous"] in created else None) for n in nodes
    }
    assignment = assign_ids(clusters, previous, created, anchors, taken, run_id)
    identity_of = {n: assignment.ids[k] for k, c in enumerate(clusters) for n in c}

    # An earlier owner's links to a handed-over phone say nothing about its owner now.
    scored = [link for link in links if _key(link[0], link[1]) not in retired]
    rows = _score(nodes, scored, identity_of, outside_identity, hubs, shared, params)
    _add_ties(rows.memberships, ties, identity_of)
    changes = [
        {"kind": c.kind, "identity_id": c.identity_id, "other_id": c.other_id}
        for c in assignment.changes
    ]
    cluster_store.write_clustering(
        repo, run_id, rows.identities, rows.memberships, rows.used_by, changes, sorted(created)
    )
    cluster_store.clear_changed(repo, changed)
    return ClusterResult(
        backend=used,
        components=len(members_of),
        identities=len(clusters),
        largest=max((len(c) for c in clusters), default=0),
        hubs=len(hubs),
        shared=len(shared),
        splits=splits,
        merged=sum(1 for c in assignment.changes if c.kind == "merged"),
        seconds=time.perf_counter() - started,
    )


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _distinct(rows: Sequence[Mapping[str, Any]]) -> tuple[list[Link], dict[tuple[str, str], Seen]]:
    """Links ``(a, b, weight)`` from rows ``a, b, weight``, each pair once (the first),
    and the sightings of those that have them (``first_seen``, ``last_seen``, ``count``),
    by ``(a, b)`` with ``a < b``."""
    links: list[Link] = []
    seen: dict[tuple[str, str], Seen] = {}
    done: set[tuple[str, str]] = set()
    for r in rows:
        a, b = str(r["a"]), str(r["b"])
        pair = _key(a, b)
        if pair not in done:
            done.add(pair)
            links.append((a, b, float(r["weight"])))
            first, last = r.get("first_seen"), r.get("last_seen")
            if first is not None and last is not None:
                seen[pair] = Seen(int(first), int(last), int(r.get("count") or 1))
    return links, seen


def _add_ties(
    memberships: list[dict[str, Any]],
    ties: Sequence[TieDecision],
    identity_of: Mapping[str, str],
) -> None:
    """Add to the membership rows what the tie rules decided about pooled identifiers.

    ``owner_until``/``owner_before``: a handed-over identifier's earlier owners, oldest
    first: it was ``owner_before[k]``'s until ``owner_until[k]`` (epoch ms), the
    identity it is a member of since. ``tie_verdict``, ``tie_score``, ``tie_signals``
    and ``tie_values``: the last decision about it, the evidence resolve shows.
    """
    last = {t.pooled: t for t in ties}
    handovers = {t.pooled: t for t in ties if t.verdict == "handover"}
    for row in memberships:
        node = row["id"]
        tie = last.get(node)
        until: list[int] = []
        before: list[str] = []
        handover = handovers.get(node)
        if handover is not None and row["identity_id"] is not None:
            periods = handover.periods
            for k, period in enumerate(periods[:-1]):
                owner = identity_of.get(period.names[0])
                if owner is not None and owner != row["identity_id"]:
                    until.append(periods[k + 1].start)
                    before.append(owner)
        row["owner_until"] = until or None
        row["owner_before"] = before or None
        verdict = "handover" if handover is not None and until else (tie.verdict if tie else None)
        row["tie_verdict"] = verdict
        row["tie_score"] = tie.score if tie else None
        row["tie_signals"] = sorted(tie.signals) if tie else None
        row["tie_values"] = [float(tie.signals[k]) for k in sorted(tie.signals)] if tie else None


def _grow_region(repo: GraphStore, touched: Sequence[str], params: ClusterParams) -> list[str]:
    """The touched identifiers, their identities, and every identity their trusted links
    reach, until closed: the union of the components the change can affect."""
    region = set(touched)
    identities: set[str] = set()
    frontier = sorted(region)
    while frontier:
        found = cluster_store.neighbours(repo, frontier, params.min_link_weight)
        new_ids = {str(r["identity_id"]) for r in found if r["identity_id"] is not None}
        new_ids |= {
            str(n["previous"])
            for n in cluster_store.identifier_nodes(repo, frontier)
            if n["previous"] is not None
        }
        new_ids -= identities
        identities |= new_ids
        grown = {str(r["id"]) for r in found}
        grown |= set(cluster_store.identity_member_ids(repo, sorted(new_ids))) if new_ids else set()
        frontier = sorted(grown - region)
        region |= grown
    return sorted(region)


@dataclass
class _Rows:
    identities: list[dict[str, Any]]
    memberships: list[dict[str, Any]]
    used_by: list[dict[str, Any]]


def _score(
    nodes: Sequence[Mapping[str, Any]],
    links: Sequence[Link],
    identity_of: Mapping[str, str],
    outside_identity: Mapping[str, str],
    hubs: set[str],
    shared: set[str],
    params: ClusterParams,
) -> _Rows:
    """Confidence of each membership, cohesion of each identity, uses of shared identifiers."""
    inside: dict[str, float] = defaultdict(float)
    outside: dict[str, float] = defaultdict(float)
    internal: dict[str, float] = defaultdict(float)
    boundary: dict[str, float] = defaultdict(float)
    uses: dict[tuple[str, str], float] = defaultdict(float)
    hub_weight: dict[str, float] = defaultdict(float)
    in_region = {str(n["id"]) for n in nodes}

    def identity(node: str) -> str | None:
        return identity_of.get(node) if node in in_region else outside_identity.get(node)

    for a, b, w in links:
        pa, pb = identity(a), identity(b)
        for node, mine, theirs, other in ((a, pa, pb, b), (b, pb, pa, a)):
            if mine is None:
                if theirs is not None and (node in in_region or other in in_region):
                    uses[(node, theirs)] += w  # a hub or shared identifier used by `theirs`
                continue
            if node not in in_region:
                continue  # an identity this run does not recompute
            if other in hubs or (other not in in_region and theirs is None):
                hub_weight[node] += w  # a kiosk says nothing about whose e-mail this is
                continue
            if theirs == mine:
                inside[node] += w
            else:
                outside[node] += w
                boundary[mine] += w
        if pa is not None and pa == pb and a in in_region:
            internal[pa] += w
    size: dict[str, int] = defaultdict(int)
    for ident in identity_of.values():
        size[ident] += 1
    memberships = []
    for n in nodes:
        node = str(n["id"])
        pid = identity_of.get(node)
        memberships.append(
            {
                "id": node,
                "identity_id": pid,
                "confidence": (
                    round(
                        membership_confidence(
                            inside[node], outside[node], params, hub_weight=hub_weight[node]
                        ),
                        4,
                    )
                    if pid is not None
                    else None
                ),
                "shared": node in shared or node in hubs,
            }
        )
    identities = [
        {
            "identity_id": pid,
            "size": n,
            "cohesion": round(cohesion(internal[pid], boundary[pid]), 4),
        }
        for pid, n in sorted(size.items())
    ]
    used_by = [
        {"id": node, "identity_id": pid, "weight": round(w, 4)}
        for (node, pid), w in sorted(uses.items())
        if w > 0
    ]
    return _Rows(identities, memberships, used_by)
