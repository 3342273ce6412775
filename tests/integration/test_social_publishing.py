"""Social posts through the real services: the target state machine, approvals, DST-aware
scheduling, and the publishing engine (claims, unknown outcomes, retries, dead letters), with the
built-in sandbox network and a scripted test network registered in this process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pytest
from sqlalchemy import text
from sqlmodel import select

from crmapp.models.audit import AuditEvent
from crmapp.models.notifications import Notification
from crmapp.models.social import SocialAccount, SocialPostTarget
from crmapp.services.db import tenant_session
from crmapp.services.errors import PermissionDenied, ValidationError
from crmapp.services.social import accounts, posts, publishing, refresh, review
from crmapp.services.social.base import (
    AccountAuth,
    AuthExpired,
    Identity,
    NormalizedPost,
    OutcomeUnknown,
    PublishResult,
    RateLimited,
    Rejected,
    SocialProvider,
    TokenSet,
    register,
)
from crmapp.services.social.posts import InvalidTransition, PostInput
from tests import factories


@register
class ScriptedNetwork(SocialProvider):
    """A network whose next answers the test decides; it remembers what it 'posted'."""

    name: ClassVar[str] = "scripted"
    label: ClassVar[str] = "Scripted"
    max_chars: ClassVar[int] = 500
    can_lookup: ClassVar[bool] = False
    script: ClassVar[list] = []
    posted: ClassVar[list[str]] = []
    refreshes: ClassVar[list[str]] = []
    lookups: ClassVar[int] = 0

    def publish(self, post: NormalizedPost, account: AccountAuth) -> PublishResult:
        step = self.script.pop(0) if self.script else "ok"
        if step in ("ok", "sent-then-lost"):
            self.posted.append(post.idempotency_key)
        if step == "sent-then-lost":
            raise OutcomeUnknown("No answer after sending")
        if isinstance(step, Exception):
            raise step
        return PublishResult(f"r{len(self.posted)}", f"https://scripted.example/{len(self.posted)}")

    def lookup(self, post: NormalizedPost, account: AccountAuth) -> PublishResult | None:
        type(self).lookups += 1
        if not self.can_lookup:
            return super().lookup(post, account)
        found = post.idempotency_key in self.posted
        return PublishResult("found", "https://scripted.example/found") if found else None

    def refresh_token(self, account: AccountAuth) -> TokenSet:
        step = self.script.pop(0) if self.script else "ok"
        if isinstance(step, Exception):
            raise step
        self.refreshes.append(account.refresh_token)
        rotated = f"refresh-{len(self.refreshes)}" if step == "ok" else ""
        expires = datetime.now(UTC) + timedelta(hours=2)
        return TokenSet(access_token=f"access-{len(self.refreshes)}", refresh_token=rotated,
                        expires_at=expires)  # fmt: skip

    def fetch_inbox(self, account, since):
        return []

    def fetch_metrics(self, account, remote_ids):
        return {}


@pytest.fixture(autouse=True)
def _reset_script():
    ScriptedNetwork.script, ScriptedNetwork.posted, ScriptedNetwork.refreshes = [], [], []
    ScriptedNetwork.lookups, ScriptedNetwork.can_lookup = 0, False
    ScriptedNetwork.idempotent = False


def connect(signed, network="scripted", *, expires_in=timedelta(hours=2)):
    with factories.scoped(signed) as session:
        if network == "sandbox":
            return accounts.connect_sandbox(session, signed.actor, name="Acme")
        identity = Identity(
            kind="user", remote_id=f"u-{factories.email()}", handle="@acme",
            display_name="Acme", tokens=TokenSet("secret-access-token", "secret-refresh-token",
                                                 datetime.now(UTC) + expires_in),
        )  # fmt: skip
        return accounts.save_identity(session, signed.actor, network, identity)


def compose(signed, *account_list, text="Hello from Tandem"):
    with factories.scoped(signed) as session:
        data = PostInput(text=text, account_ids=[a.id for a in account_list])
        return posts.create_post(session, signed.actor, data)


def targets(signed, post):
    with factories.scoped(signed) as session:
        return posts.targets_of(session, post.id)


def make_due(signed, post):
    """Submit (no approvals) and publish now."""
    with factories.scoped(signed) as session:
        review.submit(session, signed.actor, post.id)
        review.publish_now(session, signed.actor, post.id)


def notes(signed, kind):
    with factories.scoped(signed) as session:
        query = select(Notification).where(
            Notification.user_id == signed.actor.user_id, Notification.kind == kind
        )
        return list(session.exec(query).all())


def test_scheduling_stores_utc_and_the_zone_and_queues_approved_targets():
    owner = factories.signup()
    post = compose(owner, connect(owner, "sandbox"))
    local = datetime(2030, 7, 1, 9, 30)
    with factories.scoped(owner) as session:
        review.submit(session, owner.actor, post.id)
        review.schedule(session, owner.actor, post.id, local, "Europe/Paris")
    (target,) = targets(owner, post)
    assert target.state == "scheduled"
    assert target.next_attempt_at == datetime(2030, 7, 1, 7, 30, tzinfo=UTC)  # CEST = UTC+2
    with tenant_session(None) as session:  # the dispatcher's view, without a tenant
        due = session.exec(
            text("SELECT due_at FROM social_schedule WHERE target_id = :t"), params={"t": target.id}
        ).one()  # type: ignore[call-overload]
    assert due[0] == target.next_attempt_at
    with factories.scoped(owner) as session:
        review.schedule(session, owner.actor, post.id, None, "Europe/Paris")
    assert targets(owner, post)[0].state == "approved"
    with tenant_session(None) as session:
        gone = session.exec(
            text("SELECT count(*) FROM social_schedule WHERE target_id = :t"),
            params={"t": target.id},
        ).one()  # type: ignore[call-overload]
    assert gone[0] == 0


def test_dst_gaps_are_refused_and_repeated_hours_mean_the_first():
    with pytest.raises(ValidationError, match="does not exist"):
        review.to_utc(datetime(2030, 3, 31, 2, 30), "Europe/Paris")  # clocks go forward
    first = review.to_utc(datetime(2030, 10, 27, 2, 30), "Europe/Paris")  # clocks go back
    assert first == datetime(2030, 10, 27, 0, 30, tzinfo=UTC)
    assert review.to_utc(datetime(2030, 3, 10, 12, 0), "America/New_York") == datetime(
        2030, 3, 10, 16, 0, tzinfo=UTC
    )  # EDT began that morning
    with pytest.raises(ValidationError, match="Unknown time zone"):
        review.to_utc(datetime(2030, 1, 1), "Mars/Olympus")


def test_approval_flow_notifies_and_audits_with_ip():
    owner = factories.signup()
    author = factories.member(owner, "member")
    with factories.scoped(owner) as session:
        review.set_approvals_required(session, owner.actor, True)
    account = connect(owner, "sandbox")
    post = compose(author, account)
    with factories.scoped(author) as session:
        review.submit(session, author.actor, post.id)
    assert targets(author, post)[0].state == "pending_review"
    assert notes(owner, "social.review"), "reviewers are told"
    with factories.scoped(author) as session, pytest.raises(PermissionDenied):
        review.approve(session, author.actor, post.id)
    with factories.scoped(owner) as session, pytest.raises(ValidationError):
        review.reject(session, owner.actor, post.id, "  ")
    with factories.scoped(owner) as session:
        review.add_comment(session, owner.actor, post.id, "Shorter, please", "sandbox")
        review.reject(session, owner.actor, post.id, "Too long for the audience")
    assert targets(author, post)[0].state == "rejected"
    assert "Too long" in notes(author, "social.rejected")[0].message
    with factories.scoped(author) as session:
        posts.update_post(session, author.actor, post.id,
                          PostInput(text="Short and sweet", account_ids=[account.id]))  # fmt: skip
        review.schedule(session, author.actor, post.id, datetime(2030, 1, 2, 9), "UTC")
        review.submit(session, author.actor, post.id)
    with factories.scoped(owner) as session:
        review.approve(session, owner.actor, post.id, "Good to go")
    assert targets(owner, post)[0].state == "scheduled"
    with factories.scoped(owner) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.entity_id == str(post.id))).all()
    actions = [e.action for e in events]
    for action in ("social_post.pending_review", "social_post.rejected", "social_post.approved",
                   "social_post.scheduled", "social_post.commented"):  # fmt: skip
        assert action in actions
    assert all(e.ip for e in events if e.action == "social_post.approved")


def test_invalid_moves_are_refused():
    owner = factories.signup()
    post = compose(owner, connect(owner, "sandbox"))
    with factories.scoped(owner) as session, pytest.raises(InvalidTransition):
        review.approve(session, owner.actor, post.id)  # not in review
    with factories.scoped(owner) as session, pytest.raises(InvalidTransition):
        review.retry_failed(session, owner.actor, post.id)


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
    with factories.scoped(owner) as session, pytest.raises(InvalidTransition):
        posts.update_post(session, owner.actor, post.id,
                          PostInput(text="edit", account_ids=[done[0].account_id]))  # fmt: skip


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
        review.resolve_unknown(session, owner.actor, target.id, went_out=True,
                               remote_url="https://scripted.example/1")  # fmt: skip
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
        target = session.exec(select(SocialPostTarget).where(
            SocialPostTarget.post_id == post.id)).one()  # fmt: skip
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


def test_tokens_are_sealed_refreshed_kept_and_never_shown():
    owner = factories.signup()
    account = connect(owner, expires_in=timedelta(minutes=10))
    with factories.scoped(owner) as session:
        row = session.get(SocialAccount, account.id)
        assert "secret-access-token" not in row.access_token_sealed
        assert "secret-refresh-token" not in row.refresh_token_sealed
        shown = accounts.view(row)
        events = session.exec(select(AuditEvent).where(
            AuditEvent.entity_id == str(account.id))).all()  # fmt: skip
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


def test_other_tenants_see_nothing_and_cannot_touch_the_schedule():
    owner, stranger = factories.signup(), factories.signup()
    post = compose(owner, connect(owner, "sandbox"))
    make_due(owner, post)
    with factories.scoped(stranger) as session:
        assert session.exec(select(SocialPostTarget)).all() == []
        assert session.exec(select(SocialAccount)).all() == []
        deleted = session.exec(text("DELETE FROM social_schedule"))  # type: ignore[call-overload]
        assert deleted.rowcount == 0
    assert owner.actor.org_id in publishing.due_orgs()
    publishing.publish_due(owner.actor.org_id)
    assert owner.actor.org_id not in publishing.due_orgs()


def test_scheduling_also_asks_rq_to_start_at_the_instant_once():
    from jobs.queues import queue
    from jobs.social import PUBLISH_QUEUE, enqueue_publish_at

    owner = factories.signup()
    post = compose(owner, connect(owner, "sandbox"))
    with factories.scoped(owner) as session:
        review.submit(session, owner.actor, post.id)
        review.schedule(session, owner.actor, post.id, datetime(2031, 5, 4, 10, 0), "Europe/Lisbon")
        due = posts.next_due(session, post.id)
    assert due == datetime(2031, 5, 4, 9, 0, tzinfo=UTC)
    enqueue_publish_at(owner.actor.org_id, due)
    enqueue_publish_at(owner.actor.org_id, due)
    registry = queue(PUBLISH_QUEUE).scheduled_job_registry
    ids = [i for i in registry.get_job_ids() if str(owner.actor.org_id) in i]
    assert len(ids) == 1
    assert registry.get_scheduled_time(ids[0]).replace(tzinfo=UTC) == due
    registry.remove(ids[0])


def test_a_post_whose_media_file_is_gone_fails_with_a_reason_instead_of_looping():
    from crmapp.models.social import MediaAsset

    owner = factories.signup()
    account = connect(owner, "sandbox")
    with factories.scoped(owner) as session:
        asset = MediaAsset(org_id=owner.actor.org_id, storage_key="gone.png", filename="a.png",
                           content_type="image/png", kind="image", size=10, width=10, height=10,
                           created_by=owner.actor.user_id)  # fmt: skip
        session.add(asset)
        session.flush()
        post = posts.create_post(session, owner.actor, PostInput(
            text="With a picture", account_ids=[account.id], media_ids=[asset.id]))  # fmt: skip
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
            identity = Identity("user", "2244994945", "@tandem_test", "Tandem",
                                TokenSet(fake.issue_token(), fake.issue_refresh(),
                                         datetime.now(UTC) + timedelta(hours=2)))  # fmt: skip
            account = accounts.save_identity(session, owner.actor, "x", identity)
        words = " ".join(f"Sentence number {i} about the harbour museum." for i in range(18))
        post = compose(owner, account, text=words)  # over 280: threads automatically
        make_due(owner, post)
        assert publishing.publish_due(owner.actor.org_id) == {"retry": 1}
        (target,) = targets(owner, post)
        assert len(target.part_ids) == 1 and "1 part(s) of the thread went out" in target.last_error
        with factories.scoped(owner) as session, pytest.raises(InvalidTransition):
            posts.update_post(session, owner.actor, post.id,
                              PostInput(text="changed", account_ids=[account.id]))  # fmt: skip
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
