"""Opaque, HMAC-signed random tokens. Only a SHA-256 of the random part is stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from crmapp.settings import get_settings


def _sign(raw: str) -> str:
    key = get_settings().resolved_secret_key().encode()
    digest = hmac.new(key, raw.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]


def token_hash(raw: str) -> str:
    """The stored form of a token's random part."""
    return hashlib.sha256(raw.encode()).hexdigest()


def issue() -> tuple[str, str]:
    """A new `(token, token_hash)`; the token is `<random>.<signature>`."""
    raw = secrets.token_urlsafe(32)
    return f"{raw}.{_sign(raw)}", token_hash(raw)


def verify(token: str | None) -> str | None:
    """The hash to look up if `token` carries a valid signature (constant-time check), else None."""
    if not token or token.count(".") != 1:
        return None
    raw, signature = token.split(".")
    if not raw or not hmac.compare_digest(signature.encode(), _sign(raw).encode()):
        return None
    return token_hash(raw)
