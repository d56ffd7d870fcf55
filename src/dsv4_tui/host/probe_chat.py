"""The probe's chat request, streamed: time to the first token, the first tokens, bounded.

A reasoning model answering "Hello" can think longer than any fixed timeout; streamed, the
probe sees the first token early, then stops after `max_tokens` tokens or at the deadline
(closing the connection, which makes SGLang drop the request). A server that does not stream
answers with one JSON body, read with a size cap as before.

The stream is read as bytes and split on "\n" only (`_sse_lines`): httpx's `aiter_lines`
also splits on U+2028, U+2029 and \x85, which are legal raw inside a JSON string, so an
event carrying one was lost. The same cap as the non-streamed body applies to one line and
to the whole stream (`max_body`, 1 MB): a server sending one endless line is stopped there,
and nothing beyond the cap is kept.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from .aio import wait_within

STREAM_TYPE = "text/event-stream"
TEXT_CAP = 2000  # characters of the reply kept for the screen


@dataclass
class ChatOutcome:
    """What came back, before it is judged."""

    status: int
    reason: str
    latency_ms: float
    body: bytes = b""  # a non-streamed answer (capped)
    truncated: bool = False
    streamed: bool = False
    reply: str = ""  # the content streamed so far
    thinking: str = ""  # the reasoning_content streamed so far
    tokens: int = 0
    ttft_ms: float | None = None
    finish: str = ""  # "complete", "token limit", "deadline", "line cap", "body cap"
    error: str | None = None  # an error object the stream carried


async def _read_body(response: Any, max_body: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > max_body:
            return b"".join(chunks)[:max_body], True
    return b"".join(chunks), False


def _delta(line: str) -> tuple[str, str, str | None, bool]:
    """(content, reasoning, error, done) of one SSE line."""
    if not line.startswith("data:"):
        return "", "", None, False
    data = line[5:].strip()
    if data == "[DONE]":
        return "", "", None, True
    try:
        chunk = json.loads(data)
    except ValueError:
        return "", "", None, False
    if isinstance(chunk, dict) and chunk.get("error"):
        return "", "", json.dumps(chunk["error"], ensure_ascii=False)[:300], True
    try:
        delta = chunk["choices"][0].get("delta") or {}
    except (KeyError, IndexError, TypeError, AttributeError):
        return "", "", None, False
    return str(delta.get("content") or ""), str(delta.get("reasoning_content") or ""), None, False


async def _sse_lines(response: Any, out: ChatOutcome, max_bytes: int):
    """The stream's lines (split on b"\n" only, a trailing "\r" dropped), decoded. Stops,
    setting `out.finish` and `out.truncated`, when one line or the whole stream goes over
    `max_bytes`; at most about `max_bytes` is ever held."""
    buffer = bytearray()
    scanned = 0  # bytes of `buffer` known to hold no newline: each byte is searched once
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        buffer += chunk
        while (end := buffer.find(b"\n", scanned)) >= 0:
            line = bytes(buffer[:end])
            del buffer[: end + 1]
            scanned = 0
            yield line.removesuffix(b"\r").decode("utf-8", errors="replace")
        scanned = len(buffer)
        if scanned > max_bytes or total > max_bytes:
            out.finish = "line cap" if scanned > max_bytes else "body cap"
            out.truncated = True
            return  # the buffer goes with this generator
    if buffer:
        yield bytes(buffer).removesuffix(b"\r").decode("utf-8", errors="replace")


async def _stream(
    response: Any, out: ChatOutcome, start: float, deadline: float, max_tokens: int, max_bytes: int, on_progress
) -> None:
    lines = _sse_lines(response, out, max_bytes)
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            out.finish = "deadline"
            return
        try:
            line = await wait_within(anext(lines), remaining)
        except StopAsyncIteration:
            out.finish = out.finish or "complete"  # or the cap _sse_lines stopped at
            return
        except asyncio.TimeoutError:
            out.finish = "deadline"
            return
        content, thinking, error, done = _delta(line)
        if error:
            out.error = error
        if content or thinking:
            if out.ttft_ms is None:
                out.ttft_ms = (time.perf_counter() - start) * 1000
            out.tokens += 1
            out.reply = (out.reply + content)[:TEXT_CAP]
            out.thinking = (out.thinking + thinking)[:TEXT_CAP]
            if on_progress is not None:
                on_progress(out)
        if done:
            out.finish = "complete"
            return
        if out.tokens >= max_tokens:
            out.finish = "token limit"
            return


async def stream_chat(
    client: Any,
    url: str,
    payload: dict,
    *,
    timeout: float,
    deadline_s: float,
    max_tokens: int,
    max_body: int,
    on_progress=None,
) -> ChatOutcome:
    """POST the chat request with `"stream": true`; `timeout` bounds the wait for the answer
    to start, `deadline_s` the whole run."""
    start = time.perf_counter()
    headers = {"Content-Type": "application/json", "Accept": f"{STREAM_TYPE}, application/json"}
    request = client.stream("POST", url, json={**payload, "stream": True}, headers=headers)
    response = await wait_within(request.__aenter__(), timeout)
    try:
        out = ChatOutcome(response.status_code, response.reason_phrase, 0.0)
        if response.status_code < 400 and STREAM_TYPE in response.headers.get("content-type", ""):
            out.streamed = True
            await _stream(response, out, start, start + deadline_s, max_tokens, max_body, on_progress)
        else:
            out.body, out.truncated = await wait_within(_read_body(response, max_body), timeout)
        out.latency_ms = (time.perf_counter() - start) * 1000
        return out
    finally:
        await request.__aexit__(None, None, None)
