"""``GET /v1/identities/{identity_id}``: the profile of an identity."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.auth import AUTH_RESPONSES, AnalystDep
from api.common import IDENTITY_RESPONSES, IdentityIdPath, moved
from api.deps import RepoDep
from graph.identity.profiles import MergedIdentity, RetiredIdentity, identity_profile

__all__ = ["IdentityProfileResponse", "router"]

router = APIRouter(tags=["identities"])

# --- models ---------------------------------------------------------------------------------


class ProfileIdentifierOut(BaseModel):
    type: str
    value: str = Field(description="normalised value")
    confidence: float | None = Field(description="how sure the membership is, in [0, 1]")
    first_seen: datetime | None
    last_seen: datetime | None
    event_count: int | None
    channels: list[str] = Field(description="channels of the events that saw it")
    shared: bool


class SharedIdentifierOut(BaseModel):
    type: str
    value: str = Field(description="normalised value")
    weight: float | None = Field(description="weight of its links into this identity")
    hub: bool = Field(description="linked to more identifiers than one person has")
    identities: int = Field(description="how many identities use it")


class HistoryEntryOut(BaseModel):
    identity_id: str
    at: datetime | None


class IdentityHistoryOut(BaseModel):
    merged_in: list[HistoryEntryOut] = Field(description="ids merged into this identity")
    split_from: list[HistoryEntryOut] = Field(description="identities it was split off")
    split_into: list[HistoryEntryOut] = Field(description="parts split off it")


class IdentityProfileResponse(BaseModel):
    """An active identity: its identifiers, the shared ones it uses, habits and history.

    Times of day are in UTC; ``usual_hours`` counts its events per hour (24 values,
    hour 0 first).
    """

    identity_id: str
    status: str = Field(description="active")
    size: int | None = Field(description="how many identifiers it has")
    cohesion: float | None = Field(description="share of its link weight that stays inside it")
    created_at: datetime | None
    updated_at: datetime | None
    first_seen: datetime | None = Field(description="first time any of its identifiers was seen")
    last_seen: datetime | None = Field(description="last time any of its identifiers was seen")
    event_count: int = Field(description="how many events saw its identifiers")
    identifiers: list[ProfileIdentifierOut]
    shared_identifiers: list[SharedIdentifierOut] = Field(
        description="shared identifiers (kiosks, family devices...) it uses"
    )
    channels: dict[str, int] = Field(description="events per channel, most frequent first")
    usual_hours: list[int] = Field(
        min_length=24, max_length=24, description="events per hour of the day, UTC"
    )
    usual_channels: list[str] = Field(description="its most frequent channels")
    history: IdentityHistoryOut


# --- routes ---------------------------------------------------------------------------------


@router.get(
    "/v1/identities/{identity_id}",
    response_model=IdentityProfileResponse,
    responses={**IDENTITY_RESPONSES, **AUTH_RESPONSES},
)
def get_identity(
    identity_id: IdentityIdPath, request: Request, repo: RepoDep, caller: AnalystDep
) -> IdentityProfileResponse | JSONResponse:
    """The profile of an identity: identifiers, shared identifiers, habits, history.

    A merged id answers ``308 Permanent Redirect`` to the identity it lives on as
    (chains of merges followed to their end), a retired one ``410 Gone``.
    Role ``analyst`` and above, who see identifier values in clear.
    """
    found = identity_profile(repo, identity_id, show=caller.show)
    if isinstance(found, MergedIdentity | RetiredIdentity):
        return moved(found, request)
    return IdentityProfileResponse.model_validate(asdict(found))
