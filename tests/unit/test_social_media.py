"""Media library helpers: sniffing and validation, aspect rules, crops, keys, local storage."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageFile

from crmapp.services.platform.errors import NotFound, ValidationError
from crmapp.services.social import media
from crmapp.services.social.media import (
    crop,
    crop_box,
    crop_preview,
    derived_key,
    fits,
    inspect,
)
from crmapp.services.social.media_store import LocalStore, check_key, new_key

pytestmark = pytest.mark.unit


def _image(width: int, height: int, fmt: str = "JPEG", color=(200, 30, 30), exif=None) -> bytes:
    out = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.new("RGB", (width, height), color).save(out, format=fmt, **options)
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _mp4(width: int, height: int, *, brand: bytes = b"isom", rotated: bool = False) -> bytes:
    """A minimal ISO-BMFF file: ftyp + moov/trak/tkhd (version 0) carrying the size."""
    one, minus_one = 0x00010000, -0x00010000
    matrix = (
        [0, one, 0, minus_one, 0, 0, 0, 0, 0x40000000]
        if rotated
        else [one, 0, 0, 0, one, 0, 0, 0, 0x40000000]
    )
    tkhd = (
        b"\x00\x00\x00\x03"  # version 0, flags
        + struct.pack(">5I", 0, 0, 1, 0, 10)  # created, modified, track id, reserved, duration
        + b"\x00" * 8
        + struct.pack(">hhhh", 0, 0, 0, 0)
        + struct.pack(">9i", *matrix)
        + struct.pack(">II", width << 16, height << 16)
    )
    ftyp = _box(b"ftyp", brand + b"\x00\x00\x02\x00" + brand + b"mp41")
    return ftyp + _box(b"moov", _box(b"trak", _box(b"tkhd", tkhd))) + _box(b"mdat", b"\0" * 64)


def _file_error(excinfo: pytest.ExceptionInfo[ValidationError]) -> str:
    return excinfo.value.fields["file"]


# --- inspect --------------------------------------------------------------------------------


def test_valid_jpeg_and_png_are_sniffed_from_their_bytes_not_their_names():
    jpeg = _image(640, 480)
    info = inspect(jpeg, "holiday.png")  # misnamed, still a JPEG
    assert (info.content_type, info.kind, info.width, info.height) == (
        "image/jpeg",
        "image",
        640,
        480,
    )
    assert info.size == len(jpeg)
    png = inspect(_image(10, 20, "PNG"), "x.jpg")
    assert (png.content_type, png.width, png.height) == ("image/png", 10, 20)
    assert inspect(_image(5, 5, "WEBP"), "a").content_type == "image/webp"
    assert inspect(_image(5, 5, "GIF"), "a").content_type == "image/gif"


def test_a_text_file_named_jpg_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        inspect(b"just some notes\n", "notes.jpg")
    assert _file_error(excinfo) == (
        "notes.jpg is not a supported image or video; "
        "upload JPEG, PNG, GIF or WebP images, or MP4 or MOV videos."
    )


def test_other_image_formats_and_heic_are_named():
    with pytest.raises(ValidationError, match="is a BMP image"):
        inspect(_image(4, 4, "BMP"), "scan.bmp")
    with pytest.raises(ValidationError, match="HEIC/AVIF photo; export it as JPEG"):
        inspect(_mp4(10, 10, brand=b"heic"), "IMG_1.HEIC")
    with pytest.raises(ValidationError, match="empty"):
        inspect(b"", "a.png")


def test_too_large_image_says_how_large_and_the_limit(monkeypatch):
    data = _image(64, 64, "PNG") + b"\0" * int(11.2 * media.MB)
    with pytest.raises(ValidationError) as excinfo:
        inspect(data, "big.png")
    assert _file_error(excinfo) == (
        "The image is 11.2 MB; the limit is 8 MB. Resize or compress it and upload again."
    )
    # the limit is read at call time
    monkeypatch.setattr(media, "MAX_IMAGE_BYTES", 100)
    with pytest.raises(ValidationError, match="the limit is 100 bytes"):
        inspect(_image(64, 64, "PNG"), "small.png")
    monkeypatch.setattr(media, "MAX_IMAGE_BYTES", 12 * media.MB)
    assert inspect(data, "big.png").size == len(data)


def test_corrupt_image_gets_a_clear_error(monkeypatch):
    # as once WeasyPrint (the PDF renderer) is imported: it lets Pillow load truncated images
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    jpeg = _image(300, 300)
    with pytest.raises(ValidationError) as excinfo:
        inspect(jpeg[:200], "broken.jpg")
    assert _file_error(excinfo) == (
        "broken.jpg could not be read as an image; it may be damaged. "
        "Export it again and upload the new file."
    )
    with pytest.raises(ValidationError, match="could not be read"):
        inspect(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "x.png")
    # a large JPEG is checked at a reduced scale, yet every byte is read: cut off, it is refused
    big = _image(2000, 2000)
    assert inspect(big, "whole.jpg").width == 2000
    with pytest.raises(ValidationError, match="could not be read"):
        inspect(big[: len(big) // 2], "half.jpg")


def test_videos_are_sniffed_from_the_ftyp_box_with_their_size():
    info = inspect(_mp4(1920, 1080), "clip.bin")
    assert (info.content_type, info.kind, info.width, info.height) == (
        "video/mp4",
        "video",
        1920,
        1080,
    )
    mov = inspect(_mp4(1280, 720, brand=b"qt  "), "clip.mov")
    assert mov.content_type == "video/quicktime"
    # a phone video stored landscape with a 90° matrix is displayed portrait
    rotated = inspect(_mp4(1920, 1080, rotated=True), "clip.mp4")
    assert (rotated.width, rotated.height) == (1080, 1920)


def test_too_large_video(monkeypatch):
    monkeypatch.setattr(media, "MAX_VIDEO_BYTES", 100)
    with pytest.raises(ValidationError, match=r"The video is .*; the limit is"):
        inspect(_mp4(10, 10), "v.mp4")


def test_exif_rotated_image_reports_displayed_size():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    info = inspect(_image(200, 100, exif=exif), "phone.jpg")
    assert (info.width, info.height) == (100, 200)


# --- aspect rules and crops ------------------------------------------------------------------


def test_aspect_rules():
    assert fits("instagram", "feed", 1080, 1080)
    assert fits("instagram", "feed", 1080, 1350)  # 4:5
    assert not fits("instagram", "feed", 1080, 1920)
    assert fits("instagram", "story", 1080, 1920)
    assert fits("x", "feed", 5000, 100)  # X images: any ratio
    assert not fits("x", "video", 4000, 1000) and fits("x", "video", 3000, 1000)
    assert fits("linkedin", "feed", 2400, 1000) and not fits("linkedin", "feed", 2600, 1000)
    assert fits("facebook", "feed", 1, 50) and fits("mastodon", "feed", 50, 1)


def test_crop_boxes():
    assert crop_box("instagram", "feed", 1080, 1080) is None
    assert crop_box("instagram", "story", 1920, 1080) == (656, 0, 1263, 1080)
    assert crop_box("instagram", "feed", 3000, 1000) == (545, 0, 2455, 1000)
    assert crop_box("instagram", "feed", 1000, 3000) == (0, 875, 1000, 2125)
    for width, height in [(1920, 1080), (3000, 1000), (1000, 3000)]:
        for fmt in ("feed", "story"):
            box = crop_box("instagram", fmt, width, height)
            if box is None:
                assert fits("instagram", fmt, width, height)
                continue
            left, top, right, bottom = box
            assert fits("instagram", fmt, right - left, bottom - top)


def test_crop_output_keeps_format_and_has_the_box_size():
    data = _image(1920, 1080)
    box = crop_box("instagram", "story", 1920, 1080)
    assert box is not None
    out = crop(data, box, "image/jpeg")
    with Image.open(io.BytesIO(out)) as image:
        assert image.format == "JPEG" and image.size == (607, 1080)
    png = crop(_image(300, 100, "PNG"), (0, 0, 191, 100), "image/png")
    assert inspect(png, "p").content_type == "image/png"
    assert (inspect(png, "p").width, inspect(png, "p").height) == (191, 100)
    with pytest.raises(ValidationError, match="Only images can be cropped"):
        crop(b"", (0, 0, 1, 1), "video/mp4")


def test_crop_of_an_exif_rotated_image_is_upright_and_drops_the_tag():
    stored = Image.new("RGB", (200, 100), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 100, 100))  # stored left half red
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    stored.save(out, format="JPEG", exif=exif, quality=95)
    # displayed 100x200 with the stored left half on top: the top square is red
    cropped = crop(out.getvalue(), (0, 0, 100, 100), "image/jpeg")
    with Image.open(io.BytesIO(cropped)) as image:
        assert image.size == (100, 100)
        assert image.getexif().get(0x0112) is None
        red, _green, blue = image.convert("RGB").getpixel((50, 50))
        assert red > 200 and blue < 60


def test_animated_gif_crop_keeps_every_frame():
    frames = [Image.new("RGB", (40, 20), c) for c in [(255, 0, 0), (0, 255, 0), (0, 0, 255)]]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=50)
    cropped = crop(out.getvalue(), (10, 0, 30, 20), "image/gif")
    with Image.open(io.BytesIO(cropped)) as image:
        assert image.n_frames == 3 and image.size == (20, 20)


def test_crop_preview_is_a_small_jpeg():
    preview = crop_preview(_image(1920, 1080), "instagram", "story", max_side=480)
    with Image.open(io.BytesIO(preview)) as image:
        assert image.format == "JPEG" and image.size == (480, 270)
        # outside the crop is dimmed, inside is not
        assert image.getpixel((20, 135))[0] < 120 and image.getpixel((240, 135))[0] > 170


# --- keys and local storage ------------------------------------------------------------------


def test_derived_keys_and_key_safety():
    assert derived_key("ab12.jpg", "instagram", "story") == "ab12.instagram-story.jpg"
    assert derived_key("2026/ab12.png", "x", "feed") == "2026/ab12.x-feed.png"
    for bad in ("../etc/passwd", "/abs.jpg", "a/../b.jpg", "", "a//b"):
        with pytest.raises(ValueError):
            check_key(bad)
    with pytest.raises(ValueError):
        derived_key("a.jpg", "../x", "feed")
    assert new_key("image/png").endswith(".png") and new_key("image/png") != new_key("image/png")


def test_local_store_round_trip(tmp_path):
    local = LocalStore(tmp_path / "media" / "7")
    local.put("a/b.jpg", b"bytes", "image/jpeg")
    assert (tmp_path / "media" / "7" / "a" / "b.jpg").read_bytes() == b"bytes"
    local.put("a/b.jpg", b"new", "image/jpeg")
    assert local.get("a/b.jpg") == b"new"
    assert local.url("a/b.jpg") is None
    local.delete("a/b.jpg")
    local.delete("a/b.jpg")  # idempotent
    with pytest.raises(NotFound):
        local.get("a/b.jpg")
    with pytest.raises(ValueError):
        local.put("../escape", b"x", "image/jpeg")


def test_a_thumbnail_is_small_upright_and_refuses_a_picture_past_the_pixel_limit():
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown portrait
    thumb = Image.open(io.BytesIO(media.thumbnail(_image(1200, 600, exif=exif.tobytes()))))
    assert thumb.format == "JPEG" and thumb.size == (80, 160)
    side = int(media.MAX_IMAGE_PIXELS**0.5) + 1
    header = _image(1, 1, "PNG")  # a PNG header that claims side x side pixels
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    claimed = header[:8] + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr))
    with pytest.raises(ValidationError, match="megapixels"):
        media.thumbnail(claimed + header[33:])
