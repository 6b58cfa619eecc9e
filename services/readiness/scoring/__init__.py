"""Readiness scoring: the rubric, composite and wave, the live scoring with its reasons, technical requirements."""
