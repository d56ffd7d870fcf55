"""`docker run` options: which take a value, their long names, and reading them into a map."""

from __future__ import annotations

from collections.abc import Sequence

# docker run options that take no value; every other option takes one.
SWITCHES = frozenset(
    {
        "--rm", "-d", "--detach", "-i", "--interactive", "-t", "--tty", "--privileged", "--init",
        "--read-only", "-P", "--publish-all", "--no-healthcheck", "--oom-kill-disable", "-q", "--quiet",
        "--sig-proxy", "--help",
    }
)  # fmt: skip
SHORT = {"-e": "--env", "-v": "--volume", "-p": "--publish", "-w": "--workdir", "-u": "--user", "-h": "--hostname",
         "-m": "--memory", "-l": "--label", "-a": "--attach", "-c": "--cpu-shares"}  # fmt: skip
_SHORT_SWITCHES = set("dit") | {"P", "q"}


def _long(option: str) -> str:
    return SHORT.get(option, option)


def is_switch(option: str) -> bool:
    if option in SWITCHES:
        return True
    # combined short switches such as -it / -dit
    return len(option) > 2 and option[0] == "-" and option[1] != "-" and set(option[1:]) <= _SHORT_SWITCHES


def split_run(tokens: Sequence[str]) -> tuple[list[str], str | None, list[str]]:
    """`docker run` arguments (after `run`) → (options, image, the container command)."""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "--":
            i += 1
            break
        if not tok.startswith("-") or tok == "-":
            break
        if "=" in tok or is_switch(tok):
            i += 1
        else:
            i += 2
    options = list(tokens[: min(i, len(tokens))])
    if i >= len(tokens):
        return options, None, []
    return options, tokens[i], list(tokens[i + 1 :])


def docker_options(args: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """{long option: values} from docker run options; a switch has the value "true"."""
    out: dict[str, list[str]] = {}
    i = 0
    while i < len(args):
        tok = args[i]
        if not tok.startswith("-"):
            i += 1
            continue
        name, sep, value = tok.partition("=")
        if sep:
            out.setdefault(_long(name), []).append(value)
            i += 1
        elif is_switch(tok):
            for flag in [tok] if tok.startswith("--") or len(tok) == 2 else [f"-{c}" for c in tok[1:]]:
                out.setdefault(_long(flag), []).append("true")
            i += 1
        else:
            out.setdefault(_long(tok), []).append(args[i + 1] if i + 1 < len(args) else "")
            i += 2
    return {k: tuple(v) for k, v in out.items()}


def env_from_options(options: dict[str, tuple[str, ...]]) -> list[str]:
    """NAME=VALUE entries passed with --env / -e (a bare NAME passes the host's value: skipped)."""
    return [v for v in options.get("--env", ()) if "=" in v]
