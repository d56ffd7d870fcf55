"""dsv4 — the verified DeepSeek-V4 `sglang serve` commands, in a terminal."""

__version__ = "0.1.0"
