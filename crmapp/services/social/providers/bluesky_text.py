"""Bluesky post text: its limits, rich-text facets (UTF-8 byte ranges) and the
deterministic record keys that make a retried createRecord collide instead of posting twice."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import regex

from crmapp.services.social.base import Rejected
from crmapp.services.social.textcount import grapheme_count

MAX_GRAPHEMES = 300
MAX_BYTES = 3000
MAX_TAG_GRAPHEMES = 64

_LINK = regex.compile(r"https?://[^\s<>\"]+", regex.IGNORECASE)
# A mention is "@" and a full handle (a domain name); group 1 is the handle.
MENTION = regex.compile(
    r"(?<![\w@/.])@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)"
)
_TAG = regex.compile(r"(?<![\w&#/])#([^\s#]+)")
_TRAILING = ".,;:!?'\")]}…"
_S32 = "234567abcdefghijklmnopqrstuvwxyz"
_TID_START_US = 1_672_531_200_000_000  # 2023-01-01T00:00:00Z
_TID_SPAN_US = 12 * 365 * 24 * 3600 * 1_000_000

FACET = "app.bsky.richtext.facet"


def check_text(parts: tuple[str, ...]) -> None:
    """Raise `Rejected` when a part is over Bluesky's 300 graphemes or 3000 bytes."""
    for number, text in enumerate(parts, start=1):
        where = f"Part {number} of the thread" if len(parts) > 1 else "The post"
        length = grapheme_count(text)
        if length > MAX_GRAPHEMES or len(text.encode("utf-8")) > MAX_BYTES:
            raise Rejected(
                f"{where} is {length} characters; Bluesky allows {MAX_GRAPHEMES}. "
                "Shorten it or split it into a thread."
            )


def _byte(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def facets(text: str, *, resolve: Callable[[str], str | None]) -> list[dict[str, Any]]:
    """Link, mention and hashtag facets of `text`, with UTF-8 byte offsets.

    Args:
        text: The post text.
        resolve: Turns a handle into its DID (None when it does not resolve: the mention
            stays plain text).

    Returns:
        Facets in text order, as `app.bsky.richtext.facet` objects.
    """
    found: list[tuple[int, int, dict[str, Any]]] = []
    for match in _LINK.finditer(text):
        uri = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(uri)
        found.append((match.start(), end, {"$type": f"{FACET}#link", "uri": uri}))

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _ in found)

    for match in MENTION.finditer(text):
        if not free(match.start(), match.end()):
            continue
        did = resolve(match.group(1).lower())
        if did:
            found.append((match.start(), match.end(), {"$type": f"{FACET}#mention", "did": did}))
    for match in _TAG.finditer(text):
        tag = match.group(1).rstrip(_TRAILING)
        end = match.start(1) + len(tag)
        if not tag or tag.isdigit() or grapheme_count(tag) > MAX_TAG_GRAPHEMES:
            continue
        if free(match.start(), end):
            found.append((match.start(), end, {"$type": f"{FACET}#tag", "tag": tag}))
    found.sort(key=lambda item: item[0])
    return [
        {"index": {"byteStart": _byte(text, s), "byteEnd": _byte(text, e)}, "features": [feat]}
        for s, e, feat in found
    ]


def record_key(idempotency_key: str, index: int) -> str:
    """A valid TID record key derived from the post's idempotency key and the part's index.

    The same target and part always get the same key, so a retried createRecord hits the
    record that already exists instead of creating a second post. The timestamp bits are
    hash-derived but kept within 2023-2035 so the key decodes as a plausible TID.
    """
    digest = hashlib.sha256(f"{idempotency_key}:{index}".encode()).digest()
    micros = _TID_START_US + int.from_bytes(digest[:8], "big") % _TID_SPAN_US
    clock = int.from_bytes(digest[8:10], "big") % 1024
    value = (micros << 10) | clock
    return "".join(_S32[(value >> (5 * i)) & 31] for i in reversed(range(13)))
