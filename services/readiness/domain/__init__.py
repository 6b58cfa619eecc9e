"""The readiness aggregates, pure: a location (facts and scores) and a programme's pilot set."""
