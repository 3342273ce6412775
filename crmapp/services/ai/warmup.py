"""Warm LiteLLM up in a long-lived process (the RQ worker) before its first real call.

LiteLLM imports most of what a call needs (the OpenAI SDK and its own handlers) during the
first call, which takes over a second. The worker forks a process per job, so whatever the
worker itself loaded is ready in every job: one streamed call to a throwaway loopback server
that speaks the chat completions contract loads it all, with no network and no cost.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Stub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        for delta, finish in (({"role": "assistant", "content": "ok"}, None), ({}, "stop")):
            chunk = {
                "id": "warm",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "warm",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def warm_up_litellm(model: str) -> None:
    """One streamed completion of `model` (as an OpenAI-compatible model) against a stub."""
    from crmapp.services.ai import gateway

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/v1"
        provider = gateway.Provider("warm-up", model.split("/", 1)[-1], base, "warm-up")
        usage = {"prompt": 0, "completion": 0}
        for _ in gateway._stream_once(
            gateway._litellm(), provider, [{"role": "user", "content": "warm up"}], usage
        ):
            pass
    finally:
        server.shutdown()
        server.server_close()
