"""How identifiers become identities: the decisions of a clustering run, without I/O.

The pipeline (``graph.identity.clustering``) reads the graph, asks the back end (GDS or
networkx) for the connected components of the *trusted* link graph, and hands the
rest to the pure functions here:

1. **Hubs are not glue.** An identifier linked to more distinct identifiers of one
   type than one person plausibly has (:attr:`ClusterParams.max_per_person`: say,
   more than 4 e-mails or 3 phones) is a hub: a shop kiosk, a staff address, a fraud
   ring's shared phone. Hubs, and identifiers of non-identifying types (``ip``), take
   no part in components; they are *shared* and linked to every identity that uses
   them.
2. **Weighted links.** A link's weight grows with how often the two identifiers were
   seen together (saturating: ``1 - exp(-count / 2)``), times the strength of both
   types (an e-mail says more about a person than a cookie), halved every
   ``half_life_days`` since it was last seen (relative to the newest link, so that
   re-running on old data gives the same answer). Links below ``min_link_weight`` do
   not glue.
3. **Split what components glue together.** A component holding identifiers of
   several people (a household tablet used by two people, a call-centre agent who
   typed the wrong e-mail once) is split by Louvain modularity *computed on that
   component alone*: over the whole graph, modularity cannot separate two people
   joined by one shared device (its resolution limit), within the component it can.
   A split is kept when its modularity reaches ``min_modularity`` (or the component
   breaks a per-person limit) and every part holds a personal identifier (e-mail,
   phone, account or card): a device with its cookies is not a person on its own.
   A component is split even below ``min_modularity`` when a *pooled* identifier
   (device, phone or card) is the only tie between e-mails (or accounts): cut those,
   and it falls into pieces that each hold an e-mail. Fraud rings pool a device and
   a phone among synthetic identities that have nothing else in common, small
   households a tablet and a landline; one person's e-mails are seen together.
4. **Boundary identifiers are shared.** After a split, a device, phone or card
   (the types people pool) with at least ``shared_min_share`` of its link weight to
   personal identifiers *outside its own part* is shared by the parts rather than
   given to one: a tablet that one of four members uses most is still the family's.
   Cookies and other impersonal identifiers then move to the part their other links
   point to (a cookie seen on the family tablet and with one member's e-mail is that
   member's), and one tied only to shared identifiers is shared too: nothing says
   whose it is. So is one tied only to a device its part knows from less than
   ``owner_min_weight`` of links to personal identifiers (one sighting with an
   e-mail): in a component of several people, a tablet one member logged in on once
   may carry the anonymous sessions of the others. Finally every part must hold a
   personal identifier that is not shared (a part left with the tablet, a card seen
   on it and anonymous cookies is dissolved into the parts its members are tied to),
   and a part that its own links no longer hold together, shared identifiers aside,
   is cut into its pieces (two ring members that only a pooled card joined).
5. **Stable ids** (:func:`assign_ids`): each previous identity's largest surviving
   part keeps its id; when several previous identities land in one cluster the
   oldest id survives and the others are recorded as merged into it; a part split
   off an identity gets a new id and records where it came from.
6. **Confidence**: an identifier's membership confidence estimates the probability
   that it sits in its own person's main identity (:func:`membership_confidence`): a
   logistic function of how much link evidence points inside its identity and how
   much points elsewhere, fitted on simulated worlds so that, say, identifiers at 0.9
   are right about 90% of the time. An identity's cohesion is the share of its
   members' link weight that stays inside it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx

from graph.model.ids import identity_id_for

__all__ = [
    "CONFIDENCE_EPSILON",
    "DEFAULT_MAX_PER_PERSON",
    "DEFAULT_TYPE_STRENGTH",
    "PERSONAL_TYPES",
    "Change",
    "ClusterParams",
    "IdAssignment",
    "assign_ids",
    "cohesion",
    "is_hub",
    "membership_confidence",
    "split_component",
]

#: Types that name a person on their own: a part of a component needs one to be split off.
PERSONAL_TYPES = frozenset({"email", "phone", "account", "card"})

#: Types that can be pooled by several people (a family tablet, a ring's card).
_POOLABLE_TYPES = frozenset({"device", "phone", "card"})
#: Types that name one person (what a pooled identifier ties together).
_NAME_TYPES = frozenset({"email", "account"})

#: How much a link through each type says about one person (0: never glues).
DEFAULT_TYPE_STRENGTH: dict[str, float] = {
    "email": 1.0,
    "phone": 1.0,
    "account": 1.0,
    "card": 0.8,
    "device": 0.8,
    "cookie": 0.6,
    "ip": 0.0,
}

#: How many distinct identifiers of a type one person plausibly has; an identifier
#: linked to more of them is a hub. Cookies are unlimited (they churn).
DEFAULT_MAX_PER_PERSON: dict[str, int] = {
    "email": 4,
    "phone": 3,
    "account": 3,
    "card": 4,
    "device": 6,
}


@dataclass(frozen=True)
class ClusterParams:
    """Parameters of a clustering run; see the module documentation for their role."""

    type_strength: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TYPE_STRENGTH))
    """Per type, in [0, 1]; types not listed (custom ones) count ``default_strength``."""
    default_strength: float = 0.8
    max_per_person: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_MAX_PER_PERSON))
    """Per neighbour type: more distinct neighbours of that type make a hub."""
    min_link_weight: float = 0.1
    """Links lighter than this do not join identifiers (a single cookie-to-cookie sighting
    weighs 0.6 * 0.6 * 0.39 = 0.14, a cookie seen once on a device 0.19)."""
    half_life_days: float = 365.0
    """A link's weight halves for every this many days since it was last seen."""
    min_modularity: float = 0.3
    """A component is split only if the split's modularity reaches this."""
    resolution: float = 1.0
    """Louvain resolution inside a component (higher: smaller parts)."""
    shared_min_share: float = 0.2
    """A device, phone or card with at least this share of its weight to personal
    identifiers in other parts than its own (linked to two parts or more) is shared by
    the parts. Measured against its own part, not the two heaviest sides: a tablet
    used by four people has no second side of a quarter, yet three quarters elsewhere.
    0.2 rather than a quarter: one sighting with another member's e-mail (0.3) against
    an e-mail and a card of its part (0.95) is 0.24, a second user; owned devices
    rarely come near it (on simulated worlds, 0.15 to 0.25 costs 0.0003 of F1)."""
    confidence_coefficients: tuple[float, float, float] = (5.5, 3.9, 1.35)
    """``(a, b, c)`` of :func:`membership_confidence`, fitted by ``bench/identity_eval.py``
    for the default link weights (refit when strengths or the half-life change)."""
    owner_min_weight: float = 0.4
    """After a split, an impersonal identifier (a device) needs this much link weight to
    personal identifiers of its own part for the identifiers seen only with it (its
    anonymous cookies) to stay in that part; below, they are shared. One sighting of a
    device with an e-mail weighs at most 0.31, two 0.51."""
    refine_rounds: int = 3
    """After a split, rounds of moving impersonal identifiers to the part they are most
    tied to, shared boundary identifiers aside (0: keep Louvain's parts)."""
    seed: int = 0
    """Louvain's random seed: the same graph gives the same identities."""

    def strength(self, kind: str) -> float:
        return float(self.type_strength.get(kind, self.default_strength))


def is_hub(fanout: Mapping[str, int], params: ClusterParams) -> bool:
    """True when an identifier has more neighbours of some type than one person has."""
    return any(
        n > params.max_per_person[kind]
        for kind, n in fanout.items()
        if kind in params.max_per_person
    )


Edge = tuple[str, str, float]


def split_component(
    types: Mapping[str, str], edges: Sequence[Edge], params: ClusterParams
) -> tuple[list[set[str]], set[str]]:
    """Split one component into people, when it holds several.

    Args:
        types: node id -> identifier type, for every node of the component.
        edges: ``(a, b, weight)`` links inside the component.
        params: clustering parameters.

    Returns:
        The parts (one when the component stays whole), and the boundary nodes that
        are shared between parts.
    """
    nodes = set(types)
    personal = [n for n in nodes if types[n] in PERSONAL_TYPES]
    if len(personal) < 2 or len(nodes) < 3:
        return [nodes], set()
    g: nx.Graph[str] = nx.Graph()
    g.add_nodes_from(sorted(nodes))
    for a, b, w in sorted(edges):
        if g.has_edge(a, b):
            g[a][b]["weight"] += w
        else:
            g.add_edge(a, b, weight=w)
    parts = [
        set(p)
        for p in nx.community.louvain_communities(
            g, weight="weight", resolution=params.resolution, seed=params.seed
        )
    ]
    parts = _absorb_impersonal(g, parts, types)
    if len(parts) < 2 or (
        nx.community.modularity(g, parts, weight="weight") < params.min_modularity
        and not _over_limits(types, nodes, params)
    ):
        # Too weak a split for modularity, but a pooled device or phone may still be
        # the only tie between two people (a small ring, a tablet and a landline).
        parts, glue = _pieces(g, set(nodes), set(), types)
        if not glue:
            return [nodes], set()
    return _refine(g, parts, types, params)


def _refine(
    g: nx.Graph[str], parts: list[set[str]], types: Mapping[str, str], params: ClusterParams
) -> tuple[list[set[str]], set[str]]:
    """Move each impersonal identifier to the part it is most tied to, boundary aside.

    Louvain puts a cookie seen on the family tablet and with its owner's e-mail on the
    tablet's side as often as on its owner's; once the tablet is known to be shared,
    its links say nothing about whose cookie it is, so only the other links count.
    Repeated until nothing moves (at most ``refine_rounds`` rounds): the tablet's side
    loses weight as cookies leave, which can make the tablet shared in turn. Then
    parts left without a personal identifier of their own are dissolved
    (:func:`_rehome`), parts their own links no longer hold together are cut
    (:func:`_pieces`), and an impersonal identifier tied only to shared identifiers,
    or to devices their part barely knows (``owner_min_weight``), is shared too.
    """
    boundary = _boundary(g, parts, types, params)
    for _ in range(params.refine_rounds):
        index = {n: k for k, p in enumerate(parts) for n in p}
        moves: list[tuple[str, int]] = []
        for n in sorted(g):
            if n in boundary or types[n] in PERSONAL_TYPES:
                continue
            ties: dict[int, float] = defaultdict(float)
            for m, data in g[n].items():
                if m not in boundary:
                    ties[index[m]] += float(data["weight"])
            if not ties:
                continue
            best = max(sorted(ties), key=lambda k: ties[k])
            if ties[best] > ties.get(index[n], 0.0):
                moves.append((n, best))
        if not moves:
            break
        for n, k in moves:
            parts[index[n]].discard(n)
            parts[k].add(n)
        parts = [p for p in parts if p]
        boundary = _boundary(g, parts, types, params)
    parts = _rehome(g, parts, boundary, types)
    pieces: list[set[str]] = []
    for part in parts:
        cut, glue = _pieces(g, part, boundary, types)
        pieces += cut
        boundary |= glue
    parts = pieces
    # A cookie seen only on the family tablet could be anyone's in the household; so
    # could one seen only on a device its part knows from a single sighting.
    index = {n: k for k, p in enumerate(parts) for n in p}
    weak = {
        n
        for n in g
        if types[n] not in PERSONAL_TYPES
        and sum(
            float(data["weight"])
            for m, data in g[n].items()
            if types[m] in PERSONAL_TYPES and index[m] == index[n]
        )
        < params.owner_min_weight
    }
    boundary |= {
        n
        for n in g
        if types[n] not in PERSONAL_TYPES and g[n] and all(m in boundary or m in weak for m in g[n])
    }
    return parts, boundary


def _rehome(
    g: nx.Graph[str], parts: list[set[str]], boundary: set[str], types: Mapping[str, str]
) -> list[set[str]]:
    """Dissolve the parts whose every personal identifier is shared (on the boundary).

    Such a part (a family tablet, a card seen on it and anonymous cookies) is no one's
    identity: each of its other identifiers moves to the part it is most tied to
    (boundary aside), or is shared when nothing else ties it.
    """

    def homeless(p: set[str]) -> bool:
        return not any(types[n] in PERSONAL_TYPES and n not in boundary for n in p)

    homes = [p for p in parts if not homeless(p)]
    if not homes or len(homes) == len(parts):
        return parts
    index = {n: k for k, p in enumerate(homes) for n in p}
    for part in parts:
        if not homeless(part):
            continue
        for n in sorted(part):
            ties: dict[int, float] = defaultdict(float)
            for m, data in g[n].items():
                if m in index and m not in boundary:
                    ties[index[m]] += float(data["weight"])
            if n in boundary or not ties:
                boundary.add(n)
                homes[0].add(n)
            else:
                homes[max(sorted(ties), key=lambda k: ties[k])].add(n)
    return homes


def _pieces(
    g: nx.Graph[str], part: set[str], boundary: set[str], types: Mapping[str, str]
) -> tuple[list[set[str]], set[str]]:
    """A part cut into the pieces its own links hold together, shared identifiers aside.

    Louvain keeps two ring members in one part when a pooled card ties them; once the
    card is shared, nothing joins them. Likewise a device, phone or card that is the
    only tie between two e-mails (or accounts) of the part is glue, not a person: a
    ring's pooled phone. Each piece with a personal identifier (with an e-mail or
    account, when glue was cut) is an identity, the glue is shared; the other pieces
    stay with the largest.

    Returns:
        The pieces, and the glue identifiers to share (none if the part stays whole).
    """
    own = part - boundary
    glue = {
        n
        for n in own
        if types[n] in _POOLABLE_TYPES
        and sum(1 for m in g[n] if m in own and types[m] in _NAME_TYPES) >= 2
    }
    for cut, needed in ((set(), PERSONAL_TYPES), (glue, _NAME_TYPES)):
        inner = g.subgraph(own - cut)
        pieces = sorted(
            (set(c) for c in nx.connected_components(inner)), key=lambda c: (-len(c), min(c))
        )
        personal = [c for c in pieces if any(types[n] in needed for n in c)]
        if len(personal) >= 2:
            personal[0] |= part - set().union(*personal)
            return personal, cut
    return [part], set()


def _absorb_impersonal(
    g: nx.Graph[str], parts: list[set[str]], types: Mapping[str, str]
) -> list[set[str]]:
    """Merge parts without a personal identifier into the part they are most tied to."""
    parts = sorted(parts, key=lambda p: (-len(p), min(p)))
    while True:
        lonely = [p for p in parts if not any(types[n] in PERSONAL_TYPES for n in p)]
        if not lonely or len(parts) < 2:
            return parts
        part = lonely[0]
        me = next(k for k, p in enumerate(parts) if p is part)
        index = {n: k for k, p in enumerate(parts) for n in p}
        ties: dict[int, float] = defaultdict(float)
        for n in part:
            for m, data in g[n].items():
                if index[m] != me:
                    ties[index[m]] += float(data["weight"])
        # A connected component always ties a part to another; fall back to the largest.
        best = max(sorted(ties), key=lambda k: ties[k]) if ties else (1 if me == 0 else 0)
        parts[best] |= part
        del parts[me]


def _over_limits(types: Mapping[str, str], nodes: Iterable[str], params: ClusterParams) -> bool:
    counts: dict[str, int] = defaultdict(int)
    for n in nodes:
        counts[types[n]] += 1
    return is_hub(counts, params)


def _boundary(
    g: nx.Graph[str], parts: list[set[str]], types: Mapping[str, str], params: ClusterParams
) -> set[str]:
    index = {n: k for k, p in enumerate(parts) for n in p}
    shared: set[str] = set()
    for n in g:
        if types[n] not in _POOLABLE_TYPES:
            continue
        by_part: dict[int, float] = defaultdict(float)
        personal = [m for m in g[n] if types[m] in PERSONAL_TYPES] or list(g[n])
        for m in personal:
            by_part[index[m]] += float(g[n][m]["weight"])
        total = sum(by_part.values())
        away = total - by_part.get(index[n], 0.0)
        if len(by_part) >= 2 and away >= params.shared_min_share * total:
            shared.add(n)
    return shared


#: Added to the link weights before taking logarithms (about a third of the lightest
#: link that glues): a little evidence moves the confidence, no evidence is finite.
CONFIDENCE_EPSILON = 0.05


def membership_confidence(
    inside: float, outside: float, params: ClusterParams, *, hub_weight: float | None = None
) -> float:
    """The probability that an identifier sits in its own person's main identity.

    "Right" is what :func:`graph.lab.metrics.calibration` checks: the identity holds most
    of the identifier's true person's identifiers, and mostly that person's. The
    estimate is a logistic function of the evidence, increasing with ``inside`` and
    decreasing with ``outside``::

        z = a + b * ln(inside + eps) - c * ln(outside + eps),  confidence = 1 / (1 + e^-z)

    with ``(a, b, c) = params.confidence_coefficients`` and ``eps`` =
    :data:`CONFIDENCE_EPSILON`. The defaults (5.5, 3.9, 1.35) were fitted by maximum
    likelihood (logistic regression, Newton's method) on the memberships of ten
    simulated worlds of 1,000 people (``bench/identity_eval.py --seeds 1,2``: default,
    more households, more kiosks and staff addresses, more rings and bots, clean;
    about 93,000 scored identifiers). Fitting on the five worlds of one seed and
    testing on the other five gives the same constants within 0.3 and an expected
    calibration error under 0.01 on every held-out world. Typical values: one light
    link (0.2) and nothing against, 0.98; 0.2 inside and 0.2 outside, 0.88; 0.5 and
    0.5, 0.98; only links outside, under 0.01.

    Args:
        inside: weight of its links to other members of its identity.
        outside: weight of its links to members of other identities and to shared
            (boundary) identifiers; links to hubs are left out.
        params: clustering parameters (``confidence_coefficients``).
        hub_weight: weight of its links to hubs, if known. An identifier with no link
            at all (``inside``, ``outside`` and ``hub_weight`` all 0) is certain:
            nothing else claims it, it is all its person is known by. One whose only
            links go to hubs (a cookie seen only on a shop kiosk) is a stray, and so is
            one whose ``hub_weight`` is not given: the logistic says about 0.1.
    """
    if inside <= 0 and outside <= 0 and hub_weight is not None and hub_weight <= 0:
        return 1.0
    a, b, c = params.confidence_coefficients
    z = (
        a
        + b * math.log(max(inside, 0.0) + CONFIDENCE_EPSILON)
        - c * math.log(max(outside, 0.0) + CONFIDENCE_EPSILON)
    )
    if z < -700:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def cohesion(internal: float, boundary: float) -> float:
    """Share of an identity's link weight that stays inside it (1: nothing points out)."""
    total = internal + boundary
    return 1.0 if total <= 0 else internal / total


@dataclass(frozen=True)
class Change:
    """One entry of the identity history: ``kind`` is ``merged`` or ``split``."""

    kind: str
    identity_id: str
    """The id that went away (merged) or the new part (split)."""
    other_id: str
    """Where it went (merged) or where it came from (split)."""


@dataclass
class IdAssignment:
    ids: list[str]
    """One identity id per cluster, in the order of the clusters given."""
    changes: list[Change]
    new: set[str]
    """Ids created by this run."""


def assign_ids(
    clusters: Sequence[set[str]],
    previous: Mapping[str, str | None],
    created: Mapping[str, int],
    anchors: Sequence[str],
    taken: set[str],
    run_id: str,
) -> IdAssignment:
    """Give every cluster an identity id, keeping ids stable across runs.

    Args:
        clusters: the new clusters (sets of node ids).
        previous: node id -> its identity id before this run (None: had none).
        created: identity id -> creation time (epoch ms) of the previous identities.
        anchors: per cluster, its smallest ``type:value`` (new ids derive from it).
        taken: every identity id that exists or existed (new ids avoid them).
        run_id: the run, to make a new id unique if its anchor's id is taken.
    """
    prev_size: dict[str, int] = defaultdict(int)
    for pid in previous.values():
        if pid is not None:
            prev_size[pid] += 1
    overlap: list[dict[str, int]] = []
    for c in clusters:
        counts: dict[str, int] = defaultdict(int)
        for n in c:
            pid = previous.get(n)
            if pid is not None:
                counts[pid] += 1
        overlap.append(counts)
    # Each previous identity's largest part (ties: the bigger cluster, then order).
    home: dict[str, int] = {}
    for k, counts in enumerate(overlap):
        for pid, hits in counts.items():
            best = home.get(pid)
            if best is None or (hits, len(clusters[k])) > (
                overlap[best][pid],
                len(clusters[best]),
            ):
                home[pid] = k
    claimants: dict[int, list[str]] = defaultdict(list)
    for pid, k in home.items():
        claimants[k].append(pid)
    ids: list[str] = []
    changes: list[Change] = []
    new: set[str] = set()
    used = set(taken)
    for k in range(len(clusters)):
        names = sorted(claimants.get(k, []), key=lambda p: (created.get(p, math.inf), p))
        if names:
            keep = names[0]
            ids.append(keep)
            changes += [Change("merged", other, keep) for other in names[1:]]
            continue
        ident = identity_id_for(anchors[k])
        if ident in used:
            ident = identity_id_for(f"{anchors[k]}#{run_id}")
        used.add(ident)
        new.add(ident)
        ids.append(ident)
        if overlap[k]:
            parent = max(sorted(overlap[k]), key=lambda p: overlap[k][p])
            changes.append(Change("split", ident, parent))
    return IdAssignment(ids=ids, changes=changes, new=new)
