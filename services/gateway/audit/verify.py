"""`rollout audit verify`: walk every chain from the stream; report each chain's break and rejected messages."""

from __future__ import annotations

from dataclasses import dataclass

from nats.aio.client import Client

from services.gateway.audit.chain import Break, ChainVerifier
from services.gateway.audit.trail import read_entries


@dataclass
class ChainReport:
    """One chain (an org's entries from one recorder): how much verified, where it broke, what was rejected."""

    org: str
    recorder: str
    verifier: ChainVerifier

    @property
    def broken(self) -> Break | None:
        return self.verifier.broken

    @property
    def failed(self) -> bool:
        """Broken, or carrying messages that are not genuine entries: either needs an operator."""
        return self.broken is not None or self.verifier.rejected_count > 0

    def summary(self) -> str:
        name = f"{self.org}/{self.recorder}"
        verified = self.verifier
        if verified.broken:
            where = verified.broken
            text = (
                f"{name}: BROKEN at entry {where.index} (stream sequence {where.sequence}): {where.reason}; "
                f"{verified.count} entries before it verified"
            )
        elif verified.count == 0:
            text = f"{name}: no genuine entries"
        else:
            first = verified.first_index or 1
            span = f"entries {first}..{first + verified.count - 1}"
            expired = f" (entries before {first} expired under retention)" if first != 1 else ""
            text = f"{name}: intact, {verified.count} {span}{expired}"
        rejected = [f"\n  REJECTED stream sequence {r.sequence}: {r.reason}" for r in verified.rejected]
        more = verified.rejected_count - len(verified.rejected)
        return text + "".join(rejected) + (f"\n  ... and {more} more rejected" if more > 0 else "")


def chain_of(subject: str) -> tuple[str, str]:
    """(org, recorder) named by an audit subject `dso.<org>.audit.trail.<recorder>.<type>` (any shape tolerated)."""
    tokens = subject.split(".")
    org = tokens[1] if len(tokens) > 1 else "?"
    recorder = tokens[4] if len(tokens) > 4 else "?"
    return org, recorder


async def verify_trails(nc: Client, *, key: bytes, org: str | None = None) -> list[ChainReport]:
    """Every chain of `org` (or of every org), verified from the stored messages under the audit key."""
    reports: dict[tuple[str, str], ChainReport] = {}
    async for subject, sequence, data in read_entries(nc, org=org):
        chain_org, recorder = chain_of(subject)
        report = reports.get((chain_org, recorder))
        if report is None:
            verifier = ChainVerifier(key, org=chain_org, recorder=recorder)
            report = reports[(chain_org, recorder)] = ChainReport(chain_org, recorder, verifier)
        report.verifier.feed(sequence, data)
    return sorted(reports.values(), key=lambda r: (r.org, r.recorder))


async def verify_at(nats_url: str, *, key: bytes, org: str | None = None) -> list[ChainReport]:
    """Connect to NATS at `nats_url` and verify (the CLI's entry point)."""
    from shared.runtime import connect_nats

    nc = await connect_nats(nats_url, name="dso-audit-verify", attempts=8)
    try:
        return await verify_trails(nc, key=key, org=org)
    finally:
        await nc.close()
