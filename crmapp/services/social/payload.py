"""Turn a stored post into what one network gets: its variant, its thread, its media."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from crmapp.models.social import MediaAsset, SocialPost, SocialPostTarget
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import NotFound, PermissionDenied
from crmapp.services.social import library, media_store, textrules
from crmapp.services.social import media as media_lib
from crmapp.services.social.base import MediaItem, NormalizedPost
from crmapp.services.social.media_store import type_of_key
from crmapp.services.social.registry import provider_class
from crmapp.settings import get_settings


def media_token(
    org_id: uuid.UUID | str, asset_id: uuid.UUID | str, expires: int, variant: str = ""
) -> str:
    """The signature in a media asset's public URL (networks that fetch media by URL): it
    covers the asset, the variant and the expiry, so none of them can be changed."""
    key = get_settings().resolved_secret_key().encode()
    message = f"media:{org_id}:{asset_id}:{variant}:{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def media_url(
    asset: MediaAsset, storage_key: str | None = None, *, ttl_seconds: int | None = None
) -> str:
    """A public, unguessable URL of the asset (or of one of its crops), served by
    `crmapp/api/media.py` for the networks that fetch media by URL (Instagram, Facebook).
    It works for `ttl_seconds` (default `TANDEM_SOCIAL_MEDIA_URL_TTL_SECONDS`, a day)."""
    settings = get_settings()
    ttl = settings.social_media_url_ttl_seconds if ttl_seconds is None else ttl_seconds
    expires = int(time.time()) + ttl
    variant = "" if storage_key in (None, asset.storage_key) else str(storage_key)
    query = {"expires": str(expires), **({"variant": variant} if variant else {})}
    token = media_token(asset.org_id, asset.id, expires, variant)
    base = settings.public_url.rstrip("/")
    return f"{base}/api/media/{asset.org_id}/{asset.id}/{token}?{urlencode(query)}"


def read_public(
    org_id: uuid.UUID, asset_id: uuid.UUID, token: str, variant: str = "", expires: str = ""
) -> tuple[bytes, str] | None:
    """The bytes and type behind a public media URL, or None when the signature, the asset or
    the variant does not match.

    Raises:
        PermissionDenied: the URL is genuine but its time is up.
    """
    if not expires.isdigit():
        return None
    if not hmac.compare_digest(token, media_token(org_id, asset_id, int(expires), variant)):
        return None
    if int(expires) < time.time():
        raise PermissionDenied("This link has expired")
    with tenant_session(org_id) as session:
        asset = session.get(MediaAsset, asset_id)
        if asset is None or asset.org_id != org_id or asset.deleted_at is not None:
            return None
        keys = {asset.storage_key, *(asset.variants or {}).values()}
        key = variant or asset.storage_key
        if key not in keys:
            return None
        # A variant may be of another type than the original (a JPEG copy for Instagram).
        content_type = type_of_key(key) or asset.content_type
    try:
        return media_store.store(org_id).get(key), content_type
    except NotFound:
        return None


def thread_parts(network: str, text: str, overrides: dict) -> tuple[str, ...]:
    """The thread for `network`: the author's own split when they made one, else an automatic
    one when the text is over the limit and the network threads; () for a single post."""
    if overrides.get("parts"):
        return tuple(str(p) for p in overrides["parts"] if str(p).strip())
    cls = provider_class(network)
    if cls.threads and cls.text_rules.count(text) > cls.text_rules.limit:
        return tuple(textrules.split_thread(network, text))
    return ()


def media_files(session: Session, post: SocialPost, network: str) -> list[tuple[MediaAsset, str]]:
    """The post's media for `network`, in the author's order, each with the file that network
    gets: the crop for the post's format where one was applied, else the original. What the
    payload sends and what the sandbox feed shows both come from here."""
    overrides = dict(post.overrides.get(network) or {})
    fmt = str(overrides.get("format") or post.format)
    if not post.media_ids:
        return []
    rows = session.exec(
        select(MediaAsset).where(
            MediaAsset.org_id == post.org_id,
            col(MediaAsset.id).in_([uuid.UUID(m) for m in post.media_ids]),
        )
    ).all()
    assets = {str(a.id): a for a in rows}
    found = [assets[m] for m in post.media_ids if m in assets]
    return [(a, (a.variants or {}).get(f"{network}:{fmt}", a.storage_key)) for a in found]


def build(session: Session, post: SocialPost, target: SocialPostTarget) -> NormalizedPost:
    """The NormalizedPost for one target (media bytes loaded from the library; a picture of a
    type the network does not take goes as a JPEG copy)."""
    overrides = dict(post.overrides.get(target.network) or {})
    text = str(overrides.get("text") or post.text)
    fmt = str(overrides.get("format") or post.format)
    store = media_store.store(post.org_id)
    items = []
    for asset, key in media_files(session, post, target.network):
        content_type = asset.content_type
        if media_lib.jpeg_needed(target.network, content_type):
            key, content_type = library.jpeg_copy(session, asset, key), "image/jpeg"
        items.append(
            MediaItem(
                content_type=content_type,
                data=store.get(key),
                url=media_url(asset, key),
                width=asset.width,
                height=asset.height,
                alt=asset.alt,
                filename=asset.filename,
            )
        )
    return NormalizedPost(
        text=text,
        idempotency_key=target.idempotency_key,
        parts=thread_parts(target.network, text, overrides),
        media=tuple(items),
        link=post.link,
        format=fmt,
        done_parts=tuple(target.part_ids) if target.state != "published" else (),
    )
