"""Approvals, comments and scheduling of social posts.

Scheduling stores the instant in UTC beside the IANA zone the author picked; a local time that
does not exist in that zone (the hour skipped when clocks go forward) is refused, and one that
happens twice (when clocks go back) means the first of the two.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from crmapp import routes
from crmapp.models.base import utcnow
from crmapp.models.social import SocialPost, SocialPostComment, SocialPostTarget
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import ValidationError
from crmapp.services.social.posts import WrongPostState, get_post, move_target, targets_of
from crmapp.services.tenancy import audit, notifications, orgs
from crmapp.services.tenancy.permissions import Perm, require


def to_utc(local: datetime, tz: str) -> datetime:
    """The UTC instant of wall-clock `local` (naive) in zone `tz`.

    Raises ValidationError for an unknown zone or a time the zone skips (spring forward).
    """
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"timezone": f"Unknown time zone {tz!r}"}) from None
    aware = local.replace(tzinfo=zone, fold=0)
    instant = aware.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValidationError(
            {
                "scheduled_at": f"{local:%H:%M} does not exist on {local:%d %b %Y} in {tz} "
                "(the clocks go forward); pick another time"
            }
        )
    return instant


def approvals_required(session: Session, org_id: uuid.UUID) -> bool:
    """Whether posts need an Owner's or Admin's approval before they are scheduled."""
    return orgs.approval_required(session, org_id, "social_approvals")


def set_approvals_required(session: Session, actor: Actor, required: bool) -> None:
    """Turn required approval of social posts on or off (Owner/Admin); audited."""
    orgs.set_approval_required(session, actor, "social_approvals", required)


class NeedsReview(WrongPostState):
    """The post cannot go out before an Owner or Admin approves it (again); says what to do."""


def _future_utc(local: datetime, tz: str) -> datetime:
    """The UTC instant of `local` in `tz`; the past is refused."""
    when = to_utc(local, tz)
    if when < utcnow() - timedelta(minutes=1):
        raise ValidationError({"scheduled_at": "That time has passed; pick a time in the future"})
    return when


def _set_time(session: Session, actor: Actor, post_id: uuid.UUID, local: datetime, tz: str) -> None:
    """Give the post the time `local` in `tz` (unless it has exactly that one already)."""
    when = _future_utc(local, tz)
    post = get_post(session, actor, post_id, lock=True)
    if (post.scheduled_at, post.timezone) != (when, tz):
        _schedule_at(session, actor, post_id, when, tz)


def _queue_if_timed(session: Session, actor: Actor, post: SocialPost, targets: list) -> None:
    if post.scheduled_at is None:
        return
    for target in targets:
        if target.state == "approved":
            move_target(session, actor, target, "scheduled")
            target.next_attempt_at = post.scheduled_at
            target.attempts, target.last_error = 0, ""


def submit(
    session: Session,
    actor: Actor,
    post_id: uuid.UUID,
    *,
    local: datetime | None = None,
    tz: str = "UTC",
) -> SocialPost:
    """Send a draft on: to review (reviewers notified) where the organisation requires approval,
    else approved (and scheduled when it has a time).

    Args:
        session: A tenant session.
        actor: The author (or anyone who may edit).
        post_id: The post.
        local: The wall-clock time in `tz` the author chose in the composer, if any: it is
            saved with the post, so the reviewer sees it and approval schedules it. None keeps
            the post's saved time (or none).
        tz: The IANA zone of `local`.

    Raises:
        ValidationError: `local` has passed or does not exist in `tz`.
        WrongPostState: Nothing is a draft.
    """
    require(actor.role, Perm.RECORD_UPDATE)
    if local is not None:
        _set_time(session, actor, post_id, local, tz)
    post = get_post(session, actor, post_id, lock=True)
    targets = [t for t in targets_of(session, post.id, lock=True) if t.state in ("draft", "failed")]
    if not targets:
        raise WrongPostState("Nothing to submit: the post is not a draft")
    if approvals_required(session, actor.org_id):
        for target in targets:
            if target.state == "failed":
                move_target(session, actor, target, "draft")
            move_target(session, actor, target, "pending_review")
        for user_id in orgs.admin_ids(session, actor.org_id):
            if user_id != actor.user_id:
                notifications.notify(
                    session,
                    actor.org_id,
                    user_id,
                    "social.review",
                    f"{actor.email or 'A teammate'} asks you to review a post: “{post.text[:80]}”",
                    routes.social_post(post.id),
                )
    else:
        for target in targets:
            if target.state == "failed":
                move_target(session, actor, target, "draft")
            move_target(session, actor, target, "approved")
        _queue_if_timed(session, actor, post, targets)
    return post


def approve(
    session: Session,
    actor: Actor,
    post_id: uuid.UUID,
    note: str = "",
    *,
    local: datetime | None = None,
    tz: str = "UTC",
) -> SocialPost:
    """Approve a post in review (Owner/Admin); it is scheduled at once when it has a time.

    `local` (wall-clock in `tz`) is the time the approver chose, which replaces the author's;
    without one the post keeps the author's time, or stays approved until someone schedules or
    publishes it. A time that passed while the post was in review is not approved as is.

    Raises:
        ValidationError: The chosen or saved time has passed.
        WrongPostState: The post is not waiting for review.
    """
    require(actor.role, Perm.SOCIAL_APPROVE)
    if local is not None:
        _set_time(session, actor, post_id, local, tz)
    post = get_post(session, actor, post_id, lock=True)
    targets = [t for t in targets_of(session, post.id, lock=True) if t.state == "pending_review"]
    if not targets:
        raise WrongPostState("This post is not waiting for review")
    if post.scheduled_at is not None and post.scheduled_at < utcnow() - timedelta(minutes=1):
        raise ValidationError(
            {
                "scheduled_at": "The time chosen for this post has passed; pick "
                "a new one (or clear it) before approving"
            }
        )
    for target in targets:
        move_target(session, actor, target, "approved", reason=note.strip())
    _queue_if_timed(session, actor, post, targets)
    post.review_note = note.strip()[:1000]
    session.add(post)
    if post.author_id != actor.user_id:
        notifications.notify(
            session,
            actor.org_id,
            post.author_id,
            "social.approved",
            "Your post was approved" + (" and is scheduled" if post.scheduled_at else ""),
            routes.social_post(post.id),
        )
    return post


def reject(session: Session, actor: Actor, post_id: uuid.UUID, reason: str) -> SocialPost:
    """Reject a post in review with a reason the author sees (Owner/Admin)."""
    require(actor.role, Perm.SOCIAL_APPROVE)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say what should change"})
    post = get_post(session, actor, post_id, lock=True)
    targets = [t for t in targets_of(session, post.id, lock=True) if t.state == "pending_review"]
    if not targets:
        raise WrongPostState("This post is not waiting for review")
    for target in targets:
        move_target(session, actor, target, "rejected", reason=reason)
    post.review_note = reason[:1000]
    session.add(post)
    notifications.notify(
        session,
        actor.org_id,
        post.author_id,
        "social.rejected",
        f"Your post needs changes: {reason}"[:300],
        routes.social_post(post.id),
    )
    return post


def schedule(
    session: Session,
    actor: Actor,
    post_id: uuid.UUID,
    local: datetime | None,
    tz: str,
    *,
    release: bool = False,
) -> SocialPost:
    """Set (or clear, with `local=None`) when the post goes out. `local` is wall-clock time in
    `tz`; the past is refused. Approved targets are queued; a post still in review keeps the
    time for when it is approved. With `release` (the composer's Schedule button), drafts are
    submitted too where the organisation needs no approval, so they are queued at once; where
    it does, they wait for "Submit for review", which keeps the time."""
    when = None if local is None else _future_utc(local, tz)
    post = _schedule_at(session, actor, post_id, when, tz)
    drafts = any(t.state in ("draft", "failed") for t in targets_of(session, post_id))
    if release and drafts and not approvals_required(session, actor.org_id):
        submit(session, actor, post_id)
    return post


def schedule_released(
    session: Session, actor: Actor, post_id: uuid.UUID, local: datetime, tz: str
) -> bool:
    """The composer's Schedule button: `schedule` with `release`. Returns whether the post is
    queued now; False when it waits for an approval (which keeps the time)."""
    schedule(session, actor, post_id, local, tz, release=True)
    return any(t.state == "scheduled" for t in targets_of(session, post_id))


# Targets in these states may go out now (Publish now needs every target in one of them).
READY_STATES = frozenset({"approved", "scheduled"})


def _why_not(states: set[str]) -> str:
    """Why targets in `states` cannot go out now, and what to do about it."""
    if "pending_review" in states:
        return "This post is waiting for review: it can go out once an Owner or Admin approves it"
    if "rejected" in states:
        return "This post was rejected: change it and submit it for review again"
    if "failed" in states:
        return (
            "Publishing failed on some accounts: press Retry, or change the post and submit "
            "it for review again"
        )
    return (
        "This post needs an Owner's or Admin's approval before it goes out, and again after "
        "any change to an approved post: submit it for review"
    )


def publish_now(session: Session, actor: Actor, post_id: uuid.UUID) -> SocialPost:
    """Publish the post right away (the post keeps its zone), or say why it cannot go out.

    Where the organisation needs no approval, drafts (an edit included) are approved and go
    out with the rest. Where it does, every target must be approved (or scheduled): a draft, an
    edit made after approval, a post in review or a rejected one is refused with what to do,
    and nothing changes.

    Raises:
        NeedsReview: Some target needs (new) approval first; the message says what to do.
        WrongPostState: The post has started publishing.
    """
    require(actor.role, Perm.RECORD_UPDATE)
    post = get_post(session, actor, post_id, lock=True)
    targets = targets_of(session, post.id, lock=True)
    if any(t.state in ("publishing", "published", "unknown") for t in targets):
        raise WrongPostState("This post has started publishing")
    drafts = any(t.state in ("draft", "failed") for t in targets)
    if drafts and not approvals_required(session, actor.org_id):
        submit(session, actor, post.id)
    waiting = {t.state for t in targets} - READY_STATES
    if waiting:
        raise NeedsReview(_why_not(waiting))
    return _schedule_at(session, actor, post_id, utcnow(), post.timezone)


def _schedule_at(
    session: Session, actor: Actor, post_id: uuid.UUID, when: datetime | None, tz: str
) -> SocialPost:
    require(actor.role, Perm.RECORD_UPDATE)
    post = get_post(session, actor, post_id, lock=True)
    targets = targets_of(session, post.id, lock=True)
    if any(t.state in ("publishing", "published", "unknown") for t in targets):
        raise WrongPostState("This post has started publishing")
    before = post.scheduled_at
    post.scheduled_at, post.timezone = when, tz
    session.add(post)
    for target in targets:
        if target.state == "scheduled":
            if when is None:
                move_target(session, actor, target, "approved")
                target.next_attempt_at = None
            else:
                target.next_attempt_at = when
            session.add(target)
    _queue_if_timed(session, actor, post, targets)
    audit.record(
        session,
        actor,
        "social_post.scheduled",
        "social_post",
        post.id,
        {"scheduled_at": [before, when], "timezone": tz},
    )
    return post


def resolve_unknown(
    session: Session, actor: Actor, target_id: uuid.UUID, *, went_out: bool, remote_url: str = ""
) -> SocialPostTarget:
    """A person checked the network for a post whose outcome was unknown: it is there (mark it
    published) or it is not (publish it again)."""
    require(actor.role, Perm.RECORD_UPDATE)
    target = session.exec(
        select(SocialPostTarget)
        .where(SocialPostTarget.id == target_id, SocialPostTarget.org_id == actor.org_id)
        .with_for_update()
    ).first()
    if target is None or target.state != "unknown":
        raise WrongPostState("This post is not waiting for a check")
    if went_out:
        move_target(session, actor, target, "published", reason="confirmed by hand")
        target.published_at, target.remote_url = utcnow(), remote_url.strip()[:500]
        target.next_attempt_at = None
    else:
        move_target(session, actor, target, "scheduled", reason="not found on the network")
        target.next_attempt_at = utcnow()
        target.idempotency_key = uuid.uuid4().hex
    session.add(target)
    return target


def retry_failed(session: Session, actor: Actor, post_id: uuid.UUID) -> SocialPost:
    """Queue the post's failed targets again now (after the cause was fixed)."""
    require(actor.role, Perm.RECORD_UPDATE)
    post = get_post(session, actor, post_id, lock=True)
    failed = [t for t in targets_of(session, post.id, lock=True) if t.state == "failed"]
    if not failed:
        raise WrongPostState("Nothing failed")
    for target in failed:
        move_target(session, actor, target, "scheduled", reason="retry")
        target.next_attempt_at, target.attempts, target.last_error = utcnow(), 0, ""
    return post


def add_comment(
    session: Session, actor: Actor, post_id: uuid.UUID, body: str, network: str = ""
) -> SocialPostComment:
    """A review comment on the post (or on one network's variant); any role may comment."""
    require(actor.role, Perm.SOCIAL_COMMENT)  # every role, Viewers included
    body = body.strip()
    if not body:
        raise ValidationError({"comment": "Write a comment first"})
    post = get_post(session, actor, post_id)
    comment = SocialPostComment(
        org_id=actor.org_id,
        post_id=post.id,
        author_id=actor.user_id,
        network=network,
        body=body[:2000],
    )
    session.add(comment)
    audit.record(
        session, actor, "social_post.commented", "social_post", post.id, {"network": network}
    )
    if post.author_id != actor.user_id:
        notifications.notify(
            session,
            actor.org_id,
            post.author_id,
            "social.comment",
            f"{actor.email or 'A teammate'} commented: {body[:120]}",
            routes.social_post(post.id),
        )
    return comment


def comments(session: Session, actor: Actor, post_id: uuid.UUID) -> list[SocialPostComment]:
    """The post's comments, oldest first."""
    require(actor.role, Perm.RECORD_READ)
    return list(
        session.exec(
            select(SocialPostComment)
            .where(SocialPostComment.post_id == post_id, SocialPostComment.org_id == actor.org_id)
            .order_by(col(SocialPostComment.created_at))
        ).all()
    )
