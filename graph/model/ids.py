"""Public identity ids: their shape, how one is derived, and how far merges are followed.

An identity id is ``id_`` and 20 lowercase hexadecimal characters, derived from the
identifier an identity was first anchored at (:func:`identity_id_for`), so that no
personal data shows in it and the same anchor always gives the same id. Clustering,
ingest's incremental attachments and every reader that checks an id given by a caller
share these definitions; a merged id is followed to the identity it lives on as for at
most :data:`MAX_MERGE_HOPS` merges. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import re

__all__ = [
    "IDENTITY_ID_PATTERN",
    "MAX_MERGE_HOPS",
    "identity_id_for",
    "is_identity_id",
]

#: Public identity ids: ``id_`` and 20 lowercase hexadecimal characters.
IDENTITY_ID_PATTERN = r"^id_[0-9a-f]{20}$"
_IDENTITY_ID = re.compile(r"id_[0-9a-f]{20}")

#: How many merges a chain may have before it is treated as broken.
MAX_MERGE_HOPS = 64


def identity_id_for(anchor: str) -> str:
    """The public id of an identity first anchored at ``anchor`` (no personal data in clear)."""
    return "id_" + hashlib.sha256(anchor.encode("utf-8")).hexdigest()[:20]


def is_identity_id(value: str) -> bool:
    """Whether ``value`` has the form of a public identity id."""
    return _IDENTITY_ID.fullmatch(value) is not None
