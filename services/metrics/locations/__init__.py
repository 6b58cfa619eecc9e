"""Locations as metrics knows them: folded from readiness' events (name, region, program)."""
