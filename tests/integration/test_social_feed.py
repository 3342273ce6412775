"""The sandbox feed read: a sandbox account's published posts, newest first, with threads,
growing engagement and comments; nothing of another account or organisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crmapp.services.platform.errors import NotFound
from crmapp.services.social import accounts, feed, posts, publishing, review
from crmapp.services.social.base import Identity, TokenSet
from crmapp.services.social.posts import PostInput
from crmapp.services.social.providers import sandbox as sandbox_module
from tests import factories


def _sandbox(signed: factories.Signed, name: str = "Acme"):
    with factories.scoped(signed) as session:
        return accounts.connect_sandbox(session, signed.actor, name=name)


def _publish(signed: factories.Signed, account, text: str, overrides: dict | None = None):
    with factories.scoped(signed) as session:
        data = PostInput(text=text, account_ids=[account.id], overrides=overrides or {})
        post = posts.create_post(session, signed.actor, data)
        review.submit(session, signed.actor, post.id)
        review.publish_now(session, signed.actor, post.id)
    assert publishing.publish_due(signed.actor.org_id) == {"published": 1}
    return post


def _feed(signed: factories.Signed, key, **kw):
    with factories.scoped(signed) as session:
        return feed.sandbox_feed(session, signed.actor, key, **kw)


def test_published_posts_newest_first_with_threads():
    owner = factories.signup()
    account, other = _sandbox(owner), _sandbox(owner, "Other")
    first = _publish(owner, account, "First post")
    second = _publish(owner, account, "ignored", {"sandbox": {"parts": ["One", "Two", "Three"]}})
    _publish(owner, other, "On the other account")
    with factories.scoped(owner) as session:  # a draft never shows
        posts.create_post(session, owner.actor, PostInput(text="Draft", account_ids=[account.id]))

    items = _feed(owner, account.id)
    assert [i["post_id"] for i in items] == [str(second.id), str(first.id)]
    assert items[0]["parts"] == ["One", "Two", "Three"]
    assert items[1]["parts"] == ["First post"] and items[1]["text"] == "First post"
    assert all(i["remote_id"].startswith("sb-") for i in items)
    assert items[0]["published_at"] >= items[1]["published_at"]
    assert {"likes", "reposts", "replies", "views", "comments"} <= set(items[0])


def test_the_feed_is_found_by_the_remote_id_in_a_post_url():
    owner = factories.signup()
    account = _sandbox(owner)
    post = _publish(owner, account, "Hello")
    with factories.scoped(owner) as session:
        (target,) = posts.targets_of(session, post.id)
    assert target.remote_url.startswith(f"/social/sandbox/{account.remote_id}#")
    assert [i["post_id"] for i in _feed(owner, account.remote_id)] == [str(post.id)]


def test_engagement_and_comments_grow_over_time(monkeypatch: pytest.MonkeyPatch):
    owner = factories.signup()
    account = _sandbox(owner)
    _publish(owner, account, "Launch day")
    (fresh,) = _feed(owner, account.id)
    assert fresh["views"] == 0 and fresh["comments"] == []

    later = datetime.now(UTC) + timedelta(days=2)

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return later

    monkeypatch.setattr(sandbox_module, "datetime", Later)
    (grown,) = _feed(owner, account.id)
    assert grown["views"] > 0 and grown["likes"] >= 0
    expected = sandbox_module.SandboxProvider().comments_for(grown["remote_id"], later)
    assert grown["replies"] == len(grown["comments"]) == len(expected)
    assert [c["text"] for c in grown["comments"]] == [c.text for c in expected]
    assert all(c["created_at"] <= later for c in grown["comments"])


def test_only_sandbox_accounts_of_the_organisation():
    owner = factories.signup()
    stranger = factories.signup("Other org")
    viewer = factories.member(owner, "viewer")
    account = _sandbox(owner)
    _publish(owner, account, "Hello")
    assert len(_feed(viewer, account.id)) == 1, "any role may read"
    with pytest.raises(NotFound):
        _feed(stranger, account.id)
    with pytest.raises(NotFound):
        _feed(stranger, account.remote_id)
    with factories.scoped(owner) as session:
        identity = Identity(
            kind="user",
            remote_id="real-1",
            handle="@real",
            display_name="Real",
            tokens=TokenSet("t"),
        )
        real = accounts.save_identity(session, owner.actor, "mastodon", identity)
    with pytest.raises(NotFound):
        _feed(owner, real.id)
    with pytest.raises(NotFound):
        _feed(owner, "not-a-sandbox-id")
