"""SGLang checks (sglang.install, sglang.flags): a fake `sglang` on PATH whose shebang names a
fake Python, and an injected importlib.metadata for this Python."""

from __future__ import annotations

import pytest

from doctor_fakes import make_request, new_box
from dsv4_tui.host.doctor import CheckResult
from dsv4_tui.host.doctor.sglang import check_sglang, script_python


@pytest.fixture
def box(tmp_path):
    return new_box(tmp_path)


def fake_sglang(box, python_body: str, shebang: str | None = None) -> None:
    """`sglang` on PATH whose interpreter is a fake `python3` running `python_body`."""
    python = box.tool("python3", python_body)
    script = box.bin / "sglang"
    script.write_text(f"{shebang or '#!' + str(python)}\nimport sys\n")
    script.chmod(0o755)


def run(box, request=None, here=None, **ctx):
    results = list(check_sglang(request or make_request(), box.ctx(dist_version=lambda dist: here, **ctx)))
    assert [r.id for r in results] == ["sglang.install", "sglang.flags"]
    return results


def test_installed_and_on_path(box):
    fake_sglang(box, "echo 0.5.14")
    install, flags = run(box)
    assert install.status == "ok"
    assert install.message == f"sglang 0.5.14 ({box.bin / 'sglang'})"
    assert install.sglang_version == "0.5.14"
    assert (flags.status, flags.message) == ("skipped", "flag check not available yet")


def test_env_shebang_is_looked_up_on_path(box):
    fake_sglang(box, "echo 0.5.13.post1", shebang="#!/usr/bin/env -S python3")
    install, _ = run(box)
    assert (install.status, install.sglang_version) == ("ok", "0.5.13.post1")
    assert script_python(box.ctx(), str(box.bin / "sglang")) == str(box.bin / "python3")


def test_not_installed_fails(box):
    install, flags = run(box)
    assert install.status == "fail"
    assert install.message == "SGLang is not installed and `sglang` is not on PATH"
    assert install.fix.startswith("install SGLang")
    assert flags.status == "skipped"


def test_installed_here_but_not_on_path_warns(box):
    install, _ = run(box, here="0.5.12")
    assert install.status == "warn"
    assert install.message == "sglang 0.5.12 is installed in this Python, but `sglang` is not on PATH"
    assert install.sglang_version == "0.5.12"


def test_python_behind_sglang_lacks_the_package(box):
    fake_sglang(box, "echo ''")
    install, _ = run(box)
    assert install.status == "warn"
    assert install.message.endswith("version is unknown: python3 does not have the sglang package")


def test_garbage_version_warns(box):
    fake_sglang(box, "printf 'Traceback \\033[31m (most recent call last)\\n'")
    install, _ = run(box)
    assert install.status == "warn"
    assert install.message.endswith('unreadable version "Traceback \\x1b[31m (most recent call last)"')


def test_hanging_python_warns_with_a_timeout_and_falls_back_to_this_python(box):
    fake_sglang(box, "sleep 30")
    install, _ = run(box, command_timeout=0.3)
    assert install.status == "warn"
    assert install.message.endswith("python3 did not answer within 0.3 s")
    install, _ = run(box, here="0.5.14", command_timeout=0.3)
    assert install.status == "warn" and install.sglang_version == "0.5.14"
    assert install.message.startswith("sglang 0.5.14 in this Python; could not ask the `sglang` on PATH")


def test_a_non_python_script_is_not_asked(box):
    script = box.tool("sglang", "echo hi")  # a bash wrapper
    install, _ = run(box)
    assert install.status == "warn"
    assert (
        install.message
        == f"`sglang` is on PATH ({script}) but its version is unknown: its interpreter is not a Python dsv4 can ask"
    )


def test_docker_framing_skips_both(box):
    install, flags = run(box, make_request(framing="docker"))
    assert (install.status, flags.status) == ("skipped", "skipped")
    assert install.message == "Docker framing: SGLang runs inside the image"


def test_flags_check_callback_gets_the_version(box):
    fake_sglang(box, "echo 0.5.14")
    seen = []

    def flags_check(version):
        seen.append(version)
        return CheckResult("whatever", "fail", "--fancy-flag is unknown to sglang 0.5.14", "upgrade SGLang")

    _, flags = run(box, make_request(flags_check=flags_check))
    assert seen == ["0.5.14"]
    assert (flags.id, flags.status, flags.message) == (
        "sglang.flags",
        "fail",
        "--fancy-flag is unknown to sglang 0.5.14",
    )


def test_flags_check_ok_and_crash(box):
    fake_sglang(box, "echo 0.5.14")
    _, flags = run(box, make_request(flags_check=lambda v: CheckResult("x", "ok", "every flag is known")))
    assert (flags.status, flags.message) == ("ok", "every flag is known")

    def broken(version):
        raise RuntimeError("boom")

    _, flags = run(box, make_request(flags_check=broken))
    assert (flags.status, flags.message) == ("warn", "flag check failed: RuntimeError: boom")


def test_flags_check_without_a_version_is_skipped(box):
    _, flags = run(box, make_request(flags_check=lambda v: CheckResult("x", "ok", "")))
    assert (flags.status, flags.message) == ("skipped", "SGLang version unknown")
