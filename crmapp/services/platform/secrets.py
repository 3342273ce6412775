"""Envelope encryption for secrets Tandem stores (social account tokens).

Each organisation has its own AES-256 data key; secrets are sealed with AES-GCM under it, the
organisation's id bound in as associated data (a sealed value copied to another organisation
does not open). The data key is stored only wrapped: by AWS KMS (`TANDEM_KMS_KEY_ID`, through
boto3; `TANDEM_KMS_ENDPOINT_URL` points at another KMS-compatible endpoint) or, by default, by a
local master key file (`<data dir>/master.key`, created once, mode 0600). Unwrapped keys are
cached in the process for a few minutes, never stored.
"""

from __future__ import annotations

import base64
import os
import secrets as pysecrets
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from crmapp.models.secrets import OrgDataKey
from crmapp.settings import get_settings

PREFIX = "v1."
CACHE_SECONDS = 300
_cache: dict[uuid.UUID, tuple[float, bytes]] = {}
_lock = threading.Lock()


class SecretError(Exception):
    """A sealed value could not be opened (tampered with, or another organisation's)."""


def _aesgcm(key: bytes) -> Any:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def _master_key() -> bytes:
    path: Path = get_settings().data_dir / "master.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pysecrets.token_bytes(32))
    key = path.read_bytes()
    if len(key) != 32:
        raise SecretError(f"{path} is not a 32-byte key")
    return key


def _kms() -> Any:
    import boto3

    settings = get_settings()
    return boto3.client(
        "kms", region_name=settings.aws_region, endpoint_url=settings.kms_endpoint_url or None
    )


def _new_data_key() -> tuple[bytes, bytes, str]:
    """(plaintext key, wrapped key, wrapped_by)."""
    key_id = get_settings().kms_key_id
    if key_id:
        made = _kms().generate_data_key(KeyId=key_id, KeySpec="AES_256")
        return made["Plaintext"], made["CiphertextBlob"], f"kms:{key_id}"
    key = pysecrets.token_bytes(32)
    nonce = pysecrets.token_bytes(12)
    return key, nonce + _aesgcm(_master_key()).encrypt(nonce, key, b"tandem-data-key"), "local"


def _unwrap(row: OrgDataKey) -> bytes:
    if row.wrapped_by.startswith("kms:"):
        return bytes(_kms().decrypt(CiphertextBlob=row.wrapped_key)["Plaintext"])
    blob = bytes(row.wrapped_key)
    try:
        return bytes(_aesgcm(_master_key()).decrypt(blob[:12], blob[12:], b"tandem-data-key"))
    except Exception as err:
        raise SecretError("the data key does not open with this master key") from err


def data_key(session: Session, org_id: uuid.UUID) -> bytes:
    """The organisation's data key (created and wrapped on first use; cached briefly)."""
    with _lock:
        cached = _cache.get(org_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
    row = session.exec(
        select(OrgDataKey)
        .where(OrgDataKey.org_id == org_id, col(OrgDataKey.active).is_(True))
        .order_by(col(OrgDataKey.created_at).desc())
    ).first()
    if row is None:
        key, wrapped, wrapped_by = _new_data_key()
        session.add(OrgDataKey(org_id=org_id, wrapped_key=wrapped, wrapped_by=wrapped_by))
        session.flush()
    else:
        key = _unwrap(row)
    with _lock:
        _cache[org_id] = (time.monotonic() + CACHE_SECONDS, key)
    return key


def forget_cached_keys() -> None:
    """Drop every unwrapped key from this process (tests; key rotation)."""
    with _lock:
        _cache.clear()


def seal(session: Session, org_id: uuid.UUID, plaintext: str) -> str:
    """`plaintext` encrypted under the organisation's data key, as text safe to store."""
    nonce = pysecrets.token_bytes(12)
    sealed = _aesgcm(data_key(session, org_id)).encrypt(
        nonce, plaintext.encode(), str(org_id).encode()
    )
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def open_sealed(session: Session, org_id: uuid.UUID, value: str) -> str:
    """The plaintext of a `seal`ed value (SecretError if it was altered or is not this
    organisation's)."""
    if not value.startswith(PREFIX):
        raise SecretError("not a sealed value")
    raw = base64.urlsafe_b64decode(value[len(PREFIX) :].encode())
    try:
        opened = _aesgcm(data_key(session, org_id)).decrypt(
            raw[:12], raw[12:], str(org_id).encode()
        )
    except Exception as err:
        raise SecretError("the sealed value does not open for this organisation") from err
    return opened.decode()
