"""A live probe of a running SGLang server.

`run_probe` sends the cookbook's cURL chat request (`POST /v1/chat/completions` with
"Hello", streamed: see probe_chat.py), and alongside it `GET /health` and `GET /v1/models`.
It never raises for network or server problems: everything ends up in a `ProbeReport` with a
`kind` and a one-line `message` in plain words. Cancelling the calling task cancels the probe.

Everything the server sent is made visible-safe (`core.visible`) before it is in a report: a
reply carrying escape sequences is shown as text, never sent to the user's terminal.
httpx is imported lazily, inside the functions, to keep the app's startup fast.
"""

from __future__ import annotations

import asyncio
import errno
import json
import socket
import time
from dataclasses import dataclass, field
from typing import Any

from ..core.visible import visible, visible_line
from .aio import wait_within
from .probe_chat import ChatOutcome, stream_chat

DEADLINE_S = 60.0  # a streamed run stops here at the latest
MAX_TOKENS = 64  # … or after this many tokens

EXCERPT_CHARS = 300
KINDS = ("ok", "refused", "timeout", "dns", "http", "not_json", "too_large", "bad_shape", "error")


@dataclass
class ProbeReport:
    """The outcome of one probe; `kind` is one of `KINDS`."""

    ok: bool
    kind: str
    message: str
    url: str
    status: int | None = None
    latency_ms: float | None = None
    reply: str | None = None
    pretty_json: str | None = None
    truncated: bool = False
    health: str = "not checked"
    served_models: list[str] = field(default_factory=list)
    model_matches: bool | None = None
    streamed: bool = False
    ttft_ms: float | None = None  # time to the first token (streamed)
    tokens: int = 0
    finish: str = ""  # "complete", "token limit", "deadline"

    def summary_lines(self) -> list[str]:
        """The few lines a UI shows: status + latency, reply, health, model match."""
        lines = [self.message]
        if self.status is not None:
            latency = f", {self.latency_ms:.0f} ms" if self.latency_ms is not None else ""
            lines.append(f"Status: HTTP {self.status}{latency}")
        if self.streamed:
            first = f"first token after {self.ttft_ms:.0f} ms, " if self.ttft_ms is not None else "no token, "
            lines.append(f"Streamed: {first}{self.tokens} tokens ({FINISH.get(self.finish, self.finish)})")
        if self.reply is not None:
            lines.append(f"Reply: {_one_line(self.reply, 200) or '(empty)'}")
        lines.append(f"Health: {self.health}")
        if self.model_matches is True:
            lines.append(f"Model: {', '.join(self.served_models)} (matches)")
        elif self.model_matches is False:
            served = ", ".join(self.served_models) or "nothing"
            lines.append(f"Model: server serves {served} — not the requested model")
        else:
            lines.append("Model: served models unknown")
        return lines


FINISH = {
    "complete": "the whole answer",
    "token limit": "stopped at the token limit",
    "deadline": "stopped at the deadline",
    "line cap": "stopped: one line over the size cap",
    "body cap": "stopped: the stream over the size cap",
}


@dataclass
class _Fetched:
    """A response read with a size cap."""

    status: int
    reason: str
    body: bytes
    truncated: bool
    latency_ms: float


def host_for_url(host: str) -> str:
    """`host` as it goes into a URL: IPv6 literals are bracketed."""
    host = host.strip()
    if ":" in host and not host.startswith("["):
        return f"[{host}]"
    return host


def _one_line(text: str, limit: int = EXCERPT_CHARS) -> str:
    """Whitespace collapsed to single spaces, made visible-safe, cut to `limit` characters."""
    flat = visible_line(" ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _excerpt(body: bytes) -> str:
    return _one_line(body[: EXCERPT_CHARS * 4].decode("utf-8", errors="replace"))


def _human_bytes(n: int) -> str:
    """1_000_000 -> '1 MB', 1000 -> '1 kB', 512 -> '512 bytes'."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:g} MB"
    if n >= 1000:
        return f"{n / 1000:g} kB"
    return f"{n} bytes"


async def _fetch(client: Any, method: str, url: str, max_body: int, **kwargs: Any) -> _Fetched:
    """Send a request and read at most `max_body` bytes of the body (streaming)."""
    start = time.perf_counter()
    async with client.stream(method, url, **kwargs) as response:
        chunks: list[bytes] = []
        size = 0
        truncated = False
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > max_body:
                truncated = True
                break
        body = b"".join(chunks)[:max_body]
        return _Fetched(
            status=response.status_code,
            reason=response.reason_phrase,
            body=body,
            truncated=truncated,
            latency_ms=(time.perf_counter() - start) * 1000,
        )


def _cause_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _diagnose(exc: Exception, host: str, hostport: str, timeout: float) -> tuple[str, str]:
    """Turn a transport exception into `(kind, message)`."""
    import httpx

    timed_out = (
        f"No answer within {timeout:g} s from {hostport} — the server may still be loading the model; check its log."
    )
    if isinstance(exc, (httpx.TimeoutException, asyncio.TimeoutError)):
        return "timeout", timed_out
    chain = _cause_chain(exc)
    for err in chain:
        if isinstance(err, socket.gaierror):
            return "dns", f"Cannot resolve host name {host!r} — check the spelling, or use an IP address."
    for err in chain:
        if isinstance(err, ConnectionRefusedError) or getattr(err, "errno", None) == errno.ECONNREFUSED:
            return "refused", f"Connection refused — is `sglang serve` running on {hostport}?"
    for err in chain:
        if isinstance(err, (TimeoutError, socket.timeout)):
            return "timeout", timed_out
    if isinstance(exc, httpx.ConnectError):
        return "error", f"Cannot connect to {hostport}: {chain[-1]}"
    return "error", f"Probe of {hostport} failed: {type(exc).__name__}: {exc}"


async def _check_health(client: Any, base: str, timeout: float) -> str:
    """`/health` as a short word: '200 OK', '404 Not Found', 'timeout' or 'unreachable'."""
    import httpx

    try:
        fetched = await wait_within(_fetch(client, "GET", f"{base}/health", 10_000), timeout)
    except (asyncio.TimeoutError, httpx.TimeoutException):
        return "timeout"
    except Exception:  # refused, DNS, protocol errors: all mean "no health answer"
        return "unreachable"
    return visible_line(f"{fetched.status} {fetched.reason}".strip())


async def _served_models(client: Any, base: str, timeout: float, max_body: int) -> list[str] | None:
    """The model ids from `/v1/models` `data[].id`, or None when they cannot be read."""
    try:
        fetched = await wait_within(_fetch(client, "GET", f"{base}/v1/models", max_body), timeout)
    except Exception:  # the chat request reports the transport problem
        return None
    if fetched.status != 200 or fetched.truncated:
        return None
    try:
        data = json.loads(fetched.body)["data"]
        return [str(item["id"]) for item in data if isinstance(item, dict) and "id" in item]
    except (ValueError, KeyError, TypeError):
        return None


def _reply_of(body: Any) -> str | None:
    """`choices[0].message.content`, falling back to `reasoning_content`; None if absent."""
    try:
        message = body["choices"][0]["message"]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(message, dict):
        return None
    content = message.get("content")
    if not content:
        content = message.get("reasoning_content") or content
    return "" if content is None else str(content)


def _judge_body(out: ChatOutcome, report: ProbeReport, hostport: str, max_body: int) -> None:
    """A non-streamed answer: HTTP status, size, JSON, shape."""
    parsed: Any = None
    if not out.truncated:
        try:
            parsed = json.loads(out.body)
            report.pretty_json = visible(json.dumps(parsed, indent=2, ensure_ascii=False))
        except ValueError:
            parsed = None
    if out.status >= 400:
        report.kind = "http"
        excerpt = _excerpt(out.body) or "(empty body)"
        report.message = f"HTTP {out.status} {visible_line(out.reason)} from {hostport}: {excerpt}"
    elif out.truncated:
        report.kind = "too_large"
        report.message = f"Answer from {hostport}: body over {_human_bytes(max_body)} cut off — not parsed as JSON."
    elif report.pretty_json is None:
        report.kind = "not_json"
        report.message = f"{hostport} answered, but not with JSON: {_excerpt(out.body) or '(empty body)'}"
    else:
        reply = _reply_of(parsed)
        if reply is None:
            report.kind = "bad_shape"
            report.message = f"{hostport} answered with JSON, but without choices[0].message: {_excerpt(out.body)}"
        else:
            report.ok, report.kind, report.reply = True, "ok", visible(reply)
            report.message = f"OK — the model on {hostport} replied"


def _judge_stream(out: ChatOutcome, report: ProbeReport, hostport: str, max_body: int) -> None:
    if out.error:
        report.kind = "http"
        report.message = f"{hostport} streamed an error: {_one_line(out.error)}"
        return
    if out.truncated:  # an endless line, or more than a whole answer could be: stopped
        report.kind = "too_large"
        what = "a line" if out.finish == "line cap" else "an answer"
        report.message = f"{hostport} streamed {what} over {_human_bytes(max_body)}: cut off there"
        if out.tokens:
            report.reply = visible(out.reply or out.thinking)
        return
    if not out.tokens:
        report.kind = "bad_shape" if out.finish == "complete" else "timeout"
        report.message = (
            f"{hostport} streamed no token"
            if out.finish == "complete"
            else f"No token within the {out.latency_ms / 1000:.0f} s deadline from {hostport}"
        )
        return
    report.ok, report.kind = True, "ok"
    report.reply = visible(out.reply or out.thinking)
    thinking = "" if out.reply else " (thinking)"
    report.message = f"OK — the model on {hostport} replied{thinking}"


def chat_report(out: ChatOutcome, url: str, hostport: str, max_body: int) -> ProbeReport:
    """Judge what the chat request brought back."""
    report = ProbeReport(
        ok=False,
        kind="error",
        message="",
        url=url,
        status=out.status,
        latency_ms=out.latency_ms,
        truncated=out.truncated,
        streamed=out.streamed,
        ttft_ms=out.ttft_ms,
        tokens=out.tokens,
        finish=out.finish,
    )
    if out.streamed:
        _judge_stream(out, report, hostport, max_body)
    else:
        _judge_body(out, report, hostport, max_body)
    return report


async def run_probe(
    host: str,
    port: int,
    model: str,
    timeout: float = 10.0,
    max_body: int = 1_000_000,
    *,
    deadline: float = DEADLINE_S,
    max_tokens: int = MAX_TOKENS,
    on_progress=None,
) -> ProbeReport:
    """Probe an SGLang server like the cookbook cURL (streamed); never raises except on
    cancellation. `timeout`: for the answer to start; `deadline`: for the whole run;
    `on_progress(outcome)` is called as tokens arrive."""
    import httpx

    hostport = f"{host_for_url(host)}:{port}"
    base = f"http://{hostport}"
    url = f"{base}/v1/chat/completions"
    payload = {"model": model, "messages": [{"role": "user", "content": "Hello"}]}
    if not host.strip():
        return ProbeReport(ok=False, kind="error", message="No host given.", url=url)
    if not 1 <= port <= 65535:
        return ProbeReport(ok=False, kind="error", message=f"Port must be 1–65535, not {port}.", url=url)

    async def chat() -> ProbeReport:
        try:
            out = await stream_chat(
                client,
                url,
                payload,
                timeout=timeout,
                deadline_s=deadline,
                max_tokens=max_tokens,
                max_body=max_body,
                on_progress=on_progress,
            )
        except Exception as exc:  # CancelledError is a BaseException and propagates
            kind, message = _diagnose(exc, host, hostport, timeout)
            return ProbeReport(ok=False, kind=kind, message=message, url=url)
        return chat_report(out, url, hostport, max_body)

    try:
        # trust_env=False: a local server must not be reached through HTTP(S)_PROXY.
        async with httpx.AsyncClient(timeout=timeout, trust_env=False) as client:
            report, health, served = await asyncio.gather(
                chat(), _check_health(client, base, timeout), _served_models(client, base, timeout, max_body)
            )
    except Exception as exc:  # e.g. an invalid URL; never raise for a probe
        kind, message = _diagnose(exc, host, hostport, timeout)
        return ProbeReport(ok=False, kind=kind, message=message, url=url)

    report.health = health
    if served is not None:
        report.model_matches = model in served
        report.served_models = [visible_line(m) for m in served]
        if report.ok and not report.model_matches:
            report.message += f", but the server serves {', '.join(report.served_models) or 'no model'}, not {model}"
    return report
