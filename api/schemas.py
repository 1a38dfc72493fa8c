"""The models and types several routers share: the error body, the answers for an
identity that moved (merged: 308) or is gone (retired: 410), and date-times sent as
text. Each router's own request and response models live beside its routes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field

__all__ = [
    "AwareDateTimeText",
    "DateTimeText",
    "ErrorResponse",
    "MergedIdentityResponse",
    "RetiredIdentityResponse",
]

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _date_time_text(v: object) -> object:
    """Refuse numbers, which pydantic would read as Unix times: the contract says an
    ISO 8601 / RFC 3339 string, and ``0.5`` is more likely a mistake than 1970."""
    if isinstance(v, int | float) or (isinstance(v, str) and _NUMBER.fullmatch(v.strip())):
        raise ValueError("must be an ISO 8601 date-time such as 2026-03-01T10:15:00Z, not a number")
    return v


DateTimeText = Annotated[datetime, BeforeValidator(_date_time_text)]
"""A date-time sent as ISO 8601 text (no zone: UTC where the route says so)."""
AwareDateTimeText = Annotated[AwareDatetime, BeforeValidator(_date_time_text)]
"""A date-time sent as RFC 3339 text, with its offset."""


class ErrorResponse(BaseModel):
    error: str
    detail: str
    location: str | None = None


class MergedIdentityResponse(BaseModel):
    """The id was merged into another identity: ``Location`` gives its profile."""

    identity_id: str
    status: Literal["merged"] = "merged"
    merged_into: str = Field(description="where it lives on: the end of the chain of merges")
    chain: list[str] = Field(description="every id from this one to merged_into, both included")


class RetiredIdentityResponse(ErrorResponse):
    """The identity no longer exists: all its identifiers became shared."""

    identity_id: str
    status: Literal["retired"] = "retired"
    retired_at: datetime | None
