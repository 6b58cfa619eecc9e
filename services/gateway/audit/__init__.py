"""The audit trail: every access decision at the edge, in an append-only, keyed hash chain.

`chain` is the pure part (linking and verifying entries), `trail` the JetStream writer
and reader, `verify` what `rollout audit verify` runs, `projection`/`views`/`api` the
query side. The published event is `shared.contracts.gateway.AuditRecorded`.
"""
