"""Request and response bodies of the readiness API, by concept."""
