"""Media library helpers: check an upload, per-network aspect ratios, crops and their names.

Pure functions; the database rows are the caller's. The real type comes from the bytes (Pillow
for images, the ISO-BMFF ``ftyp`` box for MP4/MOV), never from the file name. Width and height
are as displayed, i.e. after the EXIF orientation (images) or the track matrix (videos).
"""

from __future__ import annotations

import io
import re
import struct
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath

from PIL import Image, ImageDraw, ImageFile, ImageOps, ImageSequence

from crmapp.services.platform.errors import ValidationError
from crmapp.services.social import registry
from crmapp.services.social.base import Ratio
from crmapp.services.social.media_store import check_key

MB = 1024 * 1024
MAX_IMAGE_BYTES = 8 * MB
MAX_VIDEO_BYTES = 512 * MB
# The most pixels any supported network takes in one picture (LinkedIn's documented 36,152,320;
# the others resize far smaller). A picture is refused past it before it is decoded: a 78 KB
# 9000 x 9000 PNG decodes to 243 MB.
MAX_IMAGE_PIXELS = 36_152_320
THUMB_SIDE = 160
_PIL_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
_SAVE_FORMATS = {v: k for k, v in _PIL_TYPES.items()}
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
_SUPPORTED = "JPEG, PNG, GIF or WebP images, or MP4 or MOV videos"

TOLERANCE = 0.01  # relative: 1080x1920 and 607x1080 both pass as 9:16


@dataclass(frozen=True)
class MediaInfo:
    """What an upload really is."""

    content_type: str
    kind: str  # "image" | "video"
    width: int
    height: int
    size: int


def _megabytes(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value, unit = (size / MB, "MB") if size >= MB else (size / 1024, "KB")
    return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"


def _fail(message: str) -> ValidationError:
    return ValidationError({"file": message})


_STRICT = threading.Lock()


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """A cut-off file fails to load. WeasyPrint (the PDF renderer) sets Pillow's process-wide
    `LOAD_TRUNCATED_IMAGES` on import, which would quietly fill a truncated upload with grey."""
    with _STRICT:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def inspect(data: bytes, filename: str) -> MediaInfo:
    """Check an upload and say what it is.

    Args:
        data: the file's bytes.
        filename: the name it was uploaded with (used in messages only).

    Returns:
        The sniffed content type, kind, displayed width and height, and size in bytes.

    Raises:
        ValidationError: ``{"file": ...}`` for an empty, unsupported, oversized or unreadable
            file, in words that say what to do.
    """
    name = PurePosixPath(filename or "file").name
    if not data:
        raise _fail(f"{name} is empty; choose the file again.")
    if data[4:8] == b"ftyp":
        return _inspect_video(data, name)
    is_webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if not (is_webp or data.startswith(_IMAGE_MAGIC)):
        raise _fail(_unsupported(data, name))
    if len(data) > MAX_IMAGE_BYTES:
        raise _fail(
            f"The image is {_megabytes(len(data))}; the limit is {_megabytes(MAX_IMAGE_BYTES)}. "
            "Resize or compress it and upload again."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                _check_pixels(image.size, name)
                fmt = image.format or ""
                width, height = image.size
                # Decode it all to prove it is readable; a JPEG at 1/8 scale (every byte is
                # still read, no full-size copy is made).
                image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                with _strict_decoding():
                    image.load()
                if image.getexif().get(0x0112, 1) in {5, 6, 7, 8}:
                    width, height = height, width
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _fail(f"{name} has too many pixels; resize it and upload again.") from None
    except Exception:
        raise _fail(
            f"{name} could not be read as an image; it may be damaged. "
            "Export it again and upload the new file."
        ) from None
    if fmt not in _PIL_TYPES:
        raise _fail(f"{name} is a {fmt} image; upload {_SUPPORTED}.")
    return MediaInfo(_PIL_TYPES[fmt], "image", width, height, len(data))


def _check_pixels(size: tuple[int, int], name: str) -> None:
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        raise _fail(
            f"{name} is {width} × {height} pixels ({width * height / 1e6:.0f} megapixels); the"
            f" limit is {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels, more than any network shows."
            " Resize it (4096 pixels on the longest side is plenty) and upload again."
        )


def thumbnail(data: bytes, side: int = THUMB_SIDE) -> bytes:
    """A small upright JPEG of an image (its first frame), made once at upload and stored: a
    JPEG is decoded at a reduced scale, and a picture past the pixel limit is never decoded.

    Raises:
        ValidationError: too many pixels. OSError: not a readable image.
    """
    with Image.open(io.BytesIO(data)) as image:
        _check_pixels(image.size, "The image")
        # Shrink first (a JPEG decodes at 1/2 … 1/8 scale), then turn and convert the small copy:
        # no full-size copy is made.
        image.thumbnail((side, side))
        upright = ImageOps.exif_transpose(image).convert("RGB")
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _unsupported(data: bytes, name: str) -> str:
    try:
        with Image.open(io.BytesIO(data)) as image:
            return f"{name} is a {image.format} image; upload {_SUPPORTED}."
    except Exception:
        return f"{name} is not a supported image or video; upload {_SUPPORTED}."


def _inspect_video(data: bytes, name: str) -> MediaInfo:
    brand = data[8:12]
    if brand in _HEIF_BRANDS:
        raise _fail(f"{name} is a HEIC/AVIF photo; export it as JPEG and upload again.")
    content_type = "video/quicktime" if brand == b"qt  " else "video/mp4"
    if len(data) > MAX_VIDEO_BYTES:
        raise _fail(
            f"The video is {_megabytes(len(data))}; the limit is {_megabytes(MAX_VIDEO_BYTES)}. "
            "Shorten or compress it and upload again."
        )
    width, height = _video_size(data)
    return MediaInfo(content_type, "video", width, height, len(data))


def _boxes(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """ISO-BMFF boxes in data[start:end] as (type, payload start, box end)."""
    found, pos = [], start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1 and pos + 16 <= end:
            size, header = struct.unpack(">Q", data[pos + 8 : pos + 16])[0], 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            break
        found.append((kind, pos + header, pos + size))
        pos += size
    return found


def _video_size(data: bytes) -> tuple[int, int]:
    """Displayed width and height from the first visual track's ``tkhd``; (0, 0) if unknown."""
    for kind, start, end in _boxes(data, 0, len(data)):
        if kind != b"moov":
            continue
        for trak, t_start, t_end in _boxes(data, start, end):
            if trak != b"trak":
                continue
            for box, b_start, b_end in _boxes(data, t_start, t_end):
                if box != b"tkhd":
                    continue
                version = data[b_start]
                base = b_start + (92 if version == 1 else 80)
                if base + 4 > b_end:
                    continue
                a, b, _u, c, d = struct.unpack(">5i", data[base - 40 : base - 20])
                width, height = struct.unpack(">II", data[base - 4 : base + 4])
                width, height = width >> 16, height >> 16
                if width and height:
                    return (height, width) if a == 0 and d == 0 and b and c else (width, height)
    return 0, 0


def _rule(network: str, fmt: str) -> Ratio | None:
    """The network's aspect ratio rule for `fmt` (its `aspect_ratios`; "feed" for a format it
    names no rule for; none for a network Tandem does not know)."""
    cls = registry.find(network)
    rules = cls.aspect_ratios if cls is not None else {}
    return rules.get(fmt, rules.get("feed"))


def fits(network: str, fmt: str, width: int, height: int) -> bool:
    """Whether a `width` x `height` picture meets `network`'s aspect ratio rule for `fmt`."""
    rule = _rule(network, fmt)
    if rule is None or width <= 0 or height <= 0:
        return rule is None
    ratio = width / height
    low, high = rule
    return low * (1 - TOLERANCE) <= ratio <= high * (1 + TOLERANCE)


def crop_box(network: str, fmt: str, width: int, height: int) -> tuple[int, int, int, int] | None:
    """The centred crop that brings a picture to the nearest allowed ratio.

    Returns:
        ``(left, top, right, bottom)`` in displayed pixels, or None when it already fits.
    """
    rule = _rule(network, fmt)
    if rule is None or fits(network, fmt, width, height):
        return None
    low, high = rule
    if width / height > high:  # too wide: keep the full height
        new_width = max(1, int(height * high))
        left = (width - new_width) // 2
        return (left, 0, left + new_width, height)
    new_height = max(1, int(width / low))  # too tall: keep the full width
    top = (height - new_height) // 2
    return (0, top, width, top + new_height)


def crop(data: bytes, box: tuple[int, int, int, int], content_type: str) -> bytes:
    """Cut `box` (displayed coordinates) out of an image, keeping its format.

    The EXIF orientation is applied first (so the result is upright with no orientation tag)
    and the other EXIF data, including any location, is not copied. Animated GIF and WebP
    keep every frame.

    Raises:
        ValidationError: a video, or a type that cannot be cropped.
    """
    fmt = _SAVE_FORMATS.get(content_type)
    if fmt is None:
        raise _fail("Only images can be cropped here; crop the video before uploading it.")
    with Image.open(io.BytesIO(data)) as image:
        out = io.BytesIO()
        if getattr(image, "is_animated", False):
            frames = [frame.copy().crop(box) for frame in ImageSequence.Iterator(image)]
            frames[0].save(
                out,
                format=fmt,
                save_all=True,
                append_images=frames[1:],
                loop=image.info.get("loop", 0),
                duration=image.info.get("duration", 100),
            )
            return out.getvalue()
        upright = ImageOps.exif_transpose(image)
        cut = upright.crop(box)
        options: dict[str, object] = {}
        if fmt == "JPEG":
            options = {"quality": 90, "icc_profile": image.info.get("icc_profile")}
            if cut.mode not in {"RGB", "L", "CMYK"}:
                cut = cut.convert("RGB")
        cut.save(out, format=fmt, **options)
        return out.getvalue()


def crop_preview(data: bytes, network: str, fmt: str, max_side: int = 480) -> bytes:
    """A small JPEG of the whole picture with the part a crop would remove dimmed.

    Args:
        data: the image bytes.
        network: the provider name.
        fmt: ``feed``, ``story``, ``reel`` or ``video``.
        max_side: the preview's longest side in pixels.
    """
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image).convert("RGB")
    width, height = upright.size
    box = crop_box(network, fmt, width, height)
    upright.thumbnail((max_side, max_side))
    if box is not None:
        scale = upright.width / width
        left, top, right, bottom = (round(v * scale) for v in box)
        shade = Image.new("RGB", upright.size, (0, 0, 0))
        dimmed = Image.blend(upright, shade, 0.6)
        dimmed.paste(upright.crop((left, top, right, bottom)), (left, top))
        ImageDraw.Draw(dimmed).rectangle(
            (left, top, right - 1, bottom - 1), outline=(255, 255, 255), width=2
        )
        upright = dimmed
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=85)
    return out.getvalue()


_NAME_PART = re.compile(r"^[a-z0-9_]+$")


def derived_key(key: str, network: str, fmt: str) -> str:
    """The key of a cropped variant: ``ab12.jpg`` -> ``ab12.instagram-story.jpg``.

    Raises:
        ValueError: an unsafe key, or a network or format that is not a plain name.
    """
    check_key(key)
    if not (_NAME_PART.match(network) and _NAME_PART.match(fmt)):
        raise ValueError(f"Bad network or format name: {network!r}, {fmt!r}")
    path = PurePosixPath(key)
    return str(path.with_name(f"{path.stem}.{network}-{fmt}{path.suffix}"))


def jpeg_needed(network: str, content_type: str) -> bool:
    """Whether a picture of `content_type` must reach `network` as a JPEG copy."""
    cls = registry.find(network)
    allowed = cls.image_types if cls is not None else ()
    return bool(allowed) and content_type.startswith("image/") and content_type not in allowed


def as_jpeg(data: bytes) -> bytes:
    """The picture as an upright JPEG (transparency on white, the first frame of an animation;
    EXIF data, a location included, is not copied)."""
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image)
        if upright.mode in ("RGBA", "LA", "P"):
            rgba = upright.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            upright = flat
        out = io.BytesIO()
        upright.convert("RGB").save(out, format="JPEG", quality=90)
        return out.getvalue()


def jpeg_key(key: str) -> str:
    """The key of a file's JPEG copy: ``ab12.png`` -> ``ab12-png.jpg``."""
    check_key(key)
    path = PurePosixPath(key)
    return str(path.with_name(f"{path.stem}{path.suffix.replace('.', '-')}.jpg"))
