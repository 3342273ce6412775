"""How each network counts a post's length, and where its links, hashtags and mentions are.

X follows twitter-text (config v2/v3: NFC, weighted code points, every emoji sequence 2, every URL
23); Bluesky counts graphemes (and caps UTF-8 bytes); Mastodon counts graphemes with each
http(s) URL as 23 and a remote `@user@domain` mention as its local `@user` only (its
`StatusLengthValidator`); LinkedIn, Instagram and Facebook count code points.
"""

from __future__ import annotations

import unicodedata

import regex

# twitter-text config (contract §1.5): weights are in hundredths; code points in these ranges
# weigh 100, everything else 200.
X_SCALE = 100
X_DEFAULT_WEIGHT = 200
X_RANGES: tuple[tuple[int, int, int], ...] = (
    (0, 4351, 100),
    (8192, 8205, 100),
    (8208, 8223, 100),
    (8242, 8247, 100),
)
URL_WEIGHT = 23  # X's transformedURLLength and Mastodon's characters_reserved_per_url
BLUESKY_MAX_BYTES = 3000

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
_HASHTAG_RE = regex.compile(r"(?<![\w&#＃])[#＃](?=\w*[^\W\d_])\w+")
# Mastodon's account mention: @user or @user@domain, not after a word character or a slash.
_MASTODON_MENTION_RE = regex.compile(
    r"(?<![\w/@])@(?P<user>[a-z0-9_](?:[a-z0-9_.\-]*[a-z0-9_])?)(?:@[\w.\-]*\w)?",
    regex.IGNORECASE,
)
_X_MENTION_RE = regex.compile(r"(?<![\w@＠!#$%&*])[@＠]\w{1,15}(?![\w@])")
_BLUESKY_MENTION_RE = regex.compile(
    r"(?<![\w@])@(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+[a-z][a-z0-9\-]*[a-z0-9]", regex.I
)
_GENERIC_MENTION_RE = regex.compile(r"(?<![\w@])@[\w.]*\w")
# Instagram's caption limits count tags the strict way (the composer and publishing share it):
# a run of tags written together ("#one#two") is one tag each; digits-only and full-width tags
# count; a "#" after a word character or "&" ("word#x", "&#39;") does not start one.
_INSTAGRAM_TAG_RUN_RE = regex.compile(r"(?<![\w&])(?:[#＃]\w+)+")
_INSTAGRAM_TAG_RE = regex.compile(r"[#＃]\w+")
_INSTAGRAM_MENTION_RE = regex.compile(r"(?<![\w@])@[\w.]+")
_GRAPHEME_RE = regex.compile(r"\X")
_EMOJI_RE = regex.compile(
    r"[\p{Emoji_Presentation}\p{Regional_Indicator}\u20e3]"
    r"|\p{Extended_Pictographic}\ufe0f|\p{Emoji}\ufe0f"
)

Span = tuple[int, int, str]


def graphemes(text: str) -> list[str]:
    """The user-perceived characters (extended grapheme clusters) of `text`."""
    return _GRAPHEME_RE.findall(text)


def url_spans(text: str, *, bare: bool = True) -> list[tuple[int, int]]:
    """Where the URLs are, as twitter-text finds them.

    Args:
        text: the post text.
        bare: also find scheme-less domains with a known TLD (``example.com/path``); Mastodon
            links only http(s) URLs, so it passes False.

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


def _is_emoji(cluster: str) -> bool:
    return bool(_EMOJI_RE.search(cluster))


def _x_weight(code_point: int) -> int:
    for start, end, weight in X_RANGES:
        if start <= code_point <= end:
            return weight
    return X_DEFAULT_WEIGHT


def _x_plain(text: str) -> int:
    total = 0
    for cluster in graphemes(text):
        if _is_emoji(cluster):
            total += X_DEFAULT_WEIGHT
        else:
            total += sum(_x_weight(ord(ch)) for ch in cluster)
    return total


def x_count(text: str) -> int:
    """twitter-text's weighted length of `text` (the number X compares with 280)."""
    text = unicodedata.normalize("NFC", text)
    total, pos = 0, 0
    for start, end in url_spans(text):
        total += _x_plain(text[pos:start]) + URL_WEIGHT * X_SCALE
        pos = end
    total += _x_plain(text[pos:])
    return total // X_SCALE


def mastodon_count(text: str) -> int:
    """Mastodon's length: graphemes, each http(s) URL 23, `@user@domain` counted as `@user`."""
    out, pos = [], 0
    for start, end in url_spans(text, bare=False):
        out.append(_MASTODON_MENTION_RE.sub(r"@\g<user>", text[pos:start]))
        out.append("x" * URL_WEIGHT)
        pos = end
    out.append(_MASTODON_MENTION_RE.sub(r"@\g<user>", text[pos:]))
    return len(graphemes("".join(out)))


def utf8_len(text: str) -> int:
    """The UTF-8 size of `text` in bytes (Bluesky also caps this, at 3000)."""
    return len(text.encode("utf-8"))


def count(network: str, text: str) -> int:
    """The length of `text` as `network` counts it.

    Args:
        network: a provider name (x, bluesky, mastodon, linkedin, instagram, facebook, sandbox).
        text: the post text.

    Returns:
        Weighted characters for X, graphemes for Bluesky and Mastodon (with Mastodon's URL and
        mention rules), code points for every other network.
    """
    if network == "x":
        return x_count(text)
    if network == "bluesky":
        return len(graphemes(text))
    if network == "mastodon":
        return mastodon_count(text)
    return len(text)


def hashtags(text: str) -> list[str]:
    """The hashtags in `text`, with their `#`, in order (a tag needs at least one letter)."""
    return [m.group() for m in _HASHTAG_RE.finditer(text)]


def instagram_hashtags(text: str) -> list[str]:
    """The hashtags Instagram counts against its caption limit, in order."""
    return [
        tag
        for run in _INSTAGRAM_TAG_RUN_RE.finditer(text)
        for tag in _INSTAGRAM_TAG_RE.findall(run.group())
    ]


def instagram_mentions(text: str) -> list[str]:
    """The @mentions Instagram counts against its caption limit, in order."""
    return _INSTAGRAM_MENTION_RE.findall(text)


def mentions(network: str, text: str) -> list[str]:
    """The @mentions in `text` as `network` recognises them, in order."""
    return [text[s:e] for s, e, kind in entities(network, text) if kind == "mention"]


def _mention_re(network: str) -> regex.Pattern[str]:
    return {
        "x": _X_MENTION_RE,
        "mastodon": _MASTODON_MENTION_RE,
        "bluesky": _BLUESKY_MENTION_RE,
    }.get(network, _GENERIC_MENTION_RE)


def entities(network: str, text: str) -> list[Span]:
    """Links, hashtags and mentions for highlighting: ``(start, end, kind)`` string indices.

    `kind` is ``"link"``, ``"hashtag"`` or ``"mention"``; spans never overlap (a link wins) and
    are sorted by start.
    """
    found: list[Span] = [(s, e, "link") for s, e in url_spans(text, bare=network != "mastodon")]

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _ in found)

    for pattern, kind in ((_mention_re(network), "mention"), (_HASHTAG_RE, "hashtag")):
        for match in pattern.finditer(text):
            if free(*match.span()):
                found.append((match.start(), match.end(), kind))
    return sorted(found)
