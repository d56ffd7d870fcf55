"""The Env file: parsing with file:line errors, atomic 0600 saves that never clobber a good
file with bad text, the to_toml round trip, and masking of the HF token."""

from __future__ import annotations

import os
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsv4_tui.core.env import Env, EnvError, mask, parse_assignments, parse_env_toml
from dsv4_tui.host.envfile import load_env_file, save_env_text
from dsv4_tui.host.files import atomic_write
from dsv4_tui.host.paths import env_path


@pytest.fixture
def ph(rules):
    return rules.model.placeholders


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# --------------------------------------------------------------------------- saving


def test_env_path_is_in_the_config_dir(isolated_config):
    assert env_path() == isolated_config / "env.toml"


def test_save_writes_the_exact_text_with_mode_0600(tmp_path, ph):
    path = tmp_path / "cfg" / "env.toml"
    text = '# my cluster\nPORT = "8080"\nHOST_IP = "10.1.2.3"  # bind\n'
    assert save_env_text(path, text, ph) == {"PORT": "8080", "HOST_IP": "10.1.2.3"}
    assert path.read_text(encoding="utf-8") == text
    assert mode(path) == 0o600
    assert sorted(os.listdir(path.parent)) == ["env.toml"]  # no temp file left behind


def test_save_over_a_world_readable_file_makes_it_0600(tmp_path, ph):
    path = tmp_path / "env.toml"
    path.write_text('PORT = "1"\n', encoding="utf-8")
    os.chmod(path, 0o644)
    save_env_text(path, 'HF_TOKEN = "hf_secret"\n', ph)
    assert mode(path) == 0o600
    assert path.read_text(encoding="utf-8") == 'HF_TOKEN = "hf_secret"\n'


@pytest.mark.parametrize(
    "bad",
    ['PORT = "99999"\n', "PORT = \n", 'COLOUR = "red"\n', 'HOST_IP = "a b"\n', "PORT = true\n"],
)
def test_invalid_text_is_not_saved(tmp_path, ph, bad):
    path = tmp_path / "env.toml"
    good = 'PORT = "8080"\n'
    save_env_text(path, good, ph)
    with pytest.raises(EnvError):
        save_env_text(path, bad, ph)
    assert path.read_text(encoding="utf-8") == good
    assert sorted(os.listdir(tmp_path)) == ["env.toml"]


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "env.toml"
    atomic_write(path, "old\n")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, "new\n")
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["env.toml"]


# --------------------------------------------------------------------------- parsing


def test_load_of_a_missing_file_is_empty(tmp_path, ph):
    assert load_env_file(tmp_path / "nope.toml", ph) == {}


def test_load_returns_only_the_non_default_values(tmp_path, ph):
    path = tmp_path / "env.toml"
    path.write_text('PORT = "30000"\nCURL_PORT = 8000\nNODE0_IP = "<node0-ip>"\n', encoding="utf-8")
    assert load_env_file(path, ph) == {"CURL_PORT": "8000"}


def test_an_explicit_curl_port_wins_even_at_its_default_value(tmp_path, ph):
    """Issue 18, 15: CURL_PORT = "30000" set in env.toml is the user's choice; only an absent
    CURL_PORT follows PORT."""
    path = tmp_path / "env.toml"
    path.write_text('PORT = "31000"\nCURL_PORT = "30000"\n', encoding="utf-8")
    env = Env(ph, load_env_file(path, ph))
    assert env.get("CURL_PORT") == "30000" and env.followed("CURL_PORT") is None
    path.write_text('PORT = "31000"\n', encoding="utf-8")
    env = Env(ph, load_env_file(path, ph))
    assert env.get("CURL_PORT") == "31000" and env.followed("CURL_PORT") == "PORT"


def test_the_env_text_keeps_an_unset_follower_unset(ph):
    """The editor's text shows an absent CURL_PORT commented out: saving it unchanged keeps it
    following PORT; a CURL_PORT set is written as a value and stays set."""
    env = Env(ph, {"PORT": "31000"})
    text = env.to_toml()
    assert '# CURL_PORT = "30000"' in text and "follows PORT while unset" in text
    assert "CURL_PORT" not in parse_env_toml(text, ph)
    assert Env(ph, parse_env_toml(text, ph)).get("CURL_PORT") == "31000"
    pinned = Env(ph, {"PORT": "31000", "CURL_PORT": "30000"})
    assert parse_env_toml(pinned.to_toml(), ph)["CURL_PORT"] == "30000"


def test_syntax_error_names_file_and_line(tmp_path, ph):
    path = tmp_path / "env.toml"
    path.write_text('PORT = "1"\n\nHOST_IP = "unterminated\n', encoding="utf-8")
    with pytest.raises(EnvError) as exc:
        load_env_file(path, ph)
    msg = str(exc.value)
    assert str(path) in msg and "line 3" in msg


@pytest.mark.parametrize(
    "text,line,words",
    [
        ('# comment\nPORT = "70000"\n', 2, ["PORT", "1-65535", "70000"]),
        ('PORT = "1"\nHOST_IP = "$(reboot)"\n', 2, ["HOST_IP", "hostname"]),
        ('\n\nNODE_RANK = "-1"\n', 3, ["NODE_RANK", "integer"]),
        ('COLOUR = "red"\n', 1, ["unknown key 'COLOUR'", "PORT", "HF_TOKEN"]),
        ("PORT = true\n", 1, ["PORT", "string", "bool"]),
        ('HF_TOKEN = ["a"]\n', 1, ["HF_TOKEN", "string", "list"]),
    ],
)
def test_value_errors_name_file_line_and_key(tmp_path, ph, text, line, words):
    path = tmp_path / "env.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EnvError) as exc:
        load_env_file(path, ph)
    msg = str(exc.value)
    assert msg.startswith(f"{path}:{line}: ")
    for w in words:
        assert w in msg


def test_every_bad_key_is_reported(ph):
    with pytest.raises(EnvError) as exc:
        parse_env_toml('PORT = "0"\nCURL_PORT = "x"\nHOST_IP = "ok-host"\n', ph, "env.toml")
    assert len(exc.value.problems) == 2
    assert exc.value.problems[0].startswith("env.toml:1: ") and exc.value.problems[1].startswith("env.toml:2: ")


def test_unreadable_file_is_an_env_error(tmp_path, ph):
    path = tmp_path / "env.toml"
    path.write_bytes(b'PORT = "\xff\xfe"\n')
    with pytest.raises(EnvError, match="not UTF-8"):
        load_env_file(path, ph)


def test_set_assignments():
    assert parse_assignments(["PORT=1", "HF_TOKEN=a=b", "HOST_IP="]) == {"PORT": "1", "HF_TOKEN": "a=b", "HOST_IP": ""}
    with pytest.raises(EnvError, match="KEY=VALUE"):
        parse_assignments(["PORT"])


def test_with_values_rejects_unknown_keys_and_keeps_earlier_values(rules):
    env = Env.defaults(rules).with_values({"PORT": "8080"})
    with pytest.raises(EnvError, match="PROT"):
        env.with_values({"PROT": "1"})
    env2 = env.with_values({"HOST_IP": "10.0.0.1"})
    assert env2.get("PORT") == "8080" and env2.get("HOST_IP") == "10.0.0.1"
    assert env.get("HOST_IP") == "0.0.0.0"  # immutable


# --------------------------------------------------------------------------- to_toml round trip


def test_defaults_to_toml_round_trips_to_no_overrides(rules, ph):
    text = Env.defaults(rules).to_toml()
    assert parse_env_toml(text, ph) == {}
    for key, p in ph.items():
        assert f"{key} = " in text and p.label in text


values_st = st.fixed_dictionaries(
    {},
    optional={
        "HF_TOKEN": st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
        "PORT": st.integers(1, 65535).map(str),
        "CURL_PORT": st.integers(1, 65535).map(str),
        "NODE_RANK": st.integers(0, 512).map(str),
        "HOST_IP": st.sampled_from(["10.0.0.1", "::1", "[fe80::1]", "node-1.local", "localhost"]),
        "NODE0_IP": st.sampled_from(["192.168.0.2", "head", "[2001:db8::1]"]),
        "CURL_HOST": st.sampled_from(["gpu-box", "127.0.0.1"]),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=values_st)
def test_to_toml_round_trips(rules, ph, values):
    env = Env.defaults(rules).with_values(values)
    parsed = parse_env_toml(env.to_toml(), ph)
    expected = {k: v for k, v in values.items() if v != ph[k].default}
    assert parsed == expected
    assert Env(ph, parsed).values() == env.values()


def test_saved_to_toml_is_read_back_by_the_cli_path(rules, ph, isolated_config):
    env = Env.defaults(rules).with_values({"HF_TOKEN": 'it\'s "quoted" \\ ünï', "PORT": "8443"})
    save_env_text(env_path(), env.to_toml(), ph)
    assert load_env_file(env_path(), ph) == {"HF_TOKEN": 'it\'s "quoted" \\ ünï', "PORT": "8443"}
    assert mode(env_path()) == 0o600


# --------------------------------------------------------------------------- masking


def test_hf_token_is_masked(rules):
    token = "hf_abcdefghijklmnop"
    env = Env.defaults(rules).with_values({"HF_TOKEN": token, "PORT": "8080"})
    shown = env.masked("HF_TOKEN")
    assert shown != token and token not in shown
    assert shown.startswith("hf_") and "abcdefghijklmnop" not in shown
    assert env.masked("PORT") == "8080"  # not a secret
    hidden = env.to_toml(reveal_secrets=False)
    assert token not in hidden and shown in hidden
    assert token in env.to_toml()


def test_default_token_and_short_tokens(rules):
    assert Env.defaults(rules).masked("HF_TOKEN") == "<your-hf-token>"
    assert mask("abcd") == "••••"
    assert mask("") == ""
    short = Env.defaults(rules).with_values({"HF_TOKEN": "abc"})
    assert short.masked("HF_TOKEN") == "•••"
