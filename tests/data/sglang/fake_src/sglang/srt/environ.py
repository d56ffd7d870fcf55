# ruff: noqa  (a fake SGLang source file for the extractor tests, written in upstream style)
import os


def _default_hip() -> bool:
    return False


class EnvField:
    def __init__(self, default, secret=False):
        self.default = default


class EnvStr(EnvField):
    pass


class EnvBool(EnvField):
    pass


class EnvInt(EnvField):
    pass


class EnvFloat(EnvField):
    pass


class EnvTuple(EnvField):
    pass


class _DeprecatedEnvFallback:
    pass


class EnvIntWithAlias(_DeprecatedEnvFallback, EnvInt):
    pass


class Envs:
    # ===================================================================
    # Expert-parallel dispatch and MoE execution
    # ===================================================================
    SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK = EnvInt(128)
    SGLANG_DP_USE_REDUCE_SCATTER = EnvBool(_default_hip)
    SGLANG_CACHE_SUBDIR = EnvStr(lambda: "x")
    SGLANG_NEW_KNOB = EnvIntWithAlias(5, deprecated_name="SGLANG_OLD_KNOB")
    SGLANG_RATIO = EnvFloat(0.5)
    SGLANG_SPLIT_CTX = EnvInt(200_000)
    SGLANG_TOKEN = EnvStr(None, secret=True)
    SGLANG_LOG_GC = EnvBool(False)
    SGLANG_DISABLED_ARCHS = EnvTuple(tuple())
    SGLANG_OPT_DEEPGEMM_MEGA_MOE_NUM_MAX_TOKENS_PER_RANK = EnvInt(8192)


class _DeprecatedEnv:
    def __init__(self, replacement=None, transform=None, note=None):
        pass


_DEPRECATED_ENVS = {
    "SGLANG_ENABLE_CP_V2": _DeprecatedEnv(
        note="Strategy-based prefill context parallelism is now the only generic implementation."
    ),
    "SGLANG_GC_LOG": _DeprecatedEnv(replacement="SGLANG_LOG_GC"),
}


def _handle_deprecated_envs():
    for key, value in list(os.environ.items()):
        if key.startswith("SGL_") and key not in _DEPRECATED_ENVS:
            new_key = key.replace("SGL_", "SGLANG_", 1)
            os.environ[new_key] = value
