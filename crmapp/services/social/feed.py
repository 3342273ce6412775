"""The sandbox feed: what a sandbox account "published", shown the way a network shows it.

Nothing here left Tandem: the posts are the published targets of a sandbox account, and their
engagement and comments come from `SandboxProvider` (deterministic, growing with time).
"""

from __future__ import annotations

import urllib.parse
import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from crmapp.models.social import SocialAccount, SocialPost, SocialPostTarget
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import NotFound
from crmapp.services.social.base import AccountAuth, Metrics
from crmapp.services.social.payload import media_files, media_url, thread_parts
from crmapp.services.social.posts import text_for
from crmapp.services.social.providers.sandbox import SandboxProvider
from crmapp.services.tenancy.permissions import Perm, require


def sandbox_account(session: Session, actor: Actor, account_id: uuid.UUID | str) -> SocialAccount:
    """A sandbox account of the organisation, by its id or by its sandbox remote id (the one in
    a sandbox post's URL); NotFound for anything else, real networks included."""
    require(actor.role, Perm.RECORD_READ)
    query = select(SocialAccount).where(
        SocialAccount.org_id == actor.org_id, col(SocialAccount.sandbox).is_(True)
    )
    try:
        query = query.where(SocialAccount.id == uuid.UUID(str(account_id)))
    except ValueError:
        query = query.where(SocialAccount.remote_id == str(account_id))
    account = session.exec(query).first()
    if account is None:
        raise NotFound("No such sandbox account in this organisation")
    return account


def sandbox_feed(
    session: Session,
    actor: Actor,
    account_id: uuid.UUID | str,
    *,
    limit: int = 50,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """The account's published posts, newest first, with their metrics and comments.

    Args:
        session: A tenant session.
        actor: Who is reading (any role may).
        account_id: The sandbox account's id (or its sandbox remote id).
        limit: At most this many posts.
        now: The moment comments are gathered up to (tests); defaults to now.

    Returns:
        One dict per post: `target_id`, `post_id`, `remote_id`, `text`, `parts` (the thread,
        one item for a single post), `media` (dicts with `url` — a path on this app —, `kind`
        and `alt`: what the sandbox published, as the payload builder chose it), `published_at`
        (UTC), `likes`, `reposts`, `replies`, `views`, and `comments` (dicts with `author`,
        `text`, `created_at`).

    Raises:
        NotFound: The account is not a sandbox account of the organisation.
    """
    account = sandbox_account(session, actor, account_id)
    rows = session.exec(
        select(SocialPostTarget, SocialPost)
        .join(SocialPost, col(SocialPost.id) == col(SocialPostTarget.post_id))
        .where(
            SocialPostTarget.org_id == actor.org_id,
            SocialPostTarget.account_id == account.id,
            SocialPostTarget.state == "published",
        )
        .order_by(col(SocialPostTarget.published_at).desc(), col(SocialPostTarget.id))
        .limit(limit)
    ).all()
    provider = SandboxProvider()
    auth = AccountAuth(network="sandbox", remote_id=account.remote_id, handle=account.handle)
    metrics = provider.fetch_metrics(auth, [t.remote_id for t, _post in rows if t.remote_id])
    out: list[dict[str, Any]] = []
    for target, post in rows:
        text = text_for(post, "sandbox")
        parts = thread_parts("sandbox", text, dict(post.overrides.get("sandbox") or {}))
        figures = metrics.get(target.remote_id, Metrics())
        comments = provider.comments_for(target.remote_id, now) if target.remote_id else []
        out.append(
            {
                "target_id": str(target.id),
                "post_id": str(post.id),
                "remote_id": target.remote_id,
                "text": text,
                "parts": list(parts or (text,)),
                "media": [
                    {
                        "url": _path(media_url(asset, key)),
                        "kind": asset.kind,
                        "alt": asset.alt or asset.filename,
                    }
                    for asset, key in media_files(session, post, "sandbox")
                ],
                "published_at": target.published_at,
                "likes": figures.likes,
                "reposts": figures.reposts,
                "replies": figures.replies,
                "views": figures.views,
                "comments": [
                    {"author": c.author, "text": c.text, "created_at": c.created_at}
                    for c in comments
                ],
            }
        )
    return out


def _path(url: str) -> str:
    """A URL of this app as a path (the page loads it from wherever it was opened)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(("", "", parts.path, parts.query, ""))
