"""A live probe of a running SGLang server.

`run_probe` sends the cookbook's cURL chat request (`POST /v1/chat/completions` with
"Hello"), and alongside it `GET /health` and `GET /v1/models`. It never raises for
network or server problems: everything ends up in a `ProbeReport` with a `kind` and a
one-line `message` in plain words. Cancelling the calling task cancels the probe.

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

    def summary_lines(self) -> list[str]:
        """The few lines a UI shows: status + latency, reply, health, model match."""
        lines = [self.message]
        if self.status is not None:
            latency = f", {self.latency_ms:.0f} ms" if self.latency_ms is not None else ""
            lines.append(f"Status: HTTP {self.status}{latency}")
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
    """Whitespace collapsed to single spaces, cut to `limit` characters with '…'."""
    flat = " ".join(text.split())
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
        fetched = await asyncio.wait_for(_fetch(client, "GET", f"{base}/health", 10_000), timeout)
    except (asyncio.TimeoutError, httpx.TimeoutException):
        return "timeout"
    except Exception:  # refused, DNS, protocol errors: all mean "no health answer"
        return "unreachable"
    return f"{fetched.status} {fetched.reason}".strip()


async def _served_models(client: Any, base: str, timeout: float, max_body: int) -> list[str] | None:
    """The model ids from `/v1/models` `data[].id`, or None when they cannot be read."""
    try:
        fetched = await asyncio.wait_for(_fetch(client, "GET", f"{base}/v1/models", max_body), timeout)
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


def _chat_report(fetched: _Fetched, url: str, hostport: str, max_body: int) -> ProbeReport:
    """Judge the chat response: HTTP status, size, JSON, shape."""
    report = ProbeReport(
        ok=False,
        kind="error",
        message="",
        url=url,
        status=fetched.status,
        latency_ms=fetched.latency_ms,
        truncated=fetched.truncated,
    )
    parsed: Any = None
    if not fetched.truncated:
        try:
            parsed = json.loads(fetched.body)
            report.pretty_json = json.dumps(parsed, indent=2, ensure_ascii=False)
        except ValueError:
            parsed = None
    if fetched.status >= 400:
        report.kind = "http"
        excerpt = _excerpt(fetched.body) or "(empty body)"
        report.message = f"HTTP {fetched.status} {fetched.reason} from {hostport}: {excerpt}"
    elif fetched.truncated:
        report.kind = "too_large"
        report.message = f"Answer from {hostport}: body over {_human_bytes(max_body)} cut off — not parsed as JSON."
    elif report.pretty_json is None:
        report.kind = "not_json"
        report.message = f"{hostport} answered, but not with JSON: {_excerpt(fetched.body) or '(empty body)'}"
    else:
        reply = _reply_of(parsed)
        if reply is None:
            report.kind = "bad_shape"
            report.message = f"{hostport} answered with JSON, but without choices[0].message: {_excerpt(fetched.body)}"
        else:
            report.ok, report.kind, report.reply = True, "ok", reply
            report.message = f"OK — the model on {hostport} replied"
    return report


async def run_probe(host: str, port: int, model: str, timeout: float = 10.0, max_body: int = 1_000_000) -> ProbeReport:
    """Probe an SGLang server like the cookbook cURL; never raises except on cancellation."""
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
            fetched = await asyncio.wait_for(
                _fetch(client, "POST", url, max_body, json=payload, headers={"Content-Type": "application/json"}),
                timeout,
            )
        except Exception as exc:  # CancelledError is a BaseException and propagates
            kind, message = _diagnose(exc, host, hostport, timeout)
            return ProbeReport(ok=False, kind=kind, message=message, url=url)
        return _chat_report(fetched, url, hostport, max_body)

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
        report.served_models = served
        report.model_matches = model in served
        if report.ok and not report.model_matches:
            report.message += f", but the server serves {', '.join(served) or 'no model'}, not {model}"
    return report
