"""A local OpenAI-compatible chat completions server for tests (streaming, as the real API does).

`POST /v1/chat/completions` with a Bearer key and `{"model", "messages", "stream": true}` answers
with Server-Sent Events: `data: {chat.completion.chunk}` lines, a final chunk with
`finish_reason: "stop"`, a usage chunk when `stream_options.include_usage` is set, then
`data: [DONE]`. Errors use the real error body `{"error": {"message", "type", "code"}}`.

Behaviour is set per server with `mode`: "ok"; "down" (503 on every call); "auth" (401);
"drop" (the first call sends `drop_after` chunks, then cuts the connection; later calls answer
normally, continuing the text when the request carries the partial answer).

Prompt caching as OpenAI documents it: automatic for prompts of 1,024 tokens or more; a request
whose prompt starts with the same text as an earlier one reports the shared part as
`usage.prompt_tokens_details.cached_tokens`, in steps of 128 tokens from 1,024. Tokens are
counted at four characters each (OpenAI's rule of thumb) unless `prompt_tokens` is set.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_ANSWER = (
    "Scope of work: we will redesign the harbour website, migrate the content and train the "
    "team. Timeline: six weeks from kick-off. Investment: as agreed in the pricing table."
)


@dataclass
class FakeOpenAI:
    """The server's behaviour and what it saw."""

    mode: str = "ok"
    answer: str = DEFAULT_ANSWER
    drop_after: int = 5
    prompt_tokens: int | None = None  # None: counted from the messages
    chunk_delay: float = 0.0  # seconds between streamed chunks (a model writing at its pace)
    requests: list[dict[str, Any]] = field(default_factory=list)
    usages: list[dict[str, Any]] = field(default_factory=list)  # the usage each answer reported
    _prompts: list[str] = field(default_factory=list)
    calls: int = 0
    base_url: str = ""
    _server: ThreadingHTTPServer | None = None

    def words(self) -> list[str]:
        """The answer in streamed pieces (a word and its trailing space)."""
        return _rest(self.answer, "")

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _error(self, status: int, message: str, kind: str, code: str | None) -> None:
                body = json.dumps(
                    {"error": {"message": message, "type": kind, "param": None, "code": code}}
                ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
                    return self._error(
                        404, f"Unknown path {self.path}", "invalid_request_error", None
                    )
                if not self.headers.get("Authorization", "").startswith("Bearer "):
                    return self._error(
                        401, "You didn't provide an API key.", "invalid_request_error", None
                    )
                try:
                    body = json.loads(raw)
                except ValueError:
                    return self._error(
                        400,
                        "We could not parse the JSON body of your request.",
                        "invalid_request_error",
                        None,
                    )
                if not body.get("model") or not isinstance(body.get("messages"), list):
                    return self._error(
                        400, "'model' and 'messages' are required.", "invalid_request_error", None
                    )
                fake.calls += 1
                fake.requests.append(body)
                if fake.mode == "down":
                    return self._error(503, "The server is overloaded.", "server_error", None)
                if fake.mode == "auth":
                    return self._error(
                        401,
                        "Incorrect API key provided.",
                        "invalid_request_error",
                        "invalid_api_key",
                    )
                words = fake.words()
                continuing = any(m.get("role") == "assistant" for m in body["messages"])
                if continuing:
                    already = next(
                        m["content"] for m in body["messages"] if m.get("role") == "assistant"
                    )
                    words = _rest(fake.answer, already)
                drop = fake.mode == "drop" and fake.calls == 1
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                created = int(time.time())

                def send(payload: dict | str) -> None:
                    data = payload if isinstance(payload, str) else json.dumps(payload)
                    self.wfile.write(f"data: {data}\n\n".encode())
                    self.wfile.flush()

                def chunk(delta: dict, finish: str | None = None) -> dict:
                    return {
                        "id": "chatcmpl-fake",
                        "object": "chat.completion.chunk",
                        "created": created,
                        "model": body["model"],
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                    }

                send(chunk({"role": "assistant", "content": ""}))
                for i, word in enumerate(words):
                    if drop and i == fake.drop_after:
                        self.close_connection = True
                        self.wfile.flush()
                        self.connection.shutdown(2)  # the stream drops mid-answer
                        return None
                    send(chunk({"content": word}))
                    if fake.chunk_delay:
                        time.sleep(fake.chunk_delay)
                send(chunk({}, "stop"))
                usage = fake.usage(body["messages"], len(words))
                if (body.get("stream_options") or {}).get("include_usage"):
                    send(
                        {
                            "id": "chatcmpl-fake",
                            "object": "chat.completion.chunk",
                            "created": created,
                            "model": body["model"],
                            "choices": [],
                            "usage": usage,
                        }
                    )
                send("[DONE]")
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def usage(self, messages: list[dict[str, Any]], completion: int) -> dict[str, Any]:
        """The usage block for an answer of `completion` tokens to `messages`; remembers the
        prompt so a later one sharing its start is served from the cache."""
        text = "".join(f"{m.get('role')}:{_content(m.get('content'))}" for m in messages)
        shared = max((_shared_start(text, seen) for seen in self._prompts), default=0)
        self._prompts.append(text)
        prompt = self.prompt_tokens if self.prompt_tokens is not None else len(text) // 4
        shared_tokens = min(shared // 4, prompt)
        cached = 0 if shared_tokens < 1024 else 1024 + (shared_tokens - 1024) // 128 * 128
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": cached},
        }
        self.usages.append(usage)
        return usage

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _shared_start(a: str, b: str) -> int:
    """How many characters `a` and `b` have in common from their start."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _content(content: Any) -> str:
    """A message's text: a string, or the text of its content parts."""
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content or "")


def _rest(answer: str, already: str) -> list[str]:
    """The words of `answer` after the text already sent."""
    tail = answer[len(already) :] if answer.startswith(already) else answer
    out, word = [], ""
    for ch in tail:
        word += ch
        if ch == " ":
            out.append(word)
            word = ""
    return [*out, word] if word else out
