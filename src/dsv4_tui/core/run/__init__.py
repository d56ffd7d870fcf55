"""Running and watching a server: the rules (phases, metrics, failure signatures) and the
pure parsing of its log and its /metrics. No I/O here; the host reads (host/runs/)."""
