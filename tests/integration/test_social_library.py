"""The media library service: uploads checked from their bytes and stored per organisation,
clear refusals, Instagram crops stored as variants, audit; and the composer's display data."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image
from sqlmodel import select

from crmapp.models.audit import AuditEvent
from crmapp.models.social import MediaAsset
from crmapp.services.platform.errors import PermissionDenied, ValidationError
from crmapp.services.social import accounts, library, media_store, post_views, posts, review
from crmapp.services.social.posts import PostInput
from tests import factories


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 90)).save(out, format="PNG")
    return out.getvalue()


def audit_actions(signed, entity_id) -> list[str]:
    with factories.scoped(signed) as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.entity_id == str(entity_id)))
        return [e.action for e in rows]


def test_a_valid_image_is_stored_in_the_organisations_namespace_and_listed():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        asset = library.add_asset(session, owner.actor, png(1200, 600), "../../launch.png")
    assert (asset.kind, asset.content_type, asset.width, asset.height) == (
        "image",
        "image/png",
        1200,
        600,
    )
    assert asset.filename == "launch.png"  # no path from the browser survives
    assert "/" not in asset.storage_key and asset.storage_key.endswith(".png")
    assert media_store.store(owner.actor.org_id).get(asset.storage_key) == png(1200, 600)
    with factories.scoped(owner) as session:
        listed = library.list_assets(session, owner.actor)
        assert [a.id for a in listed] == [asset.id]
        assert library.thumbnail_url(owner.actor, listed[0]).startswith("data:image/jpeg;base64,")
    assert audit_actions(owner, asset.id) == ["media_asset.uploaded"]
    other = factories.signup()
    with factories.scoped(other) as session:
        assert library.list_assets(session, other.actor) == []


def test_a_file_that_is_not_media_is_refused_with_a_clear_reason_and_nothing_is_kept():
    owner = factories.signup()
    with pytest.raises(ValidationError) as refused, factories.scoped(owner) as session:
        library.add_asset(session, owner.actor, b"name,email\nAda,ada@example.test\n", "list.csv")
    assert "file" in refused.value.fields
    assert "JPEG" in str(refused.value)  # says what would be accepted
    with factories.scoped(owner) as session:
        assert session.exec(select(MediaAsset)).all() == []
    viewer = factories.member(owner, "viewer")
    with pytest.raises(PermissionDenied), factories.scoped(viewer) as session:
        library.add_asset(session, viewer.actor, png(10, 10), "a.png")


def test_an_instagram_crop_is_stored_as_a_variant_and_a_fitting_picture_is_left_alone():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        wide = library.add_asset(session, owner.actor, png(1000, 400), "wide.png")
        square = library.add_asset(session, owner.actor, png(800, 800), "square.png")
    with factories.scoped(owner) as session:
        view = library.crop_view(session, owner.actor, wide.id, "instagram", "feed")
        assert view["fits"] == "" and view["applied"] == ""
        assert view["preview"].startswith("data:image/jpeg;base64,")
        library.crop_for(session, owner.actor, wide.id, "instagram", "feed")
        library.crop_for(session, owner.actor, wide.id, "instagram", "story")
        library.crop_for(session, owner.actor, square.id, "instagram", "feed")
    with factories.scoped(owner) as session:
        wide = library.get_asset(session, owner.actor, wide.id)
        square = library.get_asset(session, owner.actor, square.id)
        assert library.crop_view(session, owner.actor, wide.id, "instagram", "feed")["applied"]
    assert set(wide.variants) == {"instagram:feed", "instagram:story"}
    assert square.variants == {}  # 1:1 already fits the feed
    store = media_store.store(owner.actor.org_id)
    feed = Image.open(io.BytesIO(store.get(wide.variants["instagram:feed"])))
    story = Image.open(io.BytesIO(store.get(wide.variants["instagram:story"])))
    assert feed.size == (764, 400)  # 1.91:1, full height kept
    assert story.size[1] == 400 and abs(story.size[0] / 400 - 9 / 16) < 0.01
    assert store.get(wide.storage_key) == png(1000, 400)  # the original is untouched
    assert audit_actions(owner, wide.id).count("media_asset.cropped") == 2


def huge_png(width: int, height: int) -> bytes:
    """A one-colour PNG of `width` x `height` built row by row (small on disk, never held
    decoded here): the "78 KB, 9000 x 9000" upload of the report."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    packer, row, idat = zlib.compressobj(9), b"\0" + b"\xc8\x28\x5a" * width, []
    for _ in range(height):
        idat.append(packer.compress(row))
    idat.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(idat))
        + chunk(b"IEND", b"")
    )


def test_a_picture_with_too_many_pixels_is_refused_before_it_is_decoded():
    owner = factories.signup()
    bomb = huge_png(9000, 9000)
    assert len(bomb) < 400_000
    with pytest.raises(ValidationError) as refused, factories.scoped(owner) as session:
        library.add_asset(session, owner.actor, bomb, "poster.png")
    message = str(refused.value)
    assert "9000 × 9000" in message and "megapixels" in message and "resize" in message.lower()
    with factories.scoped(owner) as session:
        assert session.exec(select(MediaAsset)).all() == []


def test_the_thumbnail_is_made_once_at_upload_and_listing_does_not_decode_the_picture():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        asset = library.add_asset(session, owner.actor, png(1200, 600), "launch.png")
    # Were the listing to open the picture again, it would find this and show no thumbnail.
    media_store.store(owner.actor.org_id).put(asset.storage_key, b"not a picture", "image/png")
    with factories.scoped(owner) as session:
        (listed,) = library.list_assets(session, owner.actor)
        url = library.thumbnail_url(owner.actor, listed)
    assert url.startswith("data:image/jpeg;base64,")
    thumb = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert thumb.size == (library.THUMB_SIDE, library.THUMB_SIDE // 2)


def test_the_composer_display_data_counts_threads_and_shows_times_in_each_accounts_zone():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        account = accounts.connect_sandbox(
            session, owner.actor, name="Acme", timezone="America/New_York"
        )
        chosen = post_views.account_options(session, owner.actor)
    assert chosen[0]["sandbox"] == "1" and chosen[0]["timezone"] == "America/New_York"
    x_account = {**chosen[0], "network": "x", "label": "X", "handle": "@acme"}
    long_text = "Launch day! #tandem https://example.com " + "word " * 80
    shown = post_views.previews(long_text, {}, [x_account, chosen[0]], ["data:thumb"])
    x, sandbox = shown
    assert x.threads and x.over and x.thread_note.startswith("will post as a thread of")
    kinds = [seg.kind for part in x.parts for seg in part.segments]
    assert "hashtag" in kinds and "link" in kinds
    assert x.count_text.endswith("/ 280") and x.media == ["data:thumb"]
    assert sandbox.sandbox and sandbox.initial == "A"
    hint, error = post_views.schedule_hint("2031-12-09", "09:00", "Europe/Paris", chosen)
    assert error == "" and hint.startswith("Tue 9 Dec 09:00 Europe/Paris")
    assert "03:00 America/New_York (@acme.sandbox)" in hint
    assert (
        "does not exist" in post_views.schedule_hint("2031-03-30", "02:30", "Europe/Paris", [])[1]
    )

    with factories.scoped(owner) as session:
        post = posts.create_post(
            session, owner.actor, PostInput(text="Hello", account_ids=[account.id], campaign="Q1")
        )
        review.submit(session, owner.actor, post.id)
        at = post_views.parse_local("2031-12-09", "09:00")
        review.schedule(session, owner.actor, post.id, at, "Europe/Paris")
        draft = posts.create_post(
            session, owner.actor, PostInput(text="Later", account_ids=[account.id])
        )
        data = post_views.post_view(session, owner.actor, post.id, "Europe/Paris")
        sections, more = post_views.queue(session, owner.actor, "Europe/Paris")
    assert data["state"] == "scheduled" and data["date"] == "2031-12-09"
    assert data["time"] == "09:00" and data["timezone"] == "Europe/Paris"
    assert data["targets"][0]["account_id"] == str(account.id)
    assert data["targets"][0]["state_label"] == "scheduled"
    assert [s.key for s in sections] == ["upcoming", "drafts"] and not more
    assert sections[0].days[0].day == "Tue 9 Dec 2031"
    assert sections[0].days[0].rows[0]["time"] == "09:00"
    assert sections[1].days[0].rows[0]["id"] == str(draft.id)
