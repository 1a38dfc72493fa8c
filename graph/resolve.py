"""Who is this? Identifiers in, the identity they belong to out.

The resolver normalises what the caller sends exactly as ingest does, looks the
identifiers up, and answers with one of four statuses:

- ``matched``: the known identifiers point at one identity;
- ``conflict``: they point at several identities (every candidate is listed);
- ``unclustered``: they are known but clustering has not placed them yet;
- ``unknown``: none of them has ever been seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from graph.errors import InvalidIdentifier
from graph.identifiers import Normaliser
from graph.repository import GraphRepository

__all__ = ["IdentityResolver", "Resolution"]

Status = Literal["matched", "conflict", "unclustered", "unknown"]


@dataclass
class Resolution:
    """The answer to one resolve request."""

    status: Status
    identity_id: str | None
    candidates: list[str]
    matched: list[dict[str, Any]]
    unknown: list[dict[str, Any]]
    invalid: list[dict[str, Any]]
    identifiers: list[dict[str, Any]] = field(default_factory=list)


class IdentityResolver:
    """Resolves identifiers to identities against the graph."""

    def __init__(self, repo: GraphRepository, normaliser: Normaliser) -> None:
        self.repo = repo
        self.normaliser = normaliser

    def resolve(self, items: list[tuple[str, str]]) -> Resolution:
        """Resolve ``(type, raw value)`` pairs.

        Invalid identifiers are reported (by position and reason) and do not stop
        the others from being resolved.
        """
        wanted: list[dict[str, Any]] = []
        invalid: list[dict[str, Any]] = []
        for n, (type_, raw) in enumerate(items):
            try:
                ident = self.normaliser.normalise(type_, raw)
            except InvalidIdentifier as e:
                invalid.append({"index": n, "type": type_[:40], "reason": str(e)})
                continue
            wanted.append({"index": n, "type": ident.type, "value": ident.value})
        found = {
            (r["type"], r["value"]): r
            for r in self.repo.lookup_identifiers(
                [{"type": w["type"], "value": w["value"]} for w in wanted]
            )
        }
        matched: list[dict[str, Any]] = []
        unknown: list[dict[str, Any]] = []
        for w in wanted:
            row = found.get((w["type"], w["value"]))
            if row is None:
                unknown.append(w)
            else:
                matched.append({**w, "identity_id": row["identity_id"], "blocked": row["blocked"]})
        usable = [m for m in matched if not m["blocked"]] or matched
        candidates = sorted({m["identity_id"] for m in usable if m["identity_id"]})
        if not matched:
            status: Status = "unknown"
        elif not candidates:
            status = "unclustered"
        elif len(candidates) > 1:
            status = "conflict"
        else:
            status = "matched"
        identity_id = candidates[0] if status == "matched" else None
        members = self.repo.identity_members(identity_id) if identity_id else []
        return Resolution(
            status=status,
            identity_id=identity_id,
            candidates=candidates,
            matched=matched,
            unknown=unknown,
            invalid=invalid,
            identifiers=members,
        )
