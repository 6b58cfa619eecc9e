"""Benchmarks of the event store and projections against raw nats-py baselines (`python -m bench.run`)."""
