"""A network is one class: declared once, the composer counts by its rules, the accounts page
offers it as it connects, the payload threads it by its limit, and the interface every
network shares is the same for all (no extra argument for one of them)."""

from __future__ import annotations

import ast
import inspect
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import regex

from crmapp.models.tenancy import Role
from crmapp.services.platform.actor import Actor
from crmapp.services.social import connect, media, payload, post_formats, registry, textrules
from crmapp.services.social.base import (
    AccountAuth,
    InboxItem,
    Metrics,
    NormalizedPost,
    PublishResult,
    SocialProvider,
    TokenSet,
)
from crmapp.services.social.textcount import TextRules, grapheme_count
from crmapp.settings import get_settings

pytestmark = pytest.mark.unit


@pytest.fixture
def pigeon(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[SocialProvider]]:
    """A throwaway network, everything about it in this one class."""

    class PigeonProvider(SocialProvider):
        name = "pigeon"
        label = "Pigeon"
        rank = 15  # listed between X and LinkedIn
        text_rules = TextRules(
            limit=40,
            unit=grapheme_count,
            url_weight=10,
            mention=regex.compile(r"(?<!\w)~\w+"),
            max_hashtags=2,
        )
        max_media = 1
        formats = ("feed", "scroll")
        aspect_ratios = {"feed": (1.0, 1.0), "scroll": (1 / 3, 1 / 3)}
        image_types = ("image/jpeg",)  # any other picture goes as a JPEG copy
        threads = True
        idempotent = True
        settings = ("x_client_id",)  # a real network names its own Settings field
        connect_label = "Pigeon loft"
        sent: list[str] = []

        def publish(self, post: NormalizedPost, account: AccountAuth) -> PublishResult:
            self.sent.extend(post.thread)
            return PublishResult("p-1", "https://pigeon.example/p-1", ("p-1",))

        def refresh_token(self, account: AccountAuth) -> TokenSet:
            return TokenSet(access_token=account.access_token)

        def fetch_inbox(self, account, post_ids, since) -> list[InboxItem]:
            return []

        def fetch_metrics(self, account, remote_ids) -> dict[str, Metrics]:
            return {}

    monkeypatch.setenv("TANDEM_X_CLIENT_ID", "")
    get_settings.cache_clear()
    registry.register(PigeonProvider)
    yield PigeonProvider
    registry.unregister("pigeon")
    monkeypatch.undo()
    get_settings.cache_clear()


def _actor(role: Role) -> Actor:
    return Actor(uuid.uuid4(), uuid.uuid4(), role)


def test_the_composer_counts_and_checks_by_the_networks_own_rules(pigeon) -> None:
    link = "https://example.com/" + "a" * 80
    assert textrules.count("pigeon", f"hi {link}") == 3 + 10  # a link weighs 10
    assert textrules.problems("pigeon", "x" * 45) == [
        "Pigeon allows 40 characters; this post is over by 5. Shorten it or publish it as a thread."
    ]
    assert textrules.problems("pigeon", "x" * 45, threaded=True) == []
    assert textrules.problems("pigeon", "#a #b #c", media_count=2) == [
        "Pigeon allows at most 2 hashtags; this caption has 3: remove 1.",
        "Pigeon allows at most 1 attachment per post; remove 1.",
    ]
    view = textrules.preview("pigeon", "Hello ~ann " + "word " * 20, display_name="A", handle="a")
    assert view["threaded"] and all(p["count"] <= 40 for p in view["parts"])
    assert view["mentions"] == ["~ann"]


def test_the_accounts_page_offers_it_as_it_connects(pigeon) -> None:
    offered = connect.options(_actor(Role.OWNER))
    assert [o.network for o in offered][:3] == ["x", "pigeon", "linkedin"]
    option = next(o for o in offered if o.network == "pigeon")
    assert (option.label, option.method, option.missing) == (
        "Pigeon loft",
        "oauth",
        "TANDEM_X_CLIENT_ID",
    )
    member_view = next(o for o in connect.options(_actor(Role.MEMBER)) if o.network == "pigeon")
    assert member_view.missing == connect.NOT_CONFIGURED


def test_the_payload_and_media_rules_follow_the_class(pigeon) -> None:
    parts = payload.thread_parts("pigeon", "word " * 30, {})
    assert len(parts) > 1 and all(textrules.count("pigeon", p) <= 40 for p in parts)
    assert media.fits("pigeon", "feed", 500, 500) and not media.fits("pigeon", "feed", 800, 500)
    assert media.crop_box("pigeon", "feed", 800, 500) == (150, 0, 650, 500)
    assert media.jpeg_needed("pigeon", "image/png") and not media.jpeg_needed("x", "image/png")
    provider = registry.get_provider("pigeon")
    post = NormalizedPost(text="hi", idempotency_key="k", parts=parts)
    assert provider.publish(post, AccountAuth("pigeon", "me")).remote_id == "p-1"
    assert pigeon.sent == list(parts)


def test_the_composer_offers_its_formats_and_crops_by_them(pigeon) -> None:
    offered = post_formats.choice(["x", "pigeon"])
    assert (offered.network, offered.label) == ("pigeon", "Pigeon")
    assert [o["label"] for o in offered.options] == ["Pigeon: Feed post", "Pigeon: Scroll"]
    assert post_formats.choice(["instagram", "pigeon"]).network == "pigeon"  # listed first
    assert post_formats.post_format("scroll", ["pigeon"]) == "scroll"
    assert post_formats.post_format("scroll", ["x"]) == "feed"  # no chosen network offers it
    assert post_formats.choice(["x", "mastodon"]) == post_formats.FormatChoice()
    assert media.crop_box("pigeon", "scroll", 900, 900) == (300, 0, 600, 900)


def test_instagram_offers_its_four_kinds_of_post() -> None:
    offered = post_formats.choice(["linkedin", "instagram"])
    assert offered.network == "instagram"
    assert [o["label"] for o in offered.options] == [
        "Instagram: Feed post",
        "Instagram: Reel",
        "Instagram: Story",
        "Instagram: Carousel",
    ]
    assert post_formats.post_format("reel", ["instagram"]) == "reel"


def test_an_unregistered_network_is_gone_again(pigeon) -> None:
    registry.unregister("pigeon")
    assert registry.find("pigeon") is None
    assert "pigeon" not in [o.network for o in connect.options(_actor(Role.OWNER))]


@pytest.mark.parametrize(
    "method", ["authorization_url", "exchange_code", "register_client", "sign_in"]
)
def test_every_network_connects_through_the_same_interface(method: str) -> None:
    shared = list(inspect.signature(getattr(SocialProvider, method)).parameters)
    for cls in registry.classes():
        assert list(inspect.signature(getattr(cls, method)).parameters) == shared, cls.name


def test_every_network_declares_its_facts() -> None:
    for cls in registry.classes():
        assert cls.label and isinstance(cls.text_rules, TextRules), cls.name
        for name in cls.settings:
            assert name in type(get_settings()).model_fields, (cls.name, name)


def test_the_interface_imports_no_network() -> None:
    base = Path(inspect.getfile(SocialProvider))
    imported = [
        node.module or ""
        for node in ast.walk(ast.parse(base.read_text()))
        if isinstance(node, ast.ImportFrom)
    ]
    assert not [m for m in imported if "providers" in m or m.endswith("registry")]
