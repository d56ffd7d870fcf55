"""GPU detection with fake `nvidia-smi` / `rocm-smi` scripts first on PATH."""

from __future__ import annotations

import time

from dsv4_tui.core.gpus import Detection, match_hardware, parse_amd, parse_nvidia_smi
from dsv4_tui.host.detect import detect_gpus
from fake_tools import alive, fake_nvidia_smi, fake_tool

HARDWARE = [
    ("h100", ["H100"]),
    ("h200", ["H200"]),
    ("b200", ["B200"]),
    ("b300", ["B300"]),
    ("gb200", ["GB200"]),
    ("gb300", ["GB300"]),
    ("rtx6000", ["RTX PRO 6000"]),
    ("mi300x", ["MI300X"]),
    ("mi355x", ["MI355X"]),
]


def test_h200_x8(bin_dir):
    fake_nvidia_smi(bin_dir, ["NVIDIA H200, 143771 MiB"] * 8)
    found = detect_gpus(HARDWARE)
    assert found == Detection("h200", "NVIDIA H200", 8, 143771, "nvidia-smi")
    assert found.label() == "8 x H200 detected"


def test_b200_x4_with_header_line(bin_dir):
    fake_nvidia_smi(bin_dir, ["name, memory.total [MiB]"] + ["NVIDIA B200, 183359 MiB"] * 4)
    found = detect_gpus(HARDWARE)
    assert (found.hw_id, found.count, found.memory_mib) == ("b200", 4, 183359)
    assert found.label() == "4 x B200 detected"


def test_rtx_pro_6000(bin_dir):
    fake_nvidia_smi(bin_dir, ["NVIDIA RTX PRO 6000 Blackwell Workstation Edition, 97887 MiB"] * 4)
    found = detect_gpus(HARDWARE)
    assert found.hw_id == "rtx6000" and found.count == 4
    assert found.label() == "4 x RTX PRO 6000 Blackwell Workstation Edition detected"


def test_gb200_is_not_b200(bin_dir):
    fake_nvidia_smi(bin_dir, ["NVIDIA GB200, 189471 MiB"] * 4)
    found = detect_gpus(HARDWARE)
    assert found.hw_id == "gb200"
    assert found.label() == "4 x GB200 detected"


def test_unknown_gpu_has_no_recipe(bin_dir):
    fake_nvidia_smi(bin_dir, ["NVIDIA A100-SXM4-80GB, 81920 MiB"] * 4)
    found = detect_gpus(HARDWARE)
    assert found.hw_id is None and found.count == 4
    assert found.label("DeepSeek-V4") == "4 x NVIDIA A100-SXM4-80GB detected (no DeepSeek-V4 recipe)"
    assert found.summary() == "4 x NVIDIA A100-SXM4-80GB"


def test_mixed_gpus_take_the_most_common(bin_dir):
    fake_nvidia_smi(bin_dir, ["NVIDIA H100 80GB HBM3, 81559 MiB"] * 2 + ["NVIDIA H200, 143771 MiB"] * 6)
    found = detect_gpus(HARDWARE)
    assert (found.hw_id, found.count) == ("h200", 6)


def test_hanging_tool_is_killed_quickly(bin_dir, tmp_path):
    pid_file = tmp_path / "sleep.pid"
    fake_tool(bin_dir, "nvidia-smi", f"sleep 30 &\necho $! > {pid_file}\nwait")
    started = time.monotonic()
    assert detect_gpus(HARDWARE, timeout=0.5) is None
    assert time.monotonic() - started < 2.0
    # The tool's child was killed too, not left behind.
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 2.0
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid)


def test_failing_tool_gives_none(bin_dir):
    message = "NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver."
    fake_tool(bin_dir, "nvidia-smi", f"echo '{message}'\nexit 1")
    assert detect_gpus(HARDWARE) is None


def test_garbage_output_gives_none(bin_dir):
    fake_tool(bin_dir, "nvidia-smi", "echo 'No devices were found, sorry'")
    assert detect_gpus(HARDWARE) is None


def test_no_tool_gives_none(bin_dir):
    assert detect_gpus(HARDWARE) is None


ROCM_SMI_CSV = """\
device,Card Series,Card Model,Card Vendor,Card SKU,Subsystem ID,Device Rev,Node ID,GUID,GFX Version
card0,AMD Instinct MI300X OAM,0x74a1,Advanced Micro Devices Inc. [AMD/ATI],M3000100,0x74a1,0x00,2,28851,gfx942
card1,AMD Instinct MI300X OAM,0x74a1,Advanced Micro Devices Inc. [AMD/ATI],M3000100,0x74a1,0x00,3,51499,gfx942
card2,AMD Instinct MI300X OAM,0x74a1,Advanced Micro Devices Inc. [AMD/ATI],M3000100,0x74a1,0x00,4,57603,gfx942
card3,AMD Instinct MI300X OAM,0x74a1,Advanced Micro Devices Inc. [AMD/ATI],M3000100,0x74a1,0x00,5,22683,gfx942
"""


def test_rocm_smi_mi300x(bin_dir):
    fake_tool(bin_dir, "rocm-smi", f"cat <<'EOF'\n{ROCM_SMI_CSV}EOF")
    found = detect_gpus(HARDWARE)
    assert (found.hw_id, found.count, found.tool) == ("mi300x", 4, "rocm-smi")
    assert found.label() == "4 x Instinct MI300X OAM detected"


def test_nvidia_failure_falls_back_to_amd(bin_dir):
    fake_tool(bin_dir, "nvidia-smi", "exit 9")
    fake_tool(bin_dir, "amd-smi", "cat <<'EOF'\n" + AMD_SMI_STATIC + "EOF")
    found = detect_gpus(HARDWARE)
    assert (found.hw_id, found.count, found.tool) == ("mi355x", 2, "amd-smi")


AMD_SMI_STATIC = """\
GPU: 0
    ASIC:
        MARKET_NAME: AMD Instinct MI355X
        VENDOR_ID: 0x1002
        DEVICE_ID: 0x75a3
GPU: 1
    ASIC:
        MARKET_NAME: AMD Instinct MI355X
        VENDOR_ID: 0x1002
        DEVICE_ID: 0x75a3
"""

ROCM_SMI_TEXT = """\
============================ ROCm System Management Interface ============================
====================================== Product Info ======================================
GPU[0]		: Card Series: 		AMD Instinct MI300X OAM
GPU[0]		: Card Model: 		0x74a1
GPU[0]		: Card SKU: 		MI3SRIOV
GPU[1]		: Card Series: 		AMD Instinct MI300X OAM
GPU[1]		: Card Model: 		0x74a1
GPU[1]		: Card SKU: 		MI3SRIOV
==========================================================================================
"""


def test_parse_amd_text_formats():
    assert parse_amd(AMD_SMI_STATIC, HARDWARE, "amd-smi") == Detection(
        "mi355x", "AMD Instinct MI355X", 2, None, "amd-smi"
    )
    found = parse_amd(ROCM_SMI_TEXT, HARDWARE, "rocm-smi")
    assert (found.hw_id, found.name, found.count) == ("mi300x", "AMD Instinct MI300X OAM", 2)
    assert parse_amd("device,Card Series\ncard0,AMD Radeon Pro W7900\n", HARDWARE, "rocm-smi") is None


def test_parse_nvidia_smi_tolerates_missing_memory():
    found = parse_nvidia_smi("NVIDIA H100 80GB HBM3, [N/A]\n", HARDWARE)
    assert (found.hw_id, found.memory_mib) == ("h100", None)


def test_match_hardware_prefers_longest():
    assert match_hardware("NVIDIA GB300", HARDWARE) == "gb300"
    assert match_hardware("nvidia b300 sxm6 ac", HARDWARE) == "b300"
    assert match_hardware("Tesla V100", HARDWARE) is None
