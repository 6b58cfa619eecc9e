"""The gateway's side of the audit trail: what it records per request, its read model and query route."""
