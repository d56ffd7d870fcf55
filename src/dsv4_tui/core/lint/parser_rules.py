"""What SGLang's launchers check around argparse, as data (data/sglang-parser-rules.json,
carried in the table under `parser_rules`): the `--config` file, the exact `--model-path` that
`sglang serve` looks for, `--model-type`, choices an env adds, and the shape of JSON values
parsed by a custom type (e.g. `--cuda-graph-config`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .argv import ParsedArgv
from .findings import Edit, Finding, Fix
from .table import SglangTable


def _src(table: SglangTable, rule: Mapping[str, Any]) -> str:
    return f"SGLang {table.version} {rule.get('source', '')}".rstrip()


def _config_findings(table: SglangTable, parsed: ParsedArgv, argv: Sequence[str]) -> list[Finding]:
    rule = table.parser_rules.get("config_file")
    if not rule:
        return []
    flag = rule["flag"]
    spec = table.spec(flag)
    out: list[Finding] = []
    exact = [i for i, tok in enumerate(argv) if tok == flag]
    for occ in parsed.occurrences:
        if spec is None or occ.spec is not spec:
            continue
        if occ.explicit or occ.lookup.status == "abbrev":
            how = f"{occ.token.split('=', 1)[0]}=FILE" if occ.explicit else f"the prefix {occ.written}"
            value = occ.values[0] if occ.values else "FILE"
            fix = Fix(f"write {flag} {value}", (Edit("remove_flag", occ.written), Edit("set_flag", flag, value)))
            out.append(
                Finding(
                    "config-ignored",
                    "warning",
                    f"SGLang reads a config file only from `{flag} FILE` written out: with {how} argparse accepts "
                    f"the option but the file is never read, so none of its settings apply",
                    occ.written,
                    _src(table, rule),
                    (fix,),
                )
            )
    if len(exact) > 1:
        out.append(
            Finding(
                "config-twice",
                "error",
                f"{flag} is given {len(exact)} times: SGLang stops with 'Multiple config files specified! Only one allowed.'",
                flag,
                _src(table, rule),
            )
        )
    for i in exact[:1]:
        value = argv[i + 1] if i + 1 < len(argv) else None
        if value is None:
            continue
        base = value.rsplit("/", 1)[-1]
        suffix = "." + base.rsplit(".", 1)[1].lower() if "." in base.strip(".") else ""
        if suffix not in rule["suffixes"]:
            shown = " / ".join(rule["suffixes"])
            out.append(
                Finding(
                    "config-not-yaml",
                    "error",
                    f"{flag} {value}: SGLang reads YAML config files only ({shown}); it stops with "
                    f"'Config file must be YAML format, got: {suffix or 'no suffix'}'",
                    flag,
                    _src(table, rule),
                )
            )
    return out


def _model_path_findings(table: SglangTable, argv: Sequence[str], launcher: str) -> list[Finding]:
    rule = table.parser_rules.get("exact_model_path")
    if not rule or rule.get("launcher") != launcher:
        return []
    options = rule["options"]
    if any(tok in options or any(tok.startswith(o + "=") for o in options) for tok in argv):
        return []
    near = [
        tok.split("=", 1)[0]
        for tok in argv
        if tok.startswith("--") and table.spec(tok.split("=", 1)[0]) is table.spec(options[0])
    ]
    if not near:
        return []  # argparse reports the missing required flag itself
    fix = Fix(f"spell out {options[0]}", (Edit("set_flag", options[0], _value_after(argv, near[0])),))
    return [
        Finding(
            "model-path-not-exact",
            "error",
            f"`{launcher}` finds the model only by the exact {' / '.join(options)}: with {near[0]} it stops with "
            f"'--model-path is required' (python -m sglang.launch_server would accept the prefix)",
            near[0],
            _src(table, rule),
            (fix,),
        )
    ]


def _value_after(argv: Sequence[str], option: str) -> str | None:
    for i, tok in enumerate(argv):
        if tok == option:
            return argv[i + 1] if i + 1 < len(argv) else None
        if tok.startswith(option + "="):
            return tok.split("=", 1)[1]
    return None


def model_type_finding(table: SglangTable, launcher: str, model_type: str | None) -> list[Finding]:
    rule = table.parser_rules.get("model_type")
    if model_type is None or not rule or rule.get("launcher") != launcher or model_type in rule["choices"]:
        return []
    return [
        Finding(
            "invalid-model-type",
            "error",
            f"--model-type {model_type!r} is not one of: {', '.join(rule['choices'])}",
            "--model-type",
            _src(table, rule),
        )
    ]


def extra_choices(table: SglangTable, primary: str, env: Mapping[str, str]) -> tuple[tuple[str, ...], str | None]:
    """Choices an env adds to a flag (e.g. token_oracle), and the env that added them."""
    for rule in table.parser_rules.get("choices_by_env", ()):
        if rule["flag"] == primary and env.get(rule["env"], "").strip().lower() in ("1", "true", "yes", "y"):
            return tuple(rule["adds"]), rule["env"]
    return (), None


def shape_problem(table: SglangTable, spec_type: str, value: str) -> tuple[str, str] | None:
    """(why the value does not fit its custom type's shape, source), or None."""
    shape = table.parser_rules.get("value_shapes", {}).get(spec_type)
    if not shape:
        return None
    source = _src(table, shape)
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        return f"must be JSON ({exc})", source
    if not isinstance(parsed, dict):
        return f"must be {shape['what']}, got {type(parsed).__name__}", source
    keys: Mapping[str, Sequence[str]] = shape["keys"]
    for key, inner in parsed.items():
        if key not in keys:
            return f"unknown phase {key!r}, expected one of {', '.join(keys)}", source
        if not isinstance(inner, dict):
            return f"[{key!r}] must be a JSON object, got {type(inner).__name__}", source
        bad = [k for k in inner if k not in keys[key]]
        if bad:
            return f"[{key!r}]: unknown key {bad[0]!r}, expected one of {', '.join(keys[key])}", source
    return None


def parser_findings(table: SglangTable, parsed: ParsedArgv, argv: Sequence[str], launcher: str) -> list[Finding]:
    return [*_config_findings(table, parsed, argv), *_model_path_findings(table, argv, launcher)]
