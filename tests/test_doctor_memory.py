"""Host memory checks: host.shm (fake file system sizes) and host.ram (fake /proc/meminfo)."""

from __future__ import annotations

import pytest

from doctor_fakes import GIB, make_request, new_box
from dsv4_tui.host.doctor import parse_size
from dsv4_tui.host.doctor.memory import ram_result, shm_result, suggest_ratio


@pytest.fixture
def box(tmp_path):
    return new_box(tmp_path)


RATIOS = {5: parse_size("~1 TB"), 10: parse_size("~2 TB")}
TIB_KB = 2**30  # 1 TiB in kB


def hicache(**overrides):
    return make_request(host_cache=True, host_ratios=RATIOS, **overrides)


# --- /dev/shm ------------------------------------------------------------------------------


def test_shm_large_enough(box):
    box.disk[str(box.sysroot / "dev/shm")] = (64 * GIB, 64 * GIB)
    result = shm_result(make_request(framing="docker"), box.ctx())
    assert (result.status, result.message) == ("ok", "/dev/shm is 64.0 GiB (needs 32.0 GiB)")


def test_small_shm_fails_in_docker_and_is_skipped_in_python(box):
    box.disk[str(box.sysroot / "dev/shm")] = (64 * 2**20, 64 * 2**20)
    docker = shm_result(make_request(framing="docker"), box.ctx())
    assert (docker.status, docker.message) == ("fail", "/dev/shm is 64 MiB; the command needs 32.0 GiB")
    assert docker.fix == "grow it: sudo mount -o remount,size=32G /dev/shm"
    # Issue 18, 13: Python framing has no --shm-size: skipped, with the reason, never measured against it.
    python = shm_result(make_request(), box.ctx())
    assert python.status == "skipped" and "Python framing" in python.message and "--shm-size" in python.message


def test_shm_unreadable_warns(box):
    result = shm_result(make_request(framing="docker"), box.ctx())  # no file system registered for it
    assert result.status == "warn" and result.message.startswith("cannot read the size of /dev/shm")


def test_shm_not_asked_for_is_skipped(box):
    assert shm_result(make_request(shm_bytes=None), box.ctx()).status == "skipped"


def test_shm_is_read_under_the_sysroot(box):
    seen = []
    shm_result(make_request(framing="docker"), box.ctx(disk_usage=lambda path: seen.append(path) or (0, 0)))
    assert seen == [box.sysroot / "dev/shm"]


# --- host RAM against the host ratio -------------------------------------------------------


@pytest.mark.parametrize(
    ("total_kb", "ratio"),
    [(512 * 2**20, None), (1007 * 2**20, 5), (1900 * 2**20, 10), (3 * TIB_KB, 10)],
)
def test_suggest_ratio(total_kb, ratio):
    assert suggest_ratio(total_kb * 1024, RATIOS) == ratio


def test_ram_off_is_skipped_but_suggests_a_ratio(box):
    box.meminfo(2 * TIB_KB)
    result = ram_result(make_request(host_ratios=RATIOS), box.ctx())
    assert result.status == "skipped"
    assert result.message == "HiCache / HiSparse is off (2.2 TB RAM; host ratio 10 fits)"
    assert result.suggested_host_ratio == 10


def test_ram_fits_the_largest_ratio(box):
    box.meminfo(2 * TIB_KB)
    result = ram_result(hicache(), box.ctx())
    assert (result.status, result.message, result.suggested_host_ratio) == ("ok", "2.2 TB RAM: host ratio 10 fits", 10)


def test_ram_fits_a_smaller_selected_ratio(box):
    box.meminfo(2 * TIB_KB)
    result = ram_result(hicache(host_ratio=5), box.ctx())
    assert (result.status, result.message) == ("ok", "2.2 TB RAM: host ratio 5 fits (up to 10)")


def test_selected_ratio_too_large_warns_and_suggests(box):
    box.meminfo(TIB_KB)
    result = ram_result(hicache(host_ratio=10), box.ctx())
    assert result.status == "warn"
    assert result.message == "1.1 TB RAM: host ratio 10 needs ~2.0 TB; 5 fits"
    assert (result.fix, result.suggested_host_ratio) == ("use host ratio 5", 5)


def test_too_little_ram_for_any_ratio_fails(box):
    box.meminfo(256 * 2**20)
    result = ram_result(hicache(), box.ctx())
    assert result.status == "fail"
    assert result.message == "275 GB RAM: even host ratio 5 needs ~1.0 TB"
    assert result.suggested_host_ratio is None


def test_garbage_meminfo(box):
    box.write("/proc/meminfo", "MemTotal: lots\n\x1b[2J")
    assert ram_result(hicache(), box.ctx()).status == "warn"
    assert ram_result(make_request(host_ratios=RATIOS), box.ctx()).status == "skipped"


def test_no_meminfo(box):
    result = ram_result(hicache(), box.ctx())
    assert (result.status, result.message) == ("warn", "cannot read MemTotal from /proc/meminfo")


def test_host_cache_without_ratios_is_skipped(box):
    box.meminfo(TIB_KB)
    result = ram_result(make_request(host_cache=True), box.ctx())
    assert (result.status, result.message) == ("skipped", "no host ratio to check (1.1 TB RAM)")
