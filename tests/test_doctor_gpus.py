"""GPU checks (gpu.detect, gpu.count, gpu.busy) with fake nvidia-smi / rocm-smi / amd-smi."""

from __future__ import annotations

import pytest

from doctor_fakes import (
    amd_smi_metric,
    amd_smi_static,
    fake_amd_smi,
    fake_nvidia_smi,
    make_request,
    new_box,
    nvidia_rows,
    rocm_smi_text,
)
from dsv4_tui.host.doctor.gpu_parse import matches, parse_amd_fields, parse_nvidia_query
from dsv4_tui.host.doctor.gpus import check_gpus


@pytest.fixture
def box(tmp_path):
    return new_box(tmp_path)


MI300X = make_request(hardware_label="MI300X", vendor="amd", detect=("MI300X",), other_detect=("MI355X", "H200"))
MI355X = make_request(hardware_label="MI355X", vendor="amd", detect=("MI355X",), other_detect=("MI300X", "H200"))


def run(box, request=None, **ctx):
    results = {r.id: r for r in check_gpus(request or make_request(), box.ctx(**ctx))}
    assert list(results) == ["gpu.detect", "gpu.count", "gpu.busy"]
    return results


def statuses(results):
    return tuple(r.status for r in results.values())


def test_eight_idle_h200_are_all_ok(box):
    fake_nvidia_smi(box, nvidia_rows(8))
    results = run(box)
    assert statuses(results) == ("ok", "ok", "ok")
    detect = results["gpu.detect"]
    assert detect.message == (
        "8 x NVIDIA H200 (140.4 GiB each, at least 140.4 GiB free), driver 550.54.15, CUDA 12.4 (nvidia-smi)"
    )
    assert len(detect.gpus) == 8 and detect.gpus[3].index == 3 and detect.gpus[0].total_bytes == 143771 * 2**20
    assert results["gpu.count"].message == "8 x H200 here, the command uses 8"
    assert results["gpu.busy"].message.startswith("no other process holds GPU memory")


def test_more_gpus_than_needed(box):
    fake_nvidia_smi(box, nvidia_rows(8))
    results = run(box, make_request(gpus_per_node=4))
    assert results["gpu.count"].status == "ok"
    assert results["gpu.count"].message == "8 x H200 here, the command uses 4 of them"


def test_too_few_gpus_fail_the_count(box):
    fake_nvidia_smi(box, nvidia_rows(4))
    results = run(box)
    assert statuses(results) == ("ok", "fail", "ok")
    assert results["gpu.count"].message == "the command needs 8 x H200 per node; this box has 4"
    assert "fewer GPUs" in results["gpu.count"].fix


def test_other_gpu_warns_and_fails_the_count(box):
    fake_nvidia_smi(box, nvidia_rows(8, "NVIDIA A100-SXM4-80GB", total_mib=81920))
    results = run(box)
    assert statuses(results) == ("warn", "fail", "skipped")
    assert results["gpu.detect"].message.endswith(": no H200")
    assert "select the hardware this box has" in results["gpu.detect"].fix


def test_a_gb200_is_not_a_b200(box):
    fake_nvidia_smi(box, nvidia_rows(4, "NVIDIA GB200", total_mib=189471))
    b200 = make_request(hardware_label="B200", detect=("B200",), other_detect=("GB200",), gpus_per_node=4)
    assert statuses(run(box, b200))[:2] == ("warn", "fail")
    gb200 = make_request(hardware_label="GB200", detect=("GB200",), other_detect=("B200",), gpus_per_node=4)
    assert statuses(run(box, gb200)) == ("ok", "ok", "ok")


def test_busy_gpu_with_enough_idle_ones_warns_with_a_device_list(box):
    rows = nvidia_rows(8)
    rows[0] = f"0, NVIDIA H200, 143771, {70 * 1024}, {143771 - 70 * 1024}, 550.54.15"
    fake_nvidia_smi(box, rows)
    results = run(box, make_request(gpus_per_node=4))
    busy = results["gpu.busy"]
    assert busy.status == "warn"
    assert busy.message == "1 GPU(s) already hold memory (GPU 0: 70.0 GiB)"
    assert busy.fix == "stop what runs there (nvidia-smi), or set CUDA_VISIBLE_DEVICES=1,2,3,4"


def test_busy_gpus_without_enough_idle_ones_fail(box):
    fake_nvidia_smi(box, nvidia_rows(8, used_mib=60000))
    busy = run(box)["gpu.busy"]
    assert busy.status == "fail"
    assert busy.message.startswith("8 GPU(s) already hold memory (GPU 0: 58.6 GiB")
    assert busy.message.endswith("GPU 7: 58.6 GiB)")


def test_memory_not_reported_skips_the_busy_check(box):
    fake_nvidia_smi(box, ["0, NVIDIA H200, [N/A], [N/A], [N/A], 550.54.15"] * 8)
    results = run(box)
    assert statuses(results) == ("ok", "ok", "skipped")
    assert results["gpu.detect"].message.startswith("8 x NVIDIA H200, driver 550.54.15")


def test_hanging_nvidia_smi_fails_with_a_timeout(box):
    box.hang("nvidia-smi")
    results = run(box, command_timeout=0.3)
    assert statuses(results) == ("fail", "skipped", "skipped")
    assert results["gpu.detect"].message == "nvidia-smi did not answer within 0.3 s"
    assert "driver may be stuck" in results["gpu.detect"].fix


def test_garbage_output_fails(box):
    box.tool("nvidia-smi", "echo 'No devices were found'; echo 'x, y'")
    results = run(box)
    assert statuses(results) == ("fail", "skipped", "skipped")
    assert results["gpu.detect"].message == "nvidia-smi listed no GPU"


def test_failing_nvidia_smi_says_why(box):
    box.tool(
        "nvidia-smi", "echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.'; exit 9"
    )
    detect = run(box)["gpu.detect"]
    assert detect.status == "fail"
    assert detect.message.startswith("nvidia-smi exited with code 9: NVIDIA-SMI has failed")


def test_no_tool_fails(box):
    detect = run(box)["gpu.detect"]
    assert (detect.status, detect.message) == ("fail", "nvidia-smi not found on PATH")
    assert detect.fix.startswith("install the NVIDIA driver")


def test_endless_output_still_counts_the_gpus_before_the_cut(box):
    rows = "\n".join(nvidia_rows(8))
    box.tool(
        "nvidia-smi", f'case "$1" in\n--query-gpu=*) cat <<\'EOF\'\n{rows}\nEOF\nyes "garbage, line";;\n*) yes;;\nesac'
    )
    results = run(box, output_cap=8192)
    assert statuses(results) == ("ok", "ok", "ok")
    assert "output cut at 8 KiB" in results["gpu.detect"].message
    assert "CUDA" not in results["gpu.detect"].message  # the banner was cut garbage: no version, still ok


def test_a_gpu_name_with_escape_sequences_is_shown_safely(box):
    fake_nvidia_smi(box, nvidia_rows(8, "NVIDIA H200\x1b]0;pwned\x07"))
    detect = run(box)["gpu.detect"]
    assert "\x1b" not in detect.message and "\\x1b]0;pwned\\x07" in detect.message
    assert detect.gpus[0].name == "NVIDIA H200\\x1b]0;pwned\\x07"


def test_missing_cuda_banner_is_fine(box):
    rows = "\n".join(nvidia_rows(8))
    box.tool("nvidia-smi", f"case \"$1\" in\n--query-gpu=*) cat <<'EOF'\n{rows}\nEOF\n;;\n*) exit 1;;\nesac")
    detect = run(box)["gpu.detect"]
    assert detect.status == "ok" and "CUDA" not in detect.message


# --- AMD -------------------------------------------------------------------------------


def test_rocm_smi_mi300x_with_rocm_version(box):
    box.tool("rocm-smi", f"cat <<'EOF'\n{rocm_smi_text(8)}EOF")
    box.write("/opt/rocm/.info/version", "6.2.0-66\n")
    results = run(box, MI300X)
    assert statuses(results) == ("ok", "ok", "ok")
    assert results["gpu.detect"].message == (
        "8 x AMD Instinct MI300X OAM (192.0 GiB each, at least 191.7 GiB free), driver 6.8.5, ROCm 6.2.0-66 (rocm-smi)"
    )


def test_rocm_smi_busy_gpu_suggests_hip_visible_devices(box):
    text = rocm_smi_text(8).replace(
        "GPU[2]\t\t: VRAM Total Used Memory (B): 295047168", "GPU[2]\t\t: VRAM Total Used Memory (B): 100000000000"
    )
    box.tool("rocm-smi", f"cat <<'EOF'\n{text}EOF")
    busy = run(box, make_request(**{**MI300X.__dict__, "gpus_per_node": 4}))["gpu.busy"]
    assert busy.status == "warn"
    assert busy.fix.endswith("HIP_VISIBLE_DEVICES=0,1,3,4")


def test_amd_smi_when_rocm_smi_is_missing(box):
    fake_amd_smi(box, amd_smi_static(8), amd_smi_metric(8))
    results = run(box, MI355X)
    assert statuses(results) == ("ok", "ok", "ok")
    detect = results["gpu.detect"]
    assert (
        detect.message == "8 x AMD Instinct MI355X (288.0 GiB each, at least 287.7 GiB free), driver 6.10.5 (amd-smi)"
    )


def test_amd_smi_after_a_failing_rocm_smi(box):
    box.tool("rocm-smi", "echo 'ERROR: GPU[0] : Unable to initialize'; exit 1")
    fake_amd_smi(box, amd_smi_static(8), "garbage\n")
    results = run(box, MI355X)
    assert statuses(results) == ("ok", "ok", "skipped")  # no memory reading: busy unknown


def test_no_amd_tool_fails(box):
    detect = run(box, MI300X)["gpu.detect"]
    assert (detect.status, detect.message) == ("fail", "rocm-smi / amd-smi not found on PATH")
    assert detect.fix.startswith("install the AMD driver")


def test_hanging_rocm_smi_without_amd_smi_reports_the_timeout(box):
    box.hang("rocm-smi")
    results = run(box, MI300X, command_timeout=0.3)
    assert statuses(results) == ("fail", "skipped", "skipped")
    assert results["gpu.detect"].message == "rocm-smi did not answer within 0.3 s"


def test_amd_garbage_fails(box):
    box.tool("rocm-smi", "echo '====== nothing to see ======'")
    box.tool("amd-smi", "echo 'GPU: 0'; echo '    ASIC:'")
    results = run(box, MI300X)
    assert statuses(results) == ("fail", "skipped", "skipped")
    assert results["gpu.detect"].message == "amd-smi listed no GPU"


def test_amd_gpus_of_another_model(box):
    box.tool("rocm-smi", f"cat <<'EOF'\n{rocm_smi_text(8, 'AMD Instinct MI250X')}EOF")
    assert statuses(run(box, MI300X)) == ("warn", "fail", "skipped")


# --- parsers ---------------------------------------------------------------------------


def test_parse_nvidia_query_skips_garbage_lines():
    gpus, driver = parse_nvidia_query("index, name\n0, NVIDIA H200, 100, 1, 99, 550.1\nnot a row\n1, , 1, 1, 1, x\n")
    assert [(g.index, g.name, g.free_bytes) for g in gpus] == [(0, "NVIDIA H200", 99 * 2**20)]
    assert driver == "550.1"


def test_parse_amd_fields_both_layouts():
    per_gpu, globals_ = parse_amd_fields(rocm_smi_text(1))
    assert per_gpu[0]["card series"] == "AMD Instinct MI300X OAM" and globals_["driver version"] == "6.8.5"
    per_gpu, _ = parse_amd_fields(amd_smi_metric(2))
    assert per_gpu[1]["mem_usage.used_vram"] == "283 MB"


def test_matches_prefers_the_longest_substring():
    assert matches("NVIDIA B200", ["B200"], ["GB200"])
    assert not matches("NVIDIA GB200", ["B200"], ["GB200"])
    assert matches("nvidia h200 nvl", ["H200"], [])
    assert not matches("Tesla V100", ["H200"], [])
