"""The security-headers middleware adds its headers to every HTTP answer and WebSocket accept."""

from __future__ import annotations

from crmapp.api.headers import SECURITY_HEADERS, security_headers
from tests import aio


def _sent(scope_type: str, first: dict) -> list[dict]:
    sent: list[dict] = []

    async def app(scope, receive, send):
        await send(first)

    async def send(message):
        sent.append(message)

    aio.run(security_headers(app)({"type": scope_type}, None, send))
    return sent


def test_an_http_answer_gets_the_headers_once_replacing_the_apps_own():
    own = [(b"content-type", b"text/html"), (b"x-frame-options", b"ALLOWALL")]
    start = {"type": "http.response.start", "status": 200, "headers": own}
    [message] = _sent("http", start)
    assert message["headers"] == [(b"content-type", b"text/html"), *SECURITY_HEADERS]


def test_a_websocket_accept_gets_them_and_lifespan_is_left_alone():
    [accept] = _sent("websocket", {"type": "websocket.accept"})
    assert accept["headers"] == list(SECURITY_HEADERS)
    [startup] = _sent("lifespan", {"type": "lifespan.startup.complete"})
    assert "headers" not in startup
