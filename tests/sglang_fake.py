"""A tiny real HTTP server on loopback that answers like SGLang's OpenAI-compatible API.

Used by the probe tests, the app's cURL tests and the cURL snapshots. Its answers are
deterministic (fixed ids and timestamps), so a screenshot of a successful probe never changes.

    with serving("success") as server:          # any free port
        port = server.port
    with serving("success", port=38517): ...    # a fixed port, for snapshots
    with serving(host="::1") as server: ...     # IPv6 loopback

    server = FakeSGLang(host="::1")             # build first (may raise OSError), then
    with running(server): ...                   # serve it

Modes (``server.mode``, may change while serving): success, error500, html (not JSON),
slow (answers after SLOW_SECONDS, or as soon as the server stops), mismatch (serves another
model), huge (a reply of ``server.huge_size`` characters), no_choices (JSON without
choices), reasoning (no content, only reasoning_content), nostream (one JSON answer even
when asked to stream), trickle (streams a token every ``server.trickle_s`` until the client
hangs up, or ``server.trickle_tokens`` of them), hostile (escape sequences everywhere: the
reply, the model id, error bodies), endless_line (one SSE line that never ends, 64 kB every
few ms until the client hangs up), endless_events (valid events without a token, forever),
separators (content and an error event holding raw U+2028, U+2029 and \x85, which are
legal inside a JSON string; ``server.separator_error`` sends the error event), nometrics (no /metrics: a server without
--enable-metrics).

A request with ``"stream": true`` gets Server-Sent Events (as SGLang sends them) in the
success, mismatch, reasoning, trickle and hostile modes; the others answer as they would
without it.

Every POST is recorded in ``server.received`` as (path, Content-Type, body);
``server.requests`` gives the same as (path, body).
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "deepseek-ai/DeepSeek-V4-Flash-0731"  # the first cell's model
REPLY = "Hello! How can I help you today?"
# OSC 52 (sets the clipboard), a C1 CSI (clears the screen), an OSC 8 hyperlink, a bidi override.
HOSTILE = "Hi\x1b]52;c;cm0gLXJmIH4=\x07\x9b2J\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\\u202eevil"
REASONING = "The user greets me."
SLOW_SECONDS = 5.0  # upper bound; the slow handler wakes as soon as the server stops
SEPARATED = "Hel\u2028lo\x85 wor\u2029ld"  # raw in the JSON text: one event, not three lines
HUGE_SIZE = 5000  # default length of the "huge" mode's reply


def completion(content: str | None = REPLY, model: str = MODEL, reasoning: str | None = None) -> dict:
    """A realistic, fixed SGLang /v1/chat/completions answer."""
    return {
        "id": "0f6c2b0a8e5d4c3f9a1b2c3d4e5f6a7b",
        "object": "chat.completion",
        "created": 1767225600,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "reasoning_content": reasoning,
                    "tool_calls": None,
                },
                "logprobs": None,
                "finish_reason": "stop",
                "matched_stop": 1,
            }
        ],
        "usage": {"prompt_tokens": 6, "total_tokens": 16, "completion_tokens": 10, "prompt_tokens_details": None},
    }


def metrics_text(requests: int) -> str:
    """SGLang's Prometheus exposition (--enable-metrics), as it looks with two DP ranks; the
    counters grow with the chat requests served."""
    ttft_sum = 0.183 * requests
    lines = [
        "# HELP sglang:num_running_reqs The number of running requests.",
        "# TYPE sglang:num_running_reqs gauge",
        'sglang:num_running_reqs{engine_type="unified",model_name="%(m)s",pp_rank="0",tp_rank="0",dp_rank="0"} 3.0',
        'sglang:num_running_reqs{engine_type="unified",model_name="%(m)s",pp_rank="0",tp_rank="0",dp_rank="1"} 2.0',
        "# HELP sglang:num_queue_reqs The number of requests in the waiting queue.",
        "# TYPE sglang:num_queue_reqs gauge",
        'sglang:num_queue_reqs{engine_type="unified",model_name="%(m)s",pp_rank="0",tp_rank="0",dp_rank="0"} 1.0',
        'sglang:num_queue_reqs{engine_type="unified",model_name="%(m)s",pp_rank="0",tp_rank="0",dp_rank="1"} 0.0',
        "# HELP sglang:token_usage The token usage.",
        "# TYPE sglang:token_usage gauge",
        'sglang:token_usage{engine_type="unified",model_name="%(m)s",pp_rank="0",tp_rank="0",dp_rank="0"} 0.21',
        'sglang:token_usage{engine_type="unified",model_name="%(m)s",pp_rank="0",tp_rank="0",dp_rank="1"} 0.2',
        "# HELP sglang:gen_throughput The generation throughput (token/s).",
        "# TYPE sglang:gen_throughput gauge",
        'sglang:gen_throughput{engine_type="unified",model_name="%(m)s",pp_rank="0",tp_rank="0",dp_rank="0"} 812.5',
        'sglang:gen_throughput{engine_type="unified",model_name="%(m)s",pp_rank="0",tp_rank="0",dp_rank="1"} 790.0',
        "# HELP sglang:time_to_first_token_seconds Histogram of time to first token in seconds.",
        "# TYPE sglang:time_to_first_token_seconds histogram",
        'sglang:time_to_first_token_seconds_bucket{le="0.1",model_name="%(m)s"} 0.0',
        'sglang:time_to_first_token_seconds_bucket{le="+Inf",model_name="%(m)s"} %(n)d.0',
        'sglang:time_to_first_token_seconds_sum{model_name="%(m)s"} %(s).3f',
        'sglang:time_to_first_token_seconds_count{model_name="%(m)s"} %(n)d.0',
        "# HELP sglang:generation_tokens_total Number of generation tokens processed.",
        "# TYPE sglang:generation_tokens_total counter",
        'sglang:generation_tokens_total{model_name="%(m)s"} %(g)d.0',
    ]
    return "\n".join(lines) % {"m": MODEL, "n": requests, "s": ttft_sum, "g": 10 * requests} + "\n"


class _Handler(BaseHTTPRequestHandler):
    server: FakeSGLang

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, obj: object) -> None:
        self._send(status, json.dumps(obj).encode())

    def _events(self, chunks) -> None:
        """Server-Sent Events: one `data:` line per chunk, then `data: [DONE]`."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        try:
            for chunk in chunks:
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except OSError:  # the client hung up (the probe stops after its token limit)
            pass

    def _stream(self, mode: str, model: str):
        def chunk(content=None, reasoning=None):
            delta = {"role": "assistant", "content": content, "reasoning_content": reasoning}
            return {
                "id": "0f6c2b0a",
                "object": "chat.completion.chunk",
                "model": model,
                "choices": [{"index": 0, "delta": delta}],
            }

        if mode == "reasoning":
            words = REASONING.split(" ")
            yield from (chunk(reasoning=w + (" " if i < len(words) - 1 else "")) for i, w in enumerate(words))
        elif mode == "trickle":
            n = 0
            while self.server.trickle_tokens is None or n < self.server.trickle_tokens:
                if self.server.stop.wait(self.server.trickle_s):
                    return
                yield chunk(f"t{n} ")
                n += 1
        else:
            text = HOSTILE if mode == "hostile" else REPLY
            words = text.split(" ")
            yield from (chunk(w + (" " if i < len(words) - 1 else "")) for i, w in enumerate(words))

    def _endless(self, mode: str) -> None:
        """Until the client hangs up (or the server stops): one line that never ends, or
        events that never carry a token."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        piece = b"x" * 65536 if mode == "endless_line" else b'data: {"choices": []}\n\n' * 2000
        try:
            if mode == "endless_line":
                self.wfile.write(b"data: ")
            while not self.server.stop.wait(0.005):  # paced: a client without a cap grows slowly
                self.wfile.write(piece)
                self.wfile.flush()
                with self.server.lock:
                    self.server.sent += len(piece)
        except OSError:  # the client hung up: what a cap must make it do
            pass

    def _separators(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if self.server.separator_error:
            events = [{"error": {"message": "bad\u2028request\x85x\u2029y", "code": 400}}]
        else:
            delta = {"role": "assistant", "content": SEPARATED}
            events = [{"id": "1", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta}]}]
        for event in events:
            self.wfile.write(f"data: {json.dumps(event, ensure_ascii=False)}\r\n\r\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(200, b"")
        elif self.path == "/metrics" and self.server.mode != "nometrics":
            self._send(200, metrics_text(self.server.chat_requests).encode(), "text/plain; version=0.0.4")
        elif self.path == "/v1/models":
            served = "someone/Other-Model" if self.server.mode == "mismatch" else self.server.model
            if self.server.mode == "hostile":
                served = "evil\x1b]52;c;cm0=\x07/model\x9b2J"
            self._json(200, {"object": "list", "data": [{"id": served, "object": "model", "owned_by": "sglang"}]})
        else:
            self._json(404, {"detail": "Not Found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        with self.server.lock:
            self.server.received.append((self.path, self.headers.get("Content-Type"), body))
        if self.path != "/v1/chat/completions":
            self._json(404, {"detail": "Not Found"})
            return
        mode = self.server.mode
        model = self.server.model
        try:
            wants_stream = json.loads(body or b"{}").get("stream") is True
        except ValueError:
            wants_stream = False
        if wants_stream and mode in ("endless_line", "endless_events"):
            self._endless(mode)
        elif wants_stream and mode == "separators":
            self._separators()
        elif wants_stream and mode in ("success", "mismatch", "reasoning", "trickle", "hostile"):
            self._events(self._stream(mode, model))
        elif mode == "hostile":
            self._send(500, f"boom {HOSTILE}".encode(), "text/plain")
        elif mode == "error500":
            self._json(
                500,
                {
                    "object": "error",
                    "message": "Internal server error: CUDA out of memory",
                    "type": "InternalServerError",
                    "code": 500,
                },
            )
        elif mode == "html":
            self._send(200, b"<html><head><title>Welcome to nginx!</title></head><body>hi</body></html>", "text/html")
        elif mode == "slow":
            self.server.slow_started.set()
            self.server.stop.wait(SLOW_SECONDS)
            try:
                self._json(200, completion(model=model))
            except OSError:  # the client gave up
                pass
        elif mode == "huge":
            self._json(200, completion("x" * self.server.huge_size, model=model))
        elif mode == "no_choices":
            self._json(200, {"object": "list", "data": []})
        elif mode == "reasoning":
            self._json(200, completion(content=None, model=model, reasoning=REASONING))
        else:
            self._json(200, completion(model=model))


class FakeSGLang(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int = 0, mode: str = "success", model: str = MODEL, host: str = "127.0.0.1") -> None:
        self.mode = mode
        self.model = model
        self.huge_size = HUGE_SIZE
        self.trickle_s = 0.02
        self.trickle_tokens: int | None = None
        self.sent = 0  # bytes sent by the endless modes
        self.separator_error = False
        self.received: list[tuple[str, str | None, bytes]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.slow_started = threading.Event()
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)

    def handle_error(self, request, client_address) -> None:
        """A client that hung up before the reply was written (a probe's timeout, a test that
        is done) is not an error of the server: say nothing, as a real server would."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def requests(self) -> list[tuple[str, bytes]]:
        """The POSTs so far, as (path, body)."""
        with self.lock:
            return [(path, body) for path, _, body in self.received]

    @property
    def chat_requests(self) -> int:
        return sum(1 for path, _ in self.requests if path == "/v1/chat/completions")


@contextlib.contextmanager
def running(server: FakeSGLang) -> Iterator[FakeSGLang]:
    """Serve ``server`` on a background thread; stop and close it afterwards."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=2)


@contextlib.contextmanager
def serving(mode: str = "success", port: int = 0, model: str = MODEL, host: str = "127.0.0.1") -> Iterator[FakeSGLang]:
    with running(FakeSGLang(port, mode, model, host)) as server:
        yield server


def free_port() -> int:
    """A port nothing listens on right now (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is fine
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    with socket.socket() as sock:  # and nothing answers there
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) != 0
