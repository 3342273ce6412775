"""Publishing with a real worker (RQ + its dispatcher) against the networks' fakes, on a stack of
its own (PostgreSQL + Redis that this module may stop, and no other worker to take the jobs):
on time, exactly once across a killed worker, across a Redis restart, after a 429, and after an
expired token."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from crmapp.launcher.processes import child_env, start_worker, stop_process_group
from crmapp.launcher.stack import start_services
from crmapp.models.social import SocialAccount, SocialPostTarget
from crmapp.services.platform import secrets
from crmapp.services.social import accounts, posts, review
from crmapp.services.social.base import Identity, TokenSet
from crmapp.services.social.posts import PostInput
from tests import factories
from tests.conftest import SERVICE_VARS, _reset_cached_clients
from tests.fakes.http_fake import Reply
from tests.fakes.mastodon_fake import FakeMastodon
from tests.fakes.x_fake import FakeX

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def fakes() -> Iterator[tuple[FakeMastodon, FakeX]]:
    mastodon, x = FakeMastodon().start(), FakeX().start()
    yield mastodon, x
    mastodon.stop()
    x.stop()


@pytest.fixture(scope="module")
def stack(services, fakes):
    """An isolated PostgreSQL + Redis; this process's clients point at it for the module."""
    base = Path(tempfile.mkdtemp(prefix="tandem-social-"))
    started = start_services(base, persist=False)
    env = {
        **started.env,
        "TANDEM_ENV": "test",
        "TANDEM_SECRET_KEY": os.environ["TANDEM_SECRET_KEY"],
        "TANDEM_SOCIAL_LEASE_SECONDS": "3",  # a dead worker's claim is taken over after 3 s
        "TANDEM_SOCIAL_RETRY_BASE_SECONDS": "0.5",
        "TANDEM_SOCIAL_SWEEP_SECONDS": "0.2",
        "TANDEM_X_API_BASE": fakes[1].base_url,
        "TANDEM_X_CLIENT_ID": "x-client",
    }
    saved = {key: os.environ.get(key) for key in {*SERVICE_VARS, *env}}
    os.environ.update(env)
    _reset_cached_clients()
    secrets.forget_cached_keys()
    started.env = env
    try:
        yield started
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _reset_cached_clients()
        secrets.forget_cached_keys()
        started.stop()
        shutil.rmtree(base, ignore_errors=True)


class Worker:
    def __init__(self, env: dict[str, str], log: Path):
        self.env, self.log, self.proc = env, log, None

    def start(self) -> None:
        self.proc = start_worker(child_env(self.env), self.log)

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(os.getpgid(self.proc.pid), signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        stop_process_group(self.proc)


@pytest.fixture(scope="module")
def worker(stack) -> Iterator[Worker]:
    running = Worker(stack.env, Path(stack.env["TANDEM_DATA_DIR"]) / "worker.log")
    running.start()
    yield running
    running.stop()


def wait_for(check, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def account_on(
    owner,
    network: str,
    remote_id: str,
    token: str,
    *,
    refresh: str = "",
    base_url: str = "",
    expires_in: timedelta = timedelta(hours=2),
):
    tokens = TokenSet(token, refresh, datetime.now(UTC) + expires_in)
    identity = Identity(
        kind="user",
        remote_id=remote_id,
        handle="@acme",
        display_name="Acme",
        base_url=base_url,
        tokens=tokens,
    )
    with factories.scoped(owner) as session:
        return accounts.save_identity(session, owner.actor, network, identity)


def schedule(owner, account, text: str, due: datetime, overrides=None):
    with factories.scoped(owner) as session:
        data = PostInput(text=text, account_ids=[account.id], overrides=overrides or {})
        post = posts.create_post(session, owner.actor, data)
        review.submit(session, owner.actor, post.id)
        review.schedule(
            session, owner.actor, post.id, due.astimezone(UTC).replace(tzinfo=None), "UTC"
        )
    return post


def target_of(owner, post) -> SocialPostTarget:
    with factories.scoped(owner) as session:
        return session.exec(
            select(SocialPostTarget).where(SocialPostTarget.post_id == post.id)
        ).one()


def published(owner, post, timeout: float = 30.0) -> SocialPostTarget:
    return wait_for(
        lambda: (t := target_of(owner, post)).state == "published" and t,
        timeout,
        "the post to be published",
    )


def statuses(fake: FakeMastodon, text: str) -> list[dict]:
    return [s for s in fake.created() if text in s["content"]]


def test_a_post_due_in_two_seconds_publishes_on_time(stack, worker, fakes):
    mastodon, _ = fakes
    owner = factories.signup()
    account = account_on(
        owner, "mastodon", mastodon.alice["id"], mastodon.alice_token, base_url=mastodon.base_url
    )
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    post = schedule(owner, account, "On time, every time", due)
    target = published(owner, post)
    (status,) = statuses(mastodon, "On time, every time")
    sent = datetime.fromisoformat(status["created_at"].replace("Z", "+00:00"))
    assert timedelta(0) <= sent - due < timedelta(seconds=2), f"sent at {sent}, due {due}"
    assert target.remote_id == status["id"]


def test_killing_the_worker_mid_publish_publishes_exactly_once(stack, worker, fakes):
    mastodon, _ = fakes
    owner = factories.signup()
    account = account_on(
        owner, "mastodon", mastodon.alice["id"], mastodon.alice_token, base_url=mastodon.base_url
    )
    mastodon.hang_next("POST", r"/api/v1/statuses", 20.0)  # sent, then the answer never comes
    post = schedule(
        owner, account, "Exactly once, please", datetime.now(UTC) + timedelta(seconds=1)
    )
    wait_for(lambda: statuses(mastodon, "Exactly once"), 30, "the status to reach the network")
    assert target_of(owner, post).state == "publishing"
    worker.kill()
    worker.start()
    target = published(owner, post, timeout=45)
    (status,) = statuses(mastodon, "Exactly once, please")
    assert target.remote_id == status["id"]
    assert target.attempts == 2


def test_killing_the_worker_mid_thread_finishes_the_thread_once(stack, worker, fakes):
    _, x = fakes
    owner = factories.signup()
    account = account_on(owner, "x", "2244994945", x.issue_token())
    parts = ["Killed mid-thread: one.", "Killed mid-thread: two.", "Killed mid-thread: three."]
    x.hang_next("POST", r"/2/tweets", 20.0, after=1)  # part 2 is posted, its answer is late

    def thread_on_x() -> list[dict]:
        return [t for t in list(x.tweets.values()) if t["text"].startswith("Killed mid-thread")]

    post = schedule(
        owner,
        account,
        " ".join(parts),
        datetime.now(UTC) + timedelta(seconds=1),
        overrides={"x": {"parts": parts}},
    )
    wait_for(lambda: len(thread_on_x()) == 2, 30, "two parts to reach the network")
    worker.kill()  # the network holds parts [1, 1, 0]
    worker.start()
    target = published(owner, post, timeout=45)
    assert sorted(t["text"] for t in thread_on_x()) == sorted(parts), "every part exactly once"
    assert [x.tweets[i]["text"] for i in target.part_ids] == parts
    assert [x.tweets[i]["reply_to"] for i in target.part_ids[1:]] == list(target.part_ids[:2])


def test_a_redis_restart_loses_nothing(stack, worker, fakes):
    mastodon, _ = fakes
    owner = factories.signup()
    account = account_on(
        owner, "mastodon", mastodon.alice["id"], mastodon.alice_token, base_url=mastodon.base_url
    )
    post = schedule(owner, account, "Survives Redis", datetime.now(UTC) + timedelta(seconds=3))
    stack.redis.stop()  # everything RQ knew is gone (no persistence)
    time.sleep(4)
    assert target_of(owner, post).state == "scheduled"
    stack.redis.start()
    published(owner, post, timeout=45)
    assert len(statuses(mastodon, "Survives Redis")) == 1


def test_a_429_then_success_makes_one_post(stack, worker, fakes):
    _, x = fakes
    owner = factories.signup()
    account = account_on(owner, "x", "2244994945", x.issue_token())
    reset = str(int(time.time()) + 2)
    x.fail_next(
        "POST",
        r"/2/tweets",
        Reply(
            429,
            {
                "title": "Too Many Requests",
                "detail": "Too Many Requests",
                "type": "about:blank",
                "status": 429,
            },
            headers={
                "x-rate-limit-limit": "100",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": reset,
            },
        ),
    )
    post = schedule(owner, account, "Patience pays", datetime.now(UTC) + timedelta(seconds=1))
    target = published(owner, post)
    assert [t for t in x.tweets.values() if t["text"] == "Patience pays"] != []
    assert len([t for t in x.tweets.values() if t["text"] == "Patience pays"]) == 1
    assert target.attempts == 2
    retried = [r for r in x.calls("POST", r"/2/tweets") if b"Patience pays" in r.body]
    assert len(retried) == 2


def test_an_expired_token_is_refreshed_then_the_post_goes_out(stack, worker, fakes):
    _, x = fakes
    owner = factories.signup()
    token, refresh = x.issue_token(), x.issue_refresh()
    x.expire(token)  # the network says expired although our copy thinks it has time left
    account = account_on(owner, "x", "2244994945", token, refresh=refresh)
    post = schedule(
        owner, account, "Fresh token, fresh post", datetime.now(UTC) + timedelta(seconds=1)
    )
    published(owner, post)
    assert len([t for t in x.tweets.values() if t["text"] == "Fresh token, fresh post"]) == 1
    with factories.scoped(owner) as session:
        row = session.get(SocialAccount, account.id)
        kept = accounts.credentials(session, row)
    assert kept.refresh_token in x.refresh_tokens, "the rotated refresh token was kept"
    assert kept.refresh_token != refresh and row.status == "active"
