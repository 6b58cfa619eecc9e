"""Waves settings: `WAVES_PORT`, `WAVES_DATABASE_URL` (else `DATABASE_URL`), extra templates, the shared ones."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field

from shared.config import ServiceSettings, own, own_database


class WavesSettings(ServiceSettings):
    """The waves service's settings; a third vendor's template is a file in `playbook_templates_dir`."""

    service: str = "waves"
    port: int = Field(8002, validation_alias=own("waves", "port"))
    database_url: str | None = Field(None, validation_alias=own_database("waves"))
    # The same variable as shared.playbooks.PlaybookSettings, so one setting serves every service.
    playbook_templates_dir: Path | None = Field(
        None, validation_alias=AliasChoices("DSO_PLAYBOOKS_TEMPLATES_DIR", "playbook_templates_dir")
    )
