"""User-typed Env values never break the shell text: hostile HF_TOKEN values stay one word,
hosts / ports / ranks are validated, and defaults print exactly as the cookbook shows them."""

from __future__ import annotations

import shlex
import subprocess

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dsv4_tui import cli
from dsv4_tui.core.env import Env, EnvError
from dsv4_tui.core.render import render_command
from dsv4_tui.core.selection import Selection

CELLS = [
    Selection("b200", "flash", "fp4", "low-latency", "single"),
    Selection("mi355x", "flash", "fp8", "low-latency", "single"),
    Selection("gb200", "pro", "fp4", "balanced", "multi-2"),
    Selection("gb300", "pro", "fp4", "low-latency", "multi-2"),  # roles (tests/data/roles-overlay)
    Selection("dgx-spark", "flash-official", "nvfp4", "balanced", "multi-2"),  # fabric args, env
]


@pytest.fixture(scope="module")
def rules(role_rules):
    return role_rules


HOSTILE = "'\"$()`;|&!\\ {}<>*?~#=%"
REJECTED = ("\n", "\r", "\x00", "\t", "\x7f")


def bash_n(text: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True, timeout=30)


def tokens(text: str) -> list[str]:
    return shlex.split(text, comments=True)


tokens_st = st.text(
    alphabet=st.one_of(st.sampled_from(HOSTILE), st.characters(blacklist_categories=("Cs", "Cc"))),
    min_size=0,
    max_size=40,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=tokens_st, which=st.integers(min_value=0, max_value=len(CELLS) - 1))
@example(token='it\'s a "token" $(reboot) `id`; rm -rf / | cat & echo !x \\', which=0)
@example(token="", which=1)
@example(token="{{PORT}}", which=2)
@example(token="ünïcødé 🔑 ключ", which=3)
@example(token="trailing\\", which=0)
@example(token="<your-hf-token>", which=0)
def test_hostile_hf_token_stays_one_shell_word(rules, token, which):
    sel = CELLS[which]
    env = Env.defaults(rules).with_values({"HF_TOKEN": token})
    docker = render_command(rules, sel, "docker", env.subst())
    python = render_command(rules, sel, "python", env.subst())
    for text in (docker, python):
        proc = bash_n(text)
        assert proc.returncode == 0, (proc.stderr, text)
    words = tokens(docker)
    assert words.count(f"HF_TOKEN={token}") == (1 if rules.cell(sel).role == [] else 2)
    # The token appears nowhere else (e.g. it did not leak into another word).
    assert not any(w.startswith("HF_TOKEN=") and w != f"HF_TOKEN={token}" for w in words)
    # Python framing never carries the token.
    assert "HF_TOKEN" not in python


@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "a\x00b", "line\n$(reboot)"])
def test_hf_token_with_newline_is_rejected(rules, bad):
    with pytest.raises(EnvError, match="HF_TOKEN"):
        Env.defaults(rules).with_values({"HF_TOKEN": bad})


def test_hf_token_with_newline_is_rejected_by_the_cli(capsys):
    assert cli.main(["print", "--docker", "--set", "HF_TOKEN=a\nb"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "HF_TOKEN" in err


def test_hf_token_with_del_is_rejected_or_round_trips(rules):
    from dsv4_tui.core.env import parse_env_toml

    try:
        env = Env.defaults(rules).with_values({"HF_TOKEN": "a\x7fb"})
    except EnvError:
        return
    assert parse_env_toml(env.to_toml(), rules.model.placeholders)["HF_TOKEN"] == "a\x7fb"


# --------------------------------------------------------------------------- hosts / ports / ranks


@pytest.mark.parametrize(
    "key,value",
    [
        ("HOST_IP", "10.0.0.1"),
        ("HOST_IP", "0.0.0.0"),
        ("HOST_IP", "::"),
        ("HOST_IP", "fe80::1"),
        ("HOST_IP", "[::1]"),
        ("HOST_IP", "localhost"),
        ("NODE0_IP", "node-0.cluster.local"),
        ("NODE0_IP", "192.168.1.20"),
        ("NODE0_IP", "[2001:db8::7]"),
        ("CURL_HOST", "gpu-box"),
        ("PORT", "1"),
        ("PORT", "65535"),
        ("CURL_PORT", "8000"),
        ("NODE_RANK", "0"),
        ("NODE_RANK", "3"),
    ],
)
def test_valid_values_are_accepted_and_stay_one_word(rules, key, value):
    env = Env.defaults(rules).with_values({key: value})
    assert env.get(key) == value
    sel = Selection("gb200", "pro", "fp4", "balanced", "multi-2")
    text = render_command(rules, sel, "docker", env.subst())
    assert bash_n(text).returncode == 0
    words = tokens(text)
    if key == "HOST_IP":
        assert words[words.index("--host") + 1] == value
    if key == "NODE0_IP" and ":" not in value:  # (a bare IPv6 address in host:port is ambiguous)
        assert words[words.index("--dist-init-addr") + 1] == f"{value}:20000"
    if key == "NODE_RANK":
        assert words[words.index("--node-rank") + 1] == value
    if key == "PORT":
        assert words[words.index("--port") + 1] == value


@pytest.mark.parametrize(
    "key,value",
    [
        ("HOST_IP", "a b"),
        ("HOST_IP", "$(reboot)"),
        ("HOST_IP", "1.2.3.4;rm"),
        ("HOST_IP", "`id`"),
        ("HOST_IP", ""),
        ("HOST_IP", "-rf"),
        ("NODE0_IP", "10.0.0.1 && reboot"),
        ("NODE0_IP", "host|cat"),
        ("CURL_HOST", "x'y"),
        ("PORT", "0"),
        ("PORT", "65536"),
        ("PORT", "abc"),
        ("PORT", ""),
        ("PORT", "-1"),
        ("PORT", "80 "),
        ("CURL_PORT", "99999"),
        ("NODE_RANK", "-1"),
        ("NODE_RANK", "1.5"),
        ("NODE_RANK", "one"),
        ("NODE0_IP", "2001:db8::7"),  # bare IPv6 before :20000 is ambiguous
        ("CURL_HOST", "::1"),
    ],
)
def test_invalid_values_are_rejected_naming_the_key(rules, key, value):
    with pytest.raises(EnvError) as exc:
        Env.defaults(rules).with_values({key: value})
    assert key in str(exc.value)


@pytest.mark.parametrize("key,value", [("PORT", "٣٠٠٠٠"), ("PORT", "²"), ("NODE_RANK", "¹")])
def test_non_ascii_digits_are_rejected(rules, key, value):
    with pytest.raises(EnvError) as exc:
        Env.defaults(rules).with_values({key: value})
    assert key in str(exc.value)


def test_defaults_print_unquoted_exactly_as_the_cookbook(rules):
    sel = Selection("gb200", "pro", "fp4", "balanced", "multi-2")
    text = render_command(rules, sel, "docker", Env.defaults(rules).subst())
    lines = text.split("\n")
    assert "    --node-rank <node-rank> \\" in lines
    assert "    --dist-init-addr <node0-ip>:20000 \\" in lines
    assert '  --env "HF_TOKEN=<your-hf-token>" \\' in lines
    assert "    --host 0.0.0.0 \\" in lines
    assert "'" not in text.replace("'{", "").replace("}'", "")  # no quoting added anywhere


def test_user_values_that_need_quotes_are_quoted(rules):
    sel = Selection("b200", "flash", "fp4", "low-latency", "single")
    env = Env.defaults(rules).with_values({"HF_TOKEN": "a b"})
    docker = render_command(rules, sel, "docker", env.subst())
    assert "  --env \"HF_TOKEN=\"'a b' \\" in docker.split("\n")
    plain = Env.defaults(rules).with_values({"HF_TOKEN": "hf_abc123"})
    assert '  --env "HF_TOKEN=hf_abc123" \\' in render_command(rules, sel, "docker", plain.subst()).split("\n")
