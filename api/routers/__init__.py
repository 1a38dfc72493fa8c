"""The API's routes, one router per feature, each with its request and response models.

Every protected route asks for its role the same way, with a typed parameter from
:mod:`api.auth` (``caller: AnalystDep``, ``_caller: AdminDep`` when the caller is not
used), and lists :data:`api.auth.AUTH_RESPONSES` in its ``responses``.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.routers import (
    cypher,
    events,
    explore,
    health,
    identities,
    influence,
    resolve,
    rings,
)

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    influence.router,
    cypher.router,
    explore.router,
    rings.router,
    health.router,
    resolve.router,
    events.router,
    identities.router,
)
"""In the order the app includes them (the order of the OpenAPI document's paths)."""
