"""The audit trail: every access decision at the edge, in an append-only, hash-chained log.

`chain` is the pure part (linking and verifying entries), `contract` the published
event, `trail` the JetStream writer and reader, `verify` what `rollout audit verify` runs.
"""
