"""The static half of the analysts' read-only gate: is this query text a read?

Every query, named or ad hoc, goes through :func:`check_read_only_text` before it runs:
with comments and string literals removed, it must be one statement, starting with
``MATCH``, ``OPTIONAL MATCH``, ``WITH``, ``UNWIND``, ``RETURN`` or ``CALL``; no
``LOAD CSV``, no ``CALL { } IN TRANSACTIONS``, no ``USE``, no write clause, and
procedure calls only to the read-only schema procedures of :data:`READ_PROCEDURES` (so
admin commands, ``SHOW``, schema commands and ``db.createLabel`` are out). The other
half, ``EXPLAIN`` and a read-only transaction, is :mod:`graph.analyst.runner`'s. Pure:
the text is only read, never run.
"""

from __future__ import annotations

import re

from graph.errors import QueryRefused

__all__ = [
    "READ_PROCEDURES",
    "check_read_only_text",
]

#: The procedures an ad-hoc query may call: read-only schema and index look-ups.
READ_PROCEDURES = frozenset(
    {
        "db.labels",
        "db.relationshiptypes",
        "db.propertykeys",
        "db.schema.visualization",
        "db.schema.nodetypeproperties",
        "db.schema.reltypeproperties",
        "db.index.fulltext.querynodes",
        "db.index.fulltext.queryrelationships",
        "db.index.vector.querynodes",
        "db.info",
        "db.ping",
    }
)

_FIRST_CLAUSES = ("MATCH", "OPTIONAL", "WITH", "UNWIND", "RETURN", "CALL")


def _scrub(text: str) -> str:
    """The query without comments, with string literals emptied and quoted names
    replaced by a placeholder, so keywords are found only where they are keywords."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        elif c in "'\"":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append("''")
            i = j + 1
        elif c == "`":
            end = text.find("`", i + 1)
            out.append(" _quoted_ ")
            i = n if end < 0 else end + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


_LOAD_CSV = re.compile(r"\bLOAD\s+CSV\b", re.IGNORECASE)
_IN_TRANSACTIONS = re.compile(r"\bIN\s+(?:\S+\s+)?(?:CONCURRENT\s+)?TRANSACTIONS\b", re.I)
_USE = re.compile(r"(?:^|[\s{(])USE\s", re.IGNORECASE)
_PROCEDURE = re.compile(r"\bCALL\s+([A-Za-z_][\w]*(?:\s*\.\s*[A-Za-z_]\w*)*)", re.IGNORECASE)
# Write clauses, not property keys (n.set) or map keys ({create: 1}).
_WRITE_WORDS = re.compile(
    r"(?<![.\w$])(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|FOREACH)\b(?!\s*:)", re.I
)


def check_read_only_text(text: str) -> None:
    """The static half of the read-only gate (the other half is ``EXPLAIN``).

    Raises:
        QueryRefused: the text is empty, several statements, not a read query, or
            uses LOAD CSV, CALL { } IN TRANSACTIONS, USE, or a procedure that is not
            one of :data:`READ_PROCEDURES`.
    """
    scrubbed = _scrub(text).strip()
    if scrubbed.endswith(";"):
        scrubbed = scrubbed[:-1].rstrip()
    if not scrubbed:
        raise QueryRefused("the query is empty", "query")
    if ";" in scrubbed:
        raise QueryRefused("one statement at a time: the query has several", "query")
    first = scrubbed.split(None, 1)[0].upper()
    first = re.split(r"[^A-Z]", first, maxsplit=1)[0]
    if first not in _FIRST_CLAUSES:
        word = first if first.isalpha() and len(first) <= 20 else "something else"
        raise QueryRefused(
            f"only read queries may run: they start with MATCH, OPTIONAL MATCH, WITH, "
            f"UNWIND, RETURN or CALL, not {word} (no writes, schema or admin commands)",
            "query",
        )
    if _LOAD_CSV.search(scrubbed):
        raise QueryRefused("LOAD CSV is not allowed", "query")
    if _IN_TRANSACTIONS.search(scrubbed):
        raise QueryRefused("CALL { } IN TRANSACTIONS is not allowed", "query")
    if _USE.search(scrubbed):
        raise QueryRefused("the USE clause is not allowed: queries run on the graph", "query")
    for match in _PROCEDURE.finditer(scrubbed):
        procedure = re.sub(r"\s+", "", match.group(1)).lower()
        if procedure not in READ_PROCEDURES:
            raise QueryRefused(
                "only read-only schema procedures may be called (db.labels, "
                "db.relationshipTypes, db.propertyKeys, db.schema.*, db.index.*.query*)",
                "query",
            )
    write = _WRITE_WORDS.search(scrubbed)
    if write is not None:
        raise QueryRefused(
            f"the query writes ({write.group(1).upper()}): only read-only queries may run",
            "query",
        )
