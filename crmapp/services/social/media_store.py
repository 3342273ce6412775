"""Where media library files live: local disk by default, S3 when a bucket is configured.

Each organisation has its own namespace: ``<data_dir>/media/<org_id>/<key>`` on disk, or
``media/<org_id>/<key>`` in the bucket. Keys are relative paths made by `new_key` /
`media.derived_key`; anything that could escape the namespace is refused.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Any, Protocol

from crmapp.services.platform.errors import NotFound
from crmapp.settings import get_settings

_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*$")
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
}


def check_key(key: str) -> str:
    """Return `key` if it is a safe relative key (no ``..``, no absolute path), else raise.

    Raises:
        ValueError: the key could leave the organisation's namespace.
    """
    if not _KEY_RE.match(key) or any(part in {".", ".."} for part in key.split("/")):
        raise ValueError(f"Unsafe media key {key!r}")
    return key


def type_of_key(key: str) -> str:
    """The content type a key's extension stands for ("" when unknown)."""
    suffix = key[key.rfind(".") :] if "." in key else ""
    return next((kind for kind, ext in _EXTENSIONS.items() if ext == suffix), "")


def new_key(content_type: str) -> str:
    """A fresh random key with the extension for `content_type` (``3f9a…c2.jpg``)."""
    return secrets.token_hex(16) + _EXTENSIONS.get(content_type, "")


class MediaStore(Protocol):
    """The storage interface the media library uses."""

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`, replacing what was there."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes under `key`; raises `NotFound` when there are none."""
        ...

    def delete(self, key: str) -> None:
        """Remove `key`; removing a missing key is not an error."""
        ...

    def url(self, key: str, *, expires_in: int = 3600) -> str | None:
        """A URL a network can fetch the file from, or None when the app must serve it."""
        ...


class LocalStore:
    """Files under a directory (one per organisation); writes are atomic renames."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key` (`content_type` is kept by the caller's database row)."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        """The bytes under `key`.

        Raises:
            NotFound: no such file.
        """
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise NotFound("That media file no longer exists.") from None

    def delete(self, key: str) -> None:
        """Remove `key` if present."""
        self._path(key).unlink(missing_ok=True)

    def url(self, key: str, *, expires_in: int = 3600) -> str | None:
        """Local files have no public URL: the app serves them."""
        check_key(key)
        return None


class S3Store:
    """Objects in an S3 (or S3-compatible) bucket under ``<prefix><key>``."""

    def __init__(self, *, bucket: str, prefix: str = "", client: Any = None):
        self.bucket = bucket
        self.prefix = prefix
        if client is None:
            import boto3

            settings = get_settings()
            client = boto3.client(
                "s3",
                region_name=settings.aws_region,
                endpoint_url=settings.media_s3_endpoint_url or None,
            )
        self.client = client

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Upload `data` with its content type."""
        self.client.put_object(
            Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type
        )

    def get(self, key: str) -> bytes:
        """Download the object.

        Raises:
            NotFound: no such object.
        """
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise NotFound("That media file no longer exists.") from None
            raise
        body: bytes = response["Body"].read()
        return body

    def delete(self, key: str) -> None:
        """Delete the object (S3 deletes of a missing key succeed)."""
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def url(self, key: str, *, expires_in: int = 3600) -> str | None:
        """A presigned GET URL valid for `expires_in` seconds."""
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self._key(key)},
            ExpiresIn=expires_in,
        )
        return url


def store(org_id: object) -> MediaStore:
    """The store for one organisation: S3 when `TANDEM_MEDIA_S3_BUCKET` is set, else disk.

    Args:
        org_id: the organisation whose namespace to use.
    """
    org = check_key(str(org_id))
    settings = get_settings()
    if settings.media_s3_bucket:
        return S3Store(bucket=settings.media_s3_bucket, prefix=f"media/{org}/")
    return LocalStore(settings.data_dir / "media" / org)
