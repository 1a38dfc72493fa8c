"""Dependencies: the repository, resolver and ingestor of the running app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from graph.model.identifiers import Normaliser
from graph.settings import Settings
from graph.store.gateway import GraphStore


# Async on purpose, like api/auth.py's: a sync dependency costs a trip to the thread pool.
async def get_repo(request: Request) -> GraphStore:
    repo: GraphStore = request.app.state.repo
    return repo


async def get_normaliser(request: Request) -> Normaliser:
    normaliser: Normaliser = request.app.state.normaliser
    return normaliser


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


RepoDep = Annotated[GraphStore, Depends(get_repo)]
NormaliserDep = Annotated[Normaliser, Depends(get_normaliser)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
