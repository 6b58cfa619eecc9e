"""The adapter of each webhook source: a new source is a module and one line here."""

from __future__ import annotations

from services.metrics.intake.adapters import generic, open_dental
from services.metrics.intake.adapters.base import Adapter

ADAPTERS: dict[str, Adapter] = {
    "open_dental": open_dental.parse,
    "dentrix": generic.parse,
    "eaglesoft": generic.parse,
    "itero": generic.parse,
    "trios": generic.parse,
    "medit": generic.parse,
    "generic": generic.parse,
}
