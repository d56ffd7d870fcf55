"""Write screenshots/doctor.svg: the Doctor tab on a fake, deterministic box.

    .venv/bin/python tools/doctor_screenshot.py [--out DIR]

The box is made up under a fixed temporary folder, so the picture is the same on every
machine: fake `nvidia-smi` (8 x H200, one GPU busy) and `docker` (daemon up, NVIDIA
runtime, image not pulled) first on PATH, a sysroot with 2 TB of RAM and an InfiniBand
device, an empty Hugging Face cache, and fixed disk sizes (/dev/shm too small for the
Docker framing). Nothing on the real host is asked, except that the PORT check binds a
port (a free one is chosen when the default is taken).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOX = Path(tempfile.gettempdir()) / "dsv4-doctor-shot"
SIZE = (120, 40)
GIB = 2**30
BANNER = "| NVIDIA-SMI 550.54.15    Driver Version: 550.54.15    CUDA Version: 12.4     |"
GPU_ROWS = "\n".join(
    f"{i}, NVIDIA H200, 143771, {40960 if i == 3 else 1}, {143771 - (40960 if i == 3 else 1)}, 550.54.15"
    for i in range(8)
)


def tool(name: str, body: str) -> None:
    path = BOX / "bin" / name
    path.write_text(f"#!/bin/bash\n{body}\n")
    path.chmod(0o755)


def make_box() -> dict[str, str]:
    """The fake box under BOX; returns its environment."""
    shutil.rmtree(BOX, ignore_errors=True)
    for folder in ("bin", "root/proc", "root/dev/shm", "home", "hf", "config"):
        (BOX / folder).mkdir(parents=True)
    tool("nvidia-smi", f"case \"$1\" in\n--query-gpu=*) cat <<'EOF'\n{GPU_ROWS}\nEOF\n;;\n*) echo '{BANNER}' ;;\nesac")
    tool(
        "docker",
        'case "$1" in\nversion) echo 27.1.1 ;;\n'
        'image) echo "Error response from daemon: No such image: $5" >&2; exit 1 ;;\n'
        'info) echo \'{"nvidia":{"path":"nvidia-container-runtime"},"runc":{"path":"runc"}}\' ;;\n*) exit 2 ;;\nesac',
    )
    (BOX / "root/proc/meminfo").write_text("MemTotal:       2113540000 kB\n")
    port = BOX / "root/sys/class/infiniband/mlx5_0/ports/1"
    port.mkdir(parents=True)
    (port / "state").write_text("4: ACTIVE\n")
    return {
        "PATH": f"{BOX / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(BOX / "home"),
        "HF_HOME": str(BOX / "hf"),
    }


def disk_usage(path: Path) -> tuple[int, int]:
    """Fixed sizes: /dev/shm is 8 GiB; every other disk 3.5 TB with 1.2 TB free."""
    if str(path).endswith("dev/shm"):
        return 8 * GIB, 8 * GIB
    return 3_500 * 10**9, 1_200 * 10**9


def free_port(preferred: int) -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("0.0.0.0", preferred))
            return preferred
        except OSError:
            sock.bind(("0.0.0.0", 0))
            return sock.getsockname()[1]


async def shoot(out: Path) -> Path:
    from dsv4_tui.app import DSV4App
    from dsv4_tui.host.doctor import DoctorContext
    from dsv4_tui.host.rules_files import load_rules

    env = make_box()
    os.environ["DSV4_CONFIG_DIR"] = str(BOX / "config")
    app = DSV4App(load_rules(ROOT / "rules"), detect=False, remember=False)
    app.doctor_context = DoctorContext(
        env=env, sysroot=BOX / "root", disk_usage=disk_usage, dist_version=lambda dist: None
    )
    async with app.run_test(size=SIZE) as pilot:
        app.choose("hw", "h200")
        port = app.env.get("PORT")
        if free_port(int(port)) != int(port):
            app.env = app.env.with_values({"PORT": str(free_port(0))})
        await pilot.press("p", "3")  # Docker framing, then the Doctor tab
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        return Path(app.save_screenshot(filename="doctor.svg", path=str(out)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots", help="output folder (default: screenshots/)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    written = asyncio.run(shoot(args.out))
    shutil.rmtree(BOX, ignore_errors=True)
    print(f"wrote {written}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
