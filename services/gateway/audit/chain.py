"""The keyed hash chain, pure: each entry carries an HMAC of its own content and its predecessor's.

Changing, removing, inserting or reordering any entry breaks the chain at that entry,
so tampering is detectable by anyone holding the log and the key. The hash is an
HMAC-SHA256 under the gateway's audit key, so publish rights on NATS alone cannot
write an entry that verifies: a forged or garbled message is *rejected* (reported,
and skipped: it never wedges the chain), and the genuine entries around it still
link. The MAC covers the entry's JSON exactly as stored (canonical form), never a
re-serialised model, so a library upgrade cannot make an intact log look broken.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64
KEPT_REJECTIONS = 20  # a verifier remembers the first few rejected messages, and counts the rest


@dataclass(frozen=True, slots=True)
class Head:
    """The last entry of a chain: its index (1..N), its hash and its stream sequence."""

    index: int = 0
    hash: str = GENESIS
    sequence: int = 0


@dataclass(frozen=True, slots=True)
class Break:
    """Where and why a chain of genuine entries stops linking."""

    index: object
    sequence: int
    reason: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """A message on a chain's subject that is not a genuine entry of that chain (forged, garbled or replayed)."""

    sequence: int
    reason: str


def canonical(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(data: Mapping[str, Any], key: bytes) -> str:
    """HMAC-SHA256 under `key` of the entry without its own `hash` field."""
    return hmac.new(key, canonical({k: v for k, v in data.items() if k != "hash"}), hashlib.sha256).hexdigest()


def link(head: Head, fields: Mapping[str, Any], key: bytes) -> dict[str, Any]:
    """The next entry after `head`: its fields plus index, the previous hash and its own keyed hash."""
    data = {**fields, "index": head.index + 1, "prev_hash": head.hash}
    data["hash"] = digest(data, key)
    return data


def forgery(data: Any, key: bytes, *, org: str | None = None, recorder: str | None = None) -> str | None:
    """Why `data` is not a genuine entry of the chain its subject names (`org`, `recorder`), or None."""
    if not isinstance(data, dict) or not isinstance(data.get("index"), int) or "prev_hash" not in data:
        return "not an audit entry (unparsable, or index or prev_hash missing)"
    if not isinstance(data.get("hash"), str) or not hmac.compare_digest(data["hash"], digest(data, key)):
        return "hash does not verify under the audit key (forged or altered)"
    if org is not None and data.get("org") != org:
        return f"entry names org {data.get('org')!r} but was published on org {org!r}'s subject"
    if recorder is not None and data.get("recorder") != recorder:
        return f"entry names recorder {data.get('recorder')!r} but was published under recorder {recorder!r}"
    return None


@dataclass
class ChainVerifier:
    """Checks one chain message by message (constant memory, so a seven-year log streams through)."""

    key: bytes
    org: str | None = None
    recorder: str | None = None
    previous: Mapping[str, Any] | None = None
    first_index: int | None = None
    count: int = 0
    broken: Break | None = None
    rejected: list[Rejected] = field(default_factory=list)
    rejected_count: int = 0

    def feed(self, sequence: int, data: Any) -> Break | None:
        """Check the next message; the first break found is kept and returned."""
        if self.broken is not None:
            return self.broken
        reason = forgery(data, self.key, org=self.org, recorder=self.recorder)
        if reason is None and self.previous is not None and data["index"] <= self.previous["index"]:
            reason = f"a copy of entry {data['index']} replayed after entry {self.previous['index']}"
        if reason is not None:
            self.rejected_count += 1
            if len(self.rejected) < KEPT_REJECTIONS:
                self.rejected.append(Rejected(sequence, reason))
            return None
        self.broken = self._link(sequence, data)
        if self.broken is None:
            self.previous, self.count = data, self.count + 1
            self.first_index = self.first_index or data["index"]
        return self.broken

    def _link(self, sequence: int, data: dict[str, Any]) -> Break | None:
        index, previous = data["index"], self.previous
        if previous is None:
            # A first entry past 1 means older ones expired under the retention policy: it anchors the chain.
            if index == 1 and data["prev_hash"] != GENESIS:
                return Break(index, sequence, "entry 1 does not start from the genesis hash")
            return None
        if index != previous["index"] + 1:
            gap = f"entry {index} follows entry {previous['index']} (entries missing or inserted)"
            return Break(index, sequence, gap)
        if data["prev_hash"] != previous["hash"]:
            return Break(index, sequence, "prev_hash is not the previous entry's hash (chain forked)")
        return None


def verify(entries: list[tuple[int, Any]], key: bytes) -> ChainVerifier:
    """Every `(stream sequence, entry)` pair checked: the verifier holds the break and the rejections."""
    verifier = ChainVerifier(key)
    for sequence, data in entries:
        if verifier.feed(sequence, data):
            break
    return verifier
