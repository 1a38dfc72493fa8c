"""Dependencies: what the running app holds (store, normaliser, settings, clustering job)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from graph.identity.scheduler import ClusterJob
from graph.model.identifiers import Normaliser
from graph.settings import Settings
from graph.store.gateway import GraphStore

__all__ = ["ClusterJobDep", "NormaliserDep", "RepoDep", "SettingsDep"]


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


async def get_cluster_job(request: Request) -> ClusterJob | None:
    job: ClusterJob | None = request.app.state.cluster_job
    return job


RepoDep = Annotated[GraphStore, Depends(get_repo)]
NormaliserDep = Annotated[Normaliser, Depends(get_normaliser)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
ClusterJobDep = Annotated[ClusterJob | None, Depends(get_cluster_job)]
