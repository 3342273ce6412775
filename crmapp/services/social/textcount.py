"""How a post's text is measured: the rules a network declares (`TextRules`, a provider's
`text_rules` attribute) and the pieces they are made of — graphemes, links as twitter-text finds
them, hashtags and mentions. Nothing here names a network: each provider's file says which
rules are its own (X weighs code points, Mastodon counts a link as 23, Bluesky caps bytes, ...).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import regex

# Generic TLDs twitter-text links without a scheme; two-letter (country) TLDs are linked
# without a scheme only when a path follows, except the ones twitter-text treats as special.
_GTLD_NAMES = (
    "com net org edu gov mil int info biz name pro aero coop museum mobi asia tel travel "
    "jobs cat post xxx app dev blog shop online site xyz tech store cloud news page club "
    "live life world today design art social media email link click space website wiki "
    "guru agency company solutions digital network studio center global xn--p1ai"
)
_GTLDS = frozenset(_GTLD_NAMES.split())
_SPECIAL_CCTLDS = {"co", "tv"}

_LABEL = r"[^\W_](?:[\w\-]*[^\W_])?"
_PATH_CHAR = r"[\w!*';:=+,.$/%#\[\]\-\u2013~&|@]"
_PATH_END = r"[\w=#/\-+]"
_PAREN = rf"\({_PATH_CHAR}*\)"
_PATH = rf"/(?:(?:{_PATH_CHAR}|{_PAREN})*(?:{_PATH_END}|{_PAREN}))?"
_QUERY = r"\?[\w!?*'();:&=+$/%#\[\]\-.,~|@]*[\w\-&=#/]"
_PORT = r"(?::\d{1,5})?"
_TLD = "|".join(sorted(_GTLDS, key=len, reverse=True))

_URL_RE = regex.compile(
    rf"""(?<![\w@＠$#＃])(?:
        (?P<proto>https?://(?:{_LABEL}\.)*{_LABEL}{_PORT}(?:{_PATH})?(?:{_QUERY})?)
      | (?<![\-./])(?P<bare>(?:{_LABEL}\.)+(?P<tld>{_TLD}|[a-z]{{2}})(?![\w\-])
            {_PORT}(?P<path>{_PATH})?(?:{_QUERY})?)
    )""",
    regex.IGNORECASE | regex.VERBOSE,
)
# A hashtag needs at least one letter and does not follow a word character, "&" or "#".
HASHTAG = regex.compile(r"(?<![\w&#＃])[#＃](?=\w*[^\W\d_])\w+")
# A mention where a network says nothing more precise: "@" and a name, not inside a word.
MENTION = regex.compile(r"(?<![\w@])@[\w.]*\w")
_GRAPHEME_RE = regex.compile(r"\X")
_EMOJI_RE = regex.compile(
    r"[\p{Emoji_Presentation}\p{Regional_Indicator}\u20e3]"
    r"|\p{Extended_Pictographic}\ufe0f|\p{Emoji}\ufe0f"
)

Span = tuple[int, int, str]


def graphemes(text: str) -> list[str]:
    """The user-perceived characters (extended grapheme clusters) of `text`."""
    return _GRAPHEME_RE.findall(text)


def grapheme_count(text: str) -> int:
    """How many user-perceived characters `text` has."""
    return len(graphemes(text))


def is_emoji(cluster: str) -> bool:
    """Whether a grapheme cluster is an emoji (sequence)."""
    return bool(_EMOJI_RE.search(cluster))


def utf8_len(text: str) -> int:
    """The UTF-8 size of `text` in bytes."""
    return len(text.encode("utf-8"))


def url_spans(text: str, *, bare: bool = True) -> list[tuple[int, int]]:
    """Where the URLs are, as twitter-text finds them.

    Args:
        text: the post text.
        bare: also find scheme-less domains with a known TLD (``example.com/path``).

    Returns:
        ``(start, end)`` string indices, in order.
    """
    spans = []
    for match in _URL_RE.finditer(text):
        if match.group("proto"):
            spans.append(match.span())
            continue
        if not bare:
            continue
        tld = match.group("tld").lower()
        if len(tld) == 2 and tld not in _SPECIAL_CCTLDS and not match.group("path"):
            continue  # twitter-text: a bare ccTLD domain is a link only with a path
        spans.append(match.span())
    return spans


@dataclass(frozen=True)
class TextRules:
    """How one network measures a post's text and marks up its links, hashtags and mentions.

    Attributes:
        limit: the most characters a post may have, as `count` counts them.
        unit: the length of a text once links are weighed: code points (`len`), graphemes
            (`grapheme_count`) or a network's own weighting.
        normalization: a Unicode form applied before counting ("NFC"), or None.
        url_weight: every link counts as this many characters; None: as written.
        bare_links: scheme-less domains (``example.com/x``) are links too.
        local_mentions: a remote ``@user@domain`` counts as its local ``@user`` (`mention`
            then has a group named ``user``).
        max_bytes: a cap on the UTF-8 size besides `limit`; 0 for none.
        mention: how a mention is written on the network.
        hashtag: how a hashtag is written on the network.
        max_hashtags: the most hashtags a post may have (counted by `hashtag`); 0 for no cap.
        max_mentions: the most mentions a post may have (counted by `mention`); 0 for no cap.
    """

    limit: int
    unit: Callable[[str], int] = len
    normalization: Literal["NFC", "NFD", "NFKC", "NFKD"] | None = None
    url_weight: int | None = None
    bare_links: bool = True
    local_mentions: bool = False
    max_bytes: int = 0
    mention: regex.Pattern[str] = MENTION
    hashtag: regex.Pattern[str] = HASHTAG
    max_hashtags: int = 0
    max_mentions: int = 0

    def count(self, text: str) -> int:
        """The length of `text` as the network counts it."""
        if self.normalization:
            text = unicodedata.normalize(self.normalization, text)
        if self.url_weight is None and not self.local_mentions:
            return self.unit(text)
        spans = url_spans(text, bare=self.bare_links) if self.url_weight is not None else []
        pieces, pos = [], 0
        for start, end in spans:
            pieces += [self._counted_as(text[pos:start]), "x" * (self.url_weight or 0)]
            pos = end
        pieces.append(self._counted_as(text[pos:]))
        return self.unit("".join(pieces))

    def _counted_as(self, text: str) -> str:
        return self.mention.sub(r"@\g<user>", text) if self.local_mentions else text

    def fits(self, text: str, limit: int | None = None, max_bytes: int | None = None) -> bool:
        """Whether `text` is within the limit (and the byte cap, where there is one)."""
        if self.count(text) > (self.limit if limit is None else limit):
            return False
        cap = self.max_bytes if max_bytes is None else max_bytes
        return not self.max_bytes or utf8_len(text) <= cap

    def entities(self, text: str) -> list[Span]:
        """Links, hashtags and mentions for highlighting: ``(start, end, kind)`` string indices.

        `kind` is ``"link"``, ``"hashtag"`` or ``"mention"``; spans never overlap (a link wins)
        and are sorted by start.
        """
        found: list[Span] = [(s, e, "link") for s, e in url_spans(text, bare=self.bare_links)]

        def free(start: int, end: int) -> bool:
            return all(end <= s or start >= e for s, e, _ in found)

        for pattern, kind in ((self.mention, "mention"), (self.hashtag, "hashtag")):
            for match in pattern.finditer(text):
                if free(*match.span()):
                    found.append((match.start(), match.end(), kind))
        return sorted(found)

    def hashtags(self, text: str) -> list[str]:
        """The hashtags the network counts in `text`, with their `#`, in order."""
        return [m.group() for m in self.hashtag.finditer(text)]

    def mentions(self, text: str) -> list[str]:
        """The mentions the network counts in `text`, in order."""
        return [m.group() for m in self.mention.finditer(text)]

    def cap_problems(self, label: str, text: str) -> list[str]:
        """What the network (`label`) would refuse in the hashtags and mentions of `text`: the
        one rule the composer shows and publishing enforces."""
        found = []
        for what, most, used in (
            ("hashtags", self.max_hashtags, len(self.hashtags(text)) if self.max_hashtags else 0),
            ("@mentions", self.max_mentions, len(self.mentions(text)) if self.max_mentions else 0),
        ):
            if most and used > most:
                found.append(
                    f"{label} allows at most {most} {what}; this caption has {used}: "
                    f"remove {used - most}."
                )
        return found
