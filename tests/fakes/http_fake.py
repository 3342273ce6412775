"""A small routed HTTP server that the social networks' fakes are built on.

Each fake subclasses `FakeServer`, declares routes with `@route("POST", r"/2/tweets")` and answers
with `Reply`. The server records every request (`requests`), can wait `latency` seconds before
answering (to measure throughput against a slow network), and can be scripted to fail the next
calls of a route (`fail_next`) the way the real network fails: the fakes decide the body.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # named groups of the route

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        """The JSON body (raises ValueError when it is not JSON)."""
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, list[str]]:
        """A url-encoded body."""
        return urllib.parse.parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def multipart(self) -> dict[str, tuple[str, bytes, str]]:
        """A multipart body: name -> (filename, bytes, content type). Repeated names keep the
        last value; `multipart_all` keeps them all."""
        return {name: value for name, value in self.multipart_all()}

    def multipart_all(self) -> list[tuple[str, tuple[str, bytes, str]]]:
        raw = b"Content-Type: " + self.headers.get("content-type", "").encode() + b"\r\n\r\n"
        message = BytesParser(policy=HTTP).parsebytes(raw + self.body)
        out = []
        for part in message.iter_parts() if message.is_multipart() else []:
            name = part.get_param("name", header="content-disposition") or ""
            filename = part.get_filename() or ""
            payload = part.get_payload(decode=True) or b""
            out.append((str(name), (filename, payload, part.get_content_type())))
        return out

    def bearer(self) -> str:
        """The Bearer token, or "" when the request carries none."""
        value = self.headers.get("authorization", "")
        return value[7:].strip() if value.lower().startswith("bearer ") else ""

    def arg(self, name: str, default: str = "") -> str:
        """A query-string value."""
        return self.query.get(name, [default])[0]


@dataclass
class Reply:
    """An answer: status, JSON (or raw) body and headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json"
    hang: float = 0.0  # seconds to wait before answering (0: answer at once)
    drop: bool = False  # close the connection without answering (after reading the request)


Handler = Callable[[Any, Request], Reply]
LOST = -1.0  # `hang_next` seconds meaning: drop the connection instead of answering


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Decorator for a fake's method that answers `method` on paths matching `pattern`
    (a regular expression matched against the whole path; named groups land in
    `request.params`)."""

    def mark(fn: Handler) -> Handler:
        fn.__dict__.setdefault("_routes", []).append((method.upper(), re.compile(pattern + "$")))
        return fn

    return mark


class FakeServer:
    """Base class: start/stop, routing, recording, latency and scripted failures."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.latency = 0.0
        self.base_url = ""
        self._failures: list[tuple[str, str, Reply]] = []  # (method, path regex, reply)
        # (method, path regex, seconds or LOST, matching requests to let through first)
        self._slow: list[list[Any]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        for name in dir(type(self)):
            fn = getattr(type(self), name)
            for method, pattern in getattr(fn, "_routes", []):
                self._routes.append((method, pattern, fn))

    # scripting -------------------------------------------------------------------------------
    def fail_next(self, method: str, path_pattern: str, reply: Reply, times: int = 1) -> None:
        """The next `times` requests matching `method` and `path_pattern` get `reply`."""
        with self._lock:
            self._failures.extend([(method.upper(), path_pattern, reply)] * times)

    def hang_next(
        self, method: str, path_pattern: str, seconds: float, times: int = 1, *, after: int = 0
    ) -> None:
        """The next `times` matching requests (once `after` more have passed untouched) are
        handled normally, then their answer waits `seconds` (the network did the work; the
        answer is late or lost)."""
        with self._lock:
            self._slow.append([method.upper(), path_pattern, seconds, after])
            self._slow.extend([method.upper(), path_pattern, seconds, 0] for _ in range(times - 1))

    def lose_next(self, method: str, path_pattern: str, times: int = 1, *, after: int = 0) -> None:
        """Like `hang_next`, but the connection is closed instead of answering: the network
        did the work and the client never hears of it (a dropped connection)."""
        self.hang_next(method, path_pattern, LOST, times, after=after)

    def calls(self, method: str, path_pattern: str) -> list[Request]:
        """Recorded requests matching `method` and the path regex."""
        rx = re.compile(path_pattern + "$")
        return [r for r in self.requests if r.method == method.upper() and rx.match(r.path)]

    # serving ---------------------------------------------------------------------------------
    def _dispatch(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            for i, (method, pattern, reply) in enumerate(self._failures):
                if method == request.method and re.match(pattern + "$", request.path):
                    del self._failures[i]
                    return reply
        for method, pattern, fn in self._routes:
            match = pattern.match(request.path)
            if method == request.method and match:
                request.params = {k: v for k, v in match.groupdict().items() if v is not None}
                with self._lock:
                    reply = fn(self, request)
                    for i, slow in enumerate(self._slow):
                        slow_method, slow_path, seconds, after = slow
                        if slow_method == request.method and re.match(
                            slow_path + "$", request.path
                        ):
                            if after:  # this one passes untouched
                                slow[3] -= 1
                                break
                            del self._slow[i]
                            if seconds == LOST:
                                reply.drop = True
                            else:
                                reply.hang = seconds
                            break
                    return reply
        return self.not_found(request)

    def not_found(self, request: Request) -> Reply:
        """The answer for an unknown path (fakes override it with their network's body)."""
        return Reply(404, {"error": f"Unknown path {request.path}"})

    def start(self) -> FakeServer:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parsed = urllib.parse.urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=parsed.path,
                    query=urllib.parse.parse_qs(parsed.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                if fake.latency:
                    time.sleep(fake.latency)
                reply = fake._dispatch(request)
                if reply.hang:
                    time.sleep(reply.hang)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if reply.raw is not None:
                    data = reply.raw
                elif reply.body is None:
                    data = b""
                else:
                    data = json.dumps(reply.body).encode()
                self.send_response(reply.status)
                if data:
                    self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if data:
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
