"""The one place where domain errors become HTTP answers.

Every error answer has the same body: ``{"error", "detail", "location"}`` (422s add
``errors``), unknown routes and wrong methods included.

The access errors of the tree are raised by ``api.auth``: :class:`NotAuthenticated`
(401, with ``WWW-Authenticate: Bearer``) and :class:`NotAllowed` (403). Their messages
never contain a key.

Driver errors are translated inside the store; the two ``neo4j`` handlers at the end
are a safety net for what does not go through it (the GDS client's calls).
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired
from starlette.exceptions import HTTPException

from graph.errors import (
    ConfigurationError,
    DatabaseError,
    DatabaseUnavailable,
    IdgraphError,
    InputError,
    MergeChainBroken,
    NotAllowed,
    NotAuthenticated,
    NotFound,
)

log = logging.getLogger("idgraph.api")

_STATUS: list[tuple[type[IdgraphError], int]] = [
    (InputError, 422),
    (NotFound, 404),
    (MergeChainBroken, 409),  # before DatabaseError: inconsistent data, not an outage
    (DatabaseUnavailable, 503),
    (DatabaseError, 503),
    (ConfigurationError, 500),
]


def _body(error: str, detail: str, location: str | None = None) -> dict[str, str | None]:
    return {"error": error, "detail": detail, "location": location}


def install_error_handlers(app: FastAPI) -> None:
    """Map the error tree to status codes; the database's faults are 503, never 500."""

    @app.exception_handler(IdgraphError)
    async def _domain(_: Request, exc: IdgraphError) -> JSONResponse:
        status = next((code for cls, code in _STATUS if isinstance(exc, cls)), 500)
        location = exc.location if isinstance(exc, InputError) else None
        return JSONResponse(
            status_code=status, content=_body(type(exc).__name__, str(exc), location)
        )

    @app.exception_handler(NotAuthenticated)
    async def _not_authenticated(_: Request, exc: NotAuthenticated) -> JSONResponse:
        return JSONResponse(
            status_code=401,
            content=_body("NotAuthenticated", str(exc)),
            headers={"WWW-Authenticate": "Bearer"},
        )

    @app.exception_handler(NotAllowed)
    async def _not_allowed(_: Request, exc: NotAllowed) -> JSONResponse:
        return JSONResponse(status_code=403, content=_body("NotAllowed", str(exc)))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Pydantic's messages, with locations, and never the input values.
        errors = [
            {"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"location": "", "message": "invalid request"}
        return JSONResponse(
            status_code=422,
            content={
                "error": "InvalidRequest",
                "detail": f"{first['location']}: {first['message']}",
                "location": first["location"],
                "errors": errors[:20],
            },
        )

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        # FastAPI answers 400 "error parsing the body" when the body is not text (not
        # UTF-8) or nests too deep to decode; like any other invalid JSON, it is a 422.
        cause = exc.__cause__
        if exc.status_code == 400 and isinstance(cause, UnicodeDecodeError | RecursionError):
            why = "not UTF-8 text" if isinstance(cause, UnicodeDecodeError) else "nested too deep"
            invalid = RequestValidationError(
                [{"type": "json_invalid", "loc": ("body",), "msg": f"JSON decode error: {why}"}]
            )
            return await _validation(request, invalid)
        # Unknown routes (404), wrong methods (405) and the like: the project's format.
        name = "".join(w.capitalize() for w in HTTPStatus(exc.status_code).phrase.split())
        return JSONResponse(
            status_code=exc.status_code,
            content=_body(name, str(exc.detail)),
            headers=exc.headers,
        )

    @app.exception_handler(ServiceUnavailable)
    @app.exception_handler(SessionExpired)
    async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
        log.warning("Neo4j unavailable: %s", type(exc).__name__)
        return JSONResponse(
            status_code=503, content=_body("DatabaseUnavailable", "Neo4j is not reachable")
        )

    @app.exception_handler(Neo4jError)
    async def _neo4j(_: Request, exc: Neo4jError) -> JSONResponse:
        # The code only: messages may quote parameters, which are personal data.
        log.error("Neo4j error %s", exc.code)
        return JSONResponse(
            status_code=503, content=_body("DatabaseError", f"Neo4j error {exc.code}")
        )
