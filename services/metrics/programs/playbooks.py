"""The default playbook of a location in no program; programs' playbooks come from `shared.playbooks.effective`."""

from __future__ import annotations

from shared.playbooks import PlaybookTemplate, get_template

DEFAULT_PLAYBOOK = "softsmile-dso"  # a location in no program is measured against the default template


def default_playbook() -> PlaybookTemplate:
    return get_template(DEFAULT_PLAYBOOK)
