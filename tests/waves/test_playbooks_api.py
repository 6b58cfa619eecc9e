"""Playbook templates through HTTP: the built-in two plus a third vendor that is only a data file."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.waves.app import create_app
from services.waves.config import WavesSettings
from shared.config import PlatformSettings
from shared.playbooks import PlaybookLoadError, get_template
from tests.conftest import bearer, serve
from tests.shared.playbooks.factories import template_data, write_template


def settings(platform: PlatformSettings, tmp_path: Path, templates: Path) -> WavesSettings:
    return WavesSettings(
        **platform.model_dump(), database_url=f"sqlite:///{tmp_path / 'waves.db'}", playbook_templates_dir=templates
    )


async def test_catalog_serves_built_in_and_directory_templates(platform, tmp_path, token, org) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    write_template(templates, template_data("spark-dso", id="acme-aligners", vendor="Acme", title="Acme playbook"))
    auth = bearer(token(org, "provider"))
    async with serve(create_app(settings(platform, tmp_path, templates))) as client:
        listed = await client.get("/api/v1/playbooks", headers=auth)
        assert listed.status_code == 200
        assert listed.json() == [
            {"id": "acme-aligners", "vendor": "Acme", "version": "1.0.0", "title": "Acme playbook"},
            {"id": "softsmile-dso", "vendor": "SoftSmile", "version": "1.0.0",
             "title": "SoftSmile — Implementation Playbook (DSO)"},
            {"id": "spark-dso", "vendor": "Spark Aligners", "version": "1.0.0",
             "title": "Spark Aligners — Implementation Playbook (DSO)"},
        ]
        for template_id in ("softsmile-dso", "spark-dso"):
            whole = await client.get(f"/api/v1/playbooks/{template_id}", headers=auth)
            assert whole.json() == get_template(template_id).model_dump(mode="json")
        unknown = await client.get("/api/v1/playbooks/acme-dso", headers=auth)
        assert unknown.status_code == 404
        assert unknown.json()["error"]["field"] == "playbook_id" and "'acme-dso'" in unknown.json()["error"]["message"]
        assert (await client.get("/api/v1/playbooks")).status_code == 401

        # The third vendor runs end to end: a program from it, with its calendar.
        leader = bearer(token(org, "executive"))
        body = {"name": "Acme pilot", "playbook": "acme-aligners", "start_date": "2025-09-01"}
        created = await client.post("/api/v1/programs", json=body, headers=leader)
        assert created.status_code == 201 and created.json()["playbook_id"] == "acme-aligners"
        detail = (await client.get(created.headers["Location"], headers=auth)).json()
        assert detail["playbook"]["vendor"] == "Acme" and detail["end_date"] == "2025-12-21"


def test_a_broken_template_file_stops_start_up_naming_file_and_field(platform, tmp_path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    write_template(templates, template_data("spark-dso", id="broken-dso", version="one"))
    with pytest.raises(PlaybookLoadError, match=r"broken-dso\.yaml: version"):
        create_app(settings(platform, tmp_path, templates))


async def test_training_materials_per_role_are_playbook_data(platform, tmp_path, token, org) -> None:
    auth = bearer(token(org, "treatment_coordinator", locations=("L1",)))
    async with serve(create_app(settings(platform, tmp_path, tmp_path))) as client:
        provider = (await client.get("/api/v1/playbooks/softsmile-dso/training/materials?role=provider",
                                     headers=auth)).json()
        [curriculum] = provider["curricula"]
        assert curriculum["role"] == "provider" and len(curriculum["objections"]) == 3
        assert curriculum["objections"][0]["response"].startswith("The AI creates a starting point")
        assert curriculum["quick_reference"]["lines"][0].startswith("LOGIN")
        assert any("FAQ" in m for m in provider["materials"])
        # Spark trains providers in its clinician track; an administrator takes only the administrators' track.
        spark = (await client.get("/api/v1/playbooks/spark-dso/training/materials?role=provider", headers=auth)).json()
        assert [c["role"] for c in spark["curricula"]] == ["clinician"]
        admin = (await client.get("/api/v1/playbooks/spark-dso/training/materials?role=administrator",
                                  headers=auth)).json()
        assert [c["role"] for c in admin["curricula"]] == ["administrator"]
        bad = await client.get("/api/v1/playbooks/spark-dso/training/materials?role=wizard", headers=auth)
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "role"
        assert (await client.get("/api/v1/playbooks/spark-dso/training/materials", headers=auth)).status_code == 422
