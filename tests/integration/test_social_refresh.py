"""Tokens sealed at rest, and the token refresh job against the X fake: every token expiring
within the hour is chosen and renewed (rotating refresh tokens kept); a refused or repeatedly
failing refresh asks the account's owner to reconnect before any post would fail. The jobs run
in this process: the browser tests' worker shares this Redis and would take them (with the real
X as its host). A real worker refreshing a token is covered by test_social_worker.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from crmapp.models.audit import AuditEvent
from crmapp.models.notifications import Notification
from crmapp.models.social import SocialAccount
from crmapp.services.social import accounts, refresh
from crmapp.services.social.base import Identity, TokenSet, Transient
from crmapp.settings import get_settings
from jobs import social as social_jobs
from tests import factories
from tests.fakes.http_fake import Reply
from tests.fakes.x_fake import FakeX
from tests.social_support import ScriptedNetwork, connect, reset_script


@pytest.fixture(autouse=True)
def _reset_script():
    reset_script()


@pytest.fixture
def x(monkeypatch):
    fake = FakeX().start()
    monkeypatch.setenv("TANDEM_X_API_BASE", fake.base_url)
    monkeypatch.setenv("TANDEM_X_CLIENT_ID", fake.client_id)
    get_settings.cache_clear()
    yield fake
    fake.stop()
    get_settings.cache_clear()


def x_account(owner, fake: FakeX, *, expires_in: timedelta, refresh: str | None = None):
    tokens = TokenSet(
        fake.issue_token(), refresh or fake.issue_refresh(), datetime.now(UTC) + expires_in
    )
    identity = Identity("user", "2244994945", "@tandem_test", "Tandem Test", tokens)
    with factories.scoped(owner) as session:
        return accounts.save_identity(session, owner.actor, "x", identity)


def reloaded(owner, account) -> tuple[SocialAccount, str]:
    with factories.scoped(owner) as session:
        row = session.get(SocialAccount, account.id)
        return row, accounts.credentials(session, row).refresh_token


def test_the_job_renews_tokens_expiring_within_the_hour(x):
    owner = factories.signup()
    soon = x_account(owner, x, expires_in=timedelta(minutes=20))
    later = x_account(factories.signup(), x, expires_in=timedelta(hours=5))
    _, before = reloaded(owner, soon)
    due = refresh.expiring_accounts(social_jobs.REFRESH_WITHIN)
    assert (owner.actor.org_id, soon.id) in due
    assert (later.org_id, later.id) not in due
    assert social_jobs.refresh_one(str(owner.actor.org_id), str(soon.id)) == "refreshed"
    row, after = reloaded(owner, soon)
    assert after != before and after in x.refresh_tokens, "the rotated refresh token is kept"
    assert row.token_expires_at > datetime.now(UTC) + timedelta(hours=1)
    assert row.status == "active" and row.last_refreshed_at is not None
    assert reloaded(owner, soon)[0].refresh_failures == 0
    assert later.last_refreshed_at is None


def test_a_revoked_refresh_token_asks_the_owner_to_reconnect(x):
    owner = factories.signup()
    account = x_account(owner, x, expires_in=timedelta(minutes=20), refresh="revoked-token")
    assert social_jobs.refresh_one(str(owner.actor.org_id), str(account.id)) == "needs_reconnect"
    row, kept = reloaded(owner, account)
    assert row.status == "needs_reconnect"
    assert kept == "revoked-token", "a failed refresh never wipes the stored token"
    with factories.scoped(owner) as session:
        (note,) = session.exec(
            select(Notification).where(
                Notification.user_id == owner.actor.user_id, Notification.kind == "social.reconnect"
            )
        ).all()
    assert note.message.startswith("Reconnect your X account @tandem_test")


def test_the_last_of_repeated_transient_failures_dead_letters(x):
    owner = factories.signup()
    account = x_account(owner, x, expires_in=timedelta(minutes=20))
    x.fail_next("POST", r"/2/oauth2/token", Reply(503, {"title": "Service Unavailable"}), times=2)
    args = (str(owner.actor.org_id), str(account.id))
    with pytest.raises(Transient):
        social_jobs.refresh_one(*args)  # outside a job: treated as the last attempt
    row, _ = reloaded(owner, account)
    assert row.refresh_failures == 1 and row.status == "needs_reconnect"


def test_tokens_are_sealed_refreshed_kept_and_never_shown():
    owner = factories.signup()
    account = connect(owner, expires_in=timedelta(minutes=10))
    with factories.scoped(owner) as session:
        row = session.get(SocialAccount, account.id)
        assert "secret-access-token" not in row.access_token_sealed
        assert "secret-refresh-token" not in row.refresh_token_sealed
        shown = accounts.view(row)
        events = session.exec(
            select(AuditEvent).where(AuditEvent.entity_id == str(account.id))
        ).all()
    assert "secret" not in repr(shown)
    assert events and all("secret" not in repr(e.changes) for e in events)
    due = refresh.expiring_accounts(timedelta(hours=1))
    assert (owner.actor.org_id, account.id) in due
    auth = refresh.refresh_account(owner.actor.org_id, account.id)
    assert (auth.access_token, auth.refresh_token) == ("access-1", "refresh-1")
    assert ScriptedNetwork.refreshes == ["secret-refresh-token"]
    with factories.scoped(owner) as session:  # a refresh without a new refresh token keeps it
        row = session.get(SocialAccount, account.id)
        row.last_refreshed_at = None
        session.add(row)
    ScriptedNetwork.script = ["keep"]
    auth = refresh.refresh_account(owner.actor.org_id, account.id)
    assert auth.refresh_token == "refresh-1"


def test_a_token_refused_moments_after_a_refresh_is_renewed_not_sent_to_reconnect(x):
    from crmapp.services.social import publishing
    from tests.social_support import compose, make_due, notes

    owner = factories.signup()
    account = x_account(owner, x, expires_in=timedelta(minutes=20))
    refresh.refresh_account(owner.actor.org_id, account.id)  # the job renewed it a moment ago
    with factories.scoped(owner) as session:
        stale = accounts.credentials(session, session.get(SocialAccount, account.id)).access_token
    x.expire(stale)  # ... and yet the network refuses that token
    post = compose(owner, account, text="Refused, renewed, published")
    make_due(owner, post)
    assert publishing.publish_due(owner.actor.org_id) == {"published": 1}
    row, kept = reloaded(owner, account)
    assert row.status == "active" and kept in x.refresh_tokens
    assert notes(owner, "social.reconnect") == []
    assert [t["text"] for t in x.tweets.values()] == ["Refused, renewed, published"]
    assert len(x.calls("POST", r"/2/oauth2/token")) == 2


def test_two_callers_refused_the_same_token_refresh_it_once(x):
    owner = factories.signup()
    account = x_account(owner, x, expires_in=timedelta(hours=2))
    with factories.scoped(owner) as session:
        stale = accounts.credentials(session, session.get(SocialAccount, account.id)).access_token
    first = refresh.refresh_account(owner.actor.org_id, account.id, refused_token=stale)
    second = refresh.refresh_account(owner.actor.org_id, account.id, refused_token=stale)
    assert first.access_token == second.access_token != stale
    assert len(x.calls("POST", r"/2/oauth2/token")) == 1
    third = refresh.refresh_account(
        owner.actor.org_id, account.id, refused_token=first.access_token
    )
    assert third.access_token not in (stale, first.access_token)
    assert len(x.calls("POST", r"/2/oauth2/token")) == 2
