"""The live probe against a real local HTTP server that answers like SGLang."""

from __future__ import annotations

import asyncio
import json

import pytest

from dsv4_tui.host.probe import ProbeReport, host_for_url, run_probe
from sglang_fake import MODEL, FakeSGLang, completion, free_port, running, serving


@pytest.fixture
def server():
    with serving() as srv:
        yield srv


async def probe(server: FakeSGLang, mode: str, **kwargs) -> ProbeReport:
    server.mode = mode
    return await run_probe("127.0.0.1", server.server_address[1], MODEL, **kwargs)


async def test_success_streams_the_reply(server):
    report = await probe(server, "success")
    port = server.server_address[1]
    assert report.ok and report.kind == "ok"
    assert report.status == 200 and report.streamed
    assert report.latency_ms is not None and report.latency_ms > 0
    assert report.ttft_ms is not None and 0 < report.ttft_ms <= report.latency_ms
    assert report.reply == "Hello! How can I help you today?"
    assert report.tokens == 7 and report.finish == "complete"
    assert report.health == "200 OK"
    assert report.served_models == [MODEL]
    assert report.model_matches is True
    assert report.url == f"http://127.0.0.1:{port}/v1/chat/completions"
    assert not report.truncated
    # The cookbook cURL's request, with "stream": true added for the run only.
    [(path, content_type, body)] = server.received
    assert (path, content_type) == ("/v1/chat/completions", "application/json")
    assert json.loads(body) == {"model": MODEL, "messages": [{"role": "user", "content": "Hello"}], "stream": True}
    lines = report.summary_lines()
    assert any(line.startswith("Status: HTTP 200, ") and line.endswith(" ms") for line in lines)
    assert any(
        line.startswith("Streamed: first token after ") and "7 tokens (the whole answer)" in line for line in lines
    )
    assert "Reply: Hello! How can I help you today?" in lines
    assert "Health: 200 OK" in lines
    assert f"Model: {MODEL} (matches)" in lines


async def test_a_server_that_does_not_stream_is_read_as_json(server):
    report = await probe(server, "nostream")
    assert report.ok and not report.streamed
    assert report.reply == "Hello! How can I help you today?"
    assert json.loads(report.pretty_json) == completion()
    assert report.pretty_json.startswith('{\n  "id"')


async def test_streaming_stops_at_the_token_limit(server):
    """A model that would talk for minutes: the probe stops after max_tokens and hangs up."""
    report = await probe(server, "trickle", max_tokens=5)
    assert report.ok and report.tokens == 5 and report.finish == "token limit"
    assert report.reply == "t0 t1 t2 t3 t4 "
    assert "(stopped at the token limit)" in report.summary_lines()[2]


async def test_streaming_stops_at_the_deadline(server):
    server.trickle_s = 0.05
    report = await probe(server, "trickle", deadline=0.5, max_tokens=10_000)
    assert report.ok and report.finish == "deadline" and 0 < report.tokens < 10_000


async def test_progress_is_reported_as_tokens_arrive(server):
    seen: list[str] = []
    report = await probe(server, "success", on_progress=lambda out: seen.append(out.reply))
    assert seen[0] == "Hello! " and seen[-1] == report.reply and len(seen) == report.tokens


HOSTILE_BYTES = ("\x1b", "\x07", "\x9b", "\u202e")


def assert_visible_safe(report: ProbeReport) -> None:
    texts = [report.message, report.reply or "", report.pretty_json or "", report.health, *report.served_models]
    texts += report.summary_lines()
    for text in texts:
        assert not any(ch in text for ch in HOSTILE_BYTES), repr(text)


async def test_a_hostile_server_cannot_write_escape_sequences(server):
    report = await probe(server, "hostile")
    assert report.ok
    assert_visible_safe(report)
    assert "\\x1b]52;c;" in report.reply and "\\x9b2J" in report.reply and "\\u202e" in report.reply
    assert report.served_models == ["evil\\x1b]52;c;cm0=\\x07/model\\x9b2J"]
    assert report.model_matches is False  # compared before it was made visible-safe


async def test_a_hostile_error_body_or_json_is_made_visible_safe(server):
    server.mode = "hostile"
    report = await run_probe("127.0.0.1", server.port, MODEL, max_tokens=1)
    assert_visible_safe(report)
    # Not streamed: the error body path.
    server.received.clear()
    from dsv4_tui.host.probe import chat_report
    from dsv4_tui.host.probe_chat import ChatOutcome

    body = json.dumps({"choices": [{"message": {"content": "x\x9b2J\x1b]52;c;eA==\x07"}}]}, ensure_ascii=False)
    for status in (200, 500):
        judged = chat_report(ChatOutcome(status, "OK\x1b[2J", 1.0, body=body.encode()), "u", "h:1", 1000)
        assert_visible_safe(judged)


async def test_reasoning_content_is_the_fallback_reply(server):
    report = await probe(server, "reasoning")
    assert report.ok and report.reply == "The user greets me."


async def test_http_500_shows_the_error_body(server):
    report = await probe(server, "error500")
    port = server.server_address[1]
    assert not report.ok and report.kind == "http"
    assert report.status == 500
    assert report.message.startswith(f"HTTP 500 Internal Server Error from 127.0.0.1:{port}: ")
    assert "CUDA out of memory" in report.message
    assert report.reply is None
    assert '"code": 500' in report.pretty_json
    assert report.health == "200 OK"


async def test_not_json(server):
    report = await probe(server, "html")
    port = server.server_address[1]
    assert not report.ok and report.kind == "not_json"
    assert report.status == 200
    assert report.message == (
        f"127.0.0.1:{port} answered, but not with JSON: "
        "<html><head><title>Welcome to nginx!</title></head><body>hi</body></html>"
    )
    assert report.pretty_json is None


async def test_unexpected_json_shape(server):
    report = await probe(server, "no_choices")
    assert not report.ok and report.kind == "bad_shape"
    assert "without choices" in report.message
    assert report.pretty_json is not None


async def test_timeout(server):
    report = await probe(server, "slow", timeout=0.5)
    port = server.server_address[1]
    assert not report.ok and report.kind == "timeout"
    assert report.message.startswith(f"No answer within 0.5 s from 127.0.0.1:{port}")
    assert report.status is None
    assert report.health == "200 OK"  # /health still answered in time


async def test_huge_body_is_cut_off(server):
    server.huge_size = 5000
    report = await probe(server, "huge", max_body=1000)
    assert not report.ok and report.kind == "too_large"
    assert report.truncated
    assert report.status == 200
    assert "body over 1 kB cut off" in report.message
    assert report.pretty_json is None and report.reply is None


async def test_huge_body_default_limit_is_1_mb(server):
    server.huge_size = 1_200_000
    report = await probe(server, "huge")
    assert report.kind == "too_large" and report.truncated
    assert "body over 1 MB cut off" in report.message


async def test_served_model_mismatch(server):
    report = await probe(server, "mismatch")
    assert report.ok  # the chat itself worked
    assert report.served_models == ["someone/Other-Model"]
    assert report.model_matches is False
    assert "someone/Other-Model" in report.message
    assert "Model: server serves someone/Other-Model — not the requested model" in report.summary_lines()


async def test_connection_refused():
    port = free_port()
    report = await run_probe("127.0.0.1", port, MODEL, timeout=2)
    assert not report.ok and report.kind == "refused"
    assert report.message == f"Connection refused — is `sglang serve` running on 127.0.0.1:{port}?"
    assert report.health == "unreachable"
    assert report.served_models == [] and report.model_matches is None
    assert report.summary_lines()[0] == report.message


async def test_name_resolution_failure():
    # Verified in this sandbox: resolving *.invalid fails at once with socket.gaierror.
    report = await run_probe("nonexistent.invalid", 30000, MODEL, timeout=3)
    assert not report.ok and report.kind == "dns"
    assert "Cannot resolve host name 'nonexistent.invalid'" in report.message


@pytest.mark.parametrize("mode", ["slow", "trickle"])
async def test_cancel_stops_the_probe(server, mode):
    """Cancelling (the key that stops a run) ends the probe, while waiting or while streaming."""
    server.mode = mode
    server.trickle_s = 0.05
    task = asyncio.create_task(run_probe("127.0.0.1", server.port, MODEL, timeout=10, max_tokens=10_000))
    while not server.received:  # the request is on its way
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)  # a bound on the test, not a performance claim


def test_ipv6_literal_is_bracketed():
    assert host_for_url("::1") == "[::1]"
    assert host_for_url("[::1]") == "[::1]"
    assert host_for_url("fe80::1%eth0") == "[fe80::1%eth0]"
    assert host_for_url("127.0.0.1") == "127.0.0.1"
    assert host_for_url("gpu-node-1") == "gpu-node-1"


@pytest.fixture
def server6():
    try:
        srv = FakeSGLang(host="::1")
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with running(srv):
        yield srv


async def test_ipv6_server(server6):
    report = await run_probe("::1", server6.server_address[1], MODEL, timeout=3)
    assert report.ok, report.message
    assert report.url == f"http://[::1]:{server6.server_address[1]}/v1/chat/completions"


@pytest.mark.parametrize(
    ("host", "port", "message"),
    [("", 30000, "No host given."), ("127.0.0.1", 70000, "Port must be 1–65535, not 70000.")],
)
async def test_bad_host_or_port(host, port, message):
    report = await run_probe(host, port, MODEL, timeout=1)
    assert (report.ok, report.kind, report.message) == (False, "error", message)


# --------------------------------------------------------------------------- hostile streams (issue 19, items 8, 21)


@pytest.mark.parametrize("mode,what", [("endless_line", "a line"), ("endless_events", "an answer")])
async def test_an_endless_stream_is_cut_at_the_cap_not_read_until_the_deadline(server, mode, what):
    """One SSE line (or a stream of token-less events) that never ends: the probe stops at
    the same cap as a body (here 200 kB) and hangs up, long before its 10 s deadline."""
    report = await probe(server, mode, max_body=200_000, deadline=10.0, max_tokens=10_000)
    assert not report.ok and report.kind == "too_large" and report.streamed
    assert report.finish == ("line cap" if mode == "endless_line" else "body cap")
    assert f"streamed {what} over 200 kB: cut off there" in report.message
    assert "stopped:" in " ".join(report.summary_lines())


async def test_an_endless_line_is_cut_at_1_mb_by_default(server):
    report = await probe(server, "endless_line", deadline=10.0)
    assert report.kind == "too_large" and report.finish == "line cap"
    assert "over 1 MB" in report.message


async def test_line_and_paragraph_separators_inside_an_event_do_not_split_it(server):
    from dsv4_tui.core.visible import visible
    from sglang_fake import SEPARATED

    report = await probe(server, "separators")
    assert report.ok and report.tokens == 1, report.message
    assert report.reply == visible(SEPARATED)  # shown escaped, never raw
    assert "\u2028" not in report.reply and "\x85" not in report.reply


async def test_a_streamed_error_with_a_separator_is_reported_as_the_error(server):
    server.separator_error = True
    report = await probe(server, "separators")
    assert not report.ok and report.kind == "http"
    assert "streamed an error" in report.message and "bad request x y" in report.message  # one line
