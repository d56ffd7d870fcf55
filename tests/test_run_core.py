"""The pure parts of Run and watch: regex safety, the rules files, phases, failures, metrics;
and the log follower's memory bound (structural: what it holds, never a timing)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dsv4_tui.core.problems import RulesError
from dsv4_tui.core.run.metrics import MetricsHistory, parse_prometheus
from dsv4_tui.core.run.plan import read_target, window_name
from dsv4_tui.core.run.preflight import preflight
from dsv4_tui.core.run.schema import MAX_LINE, unsafe_regex
from dsv4_tui.core.run.view import phase_rows
from dsv4_tui.core.run.watch import LogWatch
from dsv4_tui.host.rules_files import load_rules
from dsv4_tui.host.runs.follow import CHUNK, MAX_PARTIAL, LogTail, stream_lines

ROOT = Path(__file__).resolve().parent.parent
RUNLOGS = ROOT / "tests" / "data" / "runlogs"


# -- regex safety ----------------------------------------------------------------------
@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a|ab)*c", r"(\d+)*", r"(?:x*y?)+", r"(a*){2,}", r"((a+)b)+"])
def test_nested_quantifiers_are_refused(pattern):
    assert "nested quantifier" in unsafe_regex(pattern)


@pytest.mark.parametrize("pattern", [r"(?=a)b", r"(?<!a)b", r"(a)\1", r"(?P<x>a)(?P=x)"])
def test_lookaround_and_backreferences_are_refused(pattern):
    assert unsafe_regex(pattern) in ("lookaround", "a backreference")


@pytest.mark.parametrize(
    "pattern", [r"deep_ep\.cpp:\d+", r"(401|403) Client Error", r"[(+*]+x", r"a{2,5}b*", r"foo(bar)?baz", r"x+?y"]
)
def test_linear_patterns_pass(pattern):
    assert unsafe_regex(pattern) is None


def test_every_bundled_pattern_is_safe(rules):
    for f in rules.failures.failure:
        assert unsafe_regex(f.regex) is None, f.id
    for p in rules.run.phase:
        for pattern in [*p.start, *p.progress]:
            assert unsafe_regex(pattern) is None


def test_lines_are_cut_before_matching(rules):
    watch = LogWatch(rules.run, rules.failures)
    watch.feed("x" * MAX_LINE + "No space left on device", 0.0)
    assert watch.failure is None  # beyond the cut: never seen
    watch.feed("y" * (MAX_LINE - 30) + " No space left on device", 0.0)
    assert watch.failure is not None and watch.failure.id == "disk-full"


# -- the rules files -------------------------------------------------------------------
def _rules_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    return folder


def test_a_bad_failure_is_reported_with_file_line_and_field(tmp_path):
    folder = _rules_copy(tmp_path)
    text = (folder / "failures.toml").read_text()
    text = text.replace("regex = 'deep_ep\\.cpp:\\d+'", "regex = '(deep_ep.+)+'", 1)
    (folder / "failures.toml").write_text(text)
    with pytest.raises(RulesError) as caught:
        load_rules(folder, cache=False)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "(deep_ep.+)+" in t)
    assert str(caught.value).startswith(f"{folder / 'failures.toml'}:{line}: failure[0].regex: pattern '(deep_ep.+)+'")
    assert "nested quantifier" in str(caught.value)


def test_a_failure_related_to_an_unknown_lint_check_is_reported(tmp_path):
    folder = _rules_copy(tmp_path)
    text = (folder / "failures.toml").read_text().replace('"doctor:gpu.busy"]', '"lint:no-such-check"]', 1)
    (folder / "failures.toml").write_text(text)
    with pytest.raises(RulesError) as caught:
        load_rules(folder, cache=False)
    assert "failures.toml:" in str(caught.value) and "failure[1].related[0] (cuda-oom-graph)" in str(caught.value)
    assert "no lint check 'no-such-check'" in str(caught.value)


def test_dsv4_check_validates_failures_and_run(tmp_path, capsys):
    from dsv4_tui import cli

    folder = _rules_copy(tmp_path)
    (folder / "run.toml").write_text((folder / "run.toml").read_text().replace("(?P<done>", "(?P<dne>", 1))
    assert cli.main(["check", "--rules", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "run.toml:" in err and "phase[0]: progress pattern" in err and "(?P<done>" in err


def test_failures_relate_to_known_doctor_checks(rules):
    from dsv4_tui.host.doctor import planned_checks

    doctor = {check_id for check_id, _ in planned_checks()}
    for f in rules.failures.failure:
        for ref in f.related:
            kind, _, name = ref.partition(":")
            if kind == "doctor":
                assert name in doctor, f"{f.id}: {ref}"


# -- phases, failures ------------------------------------------------------------------
def _replay(rules, name: str) -> LogWatch:
    watch = LogWatch(rules.run, rules.failures)
    for line in (RUNLOGS / f"{name}.log").read_text().splitlines():
        if not line.startswith("@"):
            watch.feed(line, 1000.0)
    return watch


def test_phases_of_a_successful_log(rules):
    watch = LogWatch(rules.run, rules.failures)
    seen = []
    for line in (RUNLOGS / "success.log").read_text().splitlines():
        if line.startswith("@"):
            continue
        watch.feed(line, 1000.0)
        if watch.phase is not None and (
            not seen or seen[-1][0] != watch.phase.id or seen[-1][1] != watch.phase.detail()
        ):
            seen.append((watch.phase.id, watch.phase.detail()))
    assert [s for s in seen if s[1]] == [
        ("downloading", "23/46"),
        ("downloading", "46/46"),
        ("loading", "0/46"),
        ("loading", "12/46"),
        ("loading", "46/46"),
        ("capturing", "0/12"),
        ("capturing", "5/12"),
        ("capturing", "12/12"),
    ]
    assert watch.ready and watch.failure is None and watch.phase.id == "ready"
    rows = phase_rows(watch, 2000.0)
    assert [r.status for r in rows] == ["done", "done", "done", "done"]
    assert rows[1].fraction == 1.0 and rows[1].elapsed  # from the log's own stamps


def test_a_parallel_download_counts_the_highest_file_finished(rules):
    """The Hub fetches files in parallel: a file finishing after a later one does not lower
    the count; a bar that starts again from 0 (the draft model's shards) does."""
    watch = LogWatch(rules.run, rules.failures)
    watch.feed("[2026-12-07 15:00:06 TP0] Using model weights format ['*.safetensors']", 0.0)
    watch.feed("model-00009-of-00046.safetensors: 100%|██████████| 4.97G/4.97G [00:46<00:00, 108MB/s]", 0.0)
    watch.feed("model-00004-of-00046.safetensors: 100%|██████████| 4.97G/4.97G [00:47<00:00, 108MB/s]", 0.0)
    assert (watch.phase.id, watch.phase.detail()) == ("downloading", "9/46")
    watch.feed("model-00010-of-00046.safetensors:  40%|████      | 1.99G/4.97G [00:18<00:27, 108MB/s]", 0.0)
    assert watch.phase.detail() == "9/46"
    watch.feed("Capturing batches (bs=1 avail_mem=18.93 GB): 100%|██████████| 12/12 [00:21<00:00,  1.80s/it]", 0.0)
    watch.feed("Capturing batches (bs=64 avail_mem=18.90 GB):   0%|          | 0/12 [00:00<?, ?it/s]", 0.0)
    assert (watch.phase.id, watch.phase.detail()) == ("capturing", "0/12")


# Real lines as users posted them (besides the fixtures'), and the failure each must name.
# Where each comes from: tests/data/runlogs/README.md.
REAL_LINES = [
    (
        "E20260821 12:30:19.433391 rdma_context.cpp:1343] DMA BUF supported required for GPU RDMA without "
        "nvidia-peermem",
        "nvidia-peermem",
    ),
    (
        "E0511 07:42:36.355509 10240 rdma_context.cpp:198] Failed to register memory 0x2e1cbac200: Bad address [14]",
        "nvidia-peermem",
    ),
    ("E20260821 12:30:19.448818 rdma_transport.cpp:827] RdmaTransport: No available RNIC", "rdma-device"),
    ("nvlink_transport.cpp:497 Requested address 0x... not found", "rdma-device"),
    (
        "huggingface_hub.utils._errors.RepositoryNotFoundError: 401 Client Error. Repository Not Found for url: "
        "https://huggingface.co/api/models/org/private-model/revision/main.",
        "hf-auth",
    ),
    ("launch_server.py: error: unrecognized arguments: --reasoning_parser kimi_k2", "argparse-unrecognized"),
    ("error: unrecognized arguments: --served-model-name minimax-h3", "argparse-unrecognized"),
    (
        "AssertionError: Context parallel only supports single machine (tp_size <= 8). Cross-machine CP has "
        "precision issues.",
        "v4-hook-cp",
    ),
    ("ValueError: DeepSeekV4 only supports interleave/zigzag CP strategy, got round-robin", "v4-hook-cp"),
    (
        "AssertionError: Only EAGLE speculative algorithm with topk == 1 is supported for DeepseekV4ForCausalLM",
        "v4-hook-speculative",
    ),
    (
        "  what():  [PG 3 Rank 5] Process group watchdog thread terminated with exception: [Rank 5] Watchdog caught "
        "collective operation timeout: WorkNCCL(SeqNum=9141, OpType=_ALLGATHER_BASE, NumelIn=19008, "
        "NumelOut=152064, Timeout(ms)=600000) ran for 600020 milliseconds before timing out.",
        "nccl-timeout",
    ),
    (
        "ERROR:    [Errno 98] error while attempting to bind on address ('::', 2242, 0, 0): address already in use",
        "address-in-use",
    ),
    (
        "RuntimeError: Failed: Assertion error /sgl-workspace/DeepEP/csrc/deep_ep.cpp:1025 'x.size(0) == "
        "topk_idx.size(0) and x.size(0) <= num_max_dispatch_tokens_per_rank'",
        "deepep-dispatch-assert",
    ),
]


@pytest.mark.parametrize(("line", "failure"), REAL_LINES)
def test_real_lines_name_their_failure(rules, line, failure):
    watch = LogWatch(rules.run, rules.failures)
    watch.feed(line, 0.0)
    assert watch.failure is not None and watch.failure.id == failure


@pytest.mark.parametrize(
    "line",
    [
        "W0829 17:47:10.869227 566135 topology.cpp:58] No RDMA devices found, check your device installation",
        "[2026-12-07 15:04:32 TP0] Capture cuda graph begin. This can take up to several minutes. avail mem=19.61 GB",
        "[2026-12-07 15:04:59] The server is fired up and ready to roll!",
        "[2026-05-07 03:05:43 TP0] DSv4 memory calculation: bytes_per_full_token=15955.85, available_bytes=19.30 GB",
    ],
)
def test_ordinary_lines_name_no_failure(rules, line):
    """A warning of a TCP-only box (Mooncake then runs over TCP) is not a failure."""
    watch = LogWatch(rules.run, rules.failures)
    watch.feed(line, 0.0)
    assert watch.failure is None


def test_oom_while_capturing_is_not_oom_while_loading(rules):
    assert _replay(rules, "cuda-oom-graph").failure.id == "cuda-oom-graph"
    assert _replay(rules, "cuda-oom-load").failure.id == "cuda-oom-load"
    assert _replay(rules, "cuda-oom-graph").failure.override.describe() == "set --cuda-graph-max-bs 64"


def test_a_hostile_line_is_shown_escaped(rules):
    watch = LogWatch(rules.run, rules.failures)
    watch.feed("OSError: [Errno 28] No space left on device \x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J", 0.0)
    assert "\x1b" not in watch.failure.line and "\\x1b]52" in watch.failure.line


# -- metrics, plan, preflight ------------------------------------------------------------
def test_prometheus_sums_label_sets_and_skips_the_rest():
    text = (
        "# HELP a x\n# TYPE a gauge\n"
        'a{dp_rank="0"} 3.0\na{dp_rank="1"} 2\nb 1e3 1700000000\nc NaN\nbroken{ 1\n'
        'sglang:token_usage{model_name="m",x="}"} 0.5\n'
    )
    assert parse_prometheus(text, {"a", "b", "c", "sglang:token_usage"}) == {
        "a": 5.0,
        "b": 1000.0,
        "sglang:token_usage": 0.5,
    }


def test_ttft_is_the_mean_over_each_interval(rules):
    history = MetricsHistory(rules.run.metrics)
    n = rules.run.metrics
    history.add(f"{n.ttft_sum} 2.0\n{n.ttft_count} 10\n")
    second = history.add(f"{n.ttft_sum} 5.0\n{n.ttft_count} 13\n{n.running} 4\n")
    assert history.samples[0].ttft_s == pytest.approx(0.2)
    assert second.ttft_s == pytest.approx(1.0) and second.running == 4.0
    assert history.add(f"{n.ttft_sum} 5.0\n{n.ttft_count} 13\n").ttft_s is None  # no request in between


def test_target_is_read_from_the_command_in_either_framing():
    python = "A=1 \\\nsglang serve \\\n  --model-path m \\\n  --host 0.0.0.0 \\\n  --port 30001"
    docker = "docker run -p 30002:30002 img \\\n  sglang serve --host=10.0.0.5 --port=30002"
    assert read_target(python, "--host", "--port").port == 30001
    assert read_target(python, "--host", "--port").probe_host == "127.0.0.1"
    assert read_target(docker, "--host", "--port").probe_host == "10.0.0.5"
    assert read_target("sglang serve --port <port>", "--host", "--port").port is None
    assert window_name("h200/flash fp8;rm -rf") == "dsv4-h200-flash-fp8-rm-rf"


def test_preflight_refuses_and_asks():
    pre = preflight(
        unfilled=["<your-hf-token>"],
        nodes=2,
        several_roles=False,
        port=30000,
        port_problem=None,
        port_run="20261207-150000",
        lint_errors=["x: y"],
        doctor_fails=[],
    )
    assert len(pre.refused) == 3 and pre.confirm == ("lint error: x: y",)


# -- a 1 GB log, followed in constant memory -------------------------------------------------
def test_a_one_gigabyte_log_is_followed_in_constant_memory(tmp_path, rules):
    """A sparse 1 GB file (NUL bytes, no newline: the worst case, one endless line) with real
    lines at its end. Attaching reads only its tail; reading it all from the start holds at
    most CHUNK + MAX_PARTIAL bytes, and the endless line comes out cut."""
    log = tmp_path / "server.log"
    with open(log, "wb") as fh:
        fh.truncate(1 << 30)
        fh.seek(1 << 30)
        fh.write(b"\n[2026-12-07 15:04:59] The server is fired up and ready to roll!\n")
    assert os.stat(log).st_blocks * 512 < 1 << 20  # sparse: the test box's disk is not used

    attached = LogTail.attach(log)
    lines = list(attached.read_lines())
    assert attached.skipped > (1 << 30) - (8 << 20)
    assert lines[-1].endswith("ready to roll!")
    assert attached.held_max <= attached.bound == CHUNK + MAX_PARTIAL

    watch = LogWatch(rules.run, rules.failures)
    whole = LogTail(log)
    count = 0
    while True:
        before = whole.offset
        for line in whole.read_lines(budget=64 << 20):
            assert len(line.encode()) <= MAX_PARTIAL
            watch.feed(line, 0.0)
            count += 1
        if whole.offset == before:
            break
    assert whole.offset == os.stat(log).st_size
    assert whole.held_max <= whole.bound
    assert count == 2 and watch.ready  # the NUL line (cut), then the ready line


def test_a_generated_stream_of_long_lines_stays_within_the_bound(tmp_path):
    """A growing log of lines of every length up to 4x MAX_PARTIAL, appended while followed."""
    log = tmp_path / "server.log"
    log.write_bytes(b"")
    tail = LogTail(log)
    got = []
    with open(log, "ab") as fh:
        for n in range(0, 4 * MAX_PARTIAL, 997):
            fh.write(b"z" * n + b"\n")
            fh.flush()
            got += list(tail.read_lines())
    assert len(got) == len(range(0, 4 * MAX_PARTIAL, 997))
    assert max(len(x) for x in got) == MAX_PARTIAL
    assert tail.held_max <= tail.bound


def test_stdin_lines_have_the_same_bound():
    import io

    data = b"a" * (3 * CHUNK) + b"\nok\nlast"
    assert [len(x) for x in stream_lines(io.BytesIO(data))] == [MAX_PARTIAL, 2, 4]


def test_dsv4_check_counts_the_failure_signatures(capsys):
    from dsv4_tui import cli

    assert cli.main(["check"]) == 0
    out = capsys.readouterr().out
    assert "failures.toml: 15 failure signatures; run.toml: 4 phases" in out
