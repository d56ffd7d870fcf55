"""Run SGLang's own parser and DeepSeek-V4 start-up hooks on a corpus of commands.

Runs INSIDE a throwaway venv that holds the sglang wheel (see tools/sglang_verdicts.py, which
builds that venv and calls this file); never imported by dsv4. Reads a corpus JSON
(`[{"id", "launcher", "model_type", "env", "argv", "platform"}]`) and writes verdicts JSON
(`{"id": {"verdict": "accept"|"reject", "stage", "message"}}`).

What runs, all SGLang's own code:
- `sglang serve`'s pre-parse (sglang/cli/serve.py: _extract_model_type_override,
  _normalize_positional_model_path; sglang/cli/utils.py: get_model_path; the backend registry
  for --model-type);
- `prepare_server_args(argv)` (argparse, the --config merge, ServerArgs);
- the resolution hooks the lint mirrors, in pipeline order: handle_deprecated_dp_attention,
  handle_mega_moe, handle_cuda_graph_config, handle_data_parallelism, apply_deepseek_v4_defaults,
  validate_deepseek_v4_cp, validate_hisparse (the prefill chunk, which SGLang sizes from GPU
  memory, is declared as 8192 when the command leaves it unset);
- the DeepEP dispatcher's start-up assert (token_dispatcher/deepep.py: the env <= 1024), read
  through SGLang's own env registry (the dispatcher itself needs GPUs).
The model config is a stand-in `hf_config` (model_type deepseek_v4, the V4 architecture), as
SGLang's CPU tests use; the platform is set with SGLang's own `override_platform` per the
command's hardware (CUDA SM90 / SM100, or ROCm).

Two SGLang modules that import torchvision at import time (image processors, unused by the
argument pipeline) are replaced by empty modules: torchvision has no CPU wheel that loads
with torch 2.13 CPU.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import os
import sys
import types

STUBBED = {"sglang.srt.multimodal.internvl_utils", "sglang.srt.configs.deepseek_ocr"}


class _Any(types.ModuleType):
    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return type(name, (), {"model_type": "stub_" + name.lower(), "__init__": lambda self, *a, **k: None})


class _Stub(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        return importlib.machinery.ModuleSpec(name, self, is_package=True) if name in STUBBED else None

    def create_module(self, spec):
        module = _Any(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


sys.meta_path.insert(0, _Stub())

PLATFORMS = {
    "hopper": {
        "is_cuda": True,
        "is_hip": False,
        "is_npu": False,
        "is_sm90": True,
        "is_sm100": False,
        "is_blackwell": False,
    },
    "blackwell": {
        "is_cuda": True,
        "is_hip": False,
        "is_npu": False,
        "is_sm90": False,
        "is_sm100": True,
        "is_blackwell": True,
    },
    "blackwell-desktop": {
        "is_cuda": True,
        "is_hip": False,
        "is_npu": False,
        "is_sm90": False,
        "is_sm100": False,
        "is_blackwell": True,
    },
    "amd": {
        "is_cuda": False,
        "is_hip": True,
        "is_npu": False,
        "is_sm90": False,
        "is_sm100": False,
        "is_blackwell": False,
    },
}


def _message(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())[:300]


def run_one(item: dict) -> dict:
    from sglang.cli.serve import _extract_model_type_override, _normalize_positional_model_path
    from sglang.cli.utils import get_model_path
    from sglang.srt.arg_groups.arg_utils import record_fields
    from sglang.srt.arg_groups.cuda_graph_hook import handle_cuda_graph_config
    from sglang.srt.arg_groups.deepseek_v4_hook import apply_deepseek_v4_defaults, validate_deepseek_v4_cp
    from sglang.srt.arg_groups.hisparse_hook import validate_hisparse
    from sglang.srt.arg_groups.mega_moe_hook import handle_mega_moe
    from sglang.srt.arg_groups.overrides import declare_resolution, resolving_view
    from sglang.srt.arg_groups.parallel_hook import handle_data_parallelism, handle_deprecated_dp_attention
    from sglang.srt.environ import envs
    from sglang.srt.runtime_context import override_platform
    from sglang.srt.server_args import prepare_server_args

    for name in [n for n in os.environ if n.startswith(("SGLANG_", "SGL_"))]:
        del os.environ[name]
    for entry in item["env"]:
        name, _, value = entry.partition("=")
        os.environ[name] = value
    argv = list(item["argv"])
    if item["launcher"] == "sglang serve":
        try:
            backend, argv = _extract_model_type_override(
                argv + (["--model-type", item["model_type"]] if item.get("model_type") else [])
            )
            argv, _ = _normalize_positional_model_path(argv)
            if backend not in ("auto", "llm", "diffusion"):
                from sglang.cli.serve import _create_backend_registry

                _create_backend_registry().get(backend)
            get_model_path(argv)
        except BaseException as exc:  # noqa: BLE001 - SGLang raises plain Exception here
            return {"verdict": "reject", "stage": "serve", "message": _message(exc)}
    try:
        sa = prepare_server_args(argv)
    except SystemExit as exc:
        return {"verdict": "reject", "stage": "parse", "message": f"argparse exit {exc.code}"}
    except BaseException as exc:  # noqa: BLE001
        return {"verdict": "reject", "stage": "parse", "message": _message(exc)}
    sa._raw_input = {f.name: getattr(sa, f.name) for f in record_fields(type(sa))}
    sa._resolved_overrides = []
    hf = types.SimpleNamespace(model_type="deepseek_v4", architectures=["DeepseekV4ForCausalLM"])
    sa._model_config = types.SimpleNamespace(hf_config=hf, hf_quant_config={}, is_hybrid_swa=False)

    def memory_defaults(s) -> None:
        # handle_gpu_memory_settings sizes the prefill chunk from the GPU's memory; on CPU
        # the harness declares the value it would pick on an 8 x 141 GB box.
        if resolving_view(s).chunked_prefill_size is None:
            declare_resolution(s, "dsv4_harness_memory_defaults", chunked_prefill_size=8192)

    hooks = (
        handle_deprecated_dp_attention,
        handle_mega_moe,
        handle_cuda_graph_config,
        memory_defaults,
        handle_data_parallelism,
        lambda s: apply_deepseek_v4_defaults(s, "DeepseekV4ForCausalLM"),
        validate_deepseek_v4_cp,
        validate_hisparse,
    )
    try:
        with override_platform(**PLATFORMS[item.get("platform") or "hopper"]):
            for hook in hooks:
                hook(sa)
    except (TypeError, AttributeError, KeyError) as exc:
        # A value an earlier pipeline step (GPU memory, model weights) resolves is missing
        # here: no verdict, named in the matrix as such.
        return {"verdict": "unknown", "stage": "harness", "message": _message(exc)}
    except BaseException as exc:  # noqa: BLE001
        return {"verdict": "reject", "stage": "hooks", "message": _message(exc)}
    deepep = getattr(sa, "moe_a2a_backend", None) == "deepep"
    if deepep and not envs.SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK.get() <= 1024:  # deepep.py's assert
        return {"verdict": "reject", "stage": "runtime", "message": "num_max_dispatch_tokens_per_rank > 1024"}
    return {"verdict": "accept", "stage": "hooks", "message": ""}


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as fh:
        corpus = json.load(fh)
    import logging

    logging.disable(logging.CRITICAL)
    out = {}
    for item in corpus:
        out[item["id"]] = run_one(item)
    with open(sys.argv[2], "w", encoding="utf-8") as fh:
        json.dump(out, fh, indent=0, sort_keys=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
