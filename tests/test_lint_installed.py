"""The user's own SGLang: found without importing it, extracted, cached per version."""

from __future__ import annotations

import json
import sys

from dsv4_tui.core.lint import LintContext, Linter, SglangTable
from dsv4_tui.host import sglang_installed
from dsv4_tui.host.sglang_installed import choose_table, dump_table, find_installed_sglang


def test_found_without_importing_it(fake_sglang):
    found = find_installed_sglang()
    assert found is not None and found.version == "9.9.9" and found.base == fake_sglang
    assert "sglang" not in sys.modules  # its __init__ raises when imported


def test_installed_table_is_used_named_and_cached(fake_sglang, tmp_path):
    cache = tmp_path / "cache"
    choice = choose_table(cache)
    assert choice.label == "SGLang 9.9.9 installed here" and choice.notice is None
    assert choice.data["sglang"]["version"] == "9.9.9" and "--cp-strategy" in choice.data["flags"]
    cached = cache / "sglang-9.9.9.json"
    assert cached.read_text(encoding="utf-8") == dump_table(choice.data)
    assert sorted(p.name for p in cache.iterdir()) == ["sglang-9.9.9.json"]  # no temp file left
    # the bundled table's history carries over where the replacement exists here
    assert (
        choice.data["removed_flags"]["--enable-nsa-prefill-context-parallel"]["replacement_flag"]
        == "--enable-prefill-cp"
    )
    report = Linter(SglangTable.from_dict(choice.data, choice.label)).lint_flags(
        [], ["--model-path m", "--mem-fraction-statics 1"], LintContext()
    )
    assert report.checked_against == "SGLang 9.9.9 installed here"
    assert any("SGLang 9.9.9" in f.message for f in report.findings)
    assert "sglang" not in sys.modules


def test_second_call_reads_the_cache(fake_sglang, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = choose_table(cache)

    def boom(*args, **kwargs):
        raise AssertionError("extracted again instead of reading the cache")

    monkeypatch.setattr(sglang_installed, "extract_table", boom)
    second = choose_table(cache)
    assert second.data == json.loads(json.dumps(first.data)) and second.label == first.label


def test_a_changed_source_is_extracted_again(fake_sglang, tmp_path):
    cache = tmp_path / "cache"
    choose_table(cache)
    server_args = fake_sglang / "sglang" / "srt" / "server_args.py"
    server_args.write_text(
        server_args.read_text(encoding="utf-8").replace('"--config"', '"--config-file"'), encoding="utf-8"
    )
    again = choose_table(cache)
    assert "--config-file" in again.data["flags"] and "--config" not in again.data["flags"]


def test_without_sglang_the_bundled_table(monkeypatch, tmp_path):
    monkeypatch.setattr(sglang_installed.importlib.util, "find_spec", lambda name: None)
    choice = choose_table(tmp_path / "cache")
    assert choice.label == "bundled table for SGLang 0.5.23" and choice.installed_version is None
    assert not (tmp_path / "cache").exists()


def test_an_unreadable_install_falls_back_with_a_notice(fake_sglang, tmp_path):
    (fake_sglang / "sglang" / "srt" / "server_args.py").unlink()
    choice = choose_table(tmp_path / "cache")
    assert choice.label == "bundled table for SGLang 0.5.23"
    assert choice.installed_version == "9.9.9" and "could not read" in choice.notice


def test_use_installed_false_forces_the_bundled_table(fake_sglang, tmp_path):
    assert choose_table(tmp_path, use_installed=False).label == "bundled table for SGLang 0.5.23"
