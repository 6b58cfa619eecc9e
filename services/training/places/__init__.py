"""Locations and programs as training knows them: folded from readiness' and waves' events."""
