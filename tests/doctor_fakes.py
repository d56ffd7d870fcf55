"""Fakes for the doctor's tests: vendor tools and docker on PATH, a sysroot, an HF cache.

    from doctor_fakes import make_request, new_box

    @pytest.fixture
    def box(tmp_path):
        return new_box(tmp_path)

`new_box` gives a `FakeBox`: an empty bin folder (the only PATH entry before /usr/bin:/bin),
an empty sysroot, a HOME and an HF_HOME under tmp_path, and `box.ctx(...)` builds a
DoctorContext on exactly that env with short timeouts. Nothing touches the real host.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from dsv4_tui.host.doctor import DoctorContext, DoctorRequest, parse_size
from fake_tools import fake_tool

GIB = 2**30
H200_MIB = 143771


def make_request(**overrides) -> DoctorRequest:
    """An 8 x H200, single-node, Python-framed request; override any field."""
    fields = dict(
        hardware_label="H200",
        vendor="nvidia",
        detect=("H200",),
        other_detect=("H100", "B200", "GB200", "MI300X"),
        gpus_per_node=8,
        model_repo="org/model",
        model_bytes=None,
        shm_bytes=parse_size("32g"),
        port=None,
    )
    fields.update(overrides)
    return DoctorRequest(**fields)


@dataclass
class FakeBox:
    root: Path
    bin: Path
    sysroot: Path
    home: Path
    hf_home: Path
    disk: dict[str, tuple[int, int]] = field(default_factory=dict)  # path -> (total, free)

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            "PATH": f"{self.bin}{os.pathsep}/usr/bin{os.pathsep}/bin",
            "HOME": str(self.home),
            "HF_HOME": str(self.hf_home),
        }
        env.update(extra)
        return env

    def disk_usage(self, path: Path) -> tuple[int, int]:
        """The fake (total, free) of the longest registered prefix of `path`."""
        best = max((p for p in self.disk if str(path).startswith(p)), key=len, default=None)
        if best is None:
            raise OSError(5, "no such file system")
        return self.disk[best]

    def ctx(self, env: dict[str, str] | None = None, **overrides) -> DoctorContext:
        fields = dict(
            env=self.env() if env is None else env,
            sysroot=self.sysroot,
            command_timeout=2.0,
            check_timeout=10.0,
            disk_usage=self.disk_usage,
            dist_version=lambda dist: None,
            resolve=lambda host: ["127.0.0.1"] if host == "localhost" else [],
        )
        fields.update(overrides)
        return DoctorContext(**fields)

    # --- the sysroot -------------------------------------------------------------------

    def write(self, path: str, text: str) -> Path:
        target = self.sysroot / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return target

    def meminfo(self, total_kb: int) -> None:
        self.write("/proc/meminfo", f"MemTotal:       {total_kb} kB\nMemFree:        1234 kB\n")

    def ib(self, name: str, *states: str) -> None:
        """An InfiniBand device with one port per state ('4: ACTIVE', '1: DOWN')."""
        device = self.sysroot / "sys/class/infiniband" / name
        (device / "ports").mkdir(parents=True, exist_ok=True)
        for number, state in enumerate(states, start=1):
            self.write(f"/sys/class/infiniband/{name}/ports/{number}/state", state + "\n")

    def amd_devices(self, kfd: bool = True, render: bool = True) -> None:
        if kfd:
            self.write("/dev/kfd", "")
        (self.sysroot / "dev/dri").mkdir(parents=True, exist_ok=True)
        if render:
            self.write("/dev/dri/renderD128", "")

    # --- tools on PATH -----------------------------------------------------------------

    def tool(self, name: str, body: str) -> Path:
        return fake_tool(self.bin, name, body)

    def hang(self, name: str, pid_file: Path | None = None) -> None:
        """A tool that never answers (its child pid written to `pid_file`)."""
        record = f"echo $! > {pid_file}\n" if pid_file else ""
        self.tool(name, f"sleep 30 &\n{record}wait")


def nvidia_rows(count: int, name: str = "NVIDIA H200", used_mib: int = 1, total_mib: int = H200_MIB) -> list[str]:
    return [f"{i}, {name}, {total_mib}, {used_mib}, {total_mib - used_mib}, 550.54.15" for i in range(count)]


def fake_nvidia_smi(box: FakeBox, rows: list[str], cuda: str = "12.4") -> None:
    """`nvidia-smi --query-gpu=...` prints `rows`; plain `nvidia-smi` prints a banner."""
    lines = "\n".join(rows)
    banner = f"| NVIDIA-SMI 550.54.15    Driver Version: 550.54.15    CUDA Version: {cuda}     |"
    box.tool(
        "nvidia-smi",
        f"case \"$1\" in\n--query-gpu=*) cat <<'EOF'\n{lines}\nEOF\n;;\n*) echo '{banner}' ;;\nesac",
    )


def rocm_smi_text(count: int, name: str = "AMD Instinct MI300X OAM", used: int = 295047168) -> str:
    total = 206141652992
    lines = ["============================ ROCm System Management Interface ============================"]
    lines += [f"GPU[{i}]\t\t: Card Series: \t\t{name}" for i in range(count)]
    lines += [f"GPU[{i}]\t\t: Card Model: \t\t0x74a1" for i in range(count)]
    lines += ["========================== Memory Usage (Bytes) =========================="]
    for i in range(count):
        lines += [f"GPU[{i}]\t\t: VRAM Total Memory (B): {total}", f"GPU[{i}]\t\t: VRAM Total Used Memory (B): {used}"]
    lines += ["==================== Version of System Component ====================", "Driver version: 6.8.5"]
    return "\n".join(lines) + "\n"


def amd_smi_static(count: int, name: str = "AMD Instinct MI355X") -> str:
    blocks = []
    for i in range(count):
        blocks.append(
            f"GPU: {i}\n    ASIC:\n        MARKET_NAME: {name}\n        VENDOR_ID: 0x1002\n"
            f"    DRIVER:\n        NAME: amdgpu\n        VERSION: 6.10.5\n"
        )
    return "".join(blocks)


def amd_smi_metric(count: int, used_mb: int = 283) -> str:
    return "".join(
        f"GPU: {i}\n    MEM_USAGE:\n        TOTAL_VRAM: 294896 MB\n        USED_VRAM: {used_mb} MB\n"
        f"        FREE_VRAM: {294896 - used_mb} MB\n"
        for i in range(count)
    )


def fake_amd_smi(box: FakeBox, static: str, metric: str) -> None:
    box.tool(
        "amd-smi",
        f"case \"$1\" in\nstatic) cat <<'EOF'\n{static}EOF\n;;\nmetric) cat <<'EOF'\n{metric}EOF\n;;\n*) exit 2 ;;\nesac",
    )


def fake_docker(
    box: FakeBox,
    server: str = "27.1.1",
    images: tuple[str, ...] = (),
    runtimes: str = '{"nvidia":{"path":"nvidia-container-runtime"},"runc":{"path":"runc"}}',
) -> None:
    """A docker whose daemon answers, with `images` present locally."""
    cases = "".join(f'    "{image}") echo sha256:abc; exit 0 ;;\n' for image in images)
    box.tool(
        "docker",
        f"""case "$1" in
version) echo '{server}' ;;
image)
  case "$5" in
{cases}    *) echo "Error response from daemon: No such image: $5" >&2; exit 1 ;;
  esac ;;
info) echo '{runtimes}' ;;
*) exit 2 ;;
esac""",
    )


# --- the Hugging Face cache -----------------------------------------------------------------


def hf_repo(
    cache_dir: Path,
    repo_id: str,
    shards: int = 0,
    present: int | None = None,
    shard_bytes: int = 1000,
    other_files: dict[str, int] | None = None,
    incomplete_bytes: int = 0,
) -> Path:
    """A cached model repo: `present` of `shards` safetensors shards (+ their index), on main."""
    repo = cache_dir / ("models--" + repo_id.replace("/", "--"))
    commit = hashlib.sha1(repo_id.encode()).hexdigest()
    snapshot = repo / "snapshots" / commit
    blobs = repo / "blobs"
    snapshot.mkdir(parents=True)
    blobs.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    files = dict(other_files or {})
    names = [f"model-{i + 1:05d}-of-{shards:05d}.safetensors" for i in range(shards)]
    files.update({name: shard_bytes for name in names[: shards if present is None else present]})
    if shards:
        index = json.dumps({"weight_map": {f"layer.{i}": name for i, name in enumerate(names)}})
        files["model.safetensors.index.json"] = len(index)
    for name, size in files.items():
        blob = blobs / hashlib.sha256(name.encode()).hexdigest()
        blob.write_bytes(index.encode() if name.endswith(".index.json") else b"\0" * size)
        (snapshot / name).symlink_to(os.path.relpath(blob, snapshot))
    if incomplete_bytes:
        (blobs / "deadbeef.incomplete").write_bytes(b"\0" * incomplete_bytes)
    return repo


def new_box(tmp_path: Path) -> FakeBox:
    """A FakeBox under `tmp_path`: empty bin, sysroot and HOME; HF_HOME not created yet."""
    made = FakeBox(tmp_path, tmp_path / "bin", tmp_path / "root", tmp_path / "home", tmp_path / "hf")
    for folder in (made.bin, made.sysroot, made.home):
        folder.mkdir()
    return made


HF_VARS = ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")


def box_as_environment(tmp_path: Path, monkeypatch) -> FakeBox:
    """A FakeBox that is this process's environment: PATH, HOME, HF_HOME, DSV4_SYSROOT, and
    none of the Hugging Face variables of the machine running the tests."""
    made = new_box(tmp_path)
    for key, value in made.env(DSV4_SYSROOT=str(made.sysroot)).items():
        monkeypatch.setenv(key, value)
    for key in HF_VARS:
        monkeypatch.delenv(key, raising=False)
    return made
