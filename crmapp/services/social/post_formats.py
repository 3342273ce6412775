"""The kinds of post a network publishes (feed post, reel, story, carousel), as the composer
offers them: which chosen network has a choice of format, its options, the format a post is
saved and cropped in.

Everything comes from the provider classes' `formats`, `aspect_ratios` and `label`; a network
that publishes only feed posts offers no choice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from crmapp.services.social import registry

# How a kind of post is named to users (a format not named here is shown capitalised).
FORMAT_LABELS = {"feed": "Feed post", "reel": "Reel", "story": "Story", "carousel": "Carousel"}


@dataclass(frozen=True)
class FormatChoice:
    """The network whose format the composer asks for, and its options (value, "Label: Kind")."""

    network: str = ""
    label: str = ""
    options: list[dict[str, str]] = field(default_factory=list)


def format_label(fmt: str) -> str:
    """How the kind of post `fmt` is named."""
    return FORMAT_LABELS.get(fmt, fmt.replace("_", " ").capitalize())


def choice(networks: Iterable[str]) -> FormatChoice:
    """The first of the chosen `networks` (in listing order) that publishes more than one kind
    of post, with its options; an empty choice when none does."""
    chosen = set(networks)
    for cls in registry.classes():
        if cls.name in chosen and len(cls.formats) > 1:
            options = [
                {"value": f, "label": f"{cls.label}: {format_label(f)}"} for f in cls.formats
            ]
            return FormatChoice(cls.name, cls.label, options)
    return FormatChoice()


def post_format(fmt: str, networks: Iterable[str]) -> str:
    """The format a post with `fmt` picked is saved in: `fmt` while a chosen network offers it,
    else a feed post."""
    offered = choice(networks)
    return fmt if any(o["value"] == fmt for o in offered.options) else "feed"
