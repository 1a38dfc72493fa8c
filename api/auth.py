"""Who is calling: API keys in request headers, and the role each route needs.

A key is sent as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>`` (the first
wins when both are sent). The app's :class:`~graph.access.keys.KeyTable` (built from the
settings by :func:`api_keys`, in ``create_app``) says which key it is; every protected
route asks for its role the same way, with a typed parameter, and documents the
answers::

    @router.get("/v1/something", responses={**ERROR_RESPONSES, **AUTH_RESPONSES})
    def something(caller: AnalystDep) -> ...:   # _caller: AnalystDep when not used
        ...

No key, or an unknown one, is 401 with ``WWW-Authenticate: Bearer``; a key whose role
is below the one needed is 403. With no key configured at all, authentication is off
and every caller is ``admin`` (the documented local default; ``create_app`` warns
loudly when it starts that way).

Keys never reach a log or a message: only the key's name (from the configuration) and
role do.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPBearer

from api.schemas import ErrorResponse
from graph.access.keys import KeyTable, Role, load_keys, show_for
from graph.errors import NotAllowed, NotAuthenticated
from graph.model.privacy import ShowValue
from graph.settings import Settings

__all__ = [
    "AUTH_RESPONSES",
    "AdminDep",
    "AnalystDep",
    "Caller",
    "InvestigatorDep",
    "ResolverDep",
    "api_keys",
    "authenticate",
    "require_role",
]

log = logging.getLogger("idgraph.api.auth")

# Declared for OpenAPI (the "Authorize" button of /docs); the headers are read below.
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="`Authorization: Bearer <key>`",
)
_api_key = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="apiKey",
    description="`X-API-Key: <key>` (the same keys as bearer)",
)

_HOW = "send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"


@dataclass(frozen=True)
class Caller:
    """Who is calling: the role of their key and its name (never the key)."""

    role: Role
    name: str
    authenticated: bool = True
    """False when authentication is off (no key configured)."""

    @property
    def show(self) -> ShowValue:
        """How identifier values are shown to this caller."""
        return show_for(self.role)


def api_keys(settings: Settings) -> KeyTable | None:
    """The configured API keys, hashed (None: none configured, authentication off).

    Raises:
        ConfigurationError: the keys are misconfigured (the message names the variable
            or line, never a key).
    """
    env_keys = settings.api_keys.get_secret_value() if settings.api_keys is not None else None
    return load_keys(env_keys, settings.api_keys_file)


_UNAUTHENTICATED_ADMIN = Caller(role=Role.ADMIN, name="anonymous", authenticated=False)


def _presented_key(request: Request) -> str | None:
    """The key in the headers: a Bearer credential first, else ``X-API-Key``.

    Raises:
        NotAuthenticated: an ``Authorization`` header is there but is not
            ``Bearer <key>``, and no ``X-API-Key`` is sent either.
    """
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, credentials = authorization.strip().partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "bearer" and credentials:
            return credentials
    api_key = request.headers.get("x-api-key")
    if api_key is not None and api_key.strip():
        return api_key.strip()
    if authorization is not None:
        raise NotAuthenticated(f"the Authorization header is not 'Bearer <key>': {_HOW}")
    return None


# Async on purpose (no I/O here): a sync dependency costs a trip to the thread pool.
async def authenticate(
    request: Request,
    _bearer_scheme: Annotated[Any, Security(_bearer)],
    _api_key_scheme: Annotated[Any, Security(_api_key)],
) -> Caller:
    """The caller of ``request``, from its key.

    Raises:
        NotAuthenticated: no key, or a key that is not configured.
    """
    table: KeyTable | None = getattr(request.app.state, "keys", None)
    if table is None:
        return _UNAUTHENTICATED_ADMIN
    presented = _presented_key(request)
    if presented is None:
        log.info("401 %s %s: no API key", request.method, request.url.path)
        raise NotAuthenticated(f"an API key is needed: {_HOW}")
    key = table.authenticate(presented)
    if key is None:
        log.info("401 %s %s: unknown API key", request.method, request.url.path)
        raise NotAuthenticated("the API key is not valid")
    return Caller(role=key.role, name=key.name)


@cache
def require_role(role: Role | str) -> Callable[[Caller], Awaitable[Caller]]:
    """A dependency that lets through callers whose role is ``role`` or above.

    It answers the :class:`Caller`. Routes do not use it directly but through the
    typed aliases below (``ResolverDep``, ``AnalystDep``, ``InvestigatorDep``,
    ``AdminDep``), so that every route declares its role the same way.

    Raises:
        ValueError: ``role`` is not a role (a programming error, raised at import).
    """
    needed = Role(role)

    async def dependency(caller: Annotated[Caller, Depends(authenticate)]) -> Caller:
        if not caller.role.allows(needed):
            log.warning("403 key %r (role %s) needs role %s", caller.name, caller.role, needed)
            raise NotAllowed(f"this key's role ({caller.role}) may not do this: it needs {needed}")
        return caller

    dependency.__name__ = f"require_{needed.value}"
    return dependency


ResolverDep = Annotated[Caller, Depends(require_role(Role.RESOLVER))]
AnalystDep = Annotated[Caller, Depends(require_role(Role.ANALYST))]
InvestigatorDep = Annotated[Caller, Depends(require_role(Role.INVESTIGATOR))]
AdminDep = Annotated[Caller, Depends(require_role(Role.ADMIN))]

#: The answers every protected route may give, for its OpenAPI ``responses``.
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {
        "model": ErrorResponse,
        "description": "no API key, or not a valid one",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    },
    403: {"model": ErrorResponse, "description": "the key's role may not do this"},
}
