"""Composer rules: what a network would refuse in a post, auto-threading, truncation and the
live preview, all read from the network's class (`SocialProvider.text_rules`, `max_media`,
`min_media`, `threads`, `label`); the counting itself is `TextRules.count`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from crmapp.services.social.base import SocialProvider
from crmapp.services.social.registry import provider_class
from crmapp.services.social.textcount import Span, TextRules, graphemes, url_spans, utf8_len

ELLIPSIS = "…"

# Separators are kept (capturing groups) so a part is exactly a slice of the original text.
_PARAGRAPHS = re.compile(r"(\n[ \t]*\n\s*)")
_SENTENCES = re.compile(r"((?<=[.!?…])\s+)")
_WORDS = re.compile(r"(\s+)")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _network(network: str) -> tuple[type[SocialProvider], TextRules]:
    cls = provider_class(network)
    return cls, cls.text_rules


def char_limit(network: str) -> int:
    """The most characters a post on `network` may have (as `count` counts them)."""
    return provider_class(network).text_rules.limit


def count(network: str, text: str) -> int:
    """The length of `text` as `network` counts it."""
    return provider_class(network).text_rules.count(text)


def entities(network: str, text: str) -> list[Span]:
    """Links, hashtags and mentions of `text` as `network` marks them (`TextRules.entities`)."""
    return provider_class(network).text_rules.entities(text)


def problems(
    network: str,
    text: str,
    media_count: int = 0,
    *,
    threaded: bool = False,
    limit: int | None = None,
) -> list[str]:
    """What stops `text` (with `media_count` attachments) from publishing on `network`.

    Args:
        network: the provider name.
        text: the post text as written.
        media_count: how many images or videos are attached.
        threaded: the text will be split into a thread, so its length is not a problem
            (only for networks that thread).
        limit: override the network's limit.

    Returns:
        Plain-English sentences that say what to change; empty when the post is fine.
    """
    cls, rules = _network(network)
    label, most_chars = cls.label, rules.limit if limit is None else limit
    found: list[str] = []
    if not text.strip() and media_count == 0:
        found.append("Write some text or attach an image or video.")
    can_thread = threaded and cls.threads
    over = rules.count(text) - most_chars
    if over > 0 and not can_thread:
        hint = " or publish it as a thread" if cls.threads else ""
        found.append(
            f"{label} allows {most_chars} characters; this post is over by {over}. "
            f"Shorten it{hint}."
        )
    if rules.max_bytes and not can_thread and utf8_len(text) > rules.max_bytes:
        found.append(
            f"{label} allows {rules.max_bytes} bytes of text; this post has "
            f"{utf8_len(text)}. Use fewer emoji or non-Latin characters, or shorten it."
        )
    if media_count < cls.min_media:
        need = "one image or video" if cls.min_media == 1 else f"{cls.min_media} images or videos"
        found.append(f"{label} posts need at least {need}; attach one.")
    found += rules.cap_problems(label, text)  # the rule publishing enforces
    if media_count > cls.max_media:
        found.append(
            f"{label} allows at most {_plural(cls.max_media, 'attachment')} per post; "
            f"remove {media_count - cls.max_media}."
        )
    return found


def _pieces(text: str, level: int, fits: Callable[[str], bool]) -> list[str]:
    """Split `text` into slices that each fit, preferring the coarsest boundary that works."""
    if fits(text) or not text:
        return [text]
    if level == len(_LEVELS):
        return _hard_split(text, fits)
    tokens = _LEVELS[level].split(text)
    if len(tokens) == 1:
        return _pieces(text, level + 1, fits)
    # tokens alternate: segment, separator, segment, ...
    out: list[str] = []
    pending_sep = ""
    for i, token in enumerate(tokens):
        if i % 2:
            pending_sep = token
            continue
        if not token:
            continue
        sub = _pieces(token, level + 1, fits)
        if out and pending_sep and fits(out[-1] + pending_sep + sub[0]):
            out[-1] = out[-1] + pending_sep + sub[0]
            sub = sub[1:]
        out.extend(sub)
    return out


_LEVELS = (_PARAGRAPHS, _SENTENCES, _WORDS)


def _hard_split(word: str, fits: Callable[[str], bool]) -> list[str]:
    """Cut one over-long word between graphemes; a URL is never cut (its part may not fit)."""
    if url_spans(word) == [(0, len(word))]:
        return [word]
    parts: list[str] = []
    current = ""
    for cluster in graphemes(word):
        if current and not fits(current + cluster):
            parts.append(current)
            current = ""
        current += cluster
    if current:
        parts.append(current)
    return parts


def split_thread(network: str, text: str, limit: int | None = None) -> list[str]:
    """Split `text` into thread parts that each fit `network`'s limit.

    Boundaries are tried in order: paragraphs, sentences, words; a single word longer than the
    limit is cut between graphemes. URLs are never cut. With more than one part each gets a
    `` 1/3``-style suffix, and room for it is left in every part.

    Args:
        network: the provider name (its counting rules apply).
        text: the whole text.
        limit: override the network's limit (e.g. a premium X account or a Mastodon instance).

    Returns:
        The parts in order; ``[text]`` when it already fits.
    """
    rules = provider_class(network).text_rules
    limit = rules.limit if limit is None else limit
    text = text.strip()
    if rules.fits(text, limit):
        return [text]
    digits = 1
    while True:
        suffix = f" {'9' * digits}/{'9' * digits}"
        budget = limit - rules.count(suffix)
        byte_budget = rules.max_bytes - utf8_len(suffix)

        def fits(part: str, budget: int = budget, byte_budget: int = byte_budget) -> bool:
            return rules.fits(part, budget, byte_budget)

        parts = [p.strip() for p in _pieces(text, 0, fits)]
        parts = [p for p in parts if p]
        if len(str(len(parts))) <= digits:
            total = len(parts)
            return [f"{part} {i}/{total}" for i, part in enumerate(parts, 1)]
        digits += 1


def truncate(network: str, text: str, limit: int | None = None) -> str:
    """Cut `text` at a word boundary so that it, with "…" appended, fits `network`'s limit.

    Args:
        network: the provider name.
        text: the whole text.
        limit: override the network's limit.

    Returns:
        `text` unchanged when it fits, else its longest fitting word-boundary prefix plus "…"
        (cut between graphemes only when even the first word does not fit).
    """
    rules = provider_class(network).text_rules
    limit = rules.limit if limit is None else limit
    if rules.fits(text, limit):
        return text

    def candidate(end: int) -> str:
        return text[:end].rstrip().rstrip(",;:-–—") + ELLIPSIS

    cuts = [m.start() for m in _WORDS.finditer(text) if m.start() > 0]
    best = _last_fitting(cuts, lambda end: rules.fits(candidate(end), limit))
    if best is not None:
        return candidate(best)
    ends, pos = [], 0
    for cluster in graphemes(text):
        pos += len(cluster)
        ends.append(pos)
    best = _last_fitting(ends, lambda end: rules.fits(candidate(end), limit))
    return candidate(best) if best is not None else ELLIPSIS


def _last_fitting(ends: list[int], ok: Callable[[int], bool]) -> int | None:
    """Binary search for the largest end that still fits (length grows with the prefix)."""
    lo, hi, best = 0, len(ends) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if ok(ends[mid]):
            best, lo = ends[mid], mid + 1
        else:
            hi = mid - 1
    return best


def _segments(text: str, spans: list[tuple[int, int, str]]) -> list[dict[str, str]]:
    out, pos = [], 0
    for start, end, kind in spans:
        if start > pos:
            out.append({"text": text[pos:start], "kind": "text"})
        out.append({"text": text[start:end], "kind": kind})
        pos = end
    if pos < len(text):
        out.append({"text": text[pos:], "kind": "text"})
    return out


def preview(
    network: str,
    text: str,
    *,
    display_name: str,
    handle: str,
    media_count: int = 0,
    limit: int | None = None,
) -> dict[str, Any]:
    """Everything the composer's live preview for one network shows.

    Args:
        network: the provider name.
        text: the text as written.
        display_name: the account's name, shown above the post.
        handle: the account's handle (``@name``), shown next to it.
        media_count: attachments on the post.
        limit: override the network's limit.

    Returns:
        A dict with ``network``, ``display_name``, ``handle``, ``limit``, ``count`` and
        ``remaining`` (for the whole text; negative when over), ``threaded`` / ``truncated``,
        ``parts`` (each ``{"text", "count", "limit", "fits", "remaining", "spans",
        "segments"}``; spans are ``(start, end, kind)`` string indices into that part, kind
        ``link|hashtag|mention``; segments are the same cut into ``{"text", "kind"}`` runs to
        render in order), ``hashtags``, ``links``, ``mentions``, ``media_count`` and
        ``problems``.
    """
    cls, rules = _network(network)
    limit = rules.limit if limit is None else limit
    total = rules.count(text)
    threads = cls.threads
    texts = split_thread(network, text, limit) if threads else [truncate(network, text, limit)]
    parts = []
    for part in texts:
        used = rules.count(part)
        spans = rules.entities(part)
        parts.append(
            {
                "text": part,
                "count": used,
                "limit": limit,
                "fits": rules.fits(part, limit),
                "remaining": limit - used,
                "spans": spans,
                "segments": _segments(part, spans),
            }
        )
    found = rules.entities(text)
    return {
        "network": network,
        "display_name": display_name,
        "handle": handle,
        "limit": limit,
        "count": total,
        "remaining": limit - total,
        "threaded": threads and len(texts) > 1,
        "truncated": not threads and texts[0] != text,
        "parts": parts,
        "hashtags": [text[s:e] for s, e, k in found if k == "hashtag"],
        "links": [text[s:e] for s, e, k in found if k == "link"],
        "mentions": [text[s:e] for s, e, k in found if k == "mention"],
        "media_count": media_count,
        "problems": problems(network, text, media_count, threaded=threads, limit=limit),
    }
