"""Live updates for frontends: the caller's org's domain events as Server-Sent Events."""
