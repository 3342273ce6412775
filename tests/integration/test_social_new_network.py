"""A network added as one class, and nothing else, goes through the real services: the composer
refuses what its rules refuse, and the publishing engine threads and publishes it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import pytest

from crmapp.services.platform.errors import ValidationError
from crmapp.services.social import posts, publishing, registry
from crmapp.services.social.base import (
    AccountAuth,
    InboxItem,
    Metrics,
    NormalizedPost,
    PublishResult,
    SocialProvider,
    TokenSet,
)
from crmapp.services.social.posts import PostInput
from crmapp.services.social.textcount import TextRules
from tests import factories
from tests.social_support import compose, connect, make_due, targets


@pytest.fixture
def carrier() -> Iterator[type[SocialProvider]]:
    class CarrierProvider(SocialProvider):
        name = "carrier"
        label = "Carrier"
        text_rules = TextRules(limit=60, max_hashtags=1)
        threads = True
        idempotent = True
        sent: ClassVar[list[tuple[str, ...]]] = []

        def publish(self, post: NormalizedPost, account: AccountAuth) -> PublishResult:
            self.sent.append(post.thread)
            ids = tuple(f"c-{n}" for n in range(len(post.thread)))
            return PublishResult(ids[0], f"https://carrier.example/{ids[0]}", ids)

        def refresh_token(self, account: AccountAuth) -> TokenSet:
            return TokenSet(access_token=account.access_token)

        def fetch_inbox(self, account, post_ids, since) -> list[InboxItem]:
            return []

        def fetch_metrics(self, account, remote_ids) -> dict[str, Metrics]:
            return {}

    registry.register(CarrierProvider)
    yield CarrierProvider
    registry.unregister("carrier")


def test_a_network_declared_in_one_class_is_composed_threaded_and_published(carrier) -> None:
    owner = factories.signup()
    account = connect(owner, "carrier")
    with factories.scoped(owner) as session, pytest.raises(ValidationError) as refused:
        data = PostInput(text="Two tags #one #two", account_ids=[account.id])
        posts.create_post(session, owner.actor, data)
    assert refused.value.fields == {
        "text.carrier": "Carrier: Carrier allows at most 1 hashtags; this caption has 2: remove 1."
    }
    text = " ".join(f"word{n}" for n in range(30))  # 179 characters: a thread of four
    post = compose(owner, account, text=text)
    make_due(owner, post)
    assert publishing.publish_due(owner.actor.org_id) == {"published": 1}
    (target,) = targets(owner, post)
    assert target.state == "published" and target.remote_id == "c-0"
    (thread,) = carrier.sent
    assert len(thread) == len(target.part_ids) > 1
    assert all(len(part) <= 60 for part in thread)
    assert " ".join(p.rsplit(" ", 1)[0] for p in thread) == text
