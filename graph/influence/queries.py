"""Reading influence from the graph: the cascade below an identity (:func:`influenced`)
and who brought it in (:func:`influencers`), with the time-respecting rule of
:mod:`graph.influence.cascade`.

Ids: an unknown id raises :class:`~graph.errors.NotFound`, a malformed one
:class:`~graph.errors.InputError`; a merged or retired id is answered with
:class:`~graph.identity.profiles.MergedIdentity` or
:class:`~graph.identity.profiles.RetiredIdentity`, as the profile does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from graph.errors import InputError, NotFound
from graph.identity.profiles import MergedIdentity, RetiredIdentity, identity_status
from graph.influence.cascade import (
    DEFAULT_LIMIT,
    DEFAULT_MAX_DEPTH,
    Cascade,
    Influencers,
    Referral,
    ReferralGraph,
    referral_from_row,
)
from graph.model.ids import is_identity_id
from graph.store.gateway import GraphStore, Tx

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_MAX_DEPTH",
    "MAX_DEPTH",
    "MAX_FETCH",
    "MAX_LIMIT",
    "influenced",
    "influencers",
]

MAX_DEPTH = 50
MAX_LIMIT = 10_000

#: How many identities a cascade or influencer search reads at most; past this the
#: answer says ``truncated`` and its size is a lower bound.
MAX_FETCH = 100_000


def _check_bounds(max_depth: int, limit: int) -> None:
    if not 1 <= max_depth <= MAX_DEPTH:
        raise InputError(f"max_depth is between 1 and {MAX_DEPTH}", location="max_depth")
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit is between 1 and {MAX_LIMIT}", location="limit")


def _check_id(identity_id: str) -> None:
    if not is_identity_id(identity_id):
        raise InputError(
            "an identity id is 'id_' followed by 20 lowercase hexadecimal characters",
            location="identity_id",
        )


def _read_referrals(tx: Tx, name: str, ids: Sequence[str]) -> list[Referral]:
    return [referral_from_row(r) for r in tx.rows(name, identity_ids=list(ids))]


def _read_rounds(
    tx: Tx,
    name: str,
    identity_id: str,
    reached: Callable[[ReferralGraph], Iterable[str]],
) -> tuple[ReferralGraph, bool]:
    """Referrals read round by round with query ``name``: first those of
    ``identity_id``, then those of every identity ``reached`` names that was not read
    yet, until none is new. Reads at most :data:`MAX_FETCH` identities; the second
    value says the cap cut the reading short."""
    graph = ReferralGraph()
    read: set[str] = set()
    wanted = [identity_id]
    while wanted:
        room = MAX_FETCH - len(read)
        capped = len(wanted) > room
        wanted = wanted[:room]
        graph.add(_read_referrals(tx, name, wanted))
        read.update(wanted)
        if capped:
            return graph, True
        wanted = sorted(v for v in reached(graph) if v not in read)
    return graph, False


def _status(tx: Tx, identity_id: str) -> MergedIdentity | RetiredIdentity | None:
    """None for an active identity; where a merged one went; a retired one.

    Raises:
        NotFound: no identity has this id.
    """
    found = identity_status(tx, identity_id)
    if found is None:
        raise NotFound("no identity has this id")
    return found if isinstance(found, MergedIdentity | RetiredIdentity) else None


def influenced(
    repo: GraphStore,
    identity_id: str,
    max_depth: int = DEFAULT_MAX_DEPTH,
    limit: int = DEFAULT_LIMIT,
) -> Cascade | MergedIdentity | RetiredIdentity:
    """The time-respecting cascade below ``identity_id`` (see the module docstring).

    Reads referrals round by round in one read transaction: those made by the
    identities the cascade has reached so far, until it reaches no one new (at most
    :data:`MAX_FETCH` identities).

    Raises:
        InputError: a malformed id, or bounds out of range.
        NotFound: no identity has this id.
    """
    _check_id(identity_id)
    _check_bounds(max_depth, limit)

    def work(tx: Tx) -> Cascade | MergedIdentity | RetiredIdentity:
        moved = _status(tx, identity_id)
        if moved is not None:
            return moved
        graph, capped = _read_rounds(
            tx, "influence/referrals_out", identity_id, lambda g: g.earliest_arrivals(identity_id)
        )
        found = graph.cascade(identity_id, max_depth, limit)
        if capped:
            found = Cascade(
                found.identity_id, found.size, found.depth, found.returned, True, found.tree
            )
        return found

    return repo.read_transaction(work)


def influencers(
    repo: GraphStore,
    identity_id: str,
    max_depth: int = DEFAULT_MAX_DEPTH,
    limit: int = DEFAULT_LIMIT,
) -> Influencers | MergedIdentity | RetiredIdentity:
    """Who brought ``identity_id`` in, and who brought them in earlier, up to
    ``max_depth`` referrals (see the module docstring).

    Raises:
        InputError: a malformed id, or bounds out of range.
        NotFound: no identity has this id.
    """
    _check_id(identity_id)
    _check_bounds(max_depth, limit)

    def work(tx: Tx) -> Influencers | MergedIdentity | RetiredIdentity:
        moved = _status(tx, identity_id)
        if moved is not None:
            return moved
        # Those at the last level are read too, to tell whether the tree is cut there.
        graph, capped = _read_rounds(
            tx, "influence/referrals_in", identity_id, lambda g: g.upstream(identity_id, max_depth)
        )
        found = graph.influencers(identity_id, max_depth, limit)
        if capped:
            found = Influencers(
                found.identity_id, found.size, found.depth, found.returned, True, found.tree
            )
        return found

    return repo.read_transaction(work)
