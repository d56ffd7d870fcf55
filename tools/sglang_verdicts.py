"""The differential harness: SGLang's own parser and DeepSeek-V4 hooks judge a corpus of
commands; tests/data/sglang-verdicts.json records the verdicts, and the regular test suite
(tests/test_lint_verdicts.py) checks that the lint agrees with every one (no SGLang needed).

    make sglang-verdicts            # or: .venv/bin/python tools/sglang_verdicts.py

Steps:
1. The corpus, built here with dsv4's own core from the rules on this branch: every cell's
   command(s), every single Playground override on every cell, 300 seeded override
   combinations, and hand-written mutations (tools/sglang_harness/mutations.json).
2. A throwaway venv (default /tmp/dsv4-sglang-venv; --venv) with the sglang==0.5.23 wheel
   installed --no-deps plus only what its parser and hook modules import on CPU (the list is
   VENV_PACKAGES below; torch 2.13.0 CPU). Never a dependency of dsv4.
3. tools/sglang_harness/runner.py runs in that venv on the corpus (see its docstring).
4. The verdicts are written, with each command's text and selection.

Re-running after the rules change (e.g. a new cells.toml) rebuilds the corpus and the verdicts;
the venv is reused. Timing on the 2-core machine: building the venv ≈ 4 min (once), the
corpus ≈ 10 s, the runner ≈ 1–3 min for ~5,000 commands.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from dsv4_tui.core.lint import parse_commands  # noqa: E402
from dsv4_tui.core.playground import Overrides  # noqa: E402
from dsv4_tui.core.playground.result import playground  # noqa: E402
from dsv4_tui.core.playground.views import cards, set_choice  # noqa: E402
from dsv4_tui.core.selection import Selection  # noqa: E402
from dsv4_tui.host.files import atomic_write  # noqa: E402
from dsv4_tui.host.rules_files import load_rules  # noqa: E402

OUT = ROOT / "tests" / "data" / "sglang-verdicts.json"
MUTATIONS = ROOT / "tools" / "sglang_harness" / "mutations.json"
RUNNER = ROOT / "tools" / "sglang_harness" / "runner.py"
SGLANG = "sglang==0.5.23"
TORCH = "torch==2.13.0"
VENV_PACKAGES = [
    "numpy", "orjson", "psutil", "pybase64", "requests", "packaging", "pillow", "starlette", "msgspec",
    "pydantic", "pyzmq", "tqdm", "ipython", "aiohttp", "transformers==5.19.0", "dill", "apache-tvm-ffi",
    "triton", "pyyaml", "compressed-tensors", "sentencepiece", "gguf",
]  # fmt: skip
SEED = 17
COMBINATIONS = 300


def _platform(rules, sel: Selection) -> str:
    hw = rules.hardware(sel.hw)
    return "amd" if hw.vendor == "amd" else hw.arch


def _items(rules, sel: Selection, text: str, origin: str) -> list[dict]:
    commands, _ = parse_commands(text)
    return [
        {
            "launcher": c.launcher,
            "model_type": c.model_type,
            "env": list(c.env),
            "argv": list(c.argv),
            "platform": _platform(rules, sel),
            "origin": origin,
            "sel": [sel.hw, sel.variant, sel.quant, sel.strategy, sel.nodes],
            "text": text,
            "index": i,
        }
        for i, c in enumerate(commands)
    ]


def _subst(rules):
    from dsv4_tui.core.env import Env

    return Env.defaults(rules).subst().with_values(NODE_RANK="0", NODE0_IP="10.0.0.1", HOST_IP="0.0.0.0")


def corpus(rules) -> list[dict]:
    subst = _subst(rules)
    out: list[dict] = []
    sels = [Selection(c.hw, c.variant, c.quant, c.strategy, c.nodes) for c in rules.cells]
    choices: dict[Selection, list[tuple[str, str]]] = {}
    for sel in sels:
        out += _items(rules, sel, playground(rules, sel, Overrides(), "python", subst).text, "cell")
        opts = []
        for card in cards(rules, sel, Overrides()):
            if card.hidden:
                continue
            for knob in card.knobs:
                if knob.hidden:
                    continue
                opts += [
                    (knob.key, c.id) for c in knob.choices if not c.hidden and not c.disabled and c.id != knob.selected
                ]
        choices[sel] = opts
        for key, cid in opts:
            ov = set_choice(rules, Overrides(), key, cid)
            out += _items(rules, sel, playground(rules, sel, ov, "python", subst).text, f"override {key}={cid}")
    rng = random.Random(SEED)
    for _ in range(COMBINATIONS):
        sel = rng.choice(sels)
        ov = Overrides()
        picked = rng.sample(choices[sel], min(len(choices[sel]), rng.randint(2, 4)))
        for key, cid in picked:
            ov = set_choice(rules, ov, key, cid)
        label = ", ".join(f"{k}={c}" for k, c in picked)
        out += _items(rules, sel, playground(rules, sel, ov, "python", subst).text, f"combination {label}")
    mutations = json.loads(MUTATIONS.read_text(encoding="utf-8"))["mutations"]
    for sel in sels[:: max(1, len(sels) // 12)]:
        base = playground(rules, sel, Overrides(), "python", subst).text
        for m in mutations:
            text = base.rstrip("\n") + " " + m["append"] if m.get("append") else base
            if m.get("replace"):
                text = text.replace(*m["replace"])
            if m.get("env"):
                text = m["env"] + " " + text
            out += _items(rules, sel, text, f"mutation {m['id']}")
    unique: dict[tuple, dict] = {}
    for item in out:
        unique.setdefault((tuple(item["sel"]), item["text"], item["index"]), item)
    items = list(unique.values())
    for n, item in enumerate(items):
        item["id"] = str(n)
    return items


def ensure_venv(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if python.exists():
        return python
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    constraints = venv / "constraints.txt"
    constraints.write_text(TORCH + "\n", encoding="utf-8")
    pip = [str(python), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, TORCH], check=True, timeout=1800)
    subprocess.run([*pip, "--no-deps", SGLANG], check=True, timeout=1800)
    subprocess.run([*pip, "-c", str(constraints), *VENV_PACKAGES], check=True, timeout=1800)
    return python


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, default=Path("/tmp/dsv4-sglang-venv"))
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep corpus.json and runner.json in DIR")
    args = parser.parse_args(argv)
    rules = load_rules(ROOT / "rules", cache=False)
    items = corpus(rules)
    print(f"corpus: {len(items)} commands", file=sys.stderr)
    python = ensure_venv(args.venv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        src, dst = folder / "corpus.json", folder / "runner.json"
        src.write_text(json.dumps(items), encoding="utf-8")
        subprocess.run([str(python), str(RUNNER), str(src), str(dst)], check=True, timeout=7200)
        verdicts = json.loads(dst.read_text(encoding="utf-8"))
    write(items, verdicts, args.output)
    return 0


def write(items: list[dict], verdicts: dict, output: Path) -> None:
    """tests/data/sglang-verdicts.json from the corpus and the runner's verdicts."""
    records = [
        {
            "sel": item["sel"],
            "text": item["text"],
            "index": item["index"],
            "origin": item["origin"],
            **verdicts[item["id"]],
        }
        for item in items
    ]
    doc = {"sglang": SGLANG, "seed": SEED, "combinations": COMBINATIONS, "records": records}
    atomic_write(output, json.dumps(doc, indent=0, sort_keys=True, ensure_ascii=False) + "\n", mode=0o644)
    rejected = sum(1 for r in records if r["verdict"] == "reject")
    print(f"wrote {output}: {len(records)} verdicts, {rejected} rejected", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
