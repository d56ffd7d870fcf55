#!/usr/bin/env python3
"""Convert the cookbook's JSON (shared/reference/deepseek-v4-cookbook.json) into rules/*.toml.

This is a one-off maintenance tool: the app never reads the JSON, only rules/.
Facts the JSON does not carry (architecture family, strategy "pick this when" lines,
parameter counts, install steps, availability notes) come from the cookbook page text
and are written here as data so that the rules stay the single source.

    python tools/convert_cookbook.py ../shared/reference/deepseek-v4-cookbook.json rules/
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# -- facts from the page text (seed-deepseek-v4-cookbook-page.txt) ------------------------

ARCH = {
    "h100": "hopper",
    "h200": "hopper",
    "b200": "blackwell",
    "b300": "blackwell",
    "gb200": "blackwell",
    "gb300": "blackwell",
    "rtx6000": "blackwell-desktop",
    "mi300x": "cdna3",
    "mi325x": "cdna3",
    "mi350x": "cdna4",
    "mi355x": "cdna4",
}
# Names nvidia-smi / rocm-smi / amd-smi print, matched case-insensitively as substrings.
DETECT = {
    "h100": ["H100"],
    "h200": ["H200"],
    "b200": ["B200"],
    "b300": ["B300"],
    "gb200": ["GB200"],
    "gb300": ["GB300"],
    "rtx6000": ["RTX PRO 6000"],
    "mi300x": ["MI300X"],
    "mi355x": ["MI355X"],
}
GPUS_PER_NODE = {"gb200": 4, "gb300": 4}
VARIANT_PARAMS = {"flash": ("284B", "13B"), "pro": ("1.6T", "49B")}
STRATEGY_BLURB = {
    "low-latency": "fastest reply for a single user. Pick for chat.",
    "balanced": "good speed with several users at once. Use for typical multi-user serving.",
    "high-throughput": "most tokens per second across many users. Best for batch jobs.",
}
PLACEHOLDER_KIND = {
    "HOST_IP": "bind",
    "PORT": "port",
    "NODE0_IP": "host",
    "NODE_RANK": "rank",
    "HF_TOKEN": "secret",
    "CURL_HOST": "host",
    "CURL_PORT": "port",
}


def q(s: str) -> str:
    """A TOML basic string (JSON escaping is valid TOML for these texts)."""
    return json.dumps(s, ensure_ascii=False)


def ml(s: str) -> str:
    """A TOML literal multi-line string when possible (keeps backslashes readable)."""
    if "'''" not in s:
        return "'''\n" + s + "'''"
    return q(s)


def arr(items, indent="  ") -> str:
    if not items:
        return "[]"
    body = "".join(f"{indent}{q(x) if isinstance(x, str) else json.dumps(x)},\n" for x in items)
    return "[\n" + body + "]"


def inline(d: dict) -> str:
    parts = []
    for k, v in d.items():
        if isinstance(v, list):
            parts.append(f"{k} = [{', '.join(q(x) if isinstance(x, str) else json.dumps(x) for x in v)}]")
        elif isinstance(v, str):
            parts.append(f"{k} = {q(v)}")
        else:
            parts.append(f"{k} = {json.dumps(v)}")
    return "{ " + ", ".join(parts) + " }"


def model_toml(d: dict) -> str:
    out = [
        "# DeepSeek-V4 on SGLang — the cookbook page's facts (everything but the cells and the",
        "# Playground knobs). Converted from the cookbook JSON by tools/convert_cookbook.py, then",
        "# kept by hand. Order matters: options are offered in the order written here.",
        "",
        "[model]",
        f"name = {q(d['modelName'])}",
        f"cookbook = {q(d['github']['cookbookModel'])}",
        'issue_repo = "sgl-project/sglang"',
        'issue_template = "3-playground-verified-cell.yml"',
        'default_image = "lmsysorg/sglang:dev"',
        "",
    ]
    vendor_of = {}
    for vendor, items in d["hardwareCatalog"].items():
        for h in items:
            vendor_of[h["id"]] = (vendor, h)
    for h in d["hardware"]:
        vendor_of[h["id"]] = (h["vendor"], h)
    out.append("# Hardware offered, grouped by vendor in the UI. memory_gb is per GPU.")
    for hid in d["supportedHardware"]:
        vendor, h = vendor_of[hid]
        out += [
            "[[hardware]]",
            f"id = {q(hid)}",
            f"label = {q(h['label'])}",
            f"vendor = {q(vendor)}",
            f"memory_gb = {int(h['vram'].rstrip('GB'))}",
            f"arch = {q(ARCH[hid])}",
            f"gpus_per_node = {GPUS_PER_NODE.get(hid, 8)}",
            f"detect = {json.dumps(DETECT[hid])}",
        ]
        if hid == "rtx6000":
            out.append('kind = "workstation"')
        out.append("")
    for v in d["variants"]:
        total, active = VARIANT_PARAMS[v["id"]]
        out += [
            "[[variant]]",
            f"id = {q(v['id'])}",
            f"label = {q(v['label'])}",
            f"total_params = {q(total)}",
            f"active_params = {q(active)}",
            "",
        ]
    for x in d["quantizations"]:
        out += ["[[quant]]", f"id = {q(x['id'])}", f"label = {q(x['label'])}", ""]
    for s in d["strategies"]:
        out += [
            "[[strategy]]",
            f"id = {q(s['id'])}",
            f"label = {q(s['label'])}",
            f"pick_when = {q(STRATEGY_BLURB[s['id']])}",
            "",
        ]
    for n in d["nodesOptions"]:
        count = 1 if n["id"] == "single" else int(n["id"].split("-")[1])
        out += ["[[nodes]]", f"id = {q(n['id'])}", f"label = {q(n['label'])}", f"count = {count}", ""]

    out.append("# Model repo per selection: the most specific key wins (hw|variant|quant, then variant|quant).")
    out.append("[model_names]")
    for k, v in d["modelNames"].items():
        out.append(f"{q(k)} = {q(v)}")
    out.append("")

    out.append("# Env placeholders shared by the command and the cURL. kind drives validation:")
    out.append("# host = hostname, IPv4 or [IPv6]; bind = the same, bare IPv6 allowed; port = 1-65535, rank = integer >= 0, secret = masked on screen.")
    for k, p in d["placeholders"].items():
        out += [
            f"[placeholders.{k}]",
            f"label = {q(p['label'])}",
            f"default = {q(p['default'])}",
            f"target = {q(p['target'])}",
            f"kind = {q(PLACEHOLDER_KIND[k])}",
        ]
        if PLACEHOLDER_KIND[k] == "secret":
            out.append("secret = true")
        out.append("")

    out += ["[curl]", f"template = {ml(d['curl'])}", ""]

    out.append("# Docker framing. Image: images[\"hw|quant\"], else images[hw], else model.default_image.")
    out.append("[docker]")
    out.append('volume = "~/.cache/huggingface:/root/.cache/huggingface"')
    out.append('token_env = "HF_TOKEN"')
    out.append("")
    out.append("[docker.runtime.nvidia]")
    out.append('run = "docker run --gpus all"')
    out.append('args = ["--shm-size 32g"]')
    out.append("")
    out.append("[docker.runtime.amd]")
    out.append('run = "docker run"')
    out.append("args = " + arr([
        "--device=/dev/kfd --device=/dev/dri",
        "--group-add video",
        "--cap-add=SYS_PTRACE --security-opt seccomp=unconfined",
        "--shm-size 32g",
    ]))
    out.append("")
    out.append("[docker.images]")
    for k, v in d["dockerImages"].items():
        out.append(f"{q(k)} = {q(v)}")
    out.append("")

    out.append("# Printed as '# line' on top of multi-node commands for that hardware.")
    out.append("[multi_node_hints]")
    for k, v in d["multiNodeHints"].items():
        out.append(f"{k} = {arr(v)}")
    out.append("")

    out += [
        "# Install SGLang (the page's Install panel). Python path; Docker pulls the selected image.",
        "[install]",
        'guide = "https://docs.sglang.ai/get_started/install.html"',
        "python = " + arr([
            "pip install --upgrade pip",
            "pip install uv",
            "uv pip install sglang",
        ]),
        'docker = "docker pull {image}"',
        "",
        "# Extra words for a greyed option's reason. when = the higher selections it applies to.",
        "[[availability_note]]",
        'when = { hw = ["rtx6000"] }',
        'dim = "variant"',
        "text = \"V4-Pro doesn't fit on 8 x 96 GB\"",
        "",
        "[[availability_note]]",
        'when = { hw = ["rtx6000"] }',
        'dim = "strategy"',
        'text = "only the low-latency / TP-only recipe (TP=4, Marlin W4A16) is verified on this card"',
        "",
        "[[availability_note]]",
        'when = { hw = ["h100"] }',
        'dim = "quant"',
        'values = ["fp8"]',
        'text = "H100 has no FP8 path: original FP4 checkpoints with Marlin W4A16 only"',
        "",
    ]
    return "\n".join(out)


def cells_toml(cells: list) -> str:
    out = [
        "# The verified DeepSeek-V4 cells: one per (hw, variant, quant, strategy, nodes), in the",
        "# page's order (the first matching cell wins ties). env is KEY=VALUE in order; flags are",
        "# rendered one per line in order. {{KEY}} is an Env placeholder, {{MODEL_NAME}} the repo.",
        "# A cell derived from a neighbour and not re-run says verified = false and",
        '# derived_from = "hw/variant/quant/strategy/nodes".',
        "",
    ]
    last_hw = None
    for c in cells:
        m = c["match"]
        if m["hw"] != last_hw:
            out.append(f"# ---- {m['hw']} " + "-" * 60)
            last_hw = m["hw"]
        out += [
            "[[cell]]",
            f"hw = {q(m['hw'])}",
            f"variant = {q(m['variant'])}",
            f"quant = {q(m['quant'])}",
            f"strategy = {q(m['strategy'])}",
            f"nodes = {q(m['nodes'])}",
            f"verified = {'true' if c['verified'] else 'false'}",
        ]
        if "roles" in c:
            out.append("")
            for r in c["roles"]:
                out.append("[[cell.role]]")
                out.append(f"title = {q(r['title'])}")
                if r.get("notes"):
                    out.append(f"notes = {arr(r['notes'])}")
                if "raw" in r:
                    out.append(f"raw = {ml(r['raw'])}")
                else:
                    out.append(f"env = {arr(r.get('env', []))}")
                    out.append(f"flags = {arr(r.get('flags', []))}")
                out.append("")
        else:
            out.append(f"env = {arr(c['env'])}")
            out.append(f"flags = {arr(c['flags'])}")
            out.append("")
    return "\n".join(out)


def opt(lines, table, o):
    lines.append(f"[[{table}]]")
    for k, v in o.items():
        if isinstance(v, dict):
            lines.append(f"{k} = {inline(v)}")
        elif isinstance(v, list):
            lines.append(f"{k} = {arr(v)}")
        elif isinstance(v, str):
            lines.append(f"{k} = {q(v)}")
        else:
            lines.append(f"{k} = {json.dumps(v)}")
    lines.append("")


def numeric_options(values, label_word):
    res = []
    for v in values:
        if v is None:
            continue
        if v is False:
            res.append({"id": "off", "label": "Off", "value": 0})
            continue
        if isinstance(v, dict):
            o = {"id": str(v["value"]), "label": str(v["value"]), "value": v["value"]}
            if "hide" in v:
                o["hide"] = v["hide"]
            if "disable" in v:
                o["disable"] = v["disable"]
                o["reason"] = v["disableReason"]
            res.append(o)
        else:
            res.append({"id": str(v), "label": str(v), "value": v})
    return res


def playground_toml(pf: dict) -> str:
    L = [
        "# Playground knobs (the page's playgroundFeatures). Every knob starts at inherit, which",
        "# emits nothing; the options below are the overrides. Constraint tables match when every",
        "# key matches one of its values; keys: hw, variant, quant, strategy, nodes, vendor, arch,",
        "# dp_attn_on, pd_mode.",
        "#   hide = {...}       option removed while it matches",
        "#   show_only = {...}  option removed unless it matches",
        "#   disable = {...}    option greyed while it matches, with reason",
        "#   disabled = true    option always greyed, with reason",
        "# How each card rewrites the command is the engine's job (src/dsv4_tui/core/playground.py).",
        "",
    ]
    knobs = {k["id"]: k for k in pf["attention"]["knobs"]}
    for kid, name in (("tp", "tp"), ("cp", "cp"), ("dpAttn", "dp_attention")):
        k = knobs[kid]
        L += [f"[attention.{name}]", f"label = {q(k['label'])}", ""]
        for o in numeric_options(k["values"], k["label"]):
            opt(L, f"attention.{name}.option", o)

    L += ["[moe.backend]", 'label = "Backend"', ""]
    for o in pf["moe"]["backend"]["options"]:
        if o["id"] is None:
            continue
        d = {"id": o["id"], "label": o["label"], "flags": o["flags"]}
        if "requiresHw" in o:
            # The page text also gates MegaMoE to the high-throughput recipe (sglang#26451).
            d["show_only"] = {"hw": o["requiresHw"], "strategy": ["high-throughput"]}
            d["hidden_reason"] = (
                "MegaMoE runs only on Blackwell datacenter GPUs (B200 / B300 / GB200 / GB300) "
                "with the high-throughput recipe"
            )
        opt(L, "moe.backend.option", d)
    mq = pf["moe"]["megamoeQuant"]
    L += [
        "[moe.megamoe_quant]",
        'label = "Quantization"',
        f"strip_env = {arr(mq['stripEnv'])}",
        "",
    ]
    for o in mq["options"]:
        opt(L, "moe.megamoe_quant.option", {
            "id": o["id"], "label": o["label"], "env": o["env"],
            "show_only": {"hw": ["b200", "b300", "gb200", "gb300"], "strategy": ["high-throughput"]},
        })
    L += ["[moe.ep]", f"label = {q(pf['moe']['ep']['label'])}", ""]
    for o in numeric_options(pf["moe"]["ep"]["values"], "EP"):
        opt(L, "moe.ep.option", o)

    for it in pf["parsers"]["items"]:
        name = {"reasoning": "reasoning", "toolCall": "tool_call"}[it["id"]]
        L += [f"[parsers.{name}]", f"label = {q(it['label'])}", f"flag = {q(it['flag'])}", ""]

    L += ["[speculative]", 'label = "Speculative decoding"', ""]
    for o in pf["speculative"]["options"]:
        if o["id"] == "current":
            continue
        d = {"id": o["id"], "label": o["label"], "flags": o.get("flags", [])}
        if "disable" in o:
            d["disable"] = {"dp_attn_on": o["disable"]["dpAttnOn"]}
            d["reason"] = o["disableReason"]
        if o.get("disabled"):
            d["disabled"] = True
            d["reason"] = o["disableReason"]
        opt(L, "speculative.option", d)

    pd = pf["pdDisagg"]
    L += [
        "[pd]",
        'label = "PD disaggregation"',
        "prefill_port = 30000",
        "decode_port = 30100",
        "prefill_dist_port = 30335",
        "decode_dist_port = 30435",
        f"router_port = {pd['router']['port']}",
        f"router = {ml(pd['router']['command'])}",
        "",
    ]
    for o in pd["modes"]:
        opt(L, "pd.mode", {"id": o["id"], "label": o["label"]})
    for o in pd["transferBackends"]:
        d = {"id": o["id"], "label": o["label"]}
        if "env" in o:
            d["env"] = o["env"]
            d["env_when"] = o["envWhen"]
        if "hide" in o:
            d["show_only"] = {"vendor": ["amd"]}
            d["hidden_reason"] = "MORI is AMD's transfer engine: AMD GPUs only"
        opt(L, "pd.transfer", d)
    for o in pd["ibDevices"]:
        if isinstance(o, dict):
            opt(L, "pd.ib_device", {"id": o["id"], "label": o["label"]})
        else:
            opt(L, "pd.ib_device", {"id": o, "label": o})

    hs = pf["hisparse"]
    L += [
        "[hisparse]",
        'label = "HiSparse"',
        'show_only = { pd_mode = ["decode"] }',
        'hidden_reason = "HiSparse runs on the decode role: set PD disaggregation to Decode first"',
        f"required_flags = {arr(hs['requiredFlags'])}",
        f"top_k = {hs['config']['top_k']}",
        f"device_buffer_size = {hs['config']['device_buffer_size']}",
        f"default_host_ratio = {hs['defaultHostRatio']}",
        "",
    ]
    for o in hs["hostRatios"]:
        opt(L, "hisparse.host_ratio", {"id": str(o["id"]), "label": o["label"], "value": o["id"]})

    hc = pf["hicache"]
    L += [
        "[hicache]",
        'label = "HiCache"',
        f"hide = {inline({'hw': hc['excludesHw']})}",
        'hidden_reason = "HiCache is not supported on RTX PRO 6000"',
        "",
    ]
    for o in hc["backends"]:
        if o["id"] is None:
            opt(L, "hicache.backend", {"id": "auto", "label": "Auto (L2: GPU + CPU)"})
        else:
            opt(L, "hicache.backend", {"id": o["id"], "label": o["label"]})
    for o in hc["writePolicies"]:
        opt(L, "hicache.write_policy", {"id": o["id"], "label": o["label"]})
    return "\n".join(L)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst = Path(argv[1]), Path(argv[2])
    d = json.loads(src.read_text(encoding="utf-8"))
    dst.mkdir(parents=True, exist_ok=True)
    (dst / "model.toml").write_text(model_toml(d), encoding="utf-8")
    (dst / "cells.toml").write_text(cells_toml(d["cells"]), encoding="utf-8")
    (dst / "playground.toml").write_text(playground_toml(d["playgroundFeatures"]), encoding="utf-8")
    print(f"wrote {dst}/model.toml, cells.toml, playground.toml ({len(d['cells'])} cells)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
