"""The organisation's media library: uploads checked from their bytes, stored in the
organisation's namespace, and cropped per network and format.

Files live in `media_store.store(org_id)` (one namespace per organisation, so keys are bare
``<random>.<ext>``); the rows are `MediaAsset`, each with the thumbnail made at upload (listing
never opens the picture again). Every write is audited.
"""

from __future__ import annotations

import base64
import uuid
from pathlib import PurePosixPath

from sqlmodel import Session, col, select

from crmapp.models.social import MediaAsset
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import NotFound, ValidationError
from crmapp.services.social import media, media_store
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.permissions import Perm, require

THUMB_SIDE = media.THUMB_SIDE


def add_asset(session: Session, actor: Actor, data: bytes, filename: str) -> MediaAsset:
    """Check an upload, store it and add it to the library.

    Raises:
        ValidationError: ``{"file": ...}`` for an empty, unsupported, oversized or damaged file.
    """
    require(actor.role, Perm.RECORD_CREATE)
    info = media.inspect(data, filename)
    key = media_store.new_key(info.content_type)
    store = media_store.store(actor.org_id)
    store.put(key, data, info.content_type)
    name = PurePosixPath(filename or "").name[:255] or f"upload{PurePosixPath(key).suffix}"
    thumb = media.thumbnail(data) if info.kind == "image" else None
    asset = MediaAsset(
        org_id=actor.org_id,
        storage_key=key,
        filename=name,
        content_type=info.content_type,
        kind=info.kind,
        size=info.size,
        width=info.width,
        height=info.height,
        thumbnail=thumb,
        created_by=actor.user_id,
    )
    try:
        session.add(asset)
        session.flush()
    except Exception:
        store.delete(key)  # no row, no file
        raise
    audit.record(
        session,
        actor,
        "media_asset.uploaded",
        "media_asset",
        asset.id,
        {"filename": name, "kind": info.kind, "size": info.size},
    )
    return asset


def list_assets(session: Session, actor: Actor, *, limit: int = 60) -> list[MediaAsset]:
    """The library, newest first."""
    require(actor.role, Perm.RECORD_READ)
    return _with_thumbnails(
        session,
        actor,
        list(
            session.exec(
                select(MediaAsset)
                .where(MediaAsset.org_id == actor.org_id, col(MediaAsset.deleted_at).is_(None))
                .order_by(col(MediaAsset.created_at).desc())
                .limit(limit)
            ).all()
        ),
    )


def _with_thumbnails(session: Session, actor: Actor, assets: list[MediaAsset]) -> list[MediaAsset]:
    """Pictures uploaded before thumbnails were stored get theirs now, once (an unreadable one
    gets an empty thumbnail, so it is not opened again)."""
    for asset in assets:
        if asset.kind != "image" or asset.thumbnail is not None:
            continue
        try:
            asset.thumbnail = media.thumbnail(
                media_store.store(actor.org_id).get(asset.storage_key)
            )
        except (NotFound, ValidationError, OSError):
            asset.thumbnail = b""
        session.add(asset)
    return assets


def get_asset(session: Session, actor: Actor, asset_id: uuid.UUID) -> MediaAsset:
    """One live asset of the organisation, or NotFound."""
    require(actor.role, Perm.RECORD_READ)
    asset = session.exec(
        select(MediaAsset).where(
            MediaAsset.id == asset_id,
            MediaAsset.org_id == actor.org_id,
            col(MediaAsset.deleted_at).is_(None),
        )
    ).first()
    if asset is None:
        raise NotFound("That file is not in the media library")
    return asset


def assets_by_id(session: Session, actor: Actor, ids: list[str]) -> list[MediaAsset]:
    """The live assets among `ids`, in the order given (unknown ids skipped)."""
    wanted = []
    for raw in ids:
        try:
            wanted.append(uuid.UUID(str(raw)))
        except ValueError:
            continue
    if not wanted:
        return []
    rows = session.exec(
        select(MediaAsset).where(
            MediaAsset.org_id == actor.org_id,
            col(MediaAsset.id).in_(wanted),
            col(MediaAsset.deleted_at).is_(None),
        )
    ).all()
    found = {a.id: a for a in rows}
    return _with_thumbnails(session, actor, [found[i] for i in wanted if i in found])


def crop_for(
    session: Session, actor: Actor, asset_id: uuid.UUID, network: str, fmt: str
) -> MediaAsset:
    """Store the centred crop that `network`'s rule for `fmt` needs as the asset's variant
    ``"network:fmt"`` (nothing is stored when the picture already fits).

    Raises:
        ValidationError: the asset is a video (crop it before uploading).
    """
    require(actor.role, Perm.RECORD_UPDATE)
    asset = get_asset(session, actor, asset_id)
    if asset.kind != "image":
        raise ValidationError({"file": "Only images can be cropped here; crop the video first."})
    box = media.crop_box(network, fmt, asset.width, asset.height)
    if box is None:
        return asset
    store = media_store.store(actor.org_id)
    cropped = media.crop(store.get(asset.storage_key), box, asset.content_type)
    key = media.derived_key(asset.storage_key, network, fmt)
    store.put(key, cropped, asset.content_type)
    asset.variants = {**(asset.variants or {}), f"{network}:{fmt}": key}
    session.add(asset)
    audit.record(
        session,
        actor,
        "media_asset.cropped",
        "media_asset",
        asset.id,
        {"variant": f"{network}:{fmt}", "box": list(box)},
    )
    return asset


def jpeg_copy(session: Session, asset: MediaAsset, key: str) -> str:
    """The key of a JPEG copy of the asset's file `key` (the original or a crop), made and
    kept as a variant the first time a network that takes JPEG only publishes it. A derived
    file like a thumbnail: no audit event (nothing a person changed)."""
    name = f"jpeg:{key}"
    existing = (asset.variants or {}).get(name)
    if existing:
        return existing
    store = media_store.store(asset.org_id)
    copy = media.jpeg_key(key)
    store.put(copy, media.as_jpeg(store.get(key)), "image/jpeg")
    asset.variants = {**(asset.variants or {}), name: copy}
    session.add(asset)
    return copy


def crop_preview_url(
    session: Session, actor: Actor, asset: MediaAsset, network: str, fmt: str
) -> str:
    """A data URL of the picture with what the crop for `network`/`fmt` removes dimmed."""
    data = media_store.store(actor.org_id).get(asset.storage_key)
    return _data_url(media.crop_preview(data, network, fmt, max_side=320), "image/jpeg")


def crop_view(
    session: Session, actor: Actor, asset_id: uuid.UUID, network: str, fmt: str
) -> dict[str, str]:
    """What the composer shows of one picture's crop for `network`/`fmt`: a preview with what
    is cut dimmed, whether it already fits, and whether the crop was applied."""
    asset = get_asset(session, actor, asset_id)
    return {
        "id": str(asset.id),
        "filename": asset.filename,
        "format": fmt,
        "preview": crop_preview_url(session, actor, asset, network, fmt),
        "fits": "1" if media.fits(network, fmt, asset.width, asset.height) else "",
        "applied": "1" if f"{network}:{fmt}" in (asset.variants or {}) else "",
    }


def thumbnail_url(actor: Actor, asset: MediaAsset) -> str:
    """The stored thumbnail of an image as a JPEG data URL ("" for a video or an unreadable
    file); the picture itself is not opened."""
    if asset.kind != "image" or not asset.thumbnail:
        return ""
    return _data_url(asset.thumbnail, "image/jpeg")


def _data_url(data: bytes, content_type: str) -> str:
    return f"data:{content_type};base64," + base64.b64encode(data).decode("ascii")
