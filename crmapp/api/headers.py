"""Browser-facing security headers on every response of the app (pages, API, uploads, socket).

Wraps the whole backend (the production single-port server serves the compiled pages from the
same ASGI app, so they pass through here too): no other site may frame a page (clickjacking a
signature on `/p/<token>`), browsers must not guess content types, and a page's URL (which may hold
a share token) is never sent to another site as the referrer. The WebSocket handshake of `/_event`
carries them as well. CORS is configured in `rxconfig.py` (the app's own origin only).
"""

from __future__ import annotations

from typing import Any

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
_NAMES = {name for name, _ in SECURITY_HEADERS}


def _with_headers(message: dict[str, Any]) -> dict[str, Any]:
    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _NAMES]
    return {**message, "headers": [*headers, *SECURITY_HEADERS]}


def security_headers(app: Any) -> Any:
    """The ASGI app `app` with the security headers added to every response and handshake."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                message = _with_headers(message)
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped
