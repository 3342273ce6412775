"""Uploaded CSV files: kept on disk until their import completes, and how their bytes become text.

A file waits under ``<data_dir>/imports/<org_id>/<id>`` (never in a page's state) from its upload
until its import is done; a file nobody imports (a closed tab) is swept after a day. Its encoding is
detected (UTF-8, UTF-16 with its byte-order mark, else Windows-1252 or Latin-1, which the user may
change), and a file that is not text at all (a workbook, an image, a PDF) is refused with a
sentence saying what to do.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import re
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, BinaryIO

from crmapp.services.platform.errors import ValidationError
from crmapp.settings import get_settings

MAX_AGE_SECONDS = 24 * 3600
CHUNK = 1024 * 1024
ENCODINGS = {
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252 (Western European)",
    "latin-1": "Latin-1 (ISO-8859-1)",
    "utf-16": "UTF-16",
}
# How each choice is read: UTF-8 keeps undecodable bytes (as surrogates) so that their rows are
# refused one by one; the others cannot fail.
_CODECS = {
    "utf-8": ("utf-8-sig", "surrogateescape"),
    "cp1252": ("cp1252", "replace"),
    "latin-1": ("latin-1", "strict"),
    "utf-16": ("utf-16", "replace"),
}
_NOT_IN_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (or another ZIP archive)"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook or another Office file"),
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_ID = re.compile(r"^[0-9a-f]{32}$")
GONE = "That upload is no longer on the server: upload it again."
SAVE_AS_CSV = "Save it as CSV (in Excel: File › Save As › CSV UTF-8) and upload that file."


def folder(org_id: uuid.UUID) -> Path:
    """Where the organisation's uploads wait."""
    return get_settings().data_dir / "imports" / str(org_id)


def path(org_id: uuid.UUID, file_id: str) -> Path:
    """The file `file_id` of the organisation; refuses anything that is not one of its uploads.

    Raises:
        ValidationError: no such upload (gone, swept, or never this organisation's).
    """
    found = folder(org_id) / file_id if _ID.match(file_id or "") else None
    if found is None or not found.is_file():
        raise ValidationError({"file": GONE})
    return found


def save(org_id: uuid.UUID, source: BinaryIO, max_bytes: int) -> str:
    """Copy an upload to disk in chunks (never whole in memory); returns its id.

    Raises:
        ValidationError: the file is larger than `max_bytes`.
    """
    target = folder(org_id)
    target.mkdir(parents=True, exist_ok=True)
    sweep_folder(target)
    file_id = uuid.uuid4().hex
    fd, tmp = tempfile.mkstemp(dir=target, prefix=".upload-")
    try:
        size = 0
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise ValidationError(
                        {"file": f"The file is larger than {max_bytes // 2**20} MB: split it."}
                    )
                out.write(chunk)
        os.replace(tmp, target / file_id)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return file_id


def head(org_id: uuid.UUID, file_id: str, size: int = 64 * 1024) -> bytes:
    """The first `size` bytes of an upload."""
    with path(org_id, file_id).open("rb") as handle:
        return handle.read(size)


def _chunks(org_id: uuid.UUID, file_id: str) -> Iterator[bytes]:
    with path(org_id, file_id).open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def refuse_binary(sample: bytes) -> None:
    """Raise if `sample` (a file's first bytes) is not text.

    Raises:
        ValidationError: a known binary format, or too many control bytes for text.
    """
    what = next((name for magic, name in _SIGNATURES if sample.startswith(magic)), "")
    if not what and sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    controls = len(_CONTROL.findall(sample))
    if not what and controls > 8 and controls > len(sample) * 0.05:
        what = "binary data, not text"
    if what:
        looks = "it holds" if what.startswith("binary") else "it looks like"
        raise ValidationError({"file": f"This is not a CSV file: {looks} {what}. {SAVE_AS_CSV}"})


def detect(org_id: uuid.UUID, file_id: str) -> str:
    """The encoding to read an upload with first (a key of `ENCODINGS`).

    Raises:
        ValidationError: the file is not text.
    """
    sample = head(org_id, file_id)
    refuse_binary(sample)
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in _chunks(org_id, file_id):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if any(_NOT_IN_CP1252.search(chunk) for chunk in _chunks(org_id, file_id)):
        return "latin-1"
    return "cp1252"


@contextlib.contextmanager
def open_text(org_id: uuid.UUID, file_id: str, encoding: str) -> Iterator[IO[str]]:
    """The upload as text in `encoding`, for `csv.reader` (newlines left to it)."""
    codec, errors = _CODECS[encoding]
    with path(org_id, file_id).open(encoding=codec, errors=errors, newline="") as handle:
        yield handle


def sha256(org_id: uuid.UUID, file_id: str) -> str:
    """The hex SHA-256 of an upload (what makes a re-import of the same file recognisable)."""
    digest = hashlib.sha256()
    for chunk in _chunks(org_id, file_id):
        digest.update(chunk)
    return digest.hexdigest()


def rename(org_id: uuid.UUID, file_id: str, new_id: str) -> None:
    """Give an upload another id (the import's, once it is queued)."""
    source = path(org_id, file_id)
    if not _ID.match(new_id):
        raise ValueError(f"not an upload id: {new_id!r}")
    os.replace(source, source.with_name(new_id))


def discard(org_id: uuid.UUID, file_id: str) -> None:
    """Remove an upload (no error if it is gone already)."""
    if _ID.match(file_id or ""):
        (folder(org_id) / file_id).unlink(missing_ok=True)


def sweep_folder(target: Path, now: float | None = None) -> int:
    """Remove the uploads of one folder older than a day; returns how many."""
    cutoff = (now or time.time()) - MAX_AGE_SECONDS
    removed = 0
    for item in target.iterdir() if target.is_dir() else ():
        with contextlib.suppress(FileNotFoundError):
            if item.is_file() and item.stat().st_mtime < cutoff:
                item.unlink()
                removed += 1
    return removed


def sweep(now: float | None = None) -> int:
    """Remove every organisation's uploads older than a day (the daily housekeeping)."""
    root = get_settings().data_dir / "imports"
    return sum(sweep_folder(org, now) for org in root.iterdir()) if root.is_dir() else 0
