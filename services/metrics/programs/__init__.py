"""Programs as metrics knows them: folded from waves' events (effective playbooks, go-live dates)."""
