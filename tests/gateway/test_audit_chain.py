"""The keyed hash chain, pure: linking entries, naming the first break, and rejecting what the key did not sign."""

from __future__ import annotations

from typing import Any

import pytest

from services.gateway.audit.chain import GENESIS, ChainVerifier, Head, digest, forgery, link, verify

KEY = b"k" * 32
OTHER_KEY = b"o" * 32


def chain(count: int, *, first: Head = Head(), key: bytes = KEY) -> list[tuple[int, dict[str, Any]]]:
    """`count` linked entries as stored: (stream sequence, entry)."""
    entries, head = [], first
    for n in range(count):
        data = link(head, {"actor": f"user-{n}", "path": "/api/v1/locations", "status": 200}, key)
        head = Head(data["index"], data["hash"], head.sequence + 1)
        entries.append((head.sequence, data))
    return entries


def test_each_entry_carries_its_own_keyed_hash_and_the_previous_one() -> None:
    entries = [data for _, data in chain(3)]
    assert [e["index"] for e in entries] == [1, 2, 3]
    assert entries[0]["prev_hash"] == GENESIS
    assert [e["prev_hash"] for e in entries[1:]] == [e["hash"] for e in entries[:-1]]
    assert all(e["hash"] == digest(e, KEY) and len(e["hash"]) == 64 for e in entries)
    # The hash covers the JSON as stored: key order does not matter, any value does, and so does the key.
    assert digest(dict(reversed(list(entries[0].items()))), KEY) == entries[0]["hash"]
    assert digest(entries[0] | {"status": 201}, KEY) != entries[0]["hash"]
    assert digest(entries[0], OTHER_KEY) != entries[0]["hash"]
    checked = verify(chain(50), KEY)
    assert (checked.broken, checked.count, checked.rejected) == (None, 50, [])


def _removed(entries: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, Any]]:
    del entries[3]
    return entries


def _swapped(entries: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, Any]]:
    entries[3], entries[4] = entries[4], entries[3]
    return entries


def _forked(entries: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, Any]]:
    """Someone holding the key writes a different entry 4: its successor no longer points at it."""
    rewritten = {k: v for k, v in entries[3][1].items() if k != "hash"} | {"actor": "mallory"}
    entries[3] = (entries[3][0], rewritten | {"hash": digest(rewritten, KEY)})
    return entries


@pytest.mark.parametrize(
    ("tamper", "position", "index", "reason"),
    [
        (_removed, 3, 5, "entry 5 follows entry 3 (entries missing or inserted)"),
        (_swapped, 3, 5, "entry 5 follows entry 3 (entries missing or inserted)"),
        (_forked, 4, 5, "prev_hash is not the previous entry's hash (chain forked)"),
    ],
)
def test_the_first_broken_entry_is_named(tamper: Any, position: int, index: int | None, reason: str) -> None:
    entries = tamper(chain(8))
    broken = verify(entries, KEY).broken
    assert broken is not None and (broken.index, broken.reason) == (index, reason)
    assert broken.sequence == entries[position][0]  # where it sits in the stream


def test_messages_the_key_did_not_sign_are_rejected_and_the_chain_goes_on_around_them() -> None:
    entries = chain(6)
    genuine = entries[2][1]
    stream: list[tuple[int, Any]] = [
        *entries[:3],
        (100, None),  # not JSON at all
        (101, genuine | {"actor": "mallory"}),  # altered without the key
        (102, link(Head(3, genuine["hash"]), {"actor": "mallory"}, OTHER_KEY)),  # a self-consistent forgery
        (103, genuine),  # a genuine entry, published again
        *entries[3:],
    ]
    checked = verify(stream, KEY)
    assert (checked.broken, checked.count) == (None, 6)
    assert [(r.sequence, r.reason) for r in checked.rejected] == [
        (100, "not an audit entry (unparsable, or index or prev_hash missing)"),
        (101, "hash does not verify under the audit key (forged or altered)"),
        (102, "hash does not verify under the audit key (forged or altered)"),
        (103, "a copy of entry 3 replayed after entry 3"),
    ]


def test_an_entry_must_name_the_org_and_recorder_of_the_subject_it_was_published_on() -> None:
    entry = link(Head(), {"org": "acme", "recorder": "gateway-1"}, KEY)
    assert forgery(entry, KEY, org="acme", recorder="gateway-1") is None
    assert forgery(entry, KEY, org="other", recorder="gateway-1") == (
        "entry names org 'acme' but was published on org 'other''s subject"
    )
    assert forgery(entry, KEY, org="acme", recorder="evil") == (
        "entry names recorder 'gateway-1' but was published under recorder 'evil'"
    )
    verifier = ChainVerifier(KEY, org="other", recorder="gateway-1")
    verifier.feed(1, entry)
    assert (verifier.count, verifier.rejected_count) == (0, 1)


def test_a_chain_whose_oldest_entries_expired_still_verifies_from_its_first_kept_entry() -> None:
    kept = chain(10)[4:]  # retention removed entries 1-4
    assert verify(kept, KEY).broken is None
    forged_start = chain(1, first=Head(0, "f" * 64))  # an entry 1 not starting from genesis
    assert verify(forged_start, KEY).broken.reason == "entry 1 does not start from the genesis hash"  # type: ignore[union-attr]
