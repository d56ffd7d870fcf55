# ruff: noqa  (a fake SGLang source file for the extractor tests, written in upstream style)
"""Server arguments (fake, shaped like SGLang 0.5.23)."""

from __future__ import annotations

import argparse
import sys

from sglang.srt.arg_groups.arg_utils import add_cli_args_from_dataclass
from sglang.srt.arg_groups.argparse_actions import DeprecatedAction, DeprecatedStoreTrueAction
from sglang.srt.arg_groups.choices import SAMPLING_BACKEND_CHOICES
from sglang.srt.arg_groups.fields.exec_ import ExecMoe
from sglang.srt.arg_groups.fields.parallel import Parallel


def _reasoning_parser_choices():
    module = sys.modules.get("sglang.srt.parser.reasoning_parser")
    if module is not None:
        return list(module.ReasoningParser.DetectorMap)
    from sglang.srt.parser.reasoning_parser_names import REASONING_PARSER_NAMES

    return list(REASONING_PARSER_NAMES)


def _real_kv_hash_modes():
    from sglang.kernels.consts import RealKvHashMode

    return list(RealKvHashMode)


class ServerArgs:
    @staticmethod
    def add_cli_args(parser: argparse.ArgumentParser):
        add_cli_args_from_dataclass(parser, ServerArgs)
        sampling_backend_choices = set(SAMPLING_BACKEND_CHOICES)
        parser.add_argument(
            "--sampling-backend",
            type=str,
            choices=sampling_backend_choices,
            default=_declared_default("sampling_backend"),
            help="Choose the kernels for sampling layers.",
        )
        reasoning_parser_choices = _reasoning_parser_choices()
        parser.add_argument(
            "--reasoning-parser",
            type=str,
            choices=["auto"] + reasoning_parser_choices,
            default=_declared_default("reasoning_parser"),
            help="Specify the parser for reasoning models.",
        )
        parser.add_argument(
            "--kv-canary-real-data",
            type=str,
            default="none",
            choices=[m.name.lower() for m in _real_kv_hash_modes()],
            help="Check the real KV-cache in the canary.",
        )
        parser.add_argument("--config", type=str, help="Read CLI options from a config file.")
        # `enable_dp_attention` is `no_cli=True`; resolution turns it into
        # `attn_dp_size`. TODO: remove the flag and the field after 2027-01-31.
        parser.add_argument(
            "--enable-dp-attention",
            action=DeprecatedStoreTrueAction,
            new_flag="--attn-dp-size <dp-size>",
            help="Deprecated. Use --attn-dp-size <dp-size> instead of --dp-size <dp-size> --enable-dp-attention.",
        )
        parser.add_argument(
            "--enable-expert-distribution-metrics",
            action=DeprecatedAction,
            error_message="--enable-expert-distribution-metrics was removed; use --expert-distribution-recorder-mode.",
            help="Removed.",
        )


_INPUT_NAMESPACES = [Parallel, ExecMoe]


def prepare_server_args(argv):
    parser = argparse.ArgumentParser(prog="sglang serve")
    ServerArgs.add_cli_args(parser)
    return parser.parse_args(argv)
