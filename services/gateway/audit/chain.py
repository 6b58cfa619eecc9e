"""Hash chaining, pure: each entry carries the SHA-256 of its own content and its predecessor's hash.

Changing, removing, inserting or reordering any entry breaks the chain at that entry,
so tampering is detectable by anyone holding the log, without trusting who stored it.
The hash covers the entry's JSON exactly as stored (canonical form), never a
re-serialised model, so a library upgrade cannot make an intact log look broken.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class Head:
    """The last entry of a chain: its index (1..N), its hash and its stream sequence."""

    index: int = 0
    hash: str = GENESIS
    sequence: int = 0


@dataclass(frozen=True, slots=True)
class Break:
    """Where and why a chain stops verifying."""

    index: object
    sequence: int
    reason: str


def canonical(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(data: Mapping[str, Any]) -> str:
    """SHA-256 of the entry without its own `hash` field."""
    return hashlib.sha256(canonical({k: v for k, v in data.items() if k != "hash"})).hexdigest()


def link(head: Head, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The next entry after `head`: its fields plus index, the previous hash and its own hash."""
    data = {**fields, "index": head.index + 1, "prev_hash": head.hash}
    data["hash"] = digest(data)
    return data


class ChainVerifier:
    """Checks one chain entry by entry (constant memory, so a seven-year log streams through)."""

    def __init__(self) -> None:
        self.previous: Mapping[str, Any] | None = None
        self.first_index: int | None = None
        self.count = 0
        self.broken: Break | None = None

    def feed(self, sequence: int, data: Any) -> Break | None:
        """Check the next entry; the first break found is kept and returned."""
        if self.broken is None:
            self.broken = self._check(sequence, data)
            if self.broken is None:
                self.previous, self.count = data, self.count + 1
                self.first_index = self.first_index or data["index"]
        return self.broken

    def _check(self, sequence: int, data: Any) -> Break | None:
        if not isinstance(data, dict) or not isinstance(data.get("index"), int) or "prev_hash" not in data:
            return Break(None, sequence, "not an audit entry (index or prev_hash missing)")
        index = data["index"]
        if data.get("hash") != digest(data):
            return Break(index, sequence, "hash does not match the entry's content (entry altered)")
        previous = self.previous
        if previous is None:
            # A first entry past 1 means older ones expired under the retention policy: it anchors the chain.
            if index == 1 and data["prev_hash"] != GENESIS:
                return Break(index, sequence, "entry 1 does not start from the genesis hash")
            return None
        if index != previous["index"] + 1:
            gap = f"entry {index} follows entry {previous['index']} (entries missing or inserted)"
            return Break(index, sequence, gap)
        if data["prev_hash"] != previous["hash"]:
            return Break(index, sequence, "prev_hash is not the previous entry's hash (chain relinked)")
        return None


def verify(entries: list[tuple[int, Any]]) -> Break | None:
    """The first break in `(stream sequence, entry)` pairs, or None when the whole chain holds."""
    verifier = ChainVerifier()
    for sequence, data in entries:
        if verifier.feed(sequence, data):
            break
    return verifier.broken
