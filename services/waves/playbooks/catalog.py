"""The templates a program can be created from: built in, plus an optional directory of data files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from shared.errors import NotFound
from shared.playbooks import PlaybookTemplate, available_templates


class PlaybookCatalog:
    """Loaded once at start-up, so a broken template file stops the service with its name and field."""

    def __init__(self, templates: Mapping[str, PlaybookTemplate]) -> None:
        self._templates = dict(sorted(templates.items()))

    @classmethod
    def load(cls, templates_dir: Path | None = None) -> PlaybookCatalog:
        """The built-in templates and those in `templates_dir`."""
        return cls(available_templates(templates_dir=templates_dir))

    def templates(self) -> list[PlaybookTemplate]:
        """Every template, by id."""
        return list(self._templates.values())

    def get(self, playbook_id: str, *, field: str) -> PlaybookTemplate:
        """The template `playbook_id`, or 404 naming it (and `field`, the input that named it)."""
        template = self._templates.get(playbook_id)
        if template is None:
            known = ", ".join(self._templates)
            raise NotFound(f"playbook {playbook_id!r} not found; available: {known}", field=field)
        return template
