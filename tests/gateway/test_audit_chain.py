"""The hash chain, pure: linking entries, and finding the first place a tampered log stops verifying."""

from __future__ import annotations

from typing import Any

import pytest

from services.gateway.audit.chain import GENESIS, Head, digest, link, verify


def chain(count: int, *, first: Head = Head()) -> list[tuple[int, dict[str, Any]]]:
    """`count` linked entries as stored: (stream sequence, entry)."""
    entries, head = [], first
    for n in range(count):
        data = link(head, {"actor": f"user-{n}", "path": "/api/v1/locations", "status": 200})
        head = Head(data["index"], data["hash"], head.sequence + 1)
        entries.append((head.sequence, data))
    return entries


def test_each_entry_carries_its_own_hash_and_the_previous_one() -> None:
    entries = [data for _, data in chain(3)]
    assert [e["index"] for e in entries] == [1, 2, 3]
    assert entries[0]["prev_hash"] == GENESIS
    assert [e["prev_hash"] for e in entries[1:]] == [e["hash"] for e in entries[:-1]]
    assert all(e["hash"] == digest(e) and len(e["hash"]) == 64 for e in entries)
    # The hash covers the JSON as stored: key order does not matter, any value does.
    assert digest(dict(reversed(list(entries[0].items())))) == entries[0]["hash"]
    assert digest(entries[0] | {"status": 201}) != entries[0]["hash"]
    assert verify(chain(50)) is None


def _altered(entries: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, Any]]:
    entries[3] = (entries[3][0], entries[3][1] | {"actor": "mallory"})
    return entries


def _removed(entries: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, Any]]:
    del entries[3]
    return entries


def _swapped(entries: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, Any]]:
    entries[3], entries[4] = entries[4], entries[3]
    return entries


def _relinked(entries: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, Any]]:
    """A rewritten entry with a fresh, self-consistent hash: its successor no longer points at it."""
    rewritten = {k: v for k, v in entries[3][1].items() if k != "hash"} | {"actor": "mallory"}
    entries[3] = (entries[3][0], rewritten | {"hash": digest(rewritten)})
    return entries


def _garbage(entries: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, Any]]:
    entries[3] = (entries[3][0], None)
    return entries


@pytest.mark.parametrize(
    ("tamper", "position", "index", "reason"),
    [
        (_altered, 3, 4, "hash does not match the entry's content (entry altered)"),
        (_removed, 3, 5, "entry 5 follows entry 3 (entries missing or inserted)"),
        (_swapped, 3, 5, "entry 5 follows entry 3 (entries missing or inserted)"),
        (_relinked, 4, 5, "prev_hash is not the previous entry's hash (chain relinked)"),
        (_garbage, 3, None, "not an audit entry (index or prev_hash missing)"),
    ],
)
def test_the_first_broken_entry_is_named(tamper: Any, position: int, index: int | None, reason: str) -> None:
    entries = tamper(chain(8))
    broken = verify(entries)
    assert broken is not None and (broken.index, broken.reason) == (index, reason)
    assert broken.sequence == entries[position][0]  # where it sits in the stream


def test_a_chain_whose_oldest_entries_expired_still_verifies_from_its_first_kept_entry() -> None:
    kept = chain(10)[4:]  # retention removed entries 1-4
    assert verify(kept) is None
    forged_start = chain(1, first=Head(0, "f" * 64))  # an entry 1 not starting from genesis
    assert verify(forged_start).reason == "entry 1 does not start from the genesis hash"  # type: ignore[union-attr]
