"""Social publishing through a real worker: lateness of scheduled posts and publish throughput.

Starts its own PostgreSQL + Redis (temporary directory), a local Mastodon fake that waits 50 ms
before answering each request (tests/fakes/mastodon_fake.py, rate limit out of the way), one
organisation with one Mastodon account on the fake, and `python -m jobs.worker` (RQ worker + the
social dispatcher sweeping every 0.2 s). Then:

1. Lateness: posts scheduled at random instants 20-60 s ahead; per post, the instant the fake
   received the status request minus the scheduled instant.
2. Throughput: posts all due at once (scheduled in one transaction); statuses per second from
   the first to the last the fake received, beside the ceiling our settings allow.

The Mastodon provider reads GET /api/v2/instance once per ten minutes (its limits are cached).
BENCH_SOCIAL_LATE and BENCH_SOCIAL_BURST shrink the runs.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crmapp.launcher.processes import (  # noqa: E402
    child_env,
    log_tail,
    start_worker,
    stop_process_group,
)
from crmapp.launcher.stack import start_services  # noqa: E402
from tests.fakes.http_fake import Reply, Request, route  # noqa: E402
from tests.fakes.mastodon_fake import FakeMastodon  # noqa: E402

LATE_POSTS = int(os.environ.get("BENCH_SOCIAL_LATE", "500"))
BURST_POSTS = int(os.environ.get("BENCH_SOCIAL_BURST", "1000"))
LATENCY = 0.05  # the fake's delay per request, seconds
LEAD, WINDOW_END = 20.0, 60.0  # lateness posts are due between LEAD and WINDOW_END seconds ahead
CHUNK = 50  # posts created per transaction


class TimedMastodon(FakeMastodon):
    """The fake, noting when each new status's request arrived (and its text and key)."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[float, str, str]] = []  # (unix time, text, idempotency key)

    @route("POST", r"/api/v1/statuses")
    def create_status(self, request: Request) -> Reply:
        # Handlers run after the fake's `latency` sleep: the request arrived that much earlier.
        arrived = time.time() - self.latency
        before = len(self.statuses)
        reply = super().create_status(request)
        if len(self.statuses) > before:  # a new status (a replayed idempotency key adds none)
            text = self._fields(request).get("status", [""])[0]
            self.received.append((arrived, text, request.headers.get("idempotency-key", "")))
        return reply

    def statuses_for(self, prefix: str) -> list[tuple[float, str, str]]:
        with self._lock:
            return [r for r in self.received if r[1].startswith(prefix)]


def percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def setup(fake: TimedMastodon):
    """One organisation and its Mastodon account on the fake."""
    from crmapp.services.social import accounts
    from crmapp.services.social.base import Identity, TokenSet
    from tests import factories

    owner = factories.signup("Bench Social")
    identity = Identity(
        kind="user",
        remote_id=fake.alice["id"],
        handle="@alice@fake",
        display_name="Alice",
        base_url=fake.base_url,
        tokens=TokenSet(fake.alice_token),
    )
    with factories.scoped(owner) as session:
        account = accounts.save_identity(session, owner.actor, "mastodon", identity)
    return owner, account.id


def create_posts(owner, account_id, texts: list[str], due: list[datetime] | None) -> float:
    """Create and submit one post per text (approved: the organisation requires no review),
    scheduled at `due[i]` when given. Returns seconds taken."""
    from crmapp.services.social import posts, review
    from tests import factories

    started = time.perf_counter()
    for start in range(0, len(texts), CHUNK):
        with factories.scoped(owner) as session:
            for i in range(start, min(start + CHUNK, len(texts))):
                data = posts.PostInput(text=texts[i], account_ids=[account_id])
                post = posts.create_post(session, owner.actor, data)
                review.submit(session, owner.actor, post.id)
                if due is not None:
                    local = due[i].astimezone(UTC).replace(tzinfo=None)
                    review.schedule(session, owner.actor, post.id, local, "UTC")
    return time.perf_counter() - started


def target_states(owner, prefix: str) -> Counter[str]:
    from sqlmodel import col, select

    from crmapp.models.social import SocialPost, SocialPostTarget
    from tests import factories

    with factories.scoped(owner) as session:
        rows = session.exec(
            select(SocialPostTarget.state)
            .join(SocialPost, col(SocialPost.id) == col(SocialPostTarget.post_id))
            .where(col(SocialPost.text).startswith(prefix))
        ).all()
    return Counter(rows)


def wait_for_statuses(fake: TimedMastodon, prefix: str, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(fake.statuses_for(prefix)) < count:
        if time.monotonic() > deadline:
            got = len(fake.statuses_for(prefix))
            raise TimeoutError(f"only {got}/{count} '{prefix}' statuses after {timeout:.0f} s")
        time.sleep(0.2)
    time.sleep(1.0)  # anything sent twice would arrive now


def once(fake: TimedMastodon, owner, prefix: str, count: int) -> str:
    """'N/count published exactly once', checked on the fake (one status per post, no key used
    twice) and in PostgreSQL (every target `published`)."""
    got = fake.statuses_for(prefix)
    texts, keys = Counter(r[1] for r in got), Counter(r[2] for r in got)
    states = target_states(owner, prefix)
    exact = sum(1 for n in texts.values() if n == 1)
    dupes = sum(n - 1 for n in texts.values()) + sum(n - 1 for n in keys.values())
    line = f"{exact}/{count} published exactly once"
    if dupes or states.get("published", 0) != count or len(got) != count:
        line += f" (statuses {len(got)}, duplicates {dupes}, targets {dict(states)})"
    return line


def lateness(fake: TimedMastodon, owner, account_id) -> None:
    prefix = "late-"
    rng = random.Random(7)
    now = datetime.now(UTC)
    due = [now + timedelta(seconds=rng.uniform(LEAD, WINDOW_END)) for _ in range(LATE_POSTS)]
    texts = [f"{prefix}{i} scheduled post from the bench" for i in range(LATE_POSTS)]
    took = create_posts(owner, account_id, texts, due)
    first_due = min(due) - datetime.now(UTC)
    print(
        f"  created {LATE_POSTS} scheduled posts in {took:.1f} s; first due "
        f"{first_due.total_seconds():.1f} s later"
    )
    if first_due.total_seconds() < 0:
        print("  WARNING: creation ran past the first scheduled instant")
    wait_for_statuses(fake, prefix, LATE_POSTS, WINDOW_END + 120)
    due_at = {text: when.timestamp() for text, when in zip(texts, due, strict=True)}
    late = [(t - due_at[text]) * 1000 for t, text, _key in fake.statuses_for(prefix)]
    early = sum(1 for ms in late if ms < 0)
    print(
        f"social publish lateness ({LATE_POSTS} posts due within {WINDOW_END:.0f} s): "
        f"p50 {statistics.median(late):.0f} ms, p99 {percentile(late, 99):.0f} ms, "
        f"max {max(late):.0f} ms; {once(fake, owner, prefix, LATE_POSTS)}"
        + (f"; {early} EARLY" if early else "")
    )


def throughput(fake: TimedMastodon, owner, account_id, concurrency: int) -> None:
    from crmapp.services.social import review
    from tests import factories

    prefix = "burst-"
    texts = [f"{prefix}{i} post due now from the bench" for i in range(BURST_POSTS)]
    took = create_posts(owner, account_id, texts, None)  # approved, no time yet
    ids = post_ids(owner, prefix)
    started = time.perf_counter()
    with factories.scoped(owner) as session:  # all due at once: one commit schedules them all
        when = (datetime.now(UTC) + timedelta(seconds=2)).replace(tzinfo=None)
        for post_id in ids:
            review.schedule(session, owner.actor, post_id, when, "UTC")
    committed = time.time()
    print(
        f"  created {BURST_POSTS} approved posts in {took:.1f} s, scheduled them for 2 s "
        f"ahead in one transaction ({time.perf_counter() - started:.1f} s)"
    )
    wait_for_statuses(fake, prefix, BURST_POSTS, 300)
    times = sorted(t for t, _text, _key in fake.statuses_for(prefix))
    span = times[-1] - times[0]
    rate = (len(times) - 1) / span if span > 0 else float("inf")
    due_ts = when.replace(tzinfo=UTC).timestamp()
    ceiling = concurrency / LATENCY
    pickup = (times[0] - max(due_ts, committed)) * 1000  # due (or committed, if later) -> first
    print(
        f"social publish throughput ({BURST_POSTS} posts due at once): {rate:.0f} posts/s "
        f"(first to last status {span:.1f} s; first status {pickup:.0f} ms after due); "
        f"{once(fake, owner, prefix, BURST_POSTS)}"
    )
    print(
        f"  the fake's own limit with our settings: concurrency {concurrency} / "
        f"{LATENCY * 1000:.0f} ms = {ceiling:.0f} publishes/s -> measured/limit "
        f"{rate / ceiling:.2f}; target >= 50/s: {'met' if rate >= 50 else 'NOT met'}"
    )


def post_ids(owner, prefix: str) -> list:
    from sqlmodel import col, select

    from crmapp.models.social import SocialPost
    from tests import factories

    with factories.scoped(owner) as session:
        query = select(SocialPost.id).where(col(SocialPost.text).startswith(prefix))
        return list(session.exec(query).all())


def main() -> None:
    """Measure and print."""
    fake = TimedMastodon()
    fake.latency, fake.rate_limit = LATENCY, 10**9
    fake.start()
    with tempfile.TemporaryDirectory(prefix="tandem-social-bench-") as tmp:
        services = start_services(Path(tmp), persist=False)
        worker = None
        log = Path(tmp) / "worker.log"
        try:
            env = {**services.env, "TANDEM_SOCIAL_SWEEP_SECONDS": "0.2"}
            os.environ.update(env)
            from crmapp.services.platform.db import reset_engine
            from crmapp.services.platform.redis_client import get_redis
            from crmapp.settings import get_settings

            get_settings.cache_clear()  # this run's own PostgreSQL and Redis
            reset_engine()
            get_redis.cache_clear()
            concurrency = get_settings().social_publish_concurrency
            owner, account_id = setup(fake)
            worker = start_worker(child_env(env), log, kind="urgent")
            print(
                f"Social publishing through `python -m jobs.worker --class urgent` (dispatcher "
                f"sweep 0.2 s, "
                f"concurrency {concurrency}) to a Mastodon fake with "
                f"{LATENCY * 1000:.0f} ms per request; {os.cpu_count()} cores"
            )
            lateness(fake, owner, account_id)
            throughput(fake, owner, account_id, concurrency)
            instance = len(fake.calls("GET", r"/api/v2/instance"))
            posted = len(fake.calls("POST", r"/api/v1/statuses"))
            print(
                f"  requests to the fake: {posted} POST /api/v1/statuses, {instance} GET "
                f"/api/v2/instance (the provider caches the instance's limits for ten minutes)"
            )
        except BaseException:
            print(f"--- last lines of worker.log\n{log_tail(log)}", file=sys.stderr)
            raise
        finally:
            stop_process_group(worker)
            services.stop()
            fake.stop()


if __name__ == "__main__":
    main()
