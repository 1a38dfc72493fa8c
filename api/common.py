"""What several routes share: error documentation, the identity id path parameter, and
the answer for an id that moved (merged: 308) or is gone (retired: 410)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Path, Request
from fastapi.responses import JSONResponse

from api.schemas import ErrorResponse, MergedIdentityResponse, RetiredIdentityResponse
from graph.identity.profiles import MergedIdentity, RetiredIdentity
from graph.model.ids import IDENTITY_ID_PATTERN

__all__ = ["ERROR_RESPONSES", "IDENTITY_RESPONSES", "IdentityIdPath", "moved"]

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorResponse, "description": "invalid input (what and where)"},
    503: {"model": ErrorResponse, "description": "Neo4j is unavailable"},
}

IDENTITY_RESPONSES: dict[int | str, dict[str, Any]] = {
    308: {
        "model": MergedIdentityResponse,
        "description": (
            "the id was merged into another identity: `Location` is the same request for "
            "the identity at the end of the chain of merges"
        ),
        "headers": {
            "Location": {
                "description": "`/v1/identities/{merged_into}...`",
                "schema": {"type": "string"},
            }
        },
    },
    404: {"model": ErrorResponse, "description": "no identity has this id"},
    409: {
        "model": ErrorResponse,
        "description": "the id's merge history leads nowhere (inconsistent data)",
    },
    410: {
        "model": RetiredIdentityResponse,
        "description": "the identity is retired: all its identifiers became shared",
    },
    **ERROR_RESPONSES,
}

IdentityIdPath = Annotated[
    str,
    Path(
        pattern=IDENTITY_ID_PATTERN,
        description="a public identity id: `id_` and 20 lowercase hexadecimal characters",
        examples=["id_0123456789abcdef0123"],
    ),
]


def moved(
    found: MergedIdentity | RetiredIdentity, request: Request, tail: str = ""
) -> JSONResponse:
    """308 to the same request on the identity a merged id lives on as; 410 if retired.

    ``tail``: what follows the id in the path (``influenced``...); the query string is
    kept.
    """
    if isinstance(found, MergedIdentity):
        body = MergedIdentityResponse(
            identity_id=found.identity_id, merged_into=found.merged_into, chain=found.chain
        )
        location = f"/v1/identities/{quote(found.merged_into, safe='')}"
        if tail:
            location += f"/{tail}"
        if request.url.query:
            location += "?" + request.url.query
        return JSONResponse(
            status_code=308, content=body.model_dump(mode="json"), headers={"Location": location}
        )
    retired = RetiredIdentityResponse(
        error="IdentityRetired",
        detail="this identity is retired: all its identifiers became shared",
        identity_id=found.identity_id,
        retired_at=found.retired_at,
    )
    return JSONResponse(status_code=410, content=retired.model_dump(mode="json"))
