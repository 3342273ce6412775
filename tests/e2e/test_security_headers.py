"""Browser-facing headers of the running app: no framing by other sites, no MIME sniffing, no
referrer leaks, and CORS only for the app's own origin (pages, uploads, API, event socket)."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.pages import TIMEOUT

EVIL = "http://evil.example"
HEADERS = {
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def request(url: str, method: str = "GET", headers: dict[str, str] | None = None):
    """(status, lower-cased headers) of one request, whatever its status."""
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}


@pytest.fixture(scope="module")
def share_path(app_url):
    """The public signing page of a real sent proposal."""
    from tests.integration.test_proposal_sharing import sent_proposal

    _proposal, token = sent_proposal(factories.signup("Framed"))
    return f"/p/{token}"


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/login", "GET"),
        ("share", "GET"),
        ("/_upload", "POST"),
        ("/api/media/00000000-0000-0000-0000-000000000000/x/y", "GET"),
        ("/ping", "GET"),
        ("/no-such-page", "GET"),
    ],
)
def test_every_response_carries_the_browser_headers(app_url, share_path, path, method):
    url = app_url + (share_path if path == "share" else path)
    _status, headers = request(url, method)
    for name, value in HEADERS.items():
        assert headers.get(name) == value, (path, name, headers)


def test_the_event_socket_refuses_a_foreign_origin(app_url):
    """Cross-site WebSocket hijacking: another site's page cannot open the app's event socket
    with the user's cookies. (An upgrade answer carries no document, so the framing headers mean
    nothing there, and Granian sends no application headers on an upgrade or its refusal.)"""
    assert _handshake(app_url, origin=app_url).startswith("HTTP/1.1 101")
    foreign = _handshake(app_url, origin=EVIL)
    assert foreign.startswith("HTTP/1.1 403"), foreign


def _handshake(app_url: str, origin: str) -> str:
    """The status line and headers answering a WebSocket upgrade of /_event from `origin`."""
    parts = urlsplit(app_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(
            (
                "GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: {origin}\r\n\r\n"
            ).encode()
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")


def test_cors_allows_only_the_apps_own_origin(app_url):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-y"}
    status, headers = request(f"{app_url}/_upload", "OPTIONS", {"Origin": EVIL, **preflight})
    assert status >= 400 and "access-control-allow-origin" not in headers
    _status, headers = request(f"{app_url}/ping", "GET", {"Origin": EVIL})
    assert "access-control-allow-origin" not in headers  # no reflection of any origin
    status, headers = request(f"{app_url}/_upload", "OPTIONS", {"Origin": app_url, **preflight})
    assert status == 200 and headers["access-control-allow-origin"] == app_url


def test_another_site_cannot_frame_the_login_or_the_signing_page(browser, app_url, share_path):
    context = browser.new_context()
    page = context.new_page()
    for path in ("/login", share_path):
        html = f'<h1>Win a prize</h1><iframe id="victim" src="{app_url}{path}"></iframe>'
        with _other_site(html) as framer:
            page.goto(framer)
            expect(page.get_by_role("heading", name="Win a prize")).to_be_visible(timeout=TIMEOUT)
            page.wait_for_load_state("load")  # the frame has loaded (or been refused)
        [victim] = [f for f in page.frames if f != page.main_frame]
        assert not victim.url.startswith(app_url), victim.url
    context.close()


@contextlib.contextmanager
def _other_site(html: str) -> Iterator[str]:
    """Another origin on this machine serving `html` (a real server: Chromium refuses frames of
    a loopback address in a page it does not know to be local, whatever the headers say)."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
