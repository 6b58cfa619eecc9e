"""Template test data: the built-in YAML as a plain dict to copy, mutate and write to a temp dir."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from shared.playbooks import BUILTIN_DIR


@cache
def _raw(template_id: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((BUILTIN_DIR / f"{template_id}.yaml").read_text(encoding="utf-8"))
    return data


def template_data(template_id: str = "spark-dso", **changes: Any) -> dict[str, Any]:
    """A fresh deep copy of a built-in template's data, with top-level `changes` applied."""
    data = copy.deepcopy(_raw(template_id))
    data.update(changes)
    return data


def write_template(directory: Path, data: dict[str, Any], *, file_name: str | None = None) -> Path:
    """Write `data` as `<id>.yaml` (or `file_name`) into `directory` and return the path."""
    path = directory / (file_name or f"{data['id']}.yaml")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
