"""Playbook template routes: read-only, for every authenticated caller (templates are not org data)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from services.waves.playbooks.catalog import PlaybookCatalog
from shared.contracts.training import StaffRole
from shared.playbooks import PlaybookTemplate
from shared.playbooks.training import Curriculum

router = APIRouter(prefix="/api/v1/playbooks", tags=["playbooks"])


async def catalog(request: Request) -> PlaybookCatalog:
    """The catalog loaded by `create_app`."""
    return request.app.state.catalog


CatalogDep = Annotated[PlaybookCatalog, Depends(catalog)]


class PlaybookSummary(BaseModel):
    id: str
    vendor: str
    version: str
    title: str


@router.get("", response_model=list[PlaybookSummary])
def list_playbooks(catalog: CatalogDep) -> list[PlaybookSummary]:
    """Every available template: built in and from the templates directory."""
    return [PlaybookSummary(id=t.id, vendor=t.vendor, version=t.version, title=t.title) for t in catalog.templates()]


@router.get("/{playbook_id}", response_model=PlaybookTemplate)
def get_playbook(playbook_id: str, catalog: CatalogDep) -> PlaybookTemplate:
    """One template, whole."""
    return catalog.get(playbook_id, field="playbook_id")


class RoleMaterials(BaseModel):
    """What trainers hand a role: the curricula that train it, with objections and responses and job aids."""

    playbook_id: str
    role: str
    curricula: list[Curriculum]
    materials: list[str]


@router.get("/{playbook_id}/training/materials", response_model=RoleMaterials)
def training_materials(playbook_id: str, catalog: CatalogDep,
                       role: Annotated[StaffRole, Query(description="a roster role, e.g. provider")]) -> RoleMaterials:
    """The role's curricula (outline, objections with the responses to use, quick reference) and the job aids."""
    training = catalog.get(playbook_id, field="playbook_id").training
    curricula = [c for c in training.curricula if c.trains(role)]
    return RoleMaterials(playbook_id=playbook_id, role=role, curricula=curricula, materials=list(training.materials))
