"""The running server over HTTP: is /health answering, and its Prometheus /metrics.

Both calls have a timeout and a size cap, go to the server directly (never through a
proxy) and never raise: a problem comes back as a short phrase.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...core.visible import visible_line
from ..probe import host_for_url

TIMEOUT = 2.0
METRICS_CAP = 2_000_000


@dataclass(frozen=True)
class Fetched:
    status: int | None  # None: no answer
    text: str = ""
    problem: str = ""


def get(host: str, port: int, path: str, timeout: float = TIMEOUT, cap: int = METRICS_CAP) -> Fetched:
    import httpx

    url = f"http://{host_for_url(host)}:{port}{path}"
    try:
        with httpx.Client(timeout=timeout, trust_env=False) as client, client.stream("GET", url) as response:
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > cap:
                    return Fetched(response.status_code, "", f"{path}: more than {cap} bytes")
            return Fetched(response.status_code, body.decode("utf-8", "replace"))
    except httpx.TimeoutException:
        return Fetched(None, "", f"{path}: no answer within {timeout:g} s")
    except Exception as exc:  # refused, reset, DNS: all "no answer"
        return Fetched(None, "", visible_line(f"{path}: {type(exc).__name__}"))


def healthy(host: str, port: int, timeout: float = TIMEOUT) -> bool:
    return get(host, port, "/health", timeout, 10_000).status == 200


def metrics(host: str, port: int, timeout: float = TIMEOUT) -> Fetched:
    return get(host, port, "/metrics", timeout)
