"""Weights checks (weights.cache, weights.disk, weights.token) on a temporary HF cache."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from doctor_fakes import hf_repo, make_request, new_box
from dsv4_tui.host.doctor.hfcache import hub_cache_dir
from dsv4_tui.host.doctor.weights import check_weights


@pytest.fixture
def box(tmp_path):
    return new_box(tmp_path)


REPO = "org/model"
SIZE = 64_000  # the fake model: 64 shards of 1000 bytes


def run(box, request=None, **ctx):
    results = {r.id: r for r in check_weights(request or make_request(model_bytes=SIZE), box.ctx(**ctx))}
    assert list(results) == ["weights.cache", "weights.disk", "weights.token"]
    return results


def test_cache_dir_follows_the_hf_conventions(box):
    home = box.home
    assert hub_cache_dir(box.ctx(env={"HOME": str(home)})) == home / ".cache/huggingface/hub"
    assert hub_cache_dir(box.ctx(env={"HOME": str(home), "XDG_CACHE_HOME": "/x"})) == Path("/x/huggingface/hub")
    assert hub_cache_dir(box.ctx(env={"HOME": str(home), "HF_HOME": "~/hf"})) == home / "hf/hub"
    env = {"HOME": str(home), "HF_HOME": "/a", "HUGGINGFACE_HUB_CACHE": "/b", "HF_HUB_CACHE": "/c"}
    assert str(hub_cache_dir(box.ctx(env=env))) == "/c"
    del env["HF_HUB_CACHE"]
    assert str(hub_cache_dir(box.ctx(env=env))) == "/b"


def test_complete_model_in_the_cache(box):
    hf_repo(box.hf_home / "hub", REPO, shards=64, other_files={"config.json": 10})
    results = run(box)
    cache = results["weights.cache"]
    assert cache.status == "ok"
    assert cache.message.startswith("org/model is in the cache: 64 of 64 weight files, ")
    assert results["weights.disk"].status == "ok"
    assert results["weights.disk"].message == "the weights are already downloaded"


def test_partial_download_warns_and_counts_the_shards(box):
    box.disk[str(box.hf_home)] = (10**12, 10**11)
    hf_repo(box.hf_home / "hub", REPO, shards=64, present=40, incomplete_bytes=500)
    results = run(box)
    cache = results["weights.cache"]
    assert cache.status == "warn"
    assert cache.message.startswith("org/model is partly in the cache: 40 of 64 weight files, ")
    assert "an interrupted download left" in cache.message
    assert cache.fix == "finish the download: hf download org/model"
    assert results["weights.disk"].status == "ok"


def test_model_not_in_the_cache_warns(box):
    box.disk[str(box.root)] = (10**12, 10**11)
    results = run(box, make_request(model_bytes=290 * 10**9))
    cache = results["weights.cache"]
    assert cache.status == "warn"
    assert (
        cache.message
        == f"org/model is not in the cache ({box.hf_home / 'hub'}): sglang downloads ~290 GB when it starts"
    )
    assert cache.fix == "download it ahead: hf download org/model"
    disk = results["weights.disk"]  # the cache folder does not exist: its nearest parent's disk counts
    assert (disk.status, disk.message) == ("fail", f"~290 GB to download but only 100 GB free under {box.root}")


def test_enough_disk_for_the_rest(box):
    box.disk[str(box.hf_home)] = (10**12, 5 * 10**11)
    hf_repo(box.hf_home / "hub", REPO, shards=64, present=10)
    disk = run(box, make_request(model_bytes=290 * 10**9))["weights.disk"]
    assert (disk.status, disk.message) == ("ok", f"~290 GB to download, 500 GB free under {box.hf_home / 'hub'}")


def test_disk_size_unknown_or_unreadable(box):
    hf_repo(box.hf_home / "hub", REPO, shards=64, present=10)
    assert run(box, make_request(model_bytes=None))["weights.disk"].status == "skipped"
    disk = run(box)["weights.disk"]  # no fake file system registered: disk_usage raises
    assert disk.status == "warn" and disk.message.startswith("cannot read the free space under")


def test_without_a_shard_index_the_size_decides(box):
    hf_repo(box.hf_home / "hub", REPO, other_files={"weights.bin": 990})
    assert run(box, make_request(model_bytes=1000))["weights.cache"].status == "ok"
    assert run(box, make_request(model_bytes=5000))["weights.cache"].status == "warn"
    cache = run(box, make_request(model_bytes=None))["weights.cache"]
    assert cache.status == "ok" and "weight files" not in cache.message


def test_other_repos_are_not_this_one(box):
    hf_repo(box.hf_home / "hub", "org/other-model", shards=2)
    assert run(box)["weights.cache"].message.startswith("org/model is not in the cache")


def test_docker_framing_looks_in_the_volume_not_hf_home(box):
    volume = box.root / "docker-hf"
    hf_repo(box.hf_home / "hub", REPO, shards=4)
    request = make_request(framing="docker", docker_hf_home=str(volume), hf_token_set=True)
    cache = run(box, request)["weights.cache"]
    assert cache.status == "warn"
    assert cache.fix == f"download it ahead: hf download org/model --cache-dir {volume / 'hub'}"
    hf_repo(volume / "hub", REPO, shards=4)
    assert run(box, request)["weights.cache"].status == "ok"


def test_docker_volume_with_a_tilde_uses_home(box):
    hf_repo(box.home / ".cache/huggingface/hub", REPO, shards=4)
    assert run(box, make_request(framing="docker"))["weights.cache"].status == "ok"


def test_a_cache_path_that_is_a_file_is_an_empty_cache(box):
    box.hf_home.mkdir()
    (box.hf_home / "hub").write_text("a file, not a folder")
    assert run(box)["weights.cache"].message.startswith("org/model is not in the cache")


def test_a_cache_that_cannot_be_scanned_warns(box, monkeypatch):
    def refuse(cache_dir):
        raise OSError(5, "Input/output error", str(cache_dir))

    hf_repo(box.hf_home / "hub", REPO, shards=4)
    monkeypatch.setattr("huggingface_hub.scan_cache_dir", refuse)
    results = run(box)
    cache = results["weights.cache"]
    assert cache.status == "warn"
    assert cache.message.startswith(f"cannot scan the cache {box.hf_home / 'hub'}: [Errno 5] Input/output error")
    assert results["weights.disk"].status == "warn"  # no fake disk registered; still reported


def test_without_huggingface_hub_the_cache_check_is_skipped(box, monkeypatch):
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)
    cache = run(box)["weights.cache"]
    assert (cache.status, cache.message) == ("skipped", "huggingface_hub is not installed")


def test_a_damaged_repo_warns(box):
    repo = hf_repo(box.hf_home / "hub", REPO, shards=4)
    (repo / "refs" / "main").write_text("0" * 40)  # main points at a missing snapshot
    cache = run(box)["weights.cache"]
    assert cache.status == "warn"
    assert cache.message.startswith("org/model's cache entry is damaged: Reference(s) refer to missing commit")
    assert cache.fix == "download it again: hf download org/model"


def test_no_model_skips_cache_and_disk(box):
    results = run(box, make_request(model_repo=None))
    assert (results["weights.cache"].status, results["weights.disk"].status) == ("skipped", "skipped")


# --- HF_TOKEN -------------------------------------------------------------------------------


def test_token_not_needed_in_python_framing(box):
    assert run(box)["weights.token"].status == "skipped"


def test_token_needed_and_missing_fails(box):
    token = run(box, make_request(token_needed=True))["weights.token"]
    assert (token.status, token.message) == ("fail", "the weights need an HF token and none is set")


def test_token_from_env_file_or_request(box):
    gated = make_request(token_needed=True)
    assert run(box, gated, env=box.env(HF_TOKEN="hf_x"))["weights.token"].status == "ok"
    assert run(box, make_request(token_needed=True, hf_token_set=True))["weights.token"].status == "ok"
    box.hf_home.mkdir()
    (box.hf_home / "token").write_text("hf_saved\n")
    assert run(box, gated)["weights.token"].status == "ok"


def test_docker_token_placeholder(box):
    token = run(box, make_request(framing="docker"))["weights.token"]
    assert token.status == "warn" and "placeholder" in token.message
    token = run(box, make_request(framing="docker", token_needed=True))["weights.token"]
    assert token.status == "fail"
    token = run(box, make_request(framing="docker", hf_token_set=True))["weights.token"]
    assert token.status == "ok"


def test_a_cache_folder_this_user_cannot_search_says_so_not_a_crash(box, monkeypatch):
    """Issue 19, item 18: HF_HOME not searchable (mode 0600, as another user sees it). Tests
    run as root, so the fake is a stat that refuses everything under it, as the kernel would."""
    hf_repo(box.hf_home / "hub", REPO, shards=4)
    box.disk[str(box.hf_home)] = (10**12, 10**11)
    real_stat = Path.stat

    def stat(self, *args, **kwargs):
        if box.hf_home in self.parents:
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    results = run(box, make_request(model_bytes=290 * 10**9))
    cache = results["weights.cache"]
    assert (cache.status, cache.message) == ("warn", f"cannot read the cache {box.hf_home / 'hub'}: permission denied")
    assert "crashed" not in cache.message and cache.fix
    disk = results["weights.disk"]  # the free space of the folder it can see
    assert disk.status == "fail" and f"free under {box.hf_home}" in disk.message
