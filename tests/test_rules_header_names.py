"""Rules headers and banners fill in known names only (issue 19, LOW 19).

`multi_node.header` (and the PD banner, the Docker install line) went through `str.format`:
`{0}` raised IndexError and `{last:>300000000}` printed a 300 MB line. Now `{count}`,
`{last}` (and the banner's `{ROLE}`, `{role}`, `{peer}`, `{router_port}`, the install
line's `{image}`) are replaced by plain substitution; any other brace is literal text.
"""

from __future__ import annotations

import shutil

from conftest import ROOT
from dsv4_tui import cli
from dsv4_tui.core.subst import fill_names

MULTI = ["--hw", "gb200", "--variant", "pro", "--quant", "fp4", "--strategy", "balanced", "--nodes", "multi-2"]
B200 = ["--hw", "b200", "--variant", "flash", "--quant", "fp4", "--strategy", "balanced", "--nodes", "single"]


def test_fill_names_leaves_unknown_braces_alone():
    assert fill_names("{count} {last} {0} {last:>300000000} {{x}} {", {"count": 2, "last": 1}) == (
        "2 1 {0} {last:>300000000} {{x}} {"
    )


def test_a_header_and_banner_with_format_fields_print_them_literally(tmp_path, capsys):
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    model = folder / "model.toml"
    text = model.read_text(encoding="utf-8")
    old = '"Multi-node ({count} nodes). Run the same command on every node with:",'
    assert old in text
    model.write_text(text.replace(old, old + ' "odd {0} and {last:>300000000} and {nope}",'), encoding="utf-8")
    pg = folder / "playground.toml"
    text = pg.read_text(encoding="utf-8")
    old = '"=== PD Disaggregation: {ROLE} role ===",'
    assert old in text
    pg.write_text(text.replace(old, old + ' "banner {0} {router_port:>9999999}",'), encoding="utf-8")

    assert cli.main(["--rules", str(folder), "print", *MULTI]) == 0
    out = capsys.readouterr().out
    assert "# Multi-node (2 nodes)." in out and "1..1 on the others" in out
    assert "# odd {0} and {last:>300000000} and {nope}\n" in out
    assert max(len(line) for line in out.splitlines()) < 2000

    assert cli.main(["--rules", str(folder), "print", *B200, "--override", "pd-mode=prefill"]) == 0
    out = capsys.readouterr().out
    assert "=== PD Disaggregation: PREFILL role ===" in out and "# banner {0} {router_port:>9999999}\n" in out
