"""`rollout audit verify`: walk every chain from the stream and report the first broken entry of each."""

from __future__ import annotations

from dataclasses import dataclass, field

from nats.aio.client import Client

from services.gateway.audit.chain import Break, ChainVerifier
from services.gateway.audit.trail import read_entries


@dataclass
class ChainReport:
    """One chain (an org's entries from one recorder): how much verified, and where it broke."""

    org: str
    recorder: str
    verifier: ChainVerifier = field(default_factory=ChainVerifier)

    @property
    def broken(self) -> Break | None:
        return self.verifier.broken

    def summary(self) -> str:
        name = f"{self.org}/{self.recorder}"
        verified = self.verifier
        if verified.broken:
            where = verified.broken
            return (
                f"{name}: BROKEN at entry {where.index} (stream sequence {where.sequence}): {where.reason}; "
                f"{verified.count} entries before it verified"
            )
        if verified.count == 0:
            return f"{name}: empty"
        first = verified.first_index or 1
        span = f"entries {first}..{first + verified.count - 1}"
        expired = f" (entries before {first} expired under retention)" if first != 1 else ""
        return f"{name}: intact, {verified.count} {span}{expired}"


async def verify_trails(nc: Client, *, org: str | None = None) -> list[ChainReport]:
    """Every chain of `org` (or of every org), verified from the stored entries."""
    reports: dict[tuple[str, str], ChainReport] = {}
    async for subject, sequence, data in read_entries(nc, org=org):
        _, chain_org, _, _, recorder, _ = subject.split(".", 5)
        report = reports.setdefault((chain_org, recorder), ChainReport(chain_org, recorder))
        report.verifier.feed(sequence, data)
    return sorted(reports.values(), key=lambda r: (r.org, r.recorder))


async def verify_at(nats_url: str, *, org: str | None = None) -> list[ChainReport]:
    """Connect to NATS at `nats_url` and verify (the CLI's entry point)."""
    from shared.runtime import connect_nats

    nc = await connect_nats(nats_url, name="dso-audit-verify", attempts=8)
    try:
        return await verify_trails(nc, org=org)
    finally:
        await nc.close()
