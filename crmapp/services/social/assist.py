"""AI assist for the composer, through the AI gateway (model first, the offline writer last):
a caption from a brief, hashtags for a text, and a long text repurposed into a thread.

Whatever writes it, the result is held to the network's rules: captions are cut to the limit at a
word, thread parts are re-split when a model's part is too long, hashtags are de-duplicated.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session

from crmapp.services.ai import gateway
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import ValidationError
from crmapp.services.social import textrules
from crmapp.services.social.registry import provider_class
from crmapp.services.tenancy.permissions import Perm, require

STOPWORDS = {
    "about",
    "after",
    "again",
    "also",
    "because",
    "been",
    "before",
    "being",
    "between",
    "both",
    "could",
    "does",
    "doing",
    "during",
    "each",
    "from",
    "further",
    "have",
    "having",
    "here",
    "into",
    "just",
    "more",
    "most",
    "onto",
    "other",
    "ours",
    "over",
    "same",
    "should",
    "some",
    "such",
    "than",
    "that",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "under",
    "until",
    "very",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "will",
    "with",
    "within",
    "without",
    "would",
    "your",
    "yours",
}
PART_BREAK = "\n---\n"


@dataclass(frozen=True)
class Assisted:
    """What the assistant wrote and who wrote it (`offline` when no model was used)."""

    text: str
    parts: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    provider: str = "offline"


def _ask(
    session: Session, actor: Actor, system: str, user: str, offline_text: str
) -> tuple[str, str]:
    prompt = gateway.Prompt(
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        offline_text=lambda: offline_text,
        purpose="social",
    )
    outcome = gateway.Outcome()
    text = "".join(gateway.generate(session, actor.org_id, prompt, outcome)).strip()
    return text, outcome.provider


_WORD = re.compile(r"[^\W\d_][\w'’-]*")  # a letter, then letters, digits, apostrophes, hyphens
_CONTRACTION = re.compile(r"(n't|'re|'ll|'ve|'d|'m)$")


def _words(text: str) -> list[str]:
    """The words of `text` as a hashtag may hold them: a possessive loses its 's ("Northwind's"
    is "Northwind"), contractions ("don't", "we're") are no topic and are skipped, other
    apostrophes go ("O'Brien": "OBrien"); words shorter than four letters are left out."""
    out = []
    for raw in _WORD.findall(text):
        word = raw.replace("’", "'").strip("'-")
        lowered = word.lower()
        if lowered.endswith("'s"):
            word = word[:-2]
        elif _CONTRACTION.search(lowered):
            continue
        word = word.replace("'", "")
        if len(word) >= 4:
            out.append(word)
    return out


def offline_hashtags(text: str, count: int = 5) -> list[str]:
    """The text's most frequent meaningful words as hashtags (existing ones kept first); a
    hyphenated word is joined in camel case ("follow-up": "#FollowUp")."""
    existing = [t.lstrip("#") for t in re.findall(r"#\w+", text)]
    freq = Counter(w.lower() for w in _words(re.sub(r"#\w+|https?://\S+", " ", text)))
    picked = [w for w, _ in freq.most_common() if w not in STOPWORDS]
    tags, seen = [], set()
    for word in [*existing, *picked]:
        tag = "#" + "".join(p[:1].upper() + p[1:] for p in word.split("-") if p)
        if tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tags[:count]


def caption(session: Session, actor: Actor, *, brief: str, network: str) -> Assisted:
    """A caption for `network` written from `brief`, within its limit."""
    require(actor.role, Perm.RECORD_CREATE)
    brief = brief.strip()
    if not brief:
        raise ValidationError({"brief": "Say what the post is about"})
    limit = textrules.char_limit(network)
    label = provider_class(network).label
    sentences = re.split(r"(?<=[.!?])\s+", brief)
    offline_text = " ".join(sentences[:2]) + " " + " ".join(offline_hashtags(brief, 3))
    text, who = _ask(
        session,
        actor,
        f"You write social media captions for {label}. At most {limit} characters, plain text, "
        "one clear hook, one call to action, up to three relevant hashtags. Answer with the "
        "caption only.",
        brief,
        offline_text,
    )
    if textrules.count(network, text) > limit:
        text = textrules.truncate(network, text)
    return Assisted(text=text, provider=who)


def hashtags(
    session: Session, actor: Actor, *, text: str, network: str, count: int = 5
) -> Assisted:
    """Up to `count` hashtags for `text` (never past the network's cap, Instagram's 30)."""
    require(actor.role, Perm.RECORD_CREATE)
    if not text.strip():
        raise ValidationError({"text": "Write the post first"})
    offline_text = " ".join(offline_hashtags(text, count))
    answer, who = _ask(
        session,
        actor,
        f"Suggest {count} relevant hashtags for this {provider_class(network).label} post. "
        "Answer with the hashtags only, separated by spaces.",
        text,
        offline_text,
    )
    tags, seen = [], {t.lower() for t in re.findall(r"#\w+", text)}
    for tag in re.findall(r"#\w+", answer):
        if tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    rules = provider_class(network).text_rules
    if rules.max_hashtags:
        counted = len(rules.hashtags(text))  # as publishing counts them
        tags = tags[: max(0, rules.max_hashtags - counted)]
    return Assisted(text=" ".join(tags[:count]), tags=tuple(tags[:count]), provider=who)


def thread(session: Session, actor: Actor, *, text: str, network: str) -> Assisted:
    """`text` (an article, notes, a long post) repurposed into a thread for `network`, every part
    within the limit."""
    require(actor.role, Perm.RECORD_CREATE)
    if not text.strip():
        raise ValidationError({"text": "Paste the long text to turn into a thread"})
    if not provider_class(network).threads:
        raise ValidationError({"network": f"{provider_class(network).label} has no threads"})
    limit = textrules.char_limit(network)
    offline_text = PART_BREAK.join(textrules.split_thread(network, text))
    answer, who = _ask(
        session,
        actor,
        f"Turn the user's text into a thread of short posts for {provider_class(network).label}:"
        f" each at most {limit} characters, the first one a hook, the last a call to action. "
        f"Separate the posts with a line containing only ---.",
        text,
        offline_text,
    )
    parts: list[str] = []
    for part in (p.strip() for p in answer.split("---")):
        if not part:
            continue
        if textrules.count(network, part) > limit:
            parts += textrules.split_thread(network, part)
        else:
            parts.append(part)
    return Assisted(text="\n\n".join(parts), parts=tuple(parts), provider=who)
