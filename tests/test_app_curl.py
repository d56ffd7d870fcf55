"""$ cURL in the app: the probe text, and Run against a real local server answering like SGLang."""

from __future__ import annotations

import json

import pytest
from textual.widgets import Button, Static

from dsv4_tui.app import DSV4App
from dsv4_tui.core.render import render_curl
from dsv4_tui.screens.curl_screen import CurlScreen
from sglang_fake import MODEL, REPLY, free_port, serving
from tui_helpers import plain, settle

SIZE = (110, 40)


@pytest.fixture(autouse=True)
def no_local_clipboard(monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX"):
        monkeypatch.delenv(name, raising=False)


def summary(screen: CurlScreen) -> str:
    return plain(screen.query_one("#probe-summary", Static))


def body(screen: CurlScreen) -> str:
    return plain(screen.query_one("#probe-json", Static))


def run_label(screen: CurlScreen) -> str:
    return str(screen.query_one("#curl-run", Button).label)


async def open_curl(pilot, port: int, timeout: float | None = None) -> CurlScreen:
    """Point CURL_HOST/CURL_PORT at the fake server, then open $ cURL (u, or pushed with a timeout)."""
    app = pilot.app
    app.env = app.env.with_values({"CURL_HOST": "127.0.0.1", "CURL_PORT": str(port)})
    await pilot.pause()
    if timeout is None:
        await pilot.press("u")
    else:
        app.push_screen(CurlScreen(app.view.curl, "127.0.0.1", str(port), app.view.model_name, timeout=timeout))
    await pilot.pause()
    assert isinstance(app.screen, CurlScreen)
    return app.screen


async def run_probe(pilot, screen: CurlScreen) -> None:
    await pilot.press("r")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_curl_screen_shows_the_request_and_copies_it(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_curl(pilot, 31234)
        text = plain(screen.query_one("#curl-text", Static))
        assert text == app.view.curl == render_curl(rules, app.selection, app.env.subst())
        assert text.startswith("curl http://127.0.0.1:31234/v1/chat/completions")
        assert f'"model": "{MODEL}"' in text
        assert run_label(screen) == "▶ Run"
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CurlScreen)


async def test_success_shows_status_reply_health_and_model(rules):
    app = DSV4App(rules, detect=False)
    with serving("success") as server:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_curl(pilot, server.port)
            await run_probe(pilot, screen)
            text = summary(screen)
            lines = text.splitlines()
            assert lines[0] == f"OK — the model on 127.0.0.1:{server.port} replied"
            assert lines[1].startswith("Status: HTTP 200, ") and lines[1].endswith(" ms")
            assert f"Reply: {REPLY}" in lines
            assert "Health: 200 OK" in lines
            assert f"Model: {MODEL} (matches)" in lines
            assert any(line.startswith("Streamed: first token after ") for line in lines)
            assert "-ok" in screen.query_one("#probe-summary").classes
            assert "-empty" in screen.query_one("#probe-body").classes  # streamed: no JSON body to show
            assert run_label(screen) == "▶ Run"
            # The request sent is the cookbook cURL's, streamed; the cURL shown stays the cookbook's.
            [(path, sent)] = [r for r in server.requests if r[0] == "/v1/chat/completions"]
            assert json.loads(sent) == {
                "model": MODEL,
                "messages": [{"role": "user", "content": "Hello"}],
                "stream": True,
            }
            assert "stream" not in str(screen.query_one("#curl-text").content)


async def test_a_json_answer_is_shown_pretty(rules):
    app = DSV4App(rules, detect=False)
    with serving("nostream") as server:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_curl(pilot, server.port)
            await run_probe(pilot, screen)
            assert json.loads(body(screen))["choices"][0]["message"]["content"] == REPLY


async def test_a_long_stream_shows_progress_and_r_stops_it(rules):
    """A model that keeps talking: tokens show as they arrive, and r stops the run at once."""
    app = DSV4App(rules, detect=False, probe_deadline=600)
    with serving("trickle") as server:
        server.trickle_s = 0.05
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_curl(pilot, server.port)
            await pilot.press("r")
            assert await settle(pilot, lambda: "tokens (press r to stop)" in summary(screen))
            assert summary(screen).startswith("First token after ") and "Reply: t0" in summary(screen)
            await pilot.press("r")
            await pilot.pause()
            assert summary(screen) == "Stopped. Press r to run it again."
            assert run_label(screen) == "▶ Run"


async def test_run_button_runs_too(rules):
    app = DSV4App(rules, detect=False)
    with serving("success") as server:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_curl(pilot, server.port)
            assert await pilot.click("#curl-run")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert summary(screen).startswith("OK — ")


async def test_served_model_mismatch_is_reported(rules):
    app = DSV4App(rules, detect=False)
    with serving("mismatch") as server:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_curl(pilot, server.port)
            await run_probe(pilot, screen)
            assert "Model: server serves someone/Other-Model — not the requested model" in summary(screen)


async def test_http_500_shows_the_error(rules):
    app = DSV4App(rules, detect=False)
    with serving("error500") as server:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_curl(pilot, server.port)
            await run_probe(pilot, screen)
            text = summary(screen)
            assert text.startswith(f"HTTP 500 Internal Server Error from 127.0.0.1:{server.port}: ")
            assert "CUDA out of memory" in text
            assert "Status: HTTP 500" in text
            assert "-fail" in screen.query_one("#probe-summary").classes
            assert '"code": 500' in body(screen)


async def test_non_json_answer(rules):
    app = DSV4App(rules, detect=False)
    with serving("html") as server:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_curl(pilot, server.port)
            await run_probe(pilot, screen)
            assert summary(screen).startswith(f"127.0.0.1:{server.port} answered, but not with JSON: <html>")
            assert "-fail" in screen.query_one("#probe-summary").classes
            assert body(screen) == ""


async def test_slow_server_times_out(rules):
    app = DSV4App(rules, detect=False)
    with serving("slow") as server:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_curl(pilot, server.port, timeout=0.3)
            await run_probe(pilot, screen)
            text = summary(screen)
            assert text.startswith(f"No answer within 0.3 s from 127.0.0.1:{server.port}")
            assert "-fail" in screen.query_one("#probe-summary").classes
            assert run_label(screen) == "▶ Run"


async def test_closed_port_is_refused(rules):
    port = free_port()
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_curl(pilot, port)
        await run_probe(pilot, screen)
        text = summary(screen)
        assert text.splitlines()[0] == f"Connection refused — is `sglang serve` running on 127.0.0.1:{port}?"
        assert "Health: unreachable" in text
        assert "-fail" in screen.query_one("#probe-summary").classes


async def test_r_again_while_in_flight_stops_it(rules):
    app = DSV4App(rules, detect=False)
    with serving("slow") as server:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_curl(pilot, server.port, timeout=10)
            await pilot.press("r")
            assert await settle(pilot, server.slow_started.is_set)
            assert screen.running
            assert run_label(screen) == "■ Stop"
            assert summary(screen) == f"Sending to http://127.0.0.1:{server.port} … (streamed; press r to stop)"
            await pilot.press("r")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not screen.running
            assert summary(screen) == "Stopped. Press r to run it again."
            assert run_label(screen) == "▶ Run"
            # And it runs again when asked.
            server.mode = "success"
            await run_probe(pilot, screen)
            assert summary(screen).startswith("OK — ")
            assert server.chat_requests == 2


async def test_closing_while_in_flight_cancels_the_probe(rules):
    app = DSV4App(rules, detect=False)
    with serving("slow") as server:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_curl(pilot, server.port, timeout=10)
            await pilot.press("r")
            assert await settle(pilot, server.slow_started.is_set)
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, CurlScreen)
            await app.workers.wait_for_complete()
            assert not screen.running
            await pilot.press("p")  # the app goes on
            await pilot.pause()
            assert app.framing == "docker"


async def test_curl_follows_the_selection_model(rules):
    app = DSV4App(rules, detect=False)
    with serving("success", model="sgl-project/DeepSeek-V4-Flash-FP8") as server:
        async with app.run_test(size=SIZE) as pilot:
            app.choose("hw", "mi300x")
            await pilot.pause()
            screen = await open_curl(pilot, server.port)
            assert '"model": "sgl-project/DeepSeek-V4-Flash-FP8"' in plain(screen.query_one("#curl-text", Static))
            await run_probe(pilot, screen)
            assert "Model: sgl-project/DeepSeek-V4-Flash-FP8 (matches)" in summary(screen)


async def test_the_probe_follows_port_when_curl_port_is_not_set(rules):
    """PORT = 31000 in Env: the command serves there, so the probe goes there too, and says why."""
    app = DSV4App(rules, detect=False)
    with serving("success") as server:
        async with app.run_test(size=SIZE) as pilot:
            app.env = app.env.with_values({"PORT": str(server.port), "CURL_HOST": "127.0.0.1"})
            await pilot.pause()
            await pilot.press("u")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, CurlScreen) and screen.port == str(server.port)
            title = str(screen.query_one(".title").content)
            assert f"probe 127.0.0.1:{server.port}, from PORT for" in title
            assert f"http://127.0.0.1:{server.port}/v1/chat/completions" in str(screen.query_one("#curl-text").content)
            await run_probe(pilot, screen)
            assert summary(screen).startswith("OK — ")
            # An explicit CURL_PORT wins.
            await pilot.press("escape")
            app.env = app.env.with_values({"CURL_PORT": "31999"})
            await pilot.pause()
            await pilot.press("u")
            await pilot.pause()
            assert app.screen.port == "31999" and ", from PORT" not in str(app.screen.query_one(".title").content)
