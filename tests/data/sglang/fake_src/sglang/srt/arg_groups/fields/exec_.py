# ruff: noqa  (a fake SGLang source file for the extractor tests, written in upstream style)
"""Config fields of the ``exec`` namespace (fake)."""

from __future__ import annotations

import json
from typing import Literal

import msgspec

from sglang.srt.arg_groups.arg_utils import A, Arg
from sglang.srt.arg_groups.choices import MOE_RUNNER_BACKEND_CHOICES
from sglang.srt.model_executor.cuda_graph_config import Backend, parse_cuda_graph_backend_arg
from sglang.srt.utils.common import human_readable_int


class ExecMoe(msgspec.Struct):
    _NS_PATH = "exec.moe"

    model_path: A[str, Arg(help="The path of the model weights.", aliases=["--model"])]
    moe_a2a_backend: A[Literal["none", "deepep", "megamoe"], "Choose the backend for MoE A2A."] = "none"
    moe_runner_backend: A[
        str,
        Arg(help="Choose the runner backend for MoE.", choices=MOE_RUNNER_BACKEND_CHOICES + ["cutlass"]),
    ] = "auto"
    cuda_graph_backend_decode: A[
        str | None,
        Arg(help="Backend for the decode phase.", choices=Backend.ALL, type_parser=parse_cuda_graph_backend_arg),
    ] = None
    gc_threshold: A[list[int] | None, "Set the garbage collection thresholds."] = None
    deepep_config: A[str | None, "Tuned DeepEP config: a JSON string or a file path."] = None
    context_length: A[
        int | None,
        Arg(help=f"The model's maximum context length.{human_readable_int.__doc__}", type_parser=human_readable_int),
    ] = None
    json_override: A[dict | None, Arg(help="A JSON dict.", type_parser=json.loads)] = None
    grpc_mode: A[bool, "(Deprecated, use --smg-grpc-mode) Legacy SMG gRPC server selector."] = False
    ep_join_mode: A[
        str | None,
        Arg(help="Join mode.", cli_name="--elastic-ep-join-mode", choices=["scale", "recover"]),
    ] = None
    ngram_capacity: A[int, "The cache capacity."] = 10 * 1000 * 1000
    encoder_urls: A[list[str], "List of encoder urls."] = msgspec.field(default_factory=list)
    max_running_requests: A[int | None, "The maximum number of running requests."] = None
    sampling_backend: str | None = None
    reasoning_parser: str | None = None
