"""The Env's HOST_IP and PORT where they land (issue 18: 5, 14): Docker publishes a specific
HOST_IP instead of binding it inside the container, and the PD roles follow PORT."""

from __future__ import annotations

from dsv4_tui.core.deployment import build
from dsv4_tui.core.env import Env
from dsv4_tui.core.playground import Overrides, playground
from dsv4_tui.core.render import render_command
from dsv4_tui.core.selection import Selection

B200 = Selection("b200", "flash", "fp4", "balanced", "single")


def lines_with(text: str, *needles: str) -> list[str]:
    return [line.strip(" \\") for line in text.splitlines() if any(n in line for n in needles)]


def test_docker_with_a_specific_host_ip_publishes_it_and_binds_all_inside(rules):
    env = Env.defaults(rules).with_values({"HOST_IP": "192.0.2.2", "PORT": "30001"})
    text = render_command(rules, B200, "docker", env.subst())
    assert "-p 192.0.2.2:30001:30001" in lines_with(text, "-p ")
    assert lines_with(text, "--host") == ["--host 0.0.0.0"]
    assert "--port 30001" in lines_with(text, "--port")


def test_docker_with_an_ipv6_host_ip_publishes_it_in_brackets(rules):
    env = Env.defaults(rules).with_values({"HOST_IP": "::1"})
    text = render_command(rules, B200, "docker", env.subst())
    assert "-p [::1]:30000:30000" in lines_with(text, "-p ")
    assert lines_with(text, "--host") == ["--host 0.0.0.0"]


def test_docker_with_the_default_host_ip_is_the_cookbooks(rules):
    """HOST_IP left at (or set to) 0.0.0.0: `-p PORT:PORT`, byte for byte as before."""
    default = render_command(rules, B200, "docker", Env.defaults(rules).subst())
    assert "-p 30000:30000" in lines_with(default, "-p ")
    same = Env.defaults(rules).with_values({"HOST_IP": "0.0.0.0"})
    assert render_command(rules, B200, "docker", same.subst()) == default


def test_python_framing_still_binds_the_host_ip(rules):
    env = Env.defaults(rules).with_values({"HOST_IP": "192.0.2.2"})
    assert lines_with(render_command(rules, B200, "python", env.subst()), "--host") == ["--host 192.0.2.2"]


def role_port(text: str) -> str:
    (line,) = lines_with(text, "--port")
    return line


def test_pd_roles_and_router_follow_the_envs_port(rules):
    env = Env.defaults(rules).with_values({"PORT": "31000"}).subst()
    prefill = playground(rules, B200, Overrides(pd_mode="prefill"), "python", env)
    decode = playground(rules, B200, Overrides(pd_mode="decode"), "python", env)
    assert role_port(prefill.text) == "--port 31000"
    assert role_port(decode.text) == "--port 31100"  # as far above PORT as the cookbook's 30100 is above 30000
    assert ":31000" in prefill.router and ":31100" in prefill.router


def test_pd_roles_keep_the_cookbooks_ports_by_default(rules):
    prefill = playground(rules, B200, Overrides(pd_mode="prefill"))
    decode = playground(rules, B200, Overrides(pd_mode="decode"))
    pd = rules.playground.pd
    assert role_port(prefill.text) == f"--port {pd.prefill_port}"
    assert role_port(decode.text) == f"--port {pd.decode_port}"


def test_the_pd_export_follows_the_envs_port(rules):
    env = Env.defaults(rules).with_values({"PORT": "31000"})
    dep = build(rules, B200, env, Overrides(pd_mode="prefill"))
    assert {r.name: r.port for r in dep.roles if r.gpus} == {"prefill": 31000, "decode": 31100}
    router = dep.router
    assert router is not None
    assert any("31000" in str(v) for f in router.flags for v in f.values)
