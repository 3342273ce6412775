"""Publishing: claim what is due, publish it once, record the outcome.

PostgreSQL is the source of truth. A target is claimed under `FOR UPDATE SKIP LOCKED` (state
`publishing` with a lease, `claimed_until`), published outside any transaction, and its outcome
recorded under a row lock. A target whose lease ran out (the worker died mid-publish) or whose
answer was lost (`unknown`) is never blindly re-sent: networks with idempotency keys (Mastodon,
Bluesky, the sandbox) are retried with the same key, networks that can be searched are checked
first, and the rest wait for a person to check ("unknown — check"). Retries back off
exponentially, never sooner than the network's rate-limit reset; the last failure dead-letters
the target (`failed`) and notifies the author.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from crmapp import routes
from crmapp.models.base import utcnow
from crmapp.models.social import SocialAccount, SocialPost, SocialPostTarget, SocialSchedule
from crmapp.services.platform.actor import system_actor
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import NotFound, unexpected
from crmapp.services.social import accounts, payload, refresh
from crmapp.services.social.base import (
    AccountAuth,
    AuthExpired,
    NormalizedPost,
    NotSupported,
    OutcomeUnknown,
    PartlyPublished,
    PublishResult,
    RateLimited,
    Rejected,
    SocialError,
    SocialProvider,
    Transient,
)
from crmapp.services.social.posts import move_target
from crmapp.services.social.registry import get_provider, provider_class
from crmapp.services.tenancy import audit, notifications
from crmapp.settings import get_settings

MAX_BACKOFF = timedelta(hours=1)
INTERRUPTED = (
    "was interrupted on every attempt — check the network, then mark it published or publish "
    "it again"
)


@dataclass(frozen=True)
class Claim:
    """A target this process may publish until `lease`; `check_first` when an earlier attempt
    may have reached the network."""

    target_id: uuid.UUID
    lease: datetime
    check_first: bool


def due_orgs(now: datetime | None = None) -> list[uuid.UUID]:
    """Organisations with a target due (readable without a tenant: ids and times only)."""
    now = now or utcnow()
    with tenant_session(None) as session:
        return list(
            session.exec(
                select(SocialSchedule.org_id).where(SocialSchedule.due_at <= now).distinct()
            ).all()
        )


def claim_due(org_id: uuid.UUID, *, limit: int = 64, now: datetime | None = None) -> list[Claim]:
    """Claim up to `limit` due targets of the organisation for this process."""
    now = now or utcnow()
    lease = now + timedelta(seconds=get_settings().social_publish_lease_seconds)
    actor = system_actor(org_id, "publisher")
    max_attempts = get_settings().social_max_attempts
    claims = []
    with tenant_session(org_id) as session:
        rows = session.exec(
            select(SocialPostTarget)
            .where(
                or_(
                    and_(
                        col(SocialPostTarget.state).in_(["scheduled", "unknown"]),
                        col(SocialPostTarget.next_attempt_at) <= now,
                    ),
                    and_(
                        col(SocialPostTarget.state) == "publishing",
                        col(SocialPostTarget.claimed_until) < now,
                    ),
                )
            )
            .order_by(col(SocialPostTarget.next_attempt_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for target in rows:
            check_first = target.state in ("unknown", "publishing")
            if target.state == "publishing" and target.attempts >= max_attempts:
                # Interrupted on every attempt (a worker dying mid-call): stop, let a person look.
                move_target(session, actor, target, "unknown", reason="interrupted too often")
                target.claimed_until = target.next_attempt_at = None
                _dead_letter_note(session, target, INTERRUPTED)
                continue
            if target.state == "publishing":
                audit.record(
                    session,
                    actor,
                    "social_post.interrupted",
                    "social_post",
                    target.post_id,
                    {"account_id": target.account_id},
                )
            else:
                move_target(session, actor, target, "publishing")
            target.claimed_until, target.next_attempt_at = lease, None
            target.attempts += 1
            session.add(target)
            claims.append(Claim(target.id, lease, check_first))
    return claims


def backoff(attempts: int, retry_at: datetime | None = None) -> datetime:
    """When to try again after `attempts` attempts: exponential with jitter, never before the
    network's own reset time."""
    base = get_settings().social_retry_base_seconds * 2 ** max(0, attempts - 1)
    wait = min(timedelta(seconds=base * random.uniform(1.0, 1.25)), MAX_BACKOFF)
    when = utcnow() + wait
    return max(when, retry_at) if retry_at else when


def _prepare(
    org_id: uuid.UUID, claim: Claim
) -> tuple[SocialProvider, NormalizedPost, AccountAuth, uuid.UUID] | SocialError | None:
    """What one claimed target needs for its call: its provider, its content and its account's
    credentials; an error to record instead; or None when the claim is no longer ours."""
    with tenant_session(org_id) as session:
        target = session.get(SocialPostTarget, claim.target_id)
        if target is None or target.state != "publishing" or target.claimed_until != claim.lease:
            return None  # another process holds it now
        post = session.get(SocialPost, target.post_id)
        account = session.get(SocialAccount, target.account_id)
        if post is None or account is None:
            return Rejected("The post or its account was deleted")
        if account.status != "active":
            label = provider_class(account.network).label
            return AuthExpired(f"Reconnect the {label} account {account.handle} to publish")
        try:
            provider = get_provider(account.network)
            content = payload.build(session, post, target)
        except NotFound as error:
            return Rejected(f"A media file of this post is missing ({error}); replace it")
        except SocialError as error:
            return error
        return provider, content, accounts.credentials(session, account), account.id


def publish_one(org_id: uuid.UUID, claim: Claim) -> str:
    """Publish one claimed target; returns the outcome (`published`, `retry`, `failed`,
    `unknown`, `skipped`)."""
    try:
        prepared = _prepare(org_id, claim)
    except Exception as error:  # a bug or a broken row: retried, then dead-lettered
        prepared = Transient(unexpected(error, f"preparing target {claim.target_id}"))
    if prepared is None:
        return "skipped"
    if isinstance(prepared, SocialError):
        return _record(org_id, claim, error=prepared)
    provider, content, auth, account_id = prepared
    try:
        if auth.expires_at and auth.expires_at < utcnow() + timedelta(minutes=1):
            auth = refresh.refresh_account(org_id, account_id)
        result = None
        if claim.check_first and not provider.idempotent:
            try:
                result = provider.lookup(content, auth)
            except NotSupported:
                return _record(
                    org_id,
                    claim,
                    error=OutcomeUnknown(
                        "Check the network: the answer to the last attempt was lost"
                    ),
                    checkable=False,
                )
            if result is not None and _partial(result, content):
                # Only the first parts of the thread went out: continue after them.
                done = max(result.part_ids, content.done_parts, key=len)
                content, result = replace(content, done_parts=done), None
        if result is None:
            try:
                result = provider.publish(content, auth)
            except (AuthExpired, PartlyPublished) as error:
                if isinstance(error, PartlyPublished):
                    if not isinstance(error.cause, AuthExpired):
                        raise
                    content = replace(content, done_parts=error.part_ids)
                refused = auth.access_token
                auth = refresh.refresh_account(org_id, account_id, refused_token=refused)
                result = provider.publish(content, auth)
    except PartlyPublished as error:  # keep what went out: the retry continues after it
        checkable = provider.idempotent or provider.can_lookup
        return _record(
            org_id, claim, error=error.cause, part_ids=error.part_ids, checkable=checkable
        )
    except OutcomeUnknown as error:
        checkable = provider.idempotent or provider.can_lookup
        return _record(org_id, claim, error=error, checkable=checkable)
    except SocialError as error:
        return _record(org_id, claim, error=error)
    except Exception as error:  # a bug or an unexpected answer: retried, then dead-lettered
        message = unexpected(error, f"publishing target {claim.target_id}")
        return _record(org_id, claim, error=Transient(message))
    return _record(org_id, claim, result=result)


def _partial(result: PublishResult, content: NormalizedPost) -> bool:
    """Whether a lookup found only the first parts of the thread (the rest still to post)."""
    return bool(result.part_ids) and len(result.part_ids) < len(content.thread)


def _record(
    org_id: uuid.UUID,
    claim: Claim,
    *,
    result: PublishResult | None = None,
    error: SocialError | None = None,
    checkable: bool = True,
    part_ids: tuple[str, ...] = (),
) -> str:
    actor = system_actor(org_id, "publisher")
    with tenant_session(org_id) as session:
        target = session.exec(
            select(SocialPostTarget)
            .where(SocialPostTarget.id == claim.target_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if target is None or target.state != "publishing" or target.claimed_until != claim.lease:
            return "skipped"
        target.claimed_until = None
        if result is not None:
            move_target(session, actor, target, "published")
            target.remote_id, target.remote_url = result.remote_id[:300], result.url[:500]
            target.part_ids = list(result.part_ids or (result.remote_id,))
            target.published_at, target.last_error = utcnow(), ""
            target.notice = " ".join(result.notes)[:1000]
            return "published"
        assert error is not None
        if part_ids:
            target.part_ids = list(part_ids)
        went_out = f"{len(part_ids)} part(s) of the thread went out, then: " if part_ids else ""
        target.last_error = (went_out + str(error))[:1000]
        if isinstance(error, OutcomeUnknown):
            move_target(session, actor, target, "unknown", reason=str(error))
            if checkable and target.attempts < get_settings().social_max_attempts:
                target.next_attempt_at = backoff(target.attempts)
                return "unknown"
            target.next_attempt_at = None
            _dead_letter_note(
                session,
                target,
                "may have gone out — check the network, then mark it published or publish it again",
            )
            return "unknown"
        final = isinstance(error, Rejected) or (
            target.attempts >= get_settings().social_max_attempts
        )
        if isinstance(error, AuthExpired):
            account = session.get(SocialAccount, target.account_id)
            if account is not None:
                accounts.needs_reconnect(session, account, str(error))
        if final:
            move_target(session, actor, target, "failed", reason=str(error))
            _dead_letter_note(session, target, f"failed: {error}")
            return "failed"
        retry_at = error.retry_at if isinstance(error, RateLimited) else None
        move_target(session, actor, target, "scheduled", reason=str(error))
        target.next_attempt_at = backoff(target.attempts, retry_at)
        return "retry"


def _dead_letter_note(session: Session, target: SocialPostTarget, what: str) -> None:
    post = session.get(SocialPost, target.post_id)
    account = session.get(SocialAccount, target.account_id)
    if post is None:
        return
    where = f"{provider_class(target.network).label} {account.handle if account else ''}".strip()
    notifications.notify(
        session,
        target.org_id,
        post.author_id,
        "social.failed",
        f"Your post to {where} {what}"[:300],
        routes.social_post(post.id),
    )


def publish_due(org_id: uuid.UUID, *, concurrency: int | None = None) -> dict[str, int]:
    """Publish everything of the organisation that is due, `concurrency` at a time, until
    nothing is left. Claims are topped up as publishes finish (a slow network never holds the
    rest of a batch back). Returns how many of each outcome."""
    workers = concurrency or get_settings().social_publish_concurrency
    totals: Counter[str] = Counter()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="publish") as pool:
        running: set[Future[str]] = set()
        while True:
            if len(running) < workers * 2:
                for claim in claim_due(org_id, limit=workers * 4 - len(running)):
                    running.add(pool.submit(publish_one, org_id, claim))
            if not running:
                break
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                totals[future.result()] += 1
    return dict(totals)
