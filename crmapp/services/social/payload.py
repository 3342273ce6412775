"""Turn a stored post into what one network gets: its variant, its thread, its media."""

from __future__ import annotations

import hashlib
import hmac
import uuid

from sqlmodel import Session, col, select

from crmapp.models.social import MediaAsset, SocialPost, SocialPostTarget
from crmapp.services.social import media as media_lib
from crmapp.services.social import textrules
from crmapp.services.social.base import MediaItem, NormalizedPost, provider_class
from crmapp.settings import get_settings


def media_token(asset_id: uuid.UUID | str) -> str:
    """The signature in a media asset's public URL (networks that fetch media by URL)."""
    key = get_settings().resolved_secret_key().encode()
    return hmac.new(key, f"media:{asset_id}".encode(), hashlib.sha256).hexdigest()[:32]


def media_url(asset: MediaAsset, storage_key: str | None = None) -> str:
    """A public, unguessable URL of the asset (or of one of its crops)."""
    base = get_settings().public_url.rstrip("/")
    variant = "" if storage_key in (None, asset.storage_key) else "?variant=" + str(storage_key)
    return f"{base}/api/media/{asset.id}/{media_token(asset.id)}{variant}"


def thread_parts(network: str, text: str, overrides: dict) -> tuple[str, ...]:
    """The thread for `network`: the author's own split when they made one, else an automatic
    one when the text is over the limit and the network threads; () for a single post."""
    if overrides.get("parts"):
        return tuple(str(p) for p in overrides["parts"] if str(p).strip())
    cls = provider_class(network)
    limit = textrules.LIMITS.get(network)
    if cls.threads and limit is not None and textrules.count(network, text) > limit:
        return tuple(textrules.split_thread(network, text))
    return ()


def build(session: Session, post: SocialPost, target: SocialPostTarget) -> NormalizedPost:
    """The NormalizedPost for one target (media bytes loaded from the library)."""
    overrides = dict(post.overrides.get(target.network) or {})
    text = str(overrides.get("text") or post.text)
    fmt = str(overrides.get("format") or post.format)
    assets = {}
    if post.media_ids:
        rows = session.exec(
            select(MediaAsset).where(
                MediaAsset.org_id == post.org_id,
                col(MediaAsset.id).in_([uuid.UUID(m) for m in post.media_ids]),
            )
        ).all()
        assets = {str(a.id): a for a in rows}
    store = media_lib.store(post.org_id)
    items = []
    for media_id in post.media_ids:
        asset = assets.get(media_id)
        if asset is None:
            continue
        key = (asset.variants or {}).get(f"{target.network}:{fmt}", asset.storage_key)
        items.append(
            MediaItem(
                content_type=asset.content_type,
                data=store.get(key),
                url=media_url(asset, key),
                width=asset.width,
                height=asset.height,
                alt=asset.alt,
                filename=asset.filename,
            )
        )
    if fmt == "feed" and len(items) > 1 and target.network == "instagram":
        fmt = "carousel"
    return NormalizedPost(
        text=text,
        idempotency_key=target.idempotency_key,
        parts=thread_parts(target.network, text, overrides),
        media=tuple(items),
        link=post.link,
        format=fmt,
    )
