"""The publishing engine through the real services: claims and leases, lost answers checked or
held for a person, rate limits honoured, retries and dead letters, tokens refreshed on the way,
threads resumed; with the sandbox network and the scripted one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from crmapp.models.social import SocialAccount, SocialPostTarget
from crmapp.services.social import accounts, posts, publishing, review
from crmapp.services.social.base import AuthExpired, Identity, RateLimited, Rejected, TokenSet
from crmapp.services.social.posts import PostInput, WrongPostState
from tests import factories
from tests.social_support import (
    ScriptedNetwork,
    compose,
    connect,
    make_due,
    notes,
    reset_script,
    targets,
)


@pytest.fixture(autouse=True)
def _reset_script():
    reset_script()


def test_sandbox_publishes_once_and_a_second_sweep_does_nothing():
    owner = factories.signup()
    post = compose(owner, connect(owner, "sandbox"), connect(owner, "sandbox"))
    make_due(owner, post)
    first = publishing.publish_due(owner.actor.org_id)
    assert first == {"published": 2}
    assert publishing.publish_due(owner.actor.org_id) == {}
    done = targets(owner, post)
    assert {t.state for t in done} == {"published"}
    assert all(t.remote_id.startswith("sb-") and t.published_at for t in done)
    with factories.scoped(owner) as session, pytest.raises(WrongPostState):
        posts.update_post(
            session, owner.actor, post.id, PostInput(text="edit", account_ids=[done[0].account_id])
        )


def test_lost_answer_on_a_network_that_cannot_check_waits_for_a_person():
    owner = factories.signup()
    post = compose(owner, connect(owner))
    ScriptedNetwork.script = ["sent-then-lost"]
    make_due(owner, post)
    assert publishing.publish_due(owner.actor.org_id) == {"unknown": 1}
    (target,) = targets(owner, post)
    assert target.state == "unknown" and target.next_attempt_at is None
    assert "check" in notes(owner, "social.failed")[0].message
    assert publishing.publish_due(owner.actor.org_id) == {}, "never re-sent on its own"
    with factories.scoped(owner) as session:
        review.resolve_unknown(
            session, owner.actor, target.id, went_out=True, remote_url="https://scripted.example/1"
        )
    assert targets(owner, post)[0].state == "published"
    assert len(ScriptedNetwork.posted) == 1


def test_lost_answer_is_checked_before_retrying_where_the_network_allows():
    owner = factories.signup()
    post = compose(owner, connect(owner))
    ScriptedNetwork.can_lookup = True
    ScriptedNetwork.script = ["sent-then-lost"]
    make_due(owner, post)
    assert publishing.publish_due(owner.actor.org_id) == {"unknown": 1}
    with factories.scoped(owner) as session:  # the retry is due now
        target = session.exec(
            select(SocialPostTarget).where(SocialPostTarget.post_id == post.id)
        ).one()
        target.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
        session.add(target)
    assert publishing.publish_due(owner.actor.org_id) == {"published": 1}
    assert ScriptedNetwork.lookups == 1 and len(ScriptedNetwork.posted) == 1
    assert targets(owner, post)[0].remote_id == "found"


def test_an_interrupted_publish_is_checked_not_repeated():
    owner = factories.signup()
    post = compose(owner, connect(owner))
    ScriptedNetwork.can_lookup = True
    make_due(owner, post)
    (claim,) = publishing.claim_due(owner.actor.org_id)  # this "worker" then dies
    assert not claim.check_first
    ScriptedNetwork.posted.append(targets(owner, post)[0].idempotency_key)  # it had sent it
    later = datetime.now(UTC) + timedelta(hours=1)
    (again,) = publishing.claim_due(owner.actor.org_id, now=later)
    assert again.check_first
    assert publishing.publish_one(owner.actor.org_id, again) == "published"
    assert publishing.publish_one(owner.actor.org_id, claim) == "skipped", "the old claim is void"
    assert len(ScriptedNetwork.posted) == 1


def test_rate_limit_waits_for_the_reset_and_rejection_dead_letters():
    owner = factories.signup()
    post = compose(owner, connect(owner))
    reset = datetime.now(UTC) + timedelta(hours=2)
    ScriptedNetwork.script = [RateLimited("Slow down", reset)]
    make_due(owner, post)
    assert publishing.publish_due(owner.actor.org_id) == {"retry": 1}
    (target,) = targets(owner, post)
    assert target.state == "scheduled" and target.next_attempt_at >= reset
    assert "Slow down" in target.last_error

    other = compose(owner, connect(owner))
    ScriptedNetwork.script = [Rejected("Duplicate content: change the text")]
    make_due(owner, other)
    assert publishing.publish_due(owner.actor.org_id) == {"failed": 1}
    assert targets(owner, other)[0].state == "failed"
    assert "Duplicate content" in notes(owner, "social.failed")[-1].message


def test_transient_failures_retry_then_dead_letter(monkeypatch):
    monkeypatch.setenv("TANDEM_SOCIAL_MAX_ATTEMPTS", "2")
    from crmapp.settings import get_settings

    get_settings.cache_clear()
    try:
        owner = factories.signup()
        post = compose(owner, connect(owner))
        from crmapp.services.social.base import Transient

        ScriptedNetwork.script = [Transient("503"), Transient("503 again")]
        make_due(owner, post)
        assert publishing.publish_due(owner.actor.org_id) == {"retry": 1}
        later = datetime.now(UTC) + timedelta(hours=2)
        (claim,) = publishing.claim_due(owner.actor.org_id, now=later)
        assert publishing.publish_one(owner.actor.org_id, claim) == "failed"
        assert targets(owner, post)[0].attempts == 2
    finally:
        get_settings.cache_clear()


def test_a_refused_refresh_asks_the_owner_to_reconnect_and_holds_the_post():
    owner = factories.signup()
    account = connect(owner, expires_in=timedelta(seconds=-5))  # already expired
    post = compose(owner, account)
    ScriptedNetwork.script = [AuthExpired("refresh token revoked")]
    make_due(owner, post)
    assert publishing.publish_due(owner.actor.org_id) == {"retry": 1}
    with factories.scoped(owner) as session:
        assert session.get(SocialAccount, account.id).status == "needs_reconnect"
    (note,) = notes(owner, "social.reconnect")
    assert "Reconnect your Scripted account" in note.message
    assert ScriptedNetwork.posted == []


def test_expired_token_is_refreshed_then_published():
    owner = factories.signup()
    account = connect(owner, expires_in=timedelta(seconds=-5))
    post = compose(owner, account)
    make_due(owner, post)
    assert publishing.publish_due(owner.actor.org_id) == {"published": 1}
    assert ScriptedNetwork.refreshes == ["secret-refresh-token"]


def test_a_post_whose_media_file_is_gone_fails_with_a_reason_instead_of_looping():
    from crmapp.models.social import MediaAsset

    owner = factories.signup()
    account = connect(owner, "sandbox")
    with factories.scoped(owner) as session:
        asset = MediaAsset(
            org_id=owner.actor.org_id,
            storage_key="gone.png",
            filename="a.png",
            content_type="image/png",
            kind="image",
            size=10,
            width=10,
            height=10,
            created_by=owner.actor.user_id,
        )
        session.add(asset)
        session.flush()
        post = posts.create_post(
            session,
            owner.actor,
            PostInput(text="With a picture", account_ids=[account.id], media_ids=[asset.id]),
        )
    make_due(owner, post)
    assert publishing.publish_due(owner.actor.org_id) == {"failed": 1}
    (target,) = targets(owner, post)
    assert target.state == "failed" and "media file" in target.last_error


def test_a_thread_cut_short_is_finished_later_without_repeating_a_part(monkeypatch):
    from crmapp.services.social import http
    from crmapp.services.social.providers import x_api
    from crmapp.settings import get_settings
    from tests.fakes.http_fake import Reply
    from tests.fakes.x_fake import FakeX

    fake = FakeX().start()
    monkeypatch.setenv("TANDEM_X_API_BASE", fake.base_url)
    monkeypatch.setenv("TANDEM_X_CLIENT_ID", fake.client_id)
    get_settings.cache_clear()
    http.reset_client()
    real_call, sent = x_api.call, []

    def second_post_fails(method, path, token, **kwargs):
        if path == "/2/tweets":
            sent.append(path)
            if len(sent) == 2:
                fake.fail_next("POST", r"/2/tweets", Reply(503, {"title": "Unavailable"}))
        return real_call(method, path, token, **kwargs)

    monkeypatch.setattr(x_api, "call", second_post_fails)
    try:
        owner = factories.signup()
        with factories.scoped(owner) as session:
            identity = Identity(
                "user",
                "2244994945",
                "@tandem_test",
                "Tandem",
                TokenSet(
                    fake.issue_token(), fake.issue_refresh(), datetime.now(UTC) + timedelta(hours=2)
                ),
            )
            account = accounts.save_identity(session, owner.actor, "x", identity)
        words = " ".join(f"Sentence number {i} about the harbour museum." for i in range(18))
        post = compose(owner, account, text=words)  # over 280: threads automatically
        make_due(owner, post)
        assert publishing.publish_due(owner.actor.org_id) == {"retry": 1}
        (target,) = targets(owner, post)
        assert len(target.part_ids) == 1 and "1 part(s) of the thread went out" in target.last_error
        with factories.scoped(owner) as session, pytest.raises(WrongPostState):
            posts.update_post(
                session, owner.actor, post.id, PostInput(text="changed", account_ids=[account.id])
            )
        later = datetime.now(UTC) + timedelta(hours=2)
        (claim,) = publishing.claim_due(owner.actor.org_id, now=later)
        assert publishing.publish_one(owner.actor.org_id, claim) == "published"
        (target,) = targets(owner, post)
        texts = [t["text"] for t in fake.tweets.values()]
        assert len(texts) == len(set(texts)) == len(target.part_ids) >= 3
        assert target.remote_id == target.part_ids[0]
    finally:
        fake.stop()
        get_settings.cache_clear()
        http.reset_client()


def test_a_target_interrupted_on_every_attempt_stops_for_a_person():
    owner = factories.signup()
    post = compose(owner, connect(owner, "sandbox"))
    make_due(owner, post)
    later = datetime.now(UTC)
    for _ in range(5):  # five claims whose worker "died" each time
        later += timedelta(hours=1)
        assert publishing.claim_due(owner.actor.org_id, now=later)
    later += timedelta(hours=1)
    assert publishing.claim_due(owner.actor.org_id, now=later) == []
    (target,) = targets(owner, post)
    assert target.state == "unknown" and target.next_attempt_at is None
    assert "interrupted on every attempt" in notes(owner, "social.failed")[0].message


@pytest.fixture
def fake_x(monkeypatch):
    from crmapp.services.social import http
    from crmapp.settings import get_settings
    from tests.fakes.x_fake import FakeX

    fake = FakeX().start()
    monkeypatch.setenv("TANDEM_X_API_BASE", fake.base_url)
    monkeypatch.setenv("TANDEM_X_CLIENT_ID", fake.client_id)
    get_settings.cache_clear()
    http.reset_client()
    yield fake
    fake.stop()
    get_settings.cache_clear()
    http.reset_client()


def _x_account(owner, fake):
    with factories.scoped(owner) as session:
        identity = Identity(
            "user",
            "2244994945",
            "@tandem_test",
            "Tandem",
            TokenSet(
                fake.issue_token(), fake.issue_refresh(), datetime.now(UTC) + timedelta(hours=2)
            ),
        )
        return accounts.save_identity(session, owner.actor, "x", identity)


def _x_thread(owner, account, parts):
    with factories.scoped(owner) as session:
        return posts.create_post(
            session,
            owner.actor,
            PostInput(
                text=" ".join(parts),
                account_ids=[account.id],
                overrides={"x": {"parts": list(parts)}},
            ),
        )


def _chain(fake, part_ids):
    """The texts of the thread as the network holds it, following the replies."""
    texts = []
    for index, part_id in enumerate(part_ids):
        tweet = fake.tweets[part_id]
        assert tweet["reply_to"] == (part_ids[index - 1] if index else "")
        texts.append(tweet["text"])
    return texts


def test_a_lost_answer_on_the_first_part_of_a_thread_finishes_the_thread(fake_x):
    owner = factories.signup()
    account = _x_account(owner, fake_x)
    parts = [f"Part {n} of the harbour museum thread." for n in range(1, 5)]
    post = _x_thread(owner, account, parts)
    fake_x.lose_next("POST", r"/2/tweets")  # part 1 is posted, its answer never arrives
    make_due(owner, post)
    assert publishing.publish_due(owner.actor.org_id) == {"unknown": 1}
    assert [t["text"] for t in fake_x.tweets.values()] == parts[:1]
    later = datetime.now(UTC) + timedelta(hours=2)
    (claim,) = publishing.claim_due(owner.actor.org_id, now=later)
    assert claim.check_first
    assert publishing.publish_one(owner.actor.org_id, claim) == "published"
    (target,) = targets(owner, post)
    assert sorted(t["text"] for t in fake_x.tweets.values()) == sorted(parts), "each part once"
    assert len(target.part_ids) == 4 and _chain(fake_x, target.part_ids) == parts
    assert target.remote_id == target.part_ids[0]


def test_a_publish_interrupted_mid_thread_finishes_the_thread(fake_x):
    owner = factories.signup()
    account = _x_account(owner, fake_x)
    parts = ["First of three about the tide tables.", "Second of three.", "Third of three."]
    post = _x_thread(owner, account, parts)
    make_due(owner, post)
    assert publishing.claim_due(owner.actor.org_id)  # this "worker" dies after two parts
    first = fake_x.add_tweet("2244994945", parts[0])
    fake_x.add_tweet("2244994945", parts[1], reply_to=first)
    later = datetime.now(UTC) + timedelta(hours=1)
    (again,) = publishing.claim_due(owner.actor.org_id, now=later)
    assert again.check_first
    assert publishing.publish_one(owner.actor.org_id, again) == "published"
    (target,) = targets(owner, post)
    assert sorted(t["text"] for t in fake_x.tweets.values()) == sorted(parts), "each part once"
    assert len(target.part_ids) == 3 and _chain(fake_x, target.part_ids) == parts


def test_a_bluesky_mention_that_cannot_be_resolved_does_not_block_the_post(monkeypatch):
    from crmapp.services.social import connect, post_views
    from crmapp.settings import get_settings
    from tests.fakes.bluesky_fake import FakeBluesky
    from tests.fakes.http_fake import Reply

    with FakeBluesky() as fake:
        monkeypatch.setenv("TANDEM_BLUESKY_PDS", fake.base_url)
        get_settings.cache_clear()
        try:
            owner = factories.signup()
            with factories.scoped(owner) as session:
                account = connect.sign_in(
                    session,
                    owner.actor,
                    "bluesky",
                    handle="alice.test",
                    app_password="app-pass-1234",
                )
            fake.fail_next(
                "GET",
                r"/xrpc/com\.atproto\.identity\.resolveHandle",
                Reply(502, {"error": "UpstreamFailure", "message": "timeout"}),
                times=10,
            )
            post = compose(owner, account, text="Launch day with @partner.example!")
            make_due(owner, post)
            assert publishing.publish_due(owner.actor.org_id) == {"published": 1}
            (stored,) = fake.posts()
            assert stored["value"]["text"] == "Launch day with @partner.example!"
            with factories.scoped(owner) as session:
                shown = post_views.status_view(session, owner.actor, post.id, "UTC")
            (row,) = shown["targets"]
            assert row["state"] == "published" and row["last_error"] == ""
            assert "@partner.example" in row["notice"] and "plain text" in row["notice"]
        finally:
            get_settings.cache_clear()
