"""How identifiers become identities: the decisions of a clustering run, without I/O.

The pipeline (``graph.identity.clustering``) reads the graph, asks the back end (GDS or
networkx) for the connected components of the *trusted* link graph, and hands the
rest to the pure functions here:

1. **Hubs are not glue.** An identifier that ties more *people* than one plausibly
   shares is a hub: a shop kiosk, a staff address, a fraud ring's shared phone. People
   are counted by the identifiers that name them: the distinct anchors (accounts),
   e-mails and phones it is linked to, per type (:attr:`ClusterParams.max_per_person`:
   more than 4 e-mails, 3 phones or 3 accounts), never its cards, devices or cookies:
   an account with 30 cards is one person with card churn, an e-mail seen with 8
   devices over the years is one person. *Anchors* (:attr:`ClusterParams.anchor_types`,
   ``account`` by default: a type that names one account in a source system) are
   never hubs and never shared: on the real P2P data 30% of the accounts held more
   than 4 cards or 6 devices and vanished as hubs when cards and devices counted.
   Hubs, and identifiers of non-identifying types (``ip``), take no part in
   components; they are *shared* and linked to every identity that uses them.
2. **Weighted links.** A link's weight grows with how often the two identifiers were
   seen together (saturating: ``1 - exp(-count / 2)``), times the strength of both
   types (an e-mail says more about a person than a cookie). Age alone never weakens
   a link: a card a customer added years ago and never contradicted is still theirs
   (``half_life_days`` can bring back a decay, relative to the newest link). Links
   below ``min_link_weight`` do not glue.
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

from graph.identity.ties import Seen, Tie, TieDecision, TieParams, decide_tie
from graph.model.ids import identity_id_for

__all__ = [
    "CONFIDENCE_EPSILON",
    "DEFAULT_ANCHOR_TYPES",
    "DEFAULT_MAX_PER_PERSON",
    "DEFAULT_TYPE_STRENGTH",
    "PERSONAL_TYPES",
    "Change",
    "ClusterParams",
    "Split",
    "IdAssignment",
    "assign_ids",
    "cohesion",
    "is_hub",
    "membership_confidence",
    "settle_component",
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

#: How many distinct identifiers of a type that names a person one identifier
#: plausibly ties; an identifier linked to more of them is a hub. Only types that name
#: people count: cards, devices and cookies churn (on the P2P data accounts hold up to
#: dozens of cards and devices; on simulated worlds kiosks and staff addresses are
#: found by the e-mails and phones they tie, rings' phones by their e-mails).
DEFAULT_MAX_PER_PERSON: dict[str, int] = {
    "email": 4,
    "phone": 3,
    "account": 3,
}

#: The identifier types that, by default, name one account in a source system.
DEFAULT_ANCHOR_TYPES = frozenset({"account"})


@dataclass(frozen=True)
class ClusterParams:
    """Parameters of a clustering run; see the module documentation for their role."""

    type_strength: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TYPE_STRENGTH))
    """Per type, in [0, 1]; types not listed (custom ones) count ``default_strength``."""
    default_strength: float = 0.8
    max_per_person: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_MAX_PER_PERSON))
    """Per neighbour type: more distinct neighbours of that type make a hub. Types not
    listed do not count (an anchor type not listed counts as ``account``)."""
    anchor_types: frozenset[str] = DEFAULT_ANCHOR_TYPES
    """Types naming one account or person in a source system: never hubs, never shared,
    and, in a split, what an e-mail is (a person's name). Declared by
    ``IDGRAPH_ANCHOR_TYPES``."""
    min_link_weight: float = 0.1
    """Links lighter than this do not join identifiers (a single cookie-to-cookie sighting
    weighs 0.6 * 0.6 * 0.39 = 0.14, a cookie seen once on a device 0.19)."""
    half_life_days: float | None = None
    """If set, a link's weight halves for every this many days since it was last seen.
    Off by default: age alone never dissolves a link. On the P2P data a half-life of a
    year left 16,442 account-card links (every one last seen more than about 20 months
    before the newest link) joining nothing, and on a simulated world of long-standing
    customers it cost 0.09 of B-cubed recall; time settles conflicts instead
    (handovers, :mod:`graph.identity.handover`)."""
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
    ties: TieParams = field(default_factory=TieParams)
    """How a pooled identifier tying several names is judged (handover, one person,
    glue): :mod:`graph.identity.ties`."""
    one_person_weight: float = 1.0
    """The link set between e-mails judged one person's: as heavy as two e-mails seen
    together often, so that no split separates them."""

    def strength(self, kind: str) -> float:
        return float(self.type_strength.get(kind, self.default_strength))

    def hub_limits(self) -> dict[str, int]:
        """Per neighbour type, the most distinct neighbours a non-hub has (anchor types
        not in :attr:`max_per_person` take the ``account`` limit)."""
        limits = dict(self.max_per_person)
        for kind in sorted(self.anchor_types):
            limits.setdefault(kind, self.max_per_person.get("account", 3))
        return limits


def is_hub(fanout: Mapping[str, int], params: ClusterParams, kind: str | None = None) -> bool:
    """True when an identifier ties more people than one plausibly shares.

    Args:
        fanout: neighbour type -> how many distinct neighbours of that type.
        params: clustering parameters (``max_per_person``, ``anchor_types``).
        kind: the identifier's own type; an anchor is never a hub.
    """
    if kind is not None and kind in params.anchor_types:
        return False
    limits = params.hub_limits()
    return any(n > limits[k] for k, n in fanout.items() if k in limits)


Edge = tuple[str, str, float]


@dataclass
class Split:
    """What :func:`settle_component` decided about one component."""

    parts: list[set[str]]
    """The parts (one when the component stays whole)."""
    boundary: set[str]
    """Nodes shared between parts."""
    ties: list[TieDecision] = field(default_factory=list)
    """The decisions about pooled identifiers that tie several names (with times)."""
    retired: set[tuple[str, str]] = field(default_factory=set)
    """Links ``(a, b)``, ``a < b``, of earlier owners of a handed-over identifier: no
    longer evidence about its owner now."""


def split_component(
    types: Mapping[str, str], edges: Sequence[Edge], params: ClusterParams
) -> tuple[list[set[str]], set[str]]:
    """Split one component into people, when it holds several (without link times).

    Args:
        types: node id -> identifier type, for every node of the component.
        edges: ``(a, b, weight)`` links inside the component.
        params: clustering parameters.

    Returns:
        The parts (one when the component stays whole), and the boundary nodes that
        are shared between parts.
    """
    split = settle_component(types, edges, params)
    return split.parts, split.boundary


def settle_component(
    types: Mapping[str, str],
    edges: Sequence[Edge],
    params: ClusterParams,
    seen: Mapping[tuple[str, str], Seen] | None = None,
    local_parts: Mapping[str, str] | None = None,
) -> Split:
    """Split one component into people, settling first what pooled identifiers are.

    With link times (``seen``), each device, phone or card that ties several e-mails or
    accounts is judged by :func:`graph.identity.ties.decide_tie` before the split: a
    handed-over one loses its earlier owners' links (they no longer say whose it is), one
    that ties one person's e-mails ties them firmly (a link of weight
    ``one_person_weight`` between them), glue stays to be cut as before.

    Args:
        types: node id -> identifier type, for every node of the component.
        edges: ``(a, b, weight)`` links inside the component.
        params: clustering parameters.
        seen: ``(a, b)`` with ``a < b`` -> the link's sightings; None: no time rules.
        local_parts: e-mail node -> its local part (name tokens); others absent.
    """
    # An anchor names a person the way an account does: the rules below read it so.
    types = {n: ("account" if t in params.anchor_types else t) for n, t in types.items()}
    nodes = set(types)
    personal = [n for n in nodes if types[n] in PERSONAL_TYPES]
    if len(personal) < 2 or len(nodes) < 3:
        return Split([nodes], set())
    g: nx.Graph[str] = nx.Graph()
    g.add_nodes_from(sorted(nodes))
    for a, b, w in sorted(edges):
        if g.has_edge(a, b):
            g[a][b]["weight"] += w
        else:
            g.add_edge(a, b, weight=w)
    ties: list[TieDecision] = []
    retired: set[tuple[str, str]] = set()
    if seen is not None:
        ties, retired = _settle_ties(g, types, seen, local_parts or {}, params)
    parts, boundary = _split(g, nodes, types, params)
    return Split(parts, boundary, ties, retired)


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _settle_ties(
    g: nx.Graph[str],
    types: Mapping[str, str],
    seen: Mapping[tuple[str, str], Seen],
    local_parts: Mapping[str, str],
    params: ClusterParams,
) -> tuple[list[TieDecision], set[tuple[str, str]]]:
    """Judge every pooled identifier that ties several names; change ``g`` accordingly."""

    def names_of(p: str) -> list[str]:
        return sorted(m for m in g[p] if types[m] in _NAME_TYPES)

    candidates = [
        p
        for p in sorted(g)
        if types[p] in _POOLABLE_TYPES
        and len(names_of(p)) >= 2
        and all(_pair(p, m) in seen for m in names_of(p))
    ]
    if not candidates:
        return [], set()
    # How many names the pooled identifiers tie together (a ring's pool: five or more).
    groups: nx.Graph[str] = nx.Graph()
    for p in candidates:
        ns = names_of(p)
        groups.add_nodes_from(ns)
        groups.add_edges_from((ns[0], m) for m in ns[1:])
    group_of = {n: len(c) for c in nx.connected_components(groups) for n in c}
    around = {n: frozenset(m for m in g[n] if types[m] in _POOLABLE_TYPES) for n in group_of}
    tie_params = params.ties
    decisions: list[TieDecision] = []
    retired: set[tuple[str, str]] = set()
    for p in candidates:
        for _ in range(2):  # a handover, then what its last owners' names are
            ns = names_of(p)
            if len(ns) < 2:
                break
            tie = Tie(
                pooled=p,
                kind=types[p],
                uses={n: seen[_pair(p, n)] for n in ns},
                name_kinds={n: types[n] for n in ns},
                around={n: around[n] - {p} for n in ns},
                around_kinds={m: types[m] for n in ns for m in around[n]},
                local_parts={n: local_parts.get(n, "") for n in ns},
                group=max(group_of[n] for n in ns),
            )
            decision = decide_tie(tie, tie_params)
            decisions.append(decision)
            if decision.verdict == "handover":
                now = decision.periods[-1]
                for m in list(g[p]):
                    s = seen.get(_pair(p, m))
                    if m in now.names:
                        continue
                    if types[m] in _NAME_TYPES or (s is not None and s.last < now.start):
                        g.remove_edge(p, m)
                        retired.add(_pair(p, m))
                continue
            if decision.verdict == "one_person":
                for a in ns:
                    for b in ns:
                        if a < b:
                            w = g[a][b]["weight"] if g.has_edge(a, b) else 0.0
                            g.add_edge(a, b, weight=max(w, params.one_person_weight))
            break
    return decisions, retired


def _split(
    g: nx.Graph[str], nodes: set[str], types: Mapping[str, str], params: ClusterParams
) -> tuple[list[set[str]], set[str]]:
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
        parts, _ = _pieces(g, set(nodes), set(), types)
        if len(parts) < 2:
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
