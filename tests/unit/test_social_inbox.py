"""The inbox interface: every provider is handed the posts Tandem published on the account and
says whether it reads direct messages (the networks' own behaviour is tested against their
fakes in each provider's test file)."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta

import pytest

from crmapp.services.social.base import (
    AccountAuth,
    SocialProvider,
)
from crmapp.services.social.providers.sandbox import SandboxProvider
from crmapp.services.social.registry import network_names, provider_class

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("network", network_names())
def test_every_provider_is_given_the_published_post_ids(network: str) -> None:
    cls = provider_class(network)
    assert list(inspect.signature(cls.fetch_inbox).parameters) == [
        "self",
        "account",
        "post_ids",
        "since",
    ]
    assert isinstance(cls.reads_messages, bool)


def test_no_provider_claims_to_read_direct_messages_yet() -> None:
    assert SocialProvider.reads_messages is False
    assert [n for n in network_names() if provider_class(n).reads_messages] == []


def test_sandbox_returns_the_comments_of_the_published_posts() -> None:
    provider = SandboxProvider()
    account = AccountAuth(network="sandbox", remote_id="sandbox-1")
    an_hour_ago = int((datetime.now(UTC) - timedelta(hours=1)).timestamp())
    published = [f"sb-{an_hour_ago}-{n:012x}-0" for n in range(12)]  # as `publish` names them
    items = provider.fetch_inbox(account, published, None)
    assert items, "some of the twelve posts gathered comments"
    assert all(i.post_remote_id in published and i.kind == "comment" for i in items)
    expected = {c.remote_id for rid in published for c in provider.comments_for(rid)}
    assert {i.remote_id for i in items} == expected
    assert provider.fetch_inbox(account, published[:1], None) == provider.comments_for(published[0])
    assert provider.fetch_inbox(account, [], None) == []
