"""Read-side queries of the readiness service, always scoped to the caller's org."""
