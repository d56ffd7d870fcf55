"""Docker framing checks: the daemon, the image, the GPU runtime.

Each docker call has the command timeout; when the daemon does not answer, the image and
runtime checks are skipped instead of waiting on it again.
"""

from __future__ import annotations

from collections.abc import Iterator

from .context import DoctorContext
from .model import FAIL, OK, SKIPPED, WARN, CheckResult, DoctorRequest
from .proc import CommandResult, run_command
from .safe import first_line

CHECKS = (("docker.daemon", "Docker"), ("docker.image", "Docker image"), ("docker.runtime", "GPU runtime"))
NVIDIA_HOOKS = ("nvidia-container-runtime-hook", "nvidia-container-runtime", "nvidia-ctk")


def check_docker(request: DoctorRequest, ctx: DoctorContext) -> Iterator[CheckResult]:
    if request.framing != "docker":
        for check_id, _ in CHECKS:
            yield CheckResult(check_id, SKIPPED, "Python framing: Docker is not used")
        return
    daemon = run_command(ctx, "docker", ("version", "--format", "{{.Server.Version}}"))
    yield daemon_result(ctx, daemon)
    if not daemon.ok:
        yield CheckResult("docker.image", SKIPPED, "the Docker daemon did not answer")
        yield CheckResult("docker.runtime", SKIPPED, "the Docker daemon did not answer")
        return
    yield image_result(request, ctx)
    yield runtime_result(request, ctx)


def daemon_result(ctx: DoctorContext, daemon: CommandResult) -> CheckResult:
    if daemon.missing:
        return CheckResult(
            "docker.daemon", FAIL, "docker not found on PATH", "install Docker, or use the Python framing"
        )
    if daemon.timed_out:
        return CheckResult(
            "docker.daemon",
            FAIL,
            f"docker did not answer within {ctx.command_timeout:g} s",
            "check the daemon: sudo systemctl status docker",
        )
    version = first_line(daemon.stdout, 40)
    if daemon.ok and version:
        return CheckResult("docker.daemon", OK, f"the Docker daemon answers (server {version})")
    said = (daemon.stderr + "\n" + daemon.stdout).lower()
    if "permission denied" in said:
        fix = "add your user to the docker group (sudo usermod -aG docker $USER), then log in again"
        return CheckResult("docker.daemon", FAIL, "no permission to talk to the Docker daemon", fix)
    if "cannot connect" in said or "is the docker daemon running" in said:
        return CheckResult(
            "docker.daemon", FAIL, "the Docker daemon is not running", "start it: sudo systemctl start docker"
        )
    reason = daemon.problem(ctx.command_timeout) if not daemon.ok else "docker printed no server version"
    return CheckResult("docker.daemon", FAIL, reason, "check the daemon: sudo systemctl status docker")


def image_result(request: DoctorRequest, ctx: DoctorContext) -> CheckResult:
    image = request.docker_image
    if not image:
        return CheckResult("docker.image", SKIPPED, "no image for this selection")
    found = run_command(ctx, "docker", ("image", "inspect", "--format", "{{.Id}}", image))
    if found.ok:
        return CheckResult("docker.image", OK, f"{image} is present locally")
    if found.timed_out:
        return CheckResult(
            "docker.image", WARN, f"docker image inspect did not answer within {ctx.command_timeout:g} s", ""
        )
    said = (found.stderr + found.stdout).lower()
    if "no such image" in said or "no such object" in said:
        return CheckResult(
            "docker.image", WARN, f"{image} is not present locally: docker run pulls it first", f"docker pull {image}"
        )
    return CheckResult("docker.image", WARN, found.problem(ctx.command_timeout), f"docker pull {image}")


def runtime_result(request: DoctorRequest, ctx: DoctorContext) -> CheckResult:
    if request.vendor == "amd":
        return amd_devices_result(ctx)
    info = run_command(ctx, "docker", ("info", "--format", "{{json .Runtimes}}"))
    if info.ok and '"nvidia"' in info.stdout:
        return CheckResult("docker.runtime", OK, "the NVIDIA runtime is registered with Docker")
    hook = next((tool for tool in NVIDIA_HOOKS if ctx.which(tool)), None)
    if hook is not None:
        return CheckResult("docker.runtime", OK, f"the NVIDIA Container Toolkit is installed ({hook})")
    if info.timed_out:
        return CheckResult("docker.runtime", WARN, f"docker info did not answer within {ctx.command_timeout:g} s", "")
    return CheckResult(
        "docker.runtime",
        FAIL,
        "no NVIDIA runtime: `docker run --gpus all` will fail",
        "install the NVIDIA Container Toolkit, then: sudo nvidia-ctk runtime configure --runtime=docker",
    )


def amd_devices_result(ctx: DoctorContext) -> CheckResult:
    kfd, dri = ctx.host_path("/dev/kfd"), ctx.host_path("/dev/dri")
    missing = [name for name, path in (("/dev/kfd", kfd), ("/dev/dri", dri)) if not path.exists()]
    if missing:
        return CheckResult(
            "docker.runtime",
            FAIL,
            f"{' and '.join(missing)} missing: the container cannot reach the GPUs",
            "load the amdgpu driver (ROCm install guide), then check /dev/kfd and /dev/dri",
        )
    try:
        renders = sorted(entry.name for entry in dri.iterdir() if entry.name.startswith("renderD"))
    except OSError:
        renders = []
    if not renders:
        return CheckResult("docker.runtime", WARN, "/dev/dri has no renderD* node", "check the amdgpu driver")
    return CheckResult("docker.runtime", OK, f"/dev/kfd and /dev/dri are present ({len(renders)} render nodes)")
