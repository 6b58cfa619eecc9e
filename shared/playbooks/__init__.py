"""Playbook templates as data: vendor rollout playbooks validated by pydantic and loaded from YAML.

`get_template("softsmile-dso")` returns a frozen `PlaybookTemplate`; a new vendor is a YAML file
in the built-in `templates/` folder or in `PlaybookSettings.templates_dir`.
"""

from shared.playbooks.base import FieldError
from shared.playbooks.conditions import Condition, Conditional, Operator, check_condition
from shared.playbooks.gates import Benchmark, Gate, MetricCheck
from shared.playbooks.loader import (
    BUILTIN_DIR,
    PlaybookLoadError,
    PlaybookSettings,
    UnknownPlaybook,
    available_templates,
    builtin_templates,
    get_template,
    load_directory,
    load_template,
)
from shared.playbooks.metrics import BaselineMetric, Metrics, RoiTarget
from shared.playbooks.pilot import PilotSelection
from shared.playbooks.requirements import TechRequirement
from shared.playbooks.rollout import Phase, WaveRule
from shared.playbooks.rubric import FACTOR_KEYS, REMEDIATION, Factor, Readiness, RubricRow, Threshold
from shared.playbooks.schema import PlaybookTemplate
from shared.playbooks.vocabulary import KPIS, LOCATION_FACTS, FactSpec

__all__ = [
    "BUILTIN_DIR",
    "FACTOR_KEYS",
    "KPIS",
    "LOCATION_FACTS",
    "REMEDIATION",
    "BaselineMetric",
    "Benchmark",
    "Condition",
    "Conditional",
    "FactSpec",
    "Factor",
    "FieldError",
    "Gate",
    "MetricCheck",
    "Metrics",
    "Operator",
    "Phase",
    "PilotSelection",
    "PlaybookLoadError",
    "PlaybookSettings",
    "PlaybookTemplate",
    "Readiness",
    "RoiTarget",
    "RubricRow",
    "TechRequirement",
    "Threshold",
    "UnknownPlaybook",
    "WaveRule",
    "available_templates",
    "builtin_templates",
    "check_condition",
    "get_template",
    "load_directory",
    "load_template",
]
