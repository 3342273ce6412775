"""Per-network counting (twitter-text, Bluesky graphemes, Mastodon), threading, truncation."""

from __future__ import annotations

import re

import pytest

from crmapp.services.social.registry import provider_class
from crmapp.services.social.textcount import url_spans, utf8_len
from crmapp.services.social.textrules import (
    char_limit,
    count,
    entities,
    preview,
    problems,
    split_thread,
    truncate,
)

pytestmark = pytest.mark.unit

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦
THUMB_MEDIUM = "\U0001f44d\U0001f3fd"  # 👍🏽
FLAG = "\U0001f1eb\U0001f1f7"  # 🇫🇷
KEYCAP = "1\ufe0f\u20e3"


# --- X (twitter-text) -------------------------------------------------------------------


def test_x_plain_ascii_280_fits_and_281_is_over():
    assert count("x", "a" * 280) == 280
    assert problems("x", "a" * 280) == []
    assert count("x", "a" * 281) == 281
    assert problems("x", "a" * 281) == [
        "X allows 280 characters; this post is over by 1. Shorten it or publish it as a thread."
    ]


def test_x_cjk_weighs_two_and_accented_latin_one():
    assert count("x", "日本語") == 6
    assert count("x", "café crème àéîõü") == 16
    # NFC: a decomposed é is one code point after normalisation
    assert count("x", "cafe\u0301") == 4
    assert count("x", "a" * 140 + "日" * 70) == 280


@pytest.mark.parametrize(
    "emoji", [FAMILY, THUMB_MEDIUM, FLAG, KEYCAP, "\U0001f600", "\u2764\ufe0f"]
)
def test_x_every_emoji_sequence_weighs_two(emoji):
    assert count("x", emoji) == 2
    assert count("x", f"a{emoji}b") == 4


def test_x_urls_weigh_23_whatever_their_length():
    long_url = "https://example.com/" + "a" * 200
    assert count("x", long_url) == 23
    assert count("x", f"Read {long_url} now") == 5 + 23 + 4
    assert count("x", "http://t.co/x") == 23
    # bare domains with a known TLD are links too; a path is kept, trailing punctuation is not
    assert count("x", "see example.com/some/long/path.") == 4 + 23 + 1
    assert url_spans("Go to www.example.org!") == [(6, 21)]


def test_x_url_detection_rejects_what_twitter_text_rejects():
    assert url_spans("mail alice@example.com") == []  # an email is not a link
    assert url_spans("e.g. this and i.e. that") == []
    assert url_spans("example.jp") == []  # bare ccTLD without a path
    assert url_spans("example.jp/page") == [(0, 15)]
    assert url_spans("example.co") == [(0, 10)]  # special ccTLD
    assert url_spans("https://en.wikipedia.org/wiki/Foo_(bar).") == [(0, 39)]


# --- Bluesky and Mastodon -----------------------------------------------------------------


def test_bluesky_counts_graphemes_and_exposes_the_byte_limit():
    assert count("bluesky", FAMILY) == 1
    assert count("bluesky", FAMILY * 3 + "ab") == 5
    assert count("bluesky", "cafe\u0301") == 4
    assert provider_class("bluesky").text_rules.max_bytes == 3000
    # 300 graphemes fit, but 300 family emoji are 7,500 bytes
    assert count("bluesky", FAMILY * 300) == 300
    assert utf8_len(FAMILY * 300) > 3000
    assert any("3000 bytes" in p for p in problems("bluesky", FAMILY * 300))


def test_mastodon_urls_count_23_and_remote_mentions_count_their_local_part():
    url = "https://example.com/" + "x" * 100
    assert count("mastodon", url) == 23
    assert count("mastodon", "hi @alice@example.social") == len("hi @alice")
    assert count("mastodon", "hi @alice") == 9
    # Mastodon links only http(s) URLs: a bare domain counts as written
    assert count("mastodon", "example.com/" + "x" * 40) == 52
    assert count("mastodon", "x" * 500) == 500
    assert problems("mastodon", "x" * 500) == []


def test_code_point_networks():
    assert count("linkedin", "日本語") == 3
    assert count("facebook", FAMILY) == 7
    assert char_limit("linkedin") == 3000 and char_limit("instagram") == 2200
    assert char_limit("facebook") == 63206


# --- threading ----------------------------------------------------------------------------


def _strip_suffix(part: str) -> tuple[str, int, int]:
    match = re.fullmatch(r"(.*) (\d+)/(\d+)", part, re.S)
    assert match, part
    return match.group(1), int(match.group(2)), int(match.group(3))


@pytest.mark.parametrize("network", ["x", "bluesky", "mastodon"])
def test_threading_keeps_order_fits_and_numbers_the_parts(network):
    words = [f"w{i:03d}" for i in range(400)]
    text = "Intro paragraph.\n\n" + " ".join(words) + " https://example.com/" + "p" * 60
    parts = split_thread(network, text)
    assert len(parts) > 1
    bodies = []
    for index, part in enumerate(parts, 1):
        body, number, total = _strip_suffix(part)
        assert (number, total) == (index, len(parts))
        assert count(network, part) <= char_limit(network)
        bodies.append(body)
    # nothing lost, nothing reordered, no word cut
    assert " ".join(bodies).split() == text.split()
    assert bodies[0] == "Intro paragraph."  # the paragraph boundary is preferred
    assert any("https://example.com/" + "p" * 60 in body for body in bodies)


def test_threading_prefers_sentences_over_words():
    sentence = "This sentence is exactly long enough to matter here. "
    parts = split_thread("x", sentence * 8)
    for part in parts:
        body, _, _ = _strip_suffix(part)
        assert body.endswith("."), body


def test_threading_two_digit_totals_leave_room_for_the_longer_suffix():
    parts = split_thread("x", " ".join(["word"] * 1000))
    assert len(parts) >= 10
    assert parts[-1].endswith(f" {len(parts)}/{len(parts)}")
    assert all(count("x", p) <= 280 for p in parts)


def test_short_text_is_not_threaded_and_long_word_is_hard_split_by_grapheme():
    assert split_thread("x", "  hello  ") == ["hello"]
    parts = split_thread("x", "y" * 600)
    assert [p.rsplit(" ", 1)[1] for p in parts] == ["1/3", "2/3", "3/3"]
    assert "".join(p.rsplit(" ", 1)[0] for p in parts) == "y" * 600
    # 700 family emoji are 700 graphemes but 17,500 bytes: the byte cap decides (119 a part)
    parts = split_thread("bluesky", FAMILY * 700)
    assert [p.rsplit(" ", 1)[1] for p in parts] == [f"{i}/6" for i in range(1, 7)]
    assert "".join(p.rsplit(" ", 1)[0] for p in parts) == FAMILY * 700  # no emoji broken
    assert all(count("bluesky", p) <= 300 and utf8_len(p) <= 3000 for p in parts)


def test_custom_limit():
    # " 9/9" is reserved, leaving 6: no two words fit together
    assert split_thread("x", "aaa bbb ccc ddd", limit=10) == [
        "aaa 1/4",
        "bbb 2/4",
        "ccc 3/4",
        "ddd 4/4",
    ]
    assert split_thread("x", "aa bb cc dd", limit=10) == ["aa bb 1/2", "cc dd 2/2"]


# --- truncation, Instagram, preview -------------------------------------------------------


def test_truncate_cuts_at_a_word_boundary_with_an_ellipsis():
    text = "hello world " * 400
    cut = truncate("linkedin", text)
    assert cut.endswith("world…") or cut.endswith("hello…")
    assert len(cut) <= 3000 and len(cut) > 2980
    assert truncate("linkedin", "short") == "short"
    assert truncate("facebook", "abc " * 10, limit=9) == "abc abc…"
    assert truncate("facebook", "x" * 20, limit=5) == "xxxx…"  # one long word: hard cut


def test_instagram_hashtag_and_mention_limits_and_media():
    caption = " ".join(f"#tag{i}" for i in range(33))
    assert len(provider_class("instagram").text_rules.hashtags(caption)) == 33
    assert problems("instagram", caption, media_count=1) == [
        "Instagram allows at most 30 hashtags; this caption has 33: remove 3."
    ]
    assert problems("instagram", " ".join(f"#t{i}" for i in range(30)), media_count=1) == []
    assert "remove 1" in problems("instagram", " ".join(f"@u{i}" for i in range(21)), 1)[0]
    assert problems("instagram", "hello", media_count=0) == [
        "Instagram posts need at least one image or video; attach one."
    ]
    assert problems("x", "hi", media_count=5) == [
        "X allows at most 4 attachments per post; remove 1."
    ]
    assert problems("linkedin", "   ") == ["Write some text or attach an image or video."]


def test_preview_threads_for_x_and_highlights_entities():
    text = "Hello @bob, see https://example.com/a #launch. " + "more words " * 40
    view = preview("x", text, display_name="Ann", handle="@ann", media_count=1)
    assert view["threaded"] is True and len(view["parts"]) > 1
    assert view["problems"] == []  # a thread is not "too long"
    assert view["remaining"] == 280 - count("x", text) < 0
    first = view["parts"][0]
    assert first["fits"] and first["remaining"] == 280 - first["count"]
    kinds = [(first["text"][s:e], kind) for s, e, kind in first["spans"]]
    assert kinds == [("@bob", "mention"), ("https://example.com/a", "link"), ("#launch", "hashtag")]
    assert "".join(seg["text"] for seg in first["segments"]) == first["text"]
    assert view["links"] == ["https://example.com/a"] and view["hashtags"] == ["#launch"]
    assert view["mentions"] == ["@bob"]


def test_preview_truncates_for_linkedin_and_reports_the_overflow():
    text = "word " * 700
    view = preview("linkedin", text, display_name="Ann", handle="ann")
    assert view["truncated"] and not view["threaded"]
    assert len(view["parts"]) == 1 and view["parts"][0]["text"].endswith("…")
    assert view["parts"][0]["fits"]
    assert view["problems"] == [
        f"LinkedIn allows 3000 characters; this post is over by {len(text) - 3000}. Shorten it."
    ]


def test_mastodon_entities_use_mastodons_rules():
    spans = entities("mastodon", "cc @ann@mas.to at example.com and https://a.io/x")
    assert [kind for _, _, kind in spans] == ["mention", "link"]
