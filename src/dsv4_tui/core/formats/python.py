"""Python framing: the bare `sglang serve …` command for an existing SGLang environment.

    ENV_A=1 \\
    sglang serve \\
      --flag-one \\
      --flag-two value
"""

from __future__ import annotations

from collections.abc import Sequence

from .base import Framing


def block(rules, sel, env: Sequence[str], flags: Sequence[str], subst, network_host: bool) -> str:
    program = rules.model.engine.program
    lines = [*(f"{e} \\" for e in env), f"{program} \\", " \\\n".join("  " + f for f in flags)]
    return "\n".join(lines)


def install(rules, sel) -> list[str]:
    return list(rules.model.install.python)


FORMAT = Framing(
    id="python",
    label="Python",
    install_label="pip / uv",
    block=block,
    install=install,
    passes_token=False,
)
