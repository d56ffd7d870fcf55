# ruff: noqa  (a fake SGLang source file for the extractor tests, written in upstream style)
"""Config fields of the ``parallel`` namespace (fake)."""

from __future__ import annotations

import argparse

import msgspec

from sglang.srt.arg_groups.arg_utils import A, Arg, Derived


class Parallel(msgspec.Struct):
    _NS_PATH = "parallel"

    nnodes: A[int, "The number of nodes."] = 1
    tp_size: A[
        int,
        Arg(
            help="The tensor parallelism size.",
            aliases=["--tensor-parallel-size"],
        ),
    ] = 1
    dp_size: A[int, Arg(help="The data parallelism size.", aliases=["--data-parallel-size"])] = 1
    attn_dp_size: A[int, Arg(help="The attention DP size.", resolvable=True)] = 1
    pp_size: A[int, "The pipeline parallelism size."] = 1
    enable_prefill_cp: A[bool, "Enable context parallelism for the prefill phase."] = False
    cp_strategy: A[
        str | None,
        Arg(help="Sharding strategy for prefill CP.", choices=("zigzag", "interleave")),
    ] = None
    cpu_offload_gb: A[int, "How many GBs of RAM to reserve for CPU offloading."] = 0
    swa_full_tokens_ratio: A[Optional[float], Arg(help="The SWA ratio.", fallback=0.8)] = None
    # Deprecated spelling of `attn_dp_size`. TODO: remove after 2027-01-31.
    enable_dp_attention: A[bool, Arg(no_cli=True, resolvable=True)] = False
    ep_size: A[int, Arg(help="The expert parallelism size.", aliases=["--expert-parallel-size", "--ep"])] = 1
    enable_tf32_matmul: A[
        bool | None,
        Arg(help="Use TF32.", action=argparse.BooleanOptionalAction),
    ] = None
    attn_tp_size = Derived(doc="derived, not a flag")
