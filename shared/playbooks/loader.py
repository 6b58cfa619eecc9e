"""Load playbook templates from YAML: the built-in ones shipped here, plus any extra directory.

A third vendor is a file: drop `<id>.yaml` in the directory named by `DSO_PLAYBOOKS_TEMPLATES_DIR`
(or pass `templates_dir=`). Every problem is reported as `<file>: <field.path>: <message>`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.playbooks.base import FieldError
from shared.playbooks.schema import PlaybookTemplate

BUILTIN_DIR = Path(__file__).parent / "templates"
SUFFIXES = (".yaml", ".yml")


class PlaybookSettings(BaseSettings):
    """Where extra (non built-in) templates live; services embed this in their settings."""

    model_config = SettingsConfigDict(env_prefix="DSO_PLAYBOOKS_", extra="ignore")

    templates_dir: Path | None = None


class PlaybookLoadError(Exception):
    """A template file that cannot be read or does not validate; `problems` name file and field."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = tuple(f"{path.name}: {problem}" for problem in problems)
        super().__init__("\n".join(self.problems))


class UnknownPlaybook(LookupError):
    """No template has the requested id."""

    def __init__(self, template_id: str, known: list[str]) -> None:
        self.template_id = template_id
        super().__init__(f"unknown playbook template {template_id!r}; known: {', '.join(sorted(known)) or 'none'}")


def _format_location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(error: Any) -> str:
    """`field.path: message` for one pydantic error, extended by a `FieldError`'s own path."""
    path = _format_location(error["loc"])
    message = error["msg"]
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, FieldError):
        # FieldError paths may start with an index ("[2].key") or a name ("thresholds[1].min").
        joiner = "" if not path or cause.path.startswith("[") else "."
        path, message = f"{path}{joiner}{cause.path}", cause.message
    elif message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return f"{path or '<root>'}: {message}"


def load_template(path: Path | str) -> PlaybookTemplate:
    """Read and validate one YAML template; its `id` must match the file name."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PlaybookLoadError(path, [f"<file>: cannot read: {error.strerror}"]) from error
    except yaml.YAMLError as error:
        raise PlaybookLoadError(path, [f"<yaml>: {error}"]) from error
    if not isinstance(data, dict):
        raise PlaybookLoadError(path, ["<root>: must be a mapping of template fields"])
    try:
        template = PlaybookTemplate.model_validate(data)
    except ValidationError as error:
        raise PlaybookLoadError(path, [_describe(e) for e in error.errors()]) from error
    if template.id != path.stem:
        raise PlaybookLoadError(path, [f"id: {template.id!r} must match the file name {path.stem!r}"])
    return template


def load_directory(directory: Path | str) -> dict[str, PlaybookTemplate]:
    """Load every `*.yaml`/`*.yml` template in `directory`, keyed by id."""
    directory = Path(directory)
    if not directory.is_dir():
        raise PlaybookLoadError(directory, ["<dir>: not a directory"])
    files = sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and p.is_file())
    return {template.id: template for template in map(load_template, files)}


@cache
def _builtins() -> dict[str, PlaybookTemplate]:
    return load_directory(BUILTIN_DIR)


def builtin_templates() -> dict[str, PlaybookTemplate]:
    """The templates shipped with the code (parsed once, then cached)."""
    return dict(_builtins())


def available_templates(*, templates_dir: Path | str | None = None) -> dict[str, PlaybookTemplate]:
    """Built-in templates plus those in `templates_dir`; an extra file may not shadow a built-in id."""
    templates = builtin_templates()
    if templates_dir is None:
        return templates
    for template_id, template in load_directory(templates_dir).items():
        if template_id in templates:
            path = Path(templates_dir) / f"{template_id}.yaml"
            raise PlaybookLoadError(path, [f"id: {template_id!r} is already a built-in template"])
        templates[template_id] = template
    return templates


def get_template(template_id: str, *, templates_dir: Path | str | None = None) -> PlaybookTemplate:
    """The template with `template_id`, or `UnknownPlaybook`."""
    templates = available_templates(templates_dir=templates_dir)
    try:
        return templates[template_id]
    except KeyError:
        raise UnknownPlaybook(template_id, list(templates)) from None
