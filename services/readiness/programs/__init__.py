"""Programs as readiness knows them: folded from waves' events, their playbooks, and re-scoring on overrides."""
