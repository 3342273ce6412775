"""Social posts: write once, one target per account, each with its own state.

Target state machine (`TRANSITIONS`): draft → pending_review → approved | rejected → scheduled →
publishing → published | failed, plus `unknown` (the network may have it: checked before any
retry). Editing a post sends its targets back to draft (a new review where one is required).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.crm import Contact, Deal
from crmapp.models.social import MediaAsset, SocialAccount, SocialPost, SocialPostTarget
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import NotFound, ServiceError, ValidationError
from crmapp.services.social import registry, textrules
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.permissions import Perm, require

TRANSITIONS: dict[str, set[str]] = {
    "draft": {"pending_review", "approved"},
    "pending_review": {"approved", "rejected", "draft"},
    "approved": {"scheduled", "draft"},
    "rejected": {"draft"},
    "scheduled": {"publishing", "approved", "draft", "failed"},
    "publishing": {"published", "failed", "scheduled", "unknown"},
    "unknown": {"publishing", "scheduled", "published", "failed"},
    "failed": {"scheduled", "draft"},
    "published": set(),
}
LOCKED_STATES = {"publishing", "published", "unknown"}  # a post with these cannot be edited


class WrongPostState(ServiceError):
    """A target cannot move from its state to the one asked."""


@dataclass
class PostInput:
    """What the composer submits."""

    text: str
    account_ids: list[uuid.UUID]
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    media_ids: list[uuid.UUID] = field(default_factory=list)
    link: str = ""
    format: str = "feed"
    deal_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    campaign: str = ""


def move_target(
    session: Session,
    actor: Actor,
    target: SocialPostTarget,
    state: str,
    *,
    reason: str = "",
) -> None:
    """Move one target to `state` (refused unless the machine allows it), audited."""
    if state not in TRANSITIONS.get(target.state, set()):
        raise WrongPostState(f"A {target.state.replace('_', ' ')} post cannot become {state}")
    before = target.state
    target.state = state
    target.updated_at = utcnow()
    session.add(target)
    changes: dict[str, Any] = {"state": [before, state], "account_id": target.account_id}
    if reason:
        changes["reason"] = reason
    audit.record(session, actor, f"social_post.{state}", "social_post", target.post_id, changes)


def text_for(post: SocialPost, network: str) -> str:
    """The text a network gets: its variant, or the original."""
    return str((post.overrides.get(network) or {}).get("text") or post.text)


def _validate(session: Session, actor: Actor, data: PostInput) -> list[SocialAccount]:
    problems: dict[str, str] = {}
    if not data.text.strip() and not data.media_ids:
        problems["text"] = "Write something or attach media"
    if not data.account_ids:
        problems["accounts"] = "Choose at least one account to post to"
    if data.format not in {f for cls in registry.classes() for f in cls.formats}:
        problems["format"] = f"Unknown format {data.format!r}"
    accounts = list(
        session.exec(
            select(SocialAccount).where(
                SocialAccount.org_id == actor.org_id,
                col(SocialAccount.id).in_(data.account_ids or [uuid.UUID(int=0)]),
            )
        ).all()
    )
    if len(accounts) != len(set(data.account_ids)):
        problems["accounts"] = "One of the accounts is not in this organisation"
    for account in accounts:
        if account.status == "disconnected":
            problems["accounts"] = f"{account.display_name} is disconnected"
    media = list(
        session.exec(
            select(MediaAsset).where(
                MediaAsset.org_id == actor.org_id,
                col(MediaAsset.id).in_(data.media_ids or [uuid.UUID(int=0)]),
                col(MediaAsset.deleted_at).is_(None),
            )
        ).all()
    )
    if len(media) != len(set(data.media_ids)):
        problems["media"] = "One of the media files is not in the library"
    for network in sorted({a.network for a in accounts}):
        variant = str((data.overrides.get(network) or {}).get("text") or data.text)
        cls = registry.provider_class(network)
        found = textrules.problems(network, variant, len(media), threaded=cls.threads)
        if found:
            problems[f"text.{network}"] = f"{cls.label}: {found[0]}"
    refs: tuple[tuple[str, type[Deal] | type[Contact], str], ...] = (
        ("deal_id", Deal, "deal"),
        ("contact_id", Contact, "contact"),
    )
    for key, model, what in refs:
        ref = getattr(data, key)
        if ref is not None:
            row = cast("Deal | Contact | None", session.get(model, ref))
            if row is None or row.org_id != actor.org_id or row.deleted_at is not None:
                problems[key] = f"That {what} is not in this organisation"
    if problems:
        raise ValidationError(problems)
    return accounts


def _new_target(post: SocialPost, account: SocialAccount) -> SocialPostTarget:
    return SocialPostTarget(
        org_id=post.org_id,
        post_id=post.id,
        account_id=account.id,
        network=account.network,
        idempotency_key=uuid.uuid4().hex,
    )


def _apply(post: SocialPost, data: PostInput) -> None:
    post.text = data.text.strip()
    post.overrides = {k: v for k, v in data.overrides.items() if v}
    post.media_ids = [str(m) for m in data.media_ids]
    post.link = data.link.strip()
    post.format = data.format
    post.deal_id, post.contact_id = data.deal_id, data.contact_id
    post.campaign = data.campaign.strip()[:120]
    post.updated_at = utcnow()


def create_post(session: Session, actor: Actor, data: PostInput) -> SocialPost:
    """A new draft post with a draft target per chosen account."""
    require(actor.role, Perm.RECORD_CREATE)
    accounts = _validate(session, actor, data)
    post = SocialPost(org_id=actor.org_id, author_id=actor.user_id)
    _apply(post, data)
    session.add(post)
    session.flush()
    for account in accounts:
        session.add(_new_target(post, account))
    audit.record(
        session,
        actor,
        "social_post.created",
        "social_post",
        post.id,
        {"networks": sorted(a.network for a in accounts), "deal_id": post.deal_id},
    )
    session.flush()
    return post


def get_post(
    session: Session, actor: Actor, post_id: uuid.UUID, *, lock: bool = False
) -> SocialPost:
    """A live post of the organisation (row-locked with `lock`), or NotFound."""
    require(actor.role, Perm.RECORD_READ)
    query = select(SocialPost).where(
        SocialPost.id == post_id,
        SocialPost.org_id == actor.org_id,
        col(SocialPost.deleted_at).is_(None),
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    post = session.exec(query).first()
    if post is None:
        raise NotFound("Post not found")
    return post


def targets_of(
    session: Session, post_id: uuid.UUID, *, lock: bool = False
) -> list[SocialPostTarget]:
    """The post's targets (row-locked with `lock`), in a stable order."""
    query = select(SocialPostTarget).where(SocialPostTarget.post_id == post_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return sorted(session.exec(query).all(), key=lambda t: (t.network, str(t.account_id)))


def update_post(session: Session, actor: Actor, post_id: uuid.UUID, data: PostInput) -> SocialPost:
    """Edit a post that has not started publishing; its targets go back to draft (and get new
    idempotency keys: nothing of the old text went out)."""
    require(actor.role, Perm.RECORD_UPDATE)
    post = get_post(session, actor, post_id, lock=True)
    targets = targets_of(session, post.id, lock=True)
    if any(t.state in LOCKED_STATES or t.part_ids for t in targets):
        raise WrongPostState("This post has started publishing: it can no longer be edited")
    accounts = _validate(session, actor, data)
    before = {"text": post.text, "overrides": post.overrides, "link": post.link}
    _apply(post, data)
    wanted = {a.id: a for a in accounts}
    for target in targets:
        if target.account_id not in wanted:
            session.delete(target)
            continue
        del wanted[target.account_id]
        if target.state not in ("draft", "failed"):
            target.state = "draft"
        target.next_attempt_at = None
        target.idempotency_key = uuid.uuid4().hex
        target.attempts, target.last_error = 0, ""
        session.add(target)
    for account in wanted.values():
        session.add(_new_target(post, account))
    session.add(post)
    after = {"text": post.text, "overrides": post.overrides, "link": post.link}
    audit.record(
        session, actor, "social_post.edited", "social_post", post.id, audit.diff(before, after)
    )
    session.flush()
    return post


def save_post(
    session: Session, actor: Actor, post_id: uuid.UUID | None, data: PostInput | None
) -> uuid.UUID:
    """The composer's save before any action: a new post is created from `data`; a saved one is
    updated only when `data` is given (it was edited), so acting on an unedited post keeps its
    review. Returns the post's id."""
    if post_id is None:
        if data is None:
            raise ValueError("a new post needs its data")
        return create_post(session, actor, data).id
    if data is not None:
        update_post(session, actor, post_id, data)
    return post_id


# States an edit sends back to draft that had a review or an approval to lose (`update_post`).
REVIEWED_STATES = frozenset({"approved", "scheduled", "pending_review"})


def edit_loses_review(state: str) -> bool:
    """Whether saving an edit of a post in `state` (its `summary_state`) sends a review or an
    approval back to draft."""
    return state in REVIEWED_STATES


def delete_post(session: Session, actor: Actor, post_id: uuid.UUID) -> None:
    """Delete a post that is not publishing (published posts stay on the networks)."""
    require(actor.role, Perm.RECORD_DELETE)
    post = get_post(session, actor, post_id, lock=True)
    targets = targets_of(session, post.id, lock=True)
    if any(t.state in ("publishing", "unknown") for t in targets):
        raise WrongPostState("This post is being published; wait for it to finish")
    post.deleted_at = utcnow()
    for target in targets:
        if target.state == "scheduled":
            target.state, target.next_attempt_at = "draft", None
            session.add(target)
    session.add(post)
    audit.record(session, actor, "social_post.deleted", "social_post", post.id)


def list_posts(
    session: Session,
    actor: Actor,
    *,
    state: str = "",
    deal_id: uuid.UUID | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[tuple[SocialPost, list[SocialPostTarget]]]:
    """Posts newest first (scheduled ones by their time), each with its targets."""
    require(actor.role, Perm.RECORD_READ)
    query = select(SocialPost).where(
        SocialPost.org_id == actor.org_id, col(SocialPost.deleted_at).is_(None)
    )
    if deal_id is not None:
        query = query.where(SocialPost.deal_id == deal_id)
    if state:
        query = query.where(
            col(SocialPost.id).in_(
                select(SocialPostTarget.post_id).where(SocialPostTarget.state == state)
            )
        )
    query = query.order_by(col(SocialPost.updated_at).desc()).offset(offset).limit(limit)
    posts = list(session.exec(query).all())
    by_post: dict[uuid.UUID, list[SocialPostTarget]] = {p.id: [] for p in posts}
    if posts:
        for target in session.exec(
            select(SocialPostTarget).where(col(SocialPostTarget.post_id).in_(list(by_post)))
        ).all():
            by_post[target.post_id].append(target)
    return [(p, sorted(by_post[p.id], key=lambda t: t.network)) for p in posts]


def next_due(session: Session, post_id: uuid.UUID) -> datetime | None:
    """When the post's next scheduled target is due (None when nothing is scheduled)."""
    due = [
        t.next_attempt_at
        for t in targets_of(session, post_id)
        if t.state == "scheduled" and t.next_attempt_at is not None
    ]
    return min(due) if due else None


def summary_state(targets: list[SocialPostTarget]) -> str:
    """One word for a post from its targets' states (the least advanced wins, failures show)."""
    states = {t.state for t in targets}
    for state in (
        "failed",
        "unknown",
        "publishing",
        "rejected",
        "pending_review",
        "draft",
        "approved",
        "scheduled",
    ):
        if state in states:
            return state
    return "published" if states else "draft"
