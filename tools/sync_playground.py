"""rules/playground.toml from the upstream config's `playgroundFeatures` (the evaluated dump).

`playground_toml(config)` takes the `config` object of a JSON dump of the cookbook config
(tools/upstream/dump_module.mjs: functions kept as {"$fn": source}) and returns the text of
rules/playground.toml. tools/sync_cookbook.py calls it; run alone it prints the text (or,
with --write, writes rules/playground.toml):

    python3 tools/sync_playground.py tests/data/upstream/deepseek-v4.json [--write]

Three kinds of facts meet here:
- the config's knobs and their constraints (hide, disable, defaultWhen, envWhen, labelWhen,
  hideHw, roleOverrides, routerOverrides, notices, umbp, flagSelects, ...);
- the page engine's constants (_playground.jsx: the flag families each card strips, the
  anchors it inserts after, the PD ports and banner), in ENGINE below;
- dsv4's own rules, where they are stricter than the config (DSV4_RULES below).
An arrow function in the config becomes a data constraint or a named case: `showWhen`
(an `&&` of equalities / `||` groups over the base) becomes a constraint table, and an
option's `flags` function (a ternary on the base) becomes a list of `[[...case]]` tables,
first match wins. A function of another shape is refused with its source.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

# --------------------------------------------------------------------------- dsv4's own rules

# The user's rules, kept where upstream relaxed them. MegaMoE: the config offers it on
# requiresHw (now with MI355X) and any strategy; dsv4 offers it only on the Blackwell
# datacenter GPUs with the high-throughput recipe (a base that runs it still shows it).
MEGAMOE_HW = ["b200", "b300", "gb200", "gb300"]
MEGAMOE_STRATEGY = ["high-throughput"]
MEGAMOE_REASON = (
    "dsv4 offers MegaMoE only on Blackwell datacenter GPUs (B200 / B300 / GB200 / GB300) "
    "with the High-Throughput strategy, where the cookbook recommends it"
)
# TP / DP-Attention / EP 16 on a single node: the config hides them; dsv4 greys them with
# the reason, so the user learns what to change.
SIXTEEN_REASON = "{label}=16 requires 16 ranks — switch the Deploy panel's Nodes to Multi-Nodes first."
HICACHE_REASON = "HiCache is not supported on {hw}"
UMBP_REASON = "The unified cache external linker (UMBP) runs on {hw} only: its store is MORI's buffer pool"
MORI_REASON = "MORI is AMD's transfer engine: AMD GPUs only"

# --------------------------------------------------------------------------- the engine's constants

ENGINE: dict[str, Any] = {
    "tp_flag": "--tp",
    "dp_flag": "--attn-dp-size",  # SGLang 0.5.23's form; `--dp N --enable-dp-attention` is deprecated
    "dp_strip": ["--attn-dp-size", "--dp-size", "--dp", "--enable-dp-attention"],
    "dp_keep_on_resize": ["--enable-dp-attention-local-control-broadcast"],
    "dp_legacy_switch": "--enable-dp-attention",
    "dp_legacy_size": ["--dp-size", "--dp"],
    "cp_strip": [
        "--enable-prefill-cp",
        "--enable-nsa-prefill-context-parallel",
        "--enable-dsa-prefill-context-parallel",
        "--enable-prefill-context-parallel",
        "--nsa-prefill-cp-mode",
        "--dsa-prefill-cp-mode",
        "--prefill-cp-mode",
        "--cp-strategy",
        "--attn-cp-size",
    ],
    "cp_size_flag": "--attn-cp-size",
    "cp_flags": ["--enable-prefill-cp", "--cp-strategy interleave"],
    # The page's anchors, with the 0.5.23 DP-attention flag and its companion added in front
    # of the deprecated ones (the cells write `--tp N`, `--attn-dp-size N`, the companion).
    "near_dp_attn": [
        "--enable-dp-attention-local-control-broadcast",
        "--enable-dp-attention",
        "--attn-dp-size",
        "--dp-size",
        "--dp",
        "--tp",
    ],
    "near_moe": [
        "--moe-a2a-backend",
        "--moe-runner-backend",
        "--enable-dp-attention-local-control-broadcast",
        "--enable-dp-attention",
        "--attn-dp-size",
        "--dp-size",
        "--dp",
        "--tp",
    ],
    "ep_flag": "--ep",
}

PD_FIXED = """prefill_port = 30000
decode_port = 30100
prefill_dist_port = 30335
decode_dist_port = 30435
# On top of a role's command. {ROLE} / {role} the role, {peer} the other one; a HiCache
# notice that matches goes right under the first line as "Note: <text>".
banner = [
  "=== PD Disaggregation: {ROLE} role ===",
  "Runs the {role} server. Also run the {peer} role on its peer host,",
  "then front BOTH with the Router (SGLang Model Gateway) shown below.",
  "Client traffic (cURL) targets the router (:{router_port}), not this role server.",
]
# Always stripped once the card is touched; a role inserts mode, transfer and IB device.
strip = [
  "--disaggregation-mode",
  "--disaggregation-transfer-backend",
  "--disaggregation-ib-device",
  "--disaggregation-bootstrap-port",
]
mode_flag = "--disaggregation-mode"
transfer_flag = "--disaggregation-transfer-backend"
ib_flag = "--disaggregation-ib-device"
# What `dsv4 export` reads from a PD command line: the flag of the KV bootstrap port a
# prefill worker listens on (and the engine's default when it is absent), the router's own
# port flag, and the router flags whose values are the URLs of each role's workers.
bootstrap_port_flag = "--disaggregation-bootstrap-port"
default_bootstrap_port = 8998
router_port_flag = "--port"
router_peer_flags = { prefill = "--prefill", decode = "--decode" }
"""

HEADER = """# Playground knobs: generated from the cookbook config's `playgroundFeatures` by
# tools/sync_playground.py (do not edit by hand; dsv4's own stricter rules are in that tool).
# Every knob starts at inherit, which emits nothing; the options below are the overrides.
# Constraint tables match when every key matches one of its values; keys: hw, variant,
# quant, strategy, nodes, vendor, arch, dp_attn_on, pd_mode, spec_algorithm, tp (the TP size in effect).
#   hide = {...}          option (or knob / card) removed while it matches
#   show_only = {...}     option (or card) removed unless it matches
#   disable = {...}       option greyed while it matches, with `reason`
#   disabled = true       option always greyed, with `reason`
#   [[...disable_if]]     when + reason: greyed while `when` matches (first match gives the reason)
#   [[...label_when]]     when + label: the option's label while `when` matches
#   default_when = {...}  a knob without inherit starts at the first shown option whose
#                         default_when matches, else at its first shown option
#   env_when = {...}      the option's env is added only while it matches
#   [[...case]]           an option whose flags depend on the state: the first case whose
#                         `when` matches (none = always) gives the flags
# Every knob has `cli` (its `dsv4 print --override` key) and, where the base may not define
# it, `inherit` (the label of the choice that keeps the base as is). The flag and env names
# each card strips and inserts are here too; how a card rewrites the command is the
# engine's job (src/dsv4_tui/core/playground/). "Insert after A, B, …" falls back to right
# after the engine's model path flag, and "before host" is right before the first flag
# starting with its host flag ([engine] in model.toml).
"""

# --------------------------------------------------------------------------- TOML text


def q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def val(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return q(v)
    if isinstance(v, list):
        return "[" + ", ".join(val(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {val(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {v!r} as TOML")


def arr(items: list[str], indent: str = "  ") -> str:
    """A multi-line array of strings (empty: [])."""
    if not items:
        return "[]"
    return "[\n" + "".join(f"{indent}{q(x)},\n" for x in items) + "]"


def kv(key: str, v: Any) -> str:
    if isinstance(v, list) and v and all(isinstance(x, str) for x in v) and (len(v) > 2 or sum(map(len, v)) > 60):
        return f"{key} = {arr(v)}"
    return f"{key} = {val(v)}"


class Out:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, *lines: str) -> None:
        self.lines.extend(lines)

    def table(self, name: str, fields: dict[str, Any], array: bool = False) -> None:
        if not (self.lines and self.lines[-1].startswith("#")):
            self.lines.append("")
        self.lines.append(f"[[{name}]]" if array else f"[{name}]")
        for k, v in fields.items():
            if v is None or v == [] or v == {}:
                continue
            self.lines.append(kv(k, v))

    def text(self) -> str:
        return "\n".join(self.lines).strip("\n") + "\n"


# --------------------------------------------------------------------------- constraints

# The config's keys for what the page evaluates constraints on, as dsv4's context keys.
KEYS = {"dpAttnOn": "dp_attn_on", "pdMode": "pd_mode", "specAlgorithm": "spec_algorithm"}


def constraint(c: dict | None) -> dict | None:
    if not c:
        return None
    return {KEYS.get(k, k): list(v) for k, v in c.items()}


class Unsupported(ValueError):
    """A config function of a shape this tool does not translate."""


_TOKEN = re.compile(r'\s*(=>|===|!==|&&|\|\||[()\[\]?:,.]|"(?:[^"\\]|\\.)*"|[A-Za-z_$][\w$]*)')


def _tokens(src: str) -> list[str]:
    out, i = [], 0
    src = src.strip()
    while i < len(src):
        m = _TOKEN.match(src, i)
        if not m:
            if src[i:].strip() == "":
                break
            raise Unsupported(f"cannot read the function {src!r} at {src[i : i + 20]!r}")
        out.append(m.group(1))
        i = m.end()
    return out


class _Fn:
    """A tiny reader for the config's arrow functions: params => expr, where expr is made of
    `p.key === "v"`, `&&`, `||`, parentheses, `c ? [..] : [..]` and arrays of strings."""

    def __init__(self, src: str):
        self.src = src
        toks = _tokens(src)
        if "=>" not in toks:
            raise Unsupported(f"not an arrow function: {src!r}")
        arrow = toks.index("=>")
        self.params = [t for t in toks[:arrow] if t not in "(),"]
        self.toks, self.i = toks[arrow + 1 :], 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, want: str | None = None) -> str:
        t = self.peek()
        if t is None or (want is not None and t != want):
            raise Unsupported(f"unexpected {t!r} (wanted {want!r}) in {self.src!r}")
        self.i += 1
        return t

    def parse(self) -> Any:
        e = self.ternary()
        if self.peek() is not None:
            raise Unsupported(f"trailing {self.peek()!r} in {self.src!r}")
        return e

    def ternary(self) -> Any:
        c = self.or_()
        if self.peek() == "?":
            self.take("?")
            a = self.ternary()
            self.take(":")
            b = self.ternary()
            return ("?", c, a, b)
        return c

    def _chain(self, op: str, term: Callable[[], Any]) -> Any:
        """`term (op term)*`: one term as it is, else (op, *terms)."""
        terms = [term()]
        while self.peek() == op:
            self.take()
            terms.append(term())
        return terms[0] if len(terms) == 1 else (op, *terms)

    def or_(self) -> Any:
        return self._chain("||", self.and_)

    def and_(self) -> Any:
        return self._chain("&&", self.atom)

    def atom(self) -> Any:
        t = self.peek()
        if t == "(":
            self.take()
            e = self.ternary()
            self.take(")")
            return e
        if t == "[":
            self.take()
            items = []
            while self.peek() != "]":
                items.append(json.loads(self.take()))
                if self.peek() == ",":
                    self.take()
            self.take("]")
            return ("list", items)
        obj = self.take()
        if obj not in self.params:
            raise Unsupported(f"{obj!r} is not a parameter of {self.src!r}")
        self.take(".")
        key = self.take()
        self.take("===")
        return ("==", self.params.index(obj), key, json.loads(self.take()))


def _as_constraint(e: Any, base_param: int) -> dict[str, list]:
    """An `&&` of equalities (or `||` groups of equalities on one key) as a constraint table."""
    terms = e[1:] if e[0] == "&&" else [e]
    out: dict[str, list] = {}
    for t in terms:
        alts = t[1:] if t[0] == "||" else [t]
        keys = set()
        for a in alts:
            if a[0] != "==" or a[1] != base_param:
                raise Unsupported(f"not a comparison on the base: {a!r}")
            keys.add(a[2])
            out.setdefault(KEYS.get(a[2], a[2]), []).append(a[3])
        if len(keys) != 1:
            raise Unsupported(f"an OR across keys cannot be one constraint: {t!r}")
    return out


def show_when(fn: Any) -> dict | None:
    """`showWhen: (base) => ...` as a constraint table."""
    if fn is None:
        return None
    if not (isinstance(fn, dict) and "$fn" in fn):
        raise Unsupported(f"showWhen is not a function: {fn!r}")
    f = _Fn(fn["$fn"])
    return _as_constraint(f.parse(), 0)


def flag_cases(flags: Any) -> list[dict] | None:
    """An option's `flags: (values, base) => c ? [..] : [..]` as cases (first match wins)."""
    if not (isinstance(flags, dict) and "$fn" in flags):
        return None
    f = _Fn(flags["$fn"])
    e, cases = f.parse(), []
    while e[0] == "?":
        cases.append({"when": _as_constraint(e[1], 1), "flags": _list(e[2])})
        e = e[3]
    cases.append({"flags": _list(e)})
    return cases


def _list(e: Any) -> list[str]:
    if e[0] != "list":
        raise Unsupported(f"not a list of flags: {e!r}")
    return e[1]


# --------------------------------------------------------------------------- knobs


def hw_labels(config: dict, ids: list[str]) -> str:
    labels = {h["id"]: h["label"] for h in config.get("hardware", [])}
    known = {"rtx6000": "RTX PRO 6000", "mi300x": "MI300X", "mi355x": "MI355X"}
    return " / ".join(labels.get(i) or known.get(i) or i.upper() for i in ids)


def values_options(values: list, label: str, sixteen: str) -> list[dict]:
    """A knob's `values` (bare numbers or {value, label, hide, disable}) as options; null (inherit)
    and false (Off) are the caller's."""
    out = []
    for v in values:
        if v is None or v is False:
            continue
        if not isinstance(v, dict):
            v = {"value": v}
        o: dict[str, Any] = {"id": str(v["value"]), "label": v.get("label", str(v["value"])), "value": v["value"]}
        hide = constraint(v.get("hide"))
        if v["value"] == 16 and hide == {"nodes": ["single"]}:
            o["disable"] = hide  # dsv4: greyed with its reason rather than absent
            o["reason"] = sixteen.format(label=label)
        elif hide:
            o["hide"] = hide
        out.append(o)
    return out


def write_option(out: Out, name: str, o: dict) -> None:
    keys = ("id", "label", "value", "flags", "env", "hide", "show_only", "hidden_reason", "disable", "disabled")
    keys += ("reason", "env_when", "default_when")
    out.table(name, {k: o[k] for k in keys if o.get(k) is not None and o.get(k) is not False}, array=True)
    for d in o.get("disable_if", []):
        out.table(f"{name}.disable_if", {"when": d["when"], "reason": d.get("reason")}, array=True)
    for lw in o.get("label_when", []):
        out.table(f"{name}.label_when", {"when": lw["when"], "label": lw["label"]}, array=True)
    for c in o.get("case", []):
        out.table(f"{name}.case", {"when": c.get("when"), "flags": c["flags"]}, array=True)


CP_SIZE_REASON = (
    "SGLang derives the prefill-CP size as attn_cp_size = TP / DP-Attention (= {tp} here), "
    "so only that size can be enabled."
)


def disable_list(d: Any, reason: str | None = None) -> tuple[dict | None, list[dict]]:
    """The config's `disable`: a constraint (with `disableReason`) or a list of {when, reason}."""
    if d is None:
        return None, []
    if isinstance(d, list):
        return None, [{"when": constraint(x.get("when", x)), "reason": x.get("reason")} for x in d]
    return constraint(d), []


# --------------------------------------------------------------------------- the cards


def attention(out: Out, config: dict, pf: dict) -> None:
    knobs = {k["id"]: k for k in pf["attention"]["knobs"]}
    out("", "[attention]", 'title = "Attention"')

    tp = knobs["tp"]
    out("", "# TP N: strip `flag`, insert `flag N` right after the model path.")
    out.table("attention.tp", {"label": tp["label"], "cli": "tp", "inherit": "Auto", "flag": ENGINE["tp_flag"]})
    for o in values_options(tp["values"], tp["label"], SIXTEEN_REASON):
        write_option(out, "attention.tp.option", o)

    cp = knobs["cp"]
    out(
        "",
        "# CP N: strip `strip` (every spelling of prefill CP); N > 1 inserts `size_flag N` and",
        "# `flags` after the first of `after`. The knob is greyed while a `disable_if` matches;",
        "# with DP-Attention off a size other than TP is greyed (the page: attn_cp_size = TP / DP).",
    )
    out.table(
        "attention.cp",
        {
            "label": cp["label"],
            "cli": "cp",
            "inherit": "Auto",
            "strip": ENGINE["cp_strip"],
            "size_flag": ENGINE["cp_size_flag"],
            "flags": ENGINE["cp_flags"],
            "after": ENGINE["near_dp_attn"],
        },
    )
    _, rules = disable_list(cp.get("disable"))
    for d in rules:
        out.table("attention.cp.disable_if", d, array=True)
    tps = [v["value"] if isinstance(v, dict) else v for v in tp["values"] if v is not None and v is not False]
    for o in values_options(cp["values"], cp["label"], SIXTEEN_REASON):
        if not cp.get("freeSize") and isinstance(o["value"], int) and o["value"] > 1:
            # The page's render: SGLang derives attn_cp_size = TP / DP-Attention, so with
            # DP-Attention off only CP == TP can be enabled (`freeSize: true` opts out).
            o["disable_if"] = [
                {"when": {"dp_attn_on": [False], "tp": [t]}, "reason": CP_SIZE_REASON.format(tp=t)}
                for t in tps
                if t != o["value"]
            ]
        write_option(out, "attention.cp.option", o)

    dp = knobs["dpAttn"]
    out(
        "",
        "# DP-Attention N: strip `strip`, insert `flag N` after the first of `after` (with the",
        "# `keep_on_resize` flags the base had); Off strips them all. The base runs DP-attention",
        "# when `flag` > 1, or (the deprecated form) `legacy_switch` is present, sized by",
        "# `legacy_size`. A `force_off` that matches turns it off and strips its env, whatever",
        "# the pick.",
    )
    out.table(
        "attention.dp_attention",
        {
            "label": dp["label"],
            "cli": "dp-attention",
            "inherit": dp.get("labels", {}).get("auto", "Auto"),
            "flag": ENGINE["dp_flag"],
            "strip": ENGINE["dp_strip"],
            "keep_on_resize": ENGINE["dp_keep_on_resize"],
            "legacy_switch": ENGINE["dp_legacy_switch"],
            "legacy_size": ENGINE["dp_legacy_size"],
            "after": [ENGINE["tp_flag"]],
        },
    )
    for f in dp.get("forceOff", []):
        out.table(
            "attention.dp_attention.force_off",
            {"when": constraint(f["when"]), "strip_env": f.get("stripEnv", []), "reason": f.get("reason")},
            array=True,
        )
    off = dp.get("labels", {}).get("false", "Off")
    write_option(out, "attention.dp_attention.option", {"id": "off", "label": off, "value": 0})
    for o in values_options(dp["values"], dp["label"], SIXTEEN_REASON):
        write_option(out, "attention.dp_attention.option", o)


def moe(out: Out, config: dict, pf: dict) -> None:
    m = pf["moe"]
    out("", "[moe]", 'title = "MoE"')
    out(
        "",
        "# A backend: strip `strip` and every option's env names, insert the option's flags after",
        "# the first of `after`, add its env (where its env_when matches).",
    )
    inherit = next((o["label"] for o in m["backend"]["options"] if o["id"] is None), "Inherited")
    out.table(
        "moe.backend",
        {
            "label": "Backend",
            "cli": "moe-backend",
            "inherit": inherit,
            "strip": ["--moe-a2a-backend", "--moe-runner-backend"],
            "after": ENGINE["near_dp_attn"],
        },
    )
    for o in m["backend"]["options"]:
        if o["id"] is None:
            continue
        opt: dict[str, Any] = {"id": o["id"], "label": o["label"], "flags": o.get("flags", [])}
        if o.get("env"):
            opt["env"] = o["env"]
            opt["env_when"] = constraint(o.get("envWhen"))
        hide = constraint(o.get("hide"))
        if o["id"] == "megamoe":
            # dsv4's rule (see MEGAMOE_*): the config's requiresHw, narrowed.
            allowed = [h for h in o.get("requiresHw", MEGAMOE_HW) if h in MEGAMOE_HW]
            opt["show_only"] = {"hw": allowed, "strategy": MEGAMOE_STRATEGY}
            opt["hidden_reason"] = MEGAMOE_REASON
        elif hide:
            opt["hide"] = hide
            if o["id"] == "mori":
                opt["hidden_reason"] = MORI_REASON
        opt["label_when"] = [{"when": constraint(x["when"]), "label": x["label"]} for x in o.get("labelWhen", [])]
        write_option(out, "moe.backend.option", opt)

    mq = m["megamoeQuant"]
    out(
        "",
        "# The quantization of one backend (`backend`): while that backend is in effect, its flags",
        "# and `strip_env` and every option's env names are stripped, then the chosen option's",
        "# flags (after the first of `after`) and env added. Hidden where `hide` matches.",
    )
    out.table(
        "moe.backend_quant",
        {
            "label": "Quantization",
            "cli": "megamoe-quant",
            "backend": "megamoe",
            "strip_env": mq.get("stripEnv", []),
            "after": ENGINE["near_moe"],
            "hide": {"hw": mq["hideHw"]} if mq.get("hideHw") else None,
            "hidden_reason": (
                f"the MegaMoE quantization applies to DeepGEMM MegaMoE: not on {hw_labels(config, mq['hideHw'])}"
                if mq.get("hideHw")
                else None
            ),
        },
    )
    for o in mq["options"]:
        opt = {"id": o["id"], "label": o["label"], "flags": o.get("flags", []), "env": o.get("env", [])}
        # dsv4's MegaMoE rule covers its quantization too (a base's own value stays shown).
        opt["show_only"] = {"hw": MEGAMOE_HW, "strategy": MEGAMOE_STRATEGY}
        opt["hidden_reason"] = MEGAMOE_REASON
        write_option(out, "moe.backend_quant.option", opt)

    ep = m["ep"]
    out("", "# EP N: strip `flag`; N > min_emit inserts `flag N` after the first of `after`.")
    out.table(
        "moe.ep",
        {
            "label": ep.get("label", "EP"),
            "cli": "ep",
            "inherit": "Auto",
            "flag": ENGINE["ep_flag"],
            "after": ENGINE["near_moe"],
            "min_emit": 1,
        },
    )
    for o in values_options(ep["values"], ep.get("label", "EP"), SIXTEEN_REASON):
        write_option(out, "moe.ep.option", o)


def parsers(out: Out, pf: dict) -> None:
    items = {i["id"]: i for i in pf["parsers"]["items"]}
    out("", "# If either toggle differs from the base: strip both, insert the enabled ones before host.")
    out("[parsers]", 'title = "Parsers"')
    for key, cid, cli in (
        ("reasoning", "reasoning", "reasoning-parser"),
        ("tool_call", "toolCall", "tool-call-parser"),
    ):
        i = items[cid]
        out.table(f"parsers.{key}", {"label": i["label"], "cli": cli, "flag": i["flag"]})


def speculative(out: Out, pf: dict) -> None:
    s = pf["speculative"]
    out("", "# A preset: strip every flag starting with `prefix`, insert the preset's flags before host.")
    inherit = next(o["label"] for o in s["options"] if o["id"] == "current")
    out.table("speculative", {"label": "Speculative decoding", "cli": "speculative", "inherit": inherit})
    out('prefix = "--speculative-"')
    for o in s["options"]:
        if o["id"] == "current":
            continue
        opt: dict[str, Any] = {"id": o["id"], "label": o["label"], "flags": o.get("flags", [])}
        if o.get("hide"):
            opt["hide"] = constraint(o["hide"])
        if o.get("disabled"):
            opt["disabled"] = True
            opt["reason"] = o.get("disableReason")
        single, rules = disable_list(o.get("disable"))
        if single:
            opt["disable"], opt["reason"] = single, o.get("disableReason")
        opt["disable_if"] = rules
        write_option(out, "speculative.option", opt)


def pd(out: Out, config: dict, pf: dict) -> None:
    p = pf["pdDisagg"]
    out("", "[pd]", 'label = "PD disaggregation"', f"router_port = {p['router'].get('port', 8000)}")
    out("router = '''", p["router"]["command"] + "'''")
    out(PD_FIXED.rstrip("\n"))
    out("# The router command where `when` matches (first match wins), else `router`.")
    for r in p.get("routerOverrides", []):
        out.table("pd.router_override", {"when": constraint(r["when"])}, array=True)
        out("command = '''", r["command"] + "'''")
    out(
        "",
        "# What a role adds beyond mode / transfer / IB device: the first entry for the role whose",
        "# `when` matches (none = every selection). Its `strip_flags`, `strip_env` and the heads of",
        "# its `flags` are stripped first; its flags go before host, its env is added.",
    )
    roles = [r for r in p.get("roleOverrides", [])]
    roles += [
        {"mode": m["id"], **m} for m in p.get("modes", []) if m["id"] != "off" and (m.get("flags") or m.get("env"))
    ]
    for r in roles:
        out.table(
            "pd.role",
            {
                "mode": r["mode"],
                "when": constraint(r.get("when")),
                "strip_flags": r.get("stripFlags", []),
                "strip_env": r.get("stripEnv", []),
                "flags": r.get("flags", []),
                "env": r.get("env", []),
            },
            array=True,
        )

    out.table("pd.mode", {"label": "Mode", "cli": "pd-mode"})
    for m in p["modes"]:
        write_option(out, "pd.mode.option", {"id": m["id"], "label": m["label"]})

    out.table("pd.transfer", {"label": "Transfer backend", "cli": "pd-transfer"})
    for b in p["transferBackends"]:
        opt: dict[str, Any] = {"id": b["id"], "label": b["label"], "env": b.get("env", [])}
        opt["env_when"] = constraint(b.get("envWhen")) if b.get("env") else None
        opt["hide"] = constraint(b.get("hide"))
        opt["hidden_reason"] = MORI_REASON if b["id"] == "mori" and b.get("hide") else None
        opt["default_when"] = constraint(b.get("defaultWhen"))
        write_option(out, "pd.transfer.option", opt)

    out.table("pd.ib_device", {"label": "IB device", "cli": "pd-ib-device"})
    for d in p["ibDevices"]:
        if not isinstance(d, dict):
            d = {"id": d, "label": d}
        opt = {"id": d["id"], "label": d["label"], "hide": constraint(d.get("hide"))}
        opt["default_when"] = constraint(d.get("defaultWhen"))
        write_option(out, "pd.ib_device.option", opt)


def hisparse(out: Out, pf: dict) -> None:
    h = pf["hisparse"]
    out.table(
        "hisparse",
        {
            "label": "HiSparse",
            "show_only": {"pd_mode": ["decode"]},
            "hidden_reason": "HiSparse runs on the decode role: set PD disaggregation to Decode first",
            "flag": "--enable-hisparse",
            "config_flag": "--hisparse-config",
            "required_flags": h.get("requiredFlags", []),
            "top_k": h["config"]["top_k"],
            "device_buffer_size": h["config"]["device_buffer_size"],
            "default_host_ratio": h["defaultHostRatio"],
        },
    )
    out.table("hisparse.enable", {"label": "Enable", "cli": "hisparse"})
    out.table("hisparse.host_ratio", {"label": "Host ratio", "cli": "hisparse-ratio"})
    for r in h["hostRatios"]:
        write_option(out, "hisparse.host_ratio.option", {"id": str(r["id"]), "label": r["label"], "value": r["id"]})


def hicache(out: Out, config: dict, pf: dict) -> None:
    h = pf["hicache"]
    ex = h.get("excludesHw", [])
    out(
        "",
        "# Enabled: strip `flag` and every flag starting with `strip_prefix`, then insert before host",
        "# `flag`, `ratio_flag <ratio>`, [no io profile: `size_flags`], [L3 or an io profile:",
        "# `layout_flag`, `io_flag`], `policy_flag <policy>`, [L3: `backend_flag <backend>`,",
        "# `prefetch_flag <prefetch>`]. L2 = backend auto (GPU + CPU); L3 = a storage backend.",
        "# An io profile (the first `[[hicache.io]]` whose when / mode / transfer match) sets the",
        "# ratio, layout, io backend and the policy / prefetch defaults; where `storage_only`",
        "# matches, only those backends make it L3.",
    )
    amd = h.get("amdIo")
    out.table(
        "hicache",
        {
            "label": "HiCache",
            "hide": {"hw": ex} if ex else None,
            "hidden_reason": HICACHE_REASON.format(hw=hw_labels(config, ex)) if ex else None,
            "flag": "--enable-hierarchical-cache",
            "strip_prefix": "--hicache-",
            "ratio_flag": "--hicache-ratio",
            "default_ratio": 2,
            "size_flags": ["--hicache-size 0"],
            "layout_flag": "--hicache-mem-layout",
            "default_layout": "page_first_direct",
            "io_flag": "--hicache-io-backend",
            "default_io": "direct",
            "policy_flag": "--hicache-write-policy",
            "default_policy": "write_through",
            "backend_flag": "--hicache-storage-backend",
            "prefetch_flag": "--hicache-storage-prefetch-policy",
            "default_prefetch": "wait_complete",
            "storage_only": (
                {"when": {"vendor": ["amd"]}, "backends": ["file"]} if h.get("amdStorageFileOnly") else None
            ),
        },
    )
    ios = [
        {
            "when": constraint(r.get("when")),
            "mode": r.get("mode"),
            "transfer": r.get("transferBackend"),
            "layout": r.get("memLayout"),
            "io": r.get("ioBackend"),
            "ratio": r.get("ratio"),
            "policy": r.get("writePolicy"),
            "prefetch": r.get("prefetchPolicy"),
        }
        for r in h.get("roleOverrides", [])
    ]
    if amd:
        ios.append(
            {
                "when": {"vendor": ["amd"]},
                "layout": amd.get("memLayout"),
                "io": amd.get("ioBackend"),
                "ratio": amd.get("ratio"),
                "policy": amd.get("writePolicy"),
                "prefetch": amd.get("prefetchPolicy"),
            }
        )
    for io in ios:
        out.table("hicache.io", io, array=True)
    out("", "# A line for the PD banner while HiCache is on and a notice's when / mode / transfer match.")
    for n in h.get("notices", []):
        out.table(
            "hicache.notice",
            {
                "when": constraint(n.get("when")),
                "mode": n.get("mode"),
                "transfer": n.get("transferBackend"),
                "text": n["text"],
            },
            array=True,
        )
    out.table("hicache.enable", {"label": "Enable", "cli": "hicache"})
    out.table("hicache.backend", {"label": "Storage", "cli": "hicache-backend"})
    for b in h["backends"]:
        opt = {"id": b["id"] or "auto", "label": b["label"] if b["id"] else "Auto (L2: GPU + CPU)"}
        opt["hide"] = constraint(b.get("hide"))
        write_option(out, "hicache.backend.option", opt)
    out.table("hicache.write_policy", {"label": "Write policy", "cli": "hicache-write-policy"})
    for w in h["writePolicies"]:
        write_option(out, "hicache.write_policy.option", {"id": w["id"], "label": w["label"]})


def umbp(out: Out, config: dict, pf: dict) -> None:
    u = pf.get("umbp")
    if not u:
        return
    only = u.get("onlyHw", [])
    out(
        "",
        "# The unified cache external linker (UMBP is its MORI backend), an alternative to HiCache:",
        "# enabled, it strips `flag`, `backend_flag` and the HiCache family (`strip`,",
        "# `strip_prefix`), then inserts `flag`, `backend_flag <backend>` and the role's flags",
        "# before host and adds the role's env. A `[[umbp.role]]` whose mode and when match turns",
        "# it on by default for that PD role, with its note.",
    )
    out.table(
        "umbp",
        {
            "label": "Unified cache external linker",
            "show_only": {"hw": only} if only else None,
            "hidden_reason": UMBP_REASON.format(hw=hw_labels(config, only)) if only else None,
            "flag": "--enable-unified-cache-external-linker",
            "backend_flag": "--unified-cache-external-linker-backend",
            "strip": ["--enable-hierarchical-cache"],
            "strip_prefix": "--hicache-",
            "default_backend": u.get("defaultBackend", "mori"),
        },
    )
    for r in u.get("roleOverrides", []):
        out.table(
            "umbp.role",
            {
                "mode": r["mode"],
                "when": constraint(r.get("when")),
                "enable": bool(r.get("enable")),
                "flags": r.get("flags", []),
                "env": r.get("env", []),
                "note": r.get("note"),
            },
            array=True,
        )
    out.table("umbp.enable", {"label": "Enable", "cli": "umbp"})
    out.table("umbp.backend", {"label": "Store", "cli": "umbp-backend"})
    for b in u.get("backends", []):
        write_option(out, "umbp.backend.option", {"id": b["id"], "label": b["label"]})


def _cli(sid: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", sid).lower()


def flag_selects(out: Out, pf: dict) -> None:
    out(
        "",
        "# Flag selects (the config's flagSelects): shown while `show_when` matches; a pick other",
        "# than the base's strips `strip` and puts the option's flags in place of the family (new",
        "# ones before host). `default` is the pick a shown select starts at (else inherit).",
    )
    for s in pf.get("flagSelects", []):
        out.table(
            "flag_select",
            {
                "id": _cli(s["id"]).replace("-", "_"),
                "title": s["title"],
                "cli": _cli(s["id"]),
                "inherit": "Inherited",
                "show_when": show_when(s.get("showWhen")),
                "control": s.get("control"),
                "strip": s.get("stripPrefixes", []),
                "default": s.get("default"),
            },
            array=True,
        )
        for o in s["options"]:
            cases = flag_cases(o.get("flags"))
            opt: dict[str, Any] = {"id": o["id"], "label": o["label"]}
            if cases is None:
                opt["flags"] = o.get("flags", [])
            else:
                opt["case"] = cases
            if o.get("env"):
                opt["env"] = o["env"]
            write_option(out, "flag_select.option", opt)


def playground_toml(config: dict) -> str:
    """The text of rules/playground.toml for the evaluated config `config`."""
    pf = config["playgroundFeatures"]
    out = Out()
    out(HEADER.rstrip("\n"))
    attention(out, config, pf)
    moe(out, config, pf)
    parsers(out, pf)
    speculative(out, pf)
    pd(out, config, pf)
    hisparse(out, pf)
    hicache(out, config, pf)
    umbp(out, config, pf)
    flag_selects(out, pf)
    return out.text()


def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dump", type=Path, help="the JSON dump of the config (tools/upstream/dump_module.mjs)")
    ap.add_argument("--write", action="store_true", help="write rules/playground.toml instead of printing it")
    args = ap.parse_args(argv)
    data = json.loads(args.dump.read_text(encoding="utf-8"))
    text = playground_toml(data.get("config", data))
    if args.write:
        target = Path(__file__).resolve().parent.parent / "rules" / "playground.toml"
        tmp = target.with_suffix(".toml.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
