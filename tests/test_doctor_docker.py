"""Docker framing checks (docker.daemon, docker.image, docker.runtime) with a fake `docker`."""

from __future__ import annotations

import pytest

from doctor_fakes import fake_docker, make_request, new_box
from dsv4_tui.host.doctor.docker import check_docker


@pytest.fixture
def box(tmp_path):
    return new_box(tmp_path)


IMAGE = "registry.example/serve:1.0"
DOCKER = make_request(framing="docker", docker_image=IMAGE)
AMD_DOCKER = make_request(
    framing="docker", docker_image=IMAGE, vendor="amd", hardware_label="MI300X", detect=("MI300X",)
)


def run(box, request=DOCKER, **ctx):
    results = {r.id: r for r in check_docker(request, box.ctx(**ctx))}
    assert list(results) == ["docker.daemon", "docker.image", "docker.runtime"]
    return results


def statuses(results):
    return tuple(r.status for r in results.values())


def test_python_framing_skips_docker(box):
    results = run(box, make_request())
    assert statuses(results) == ("skipped",) * 3
    assert results["docker.daemon"].message == "Python framing: Docker is not used"


def test_everything_in_place(box):
    fake_docker(box, images=(IMAGE,))
    results = run(box)
    assert statuses(results) == ("ok", "ok", "ok")
    assert results["docker.daemon"].message == "the Docker daemon answers (server 27.1.1)"
    assert results["docker.image"].message == f"{IMAGE} is present locally"
    assert results["docker.runtime"].message == "the NVIDIA runtime is registered with Docker"


def test_image_not_pulled_yet_warns(box):
    fake_docker(box)
    image = run(box)["docker.image"]
    assert image.status == "warn"
    assert image.message == f"{IMAGE} is not present locally: docker run pulls it first"
    assert image.fix == f"docker pull {IMAGE}"


def test_no_image_in_the_request_is_skipped(box):
    fake_docker(box)
    assert run(box, make_request(framing="docker"))["docker.image"].status == "skipped"


def test_no_nvidia_runtime_fails(box):
    fake_docker(box, images=(IMAGE,), runtimes='{"runc":{"path":"runc"}}')
    runtime = run(box)["docker.runtime"]
    assert runtime.status == "fail"
    assert runtime.message == "no NVIDIA runtime: `docker run --gpus all` will fail"
    assert "nvidia-ctk runtime configure" in runtime.fix


def test_nvidia_hook_on_path_is_enough(box):
    fake_docker(box, images=(IMAGE,), runtimes='{"runc":{"path":"runc"}}')
    box.tool("nvidia-container-runtime-hook", "exit 0")
    runtime = run(box)["docker.runtime"]
    assert (runtime.status, runtime.message) == (
        "ok",
        "the NVIDIA Container Toolkit is installed (nvidia-container-runtime-hook)",
    )


def test_docker_missing_fails(box):
    results = run(box)
    assert statuses(results) == ("fail", "skipped", "skipped")
    assert results["docker.daemon"].message == "docker not found on PATH"


def test_daemon_not_running(box):
    box.tool(
        "docker",
        "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1",
    )
    results = run(box)
    assert statuses(results) == ("fail", "skipped", "skipped")
    assert results["docker.daemon"].message == "the Docker daemon is not running"
    assert results["docker.image"].message == "the Docker daemon did not answer"


def test_no_permission_on_the_socket(box):
    box.tool("docker", "echo 'permission denied while trying to connect to the Docker daemon socket' >&2; exit 1")
    daemon = run(box)["docker.daemon"]
    assert (daemon.status, daemon.message) == ("fail", "no permission to talk to the Docker daemon")
    assert "docker group" in daemon.fix


def test_hanging_docker_times_out(box):
    box.hang("docker")
    results = run(box, command_timeout=0.3)
    assert statuses(results) == ("fail", "skipped", "skipped")
    assert results["docker.daemon"].message == "docker did not answer within 0.3 s"


def test_garbage_from_docker(box):
    box.tool("docker", "exit 0")  # answers nothing
    daemon = run(box)["docker.daemon"]
    assert (daemon.status, daemon.message) == ("fail", "docker printed no server version")
    box.tool("docker", "printf '\\x1b[2Jweird failure\\n' >&2; exit 125")
    daemon = run(box)["docker.daemon"]
    assert daemon.status == "fail" and daemon.message == "docker exited with code 125: \\x1b[2Jweird failure"


def test_image_inspect_hangs_after_the_daemon_answered(box):
    box.tool("docker", 'case "$1" in version) echo 27.1.1;; image) sleep 30;; info) echo "{}";; esac')
    results = run(box, command_timeout=0.3)
    assert results["docker.image"].status == "warn"
    assert results["docker.image"].message == "docker image inspect did not answer within 0.3 s"


def test_amd_devices_present(box):
    fake_docker(box, images=(IMAGE,))
    box.amd_devices()
    runtime = run(box, AMD_DOCKER)["docker.runtime"]
    assert (runtime.status, runtime.message) == ("ok", "/dev/kfd and /dev/dri are present (1 render nodes)")


def test_amd_without_kfd_fails(box):
    fake_docker(box, images=(IMAGE,))
    box.amd_devices(kfd=False)
    runtime = run(box, AMD_DOCKER)["docker.runtime"]
    assert (runtime.status, runtime.message) == ("fail", "/dev/kfd missing: the container cannot reach the GPUs")


def test_amd_without_any_device_fails(box):
    fake_docker(box, images=(IMAGE,))
    runtime = run(box, AMD_DOCKER)["docker.runtime"]
    assert runtime.message == "/dev/kfd and /dev/dri missing: the container cannot reach the GPUs"


def test_amd_without_render_nodes_warns(box):
    fake_docker(box, images=(IMAGE,))
    box.amd_devices(render=False)
    assert run(box, AMD_DOCKER)["docker.runtime"].status == "warn"
