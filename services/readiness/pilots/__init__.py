"""Pilot selection, pure: propose 2-3 pilots from a programme's locations by its template's
`pilot_selection` data, give a reason per pick and per rule, and say what blocks a valid set.
"""

from services.readiness.pilots.model import COUNT_RULE, Candidate, Pick, Proposal, RuleResult
from services.readiness.pilots.search import judge_set, propose

__all__ = ["COUNT_RULE", "Candidate", "Pick", "Proposal", "RuleResult", "judge_set", "propose"]
