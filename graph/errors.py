"""The one error tree of idgraph.

Every error the core raises on purpose is an ``IdgraphError``; the API maps the
tree to HTTP status codes in one place (``api.errors``) and the CLI prints the
message and exits non-zero. Messages never contain identifier values in clear:
identifiers are personal data (use :func:`mask` where a value must be hinted at).

::

    IdgraphError
    ├── ConfigurationError          bad settings or environment (exit 2)
    ├── DatabaseError               Neo4j problems
    │   ├── DatabaseUnavailable     cannot connect / authenticate
    │   ├── LocalDatabaseError      the project-managed Neo4j failed (carries log tail)
    │   └── ResetRefused            a destructive action was not confirmed
    ├── InputError                  bad user input (HTTP 422)
    │   ├── InvalidIdentifier       one identifier does not validate
    │   └── InvalidEvent            one event does not validate
    └── NotFound                    an entity does not exist (HTTP 404)
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "DatabaseError",
    "DatabaseUnavailable",
    "IdgraphError",
    "InputError",
    "InvalidEvent",
    "InvalidIdentifier",
    "LocalDatabaseError",
    "NotFound",
    "ResetRefused",
    "mask",
]


class IdgraphError(Exception):
    """Root of every error idgraph raises on purpose."""


class ConfigurationError(IdgraphError):
    """Settings or the environment are wrong (missing Java, bad port...)."""


class DatabaseError(IdgraphError):
    """Something is wrong with the Neo4j database."""


class DatabaseUnavailable(DatabaseError):
    """Neo4j cannot be reached or refuses our credentials."""


class LocalDatabaseError(DatabaseError):
    """The project-managed local Neo4j could not be installed, started or stopped.

    Attributes:
        log_tail: the last lines of the server's logs, to show the user why.
    """

    def __init__(self, message: str, log_tail: str = "") -> None:
        super().__init__(message)
        self.log_tail = log_tail

    def __str__(self) -> str:
        base = super().__str__()
        if self.log_tail:
            return f"{base}\n--- last lines of the Neo4j log ---\n{self.log_tail}"
        return base


class ResetRefused(DatabaseError):
    """A destructive action was asked for without confirmation."""


class InputError(IdgraphError):
    """Input from a user or a file is wrong.

    Attributes:
        location: where the problem is (a JSON path such as ``identifiers[1].value``,
            or ``line 12``), never the offending value itself.
    """

    def __init__(self, message: str, location: str = "") -> None:
        super().__init__(message)
        self.location = location


class InvalidIdentifier(InputError):
    """One identifier does not pass its type's validation."""


class InvalidEvent(InputError):
    """One event does not follow the event format."""


class NotFound(IdgraphError):
    """The requested entity does not exist."""


def mask(value: str) -> str:
    """Hint at a personal value without revealing it: first and last character only.

    >>> mask("jean.dupont@example.fr")
    'j…r (22 chars)'
    """
    if len(value) < 8:  # too short to hint at without giving much of it away
        return f"… ({len(value)} chars)"
    return f"{value[0]}…{value[-1]} ({len(value)} chars)"
