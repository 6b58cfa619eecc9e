"""Free text people type (names, regions, reasons, notes): no control or bidi-override characters.

Such text is shown in dashboards, CSV exports, logs and terminals. A NUL truncates it
in C libraries and PostgreSQL refuses it; ESC starts terminal escape sequences; C1
controls are invisible; the bidi overrides and isolates (U+202A-U+202E, U+2066-U+2069)
make "Elm St‮lanigirO" display in a different order than it is stored (Trojan Source).
One-line text allows none of them; multi-line text (reasons, notes) keeps tab and
line breaks. Every request schema and the CSV import apply the same rule.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

_BIDI = "\u202a-\u202e\u2066-\u2069"
# C0 controls, DEL and C1 controls, and the bidi embeddings, overrides and isolates.
_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_MULTI_LINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")  # keeps \t, \n, \r


def forbidden_character(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` may not be stored (naming the first offending character), or None when it may."""
    found = (_MULTI_LINE if multiline else _ONE_LINE).search(text)
    if found is None:
        return None
    char = found.group()
    name = unicodedata.name(char, "control character")
    return (f"contains U+{ord(char):04X} ({name.lower()}) at position {found.start() + 1}; "
            "control and bidi-override characters are not allowed")


def _one_line(value: str) -> str:
    problem = forbidden_character(value)
    if problem:
        raise ValueError(problem)
    return value


def _multi_line(value: str) -> str:
    problem = forbidden_character(value, multiline=True)
    if problem:
        raise ValueError(problem)
    return value


# The rule as Annotated metadata, placed after any length or strip constraint (pydantic applies
# constraints given after a validator as loose checks: a stripped " " would pass min_length=1):
#   Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), ONE_LINE]
ONE_LINE = AfterValidator(_one_line)
MULTI_LINE = AfterValidator(_multi_line)  # reasons and notes: may span lines and hold tabs
PlainText = Annotated[str, ONE_LINE]
PlainMultilineText = Annotated[str, MULTI_LINE]
