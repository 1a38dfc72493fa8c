"""The clustering's reads and writes: named queries of ``cypher/identity/cluster/`` over a
:class:`~graph.store.gateway.GraphStore` (I/O only; the rules are in
:mod:`graph.identity.rules`)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence

from graph.store.gateway import GraphStore, Row

__all__ = [
    "all_identifier_ids",
    "all_identifier_nodes",
    "all_links",
    "changed_identifiers",
    "clear_changed",
    "export_identities",
    "identifier_nodes",
    "identities_info",
    "identity_member_ids",
    "incident_links",
    "links_by_key",
    "mark_hubs",
    "neighbours",
    "newest_link",
    "write_clustering",
    "write_link_weights",
]

_Q = "identity/cluster/"


def all_identifier_ids(store: GraphStore) -> list[str]:
    return [str(r["id"]) for r in store.stream(_Q + "all_identifier_ids")]


def all_identifier_nodes(store: GraphStore) -> list[Row]:
    """Every identifier (streamed once): ``id, type, key, hub, previous``."""
    return list(store.stream(_Q + "all_identifier_nodes"))


def all_links(store: GraphStore) -> list[Row]:
    """Every link (streamed once): ``a, b, weight, first_seen, last_seen, count``."""
    return list(store.stream(_Q + "all_links"))


def changed_identifiers(store: GraphStore) -> list[Row]:
    """Identifiers touched by ingest since the last run: ``id, last_seen`` (epoch ms) and
    ``stamp``, what :func:`clear_changed` compares."""
    return store.read(_Q + "changed_identifiers")


def clear_changed(store: GraphStore, changed: Sequence[Row], batch_size: int = 10_000) -> None:
    """Clear the flags a run read (rows of :func:`changed_identifiers`), by stamp: an
    identifier ingest touched again since keeps its flag for the next run."""
    rows = [{"id": str(r["id"]), "stamp": int(r["stamp"])} for r in changed]
    store.write_batches(_Q + "clear_changed", rows, batch_size)


def newest_link(store: GraphStore) -> int | None:
    """The newest link's last sighting, epoch ms (None: no link)."""
    rows = store.read(_Q + "newest_link")
    return int(rows[0]["newest"]) if rows and rows[0]["newest"] is not None else None


def mark_hubs(
    store: GraphStore,
    ids: Sequence[str],
    limits: Mapping[str, int],
    non_identifying: Sequence[str],
    anchors: Collection[str] = ("account",),
) -> list[str]:
    """Set ``hub`` on the given identifiers (see ``mark_hubs.cypher``); returns those
    that just became hubs. Identifiers of an ``anchors`` type never are."""
    rows = store.write_chunks(
        _Q + "mark_hubs",
        ids,
        limits=dict(limits),
        non_identifying=list(non_identifying),
        anchors=sorted(anchors),
    )
    return [str(r["id"]) for r in rows]


def write_link_weights(
    store: GraphStore,
    ids: Sequence[str],
    newest: int,
    strength: Mapping[str, float],
    default_strength: float,
    half_life_days: float | None,
) -> None:
    """Set ``weight`` on the links of the given identifiers (see ``link_weights.cypher``)."""
    store.write_chunks(
        _Q + "link_weights",
        ids,
        newest=newest,
        strength=dict(strength),
        default_strength=default_strength,
        half_life_days=half_life_days,
    )


def neighbours(
    store: GraphStore, ids: Sequence[str], min_weight: float, through_hubs: bool = False
) -> list[Row]:
    """Trusted neighbours of the given identifiers: ``id, identity_id``."""
    return store.read_chunks(
        _Q + "neighbours", ids, min_weight=min_weight, through_hubs=through_hubs
    )


def identity_member_ids(store: GraphStore, identity_ids: Sequence[str]) -> list[str]:
    rows = store.read(_Q + "identity_members", identity_ids=list(identity_ids))
    return [str(r["id"]) for r in rows]


def identifier_nodes(store: GraphStore, ids: Sequence[str]) -> list[Row]:
    """The given identifiers: ``id, type, key, hub, previous``."""
    return store.read_chunks(_Q + "identifier_nodes", ids)


def incident_links(store: GraphStore, ids: Sequence[str]) -> list[Row]:
    """Links of the given identifiers: ``a`` (given), ``b``, ``weight``, ``b_identity``,
    ``first_seen``, ``last_seen`` (epoch ms), ``count``;
    a link between two given identifiers comes once from each end."""
    return store.read_chunks(_Q + "incident_links", ids)


def identities_info(store: GraphStore, identity_ids: Sequence[str]) -> list[Row]:
    """Those of the given ids that exist or existed: ``identity_id, created, status``."""
    return store.read(_Q + "identities_info", identity_ids=list(identity_ids))


def write_clustering(
    store: GraphStore,
    run_id: str,
    identities: Sequence[Row],
    memberships: Sequence[Row],
    used_by: Sequence[Row],
    changes: Sequence[Row],
    replaced: Sequence[str],
    batch_size: int = 10_000,
) -> None:
    """Write a run's identities, memberships, shared uses and history, then record the
    run (``record_run``).

    ``replaced``: the identities the run recomputed; those it did not produce again
    (and that were not merged) are retired.
    """
    store.write_batches(_Q + "write_identities", identities, batch_size, run=run_id)
    store.write_batches(_Q + "write_memberships", memberships, batch_size)
    for start in range(0, max(len(memberships), len(replaced)), batch_size):
        store.write(
            _Q + "clear_used_by",
            ids=[str(r["id"]) for r in memberships[start : start + batch_size]],
            identity_ids=list(replaced[start : start + batch_size]),
        )
    store.write_batches(_Q + "write_used_by", used_by, batch_size)
    store.write_batches(_Q + "record_changes", changes, batch_size, run=run_id)
    for start in range(0, len(replaced), batch_size):
        store.write(
            _Q + "retire_identities",
            identity_ids=list(replaced[start : start + batch_size]),
            run=run_id,
        )
    # Last: the data version the influence rankings are cached by moves on only once
    # every write of the run is visible.
    store.write(_Q + "record_run", run=run_id)


def links_by_key(store: GraphStore) -> Iterator[tuple[str, str]]:
    """Every co-occurrence link as a pair of ``type:value`` keys (streamed)."""
    for row in store.stream(_Q + "links_by_key"):
        yield str(row["a"]), str(row["b"])


def export_identities(store: GraphStore) -> Iterator[Row]:
    """Every identifier of an identity with its confidence (streamed, ordered)."""
    yield from store.stream(_Q + "export_identities")
