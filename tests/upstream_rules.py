"""Test-only: the bundled rules with the cells of the newer upstream config (the JSON dump in
tests/data/upstream/deepseek-v4.json), so the Playground can be tried on the 136 cells, the
five variants and the new hardware before the rules themselves are regenerated.

Only what the Playground reads is filled in: the cells (env, flags, verified) and, for the
variants and hardware the bundled model.toml does not know yet, an entry with their id and
label (the new hardware's vendor and arch from the config's own notes: RTX 5090 and DGX
Spark are Blackwell desktop parts).
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from pathlib import Path

from dsv4_tui.core.rules import Rules
from dsv4_tui.core.schema import Cell, Hardware, Variant
from dsv4_tui.host.rules_files import load_rules

ROOT = Path(__file__).resolve().parent.parent
DUMP = ROOT / "tests" / "data" / "upstream" / "deepseek-v4.json"


@cache
def config() -> dict:
    return json.loads(DUMP.read_text(encoding="utf-8"))["config"]


NEW_HARDWARE = {  # the config's supportedHardware that model.toml lacks (labels: the page's)
    "rtx5090": dict(label="RTX 5090", vendor="nvidia", memory_gb=32, arch="blackwell-desktop", kind="workstation"),
    "dgx-spark": dict(label="DGX Spark", vendor="nvidia", memory_gb=128, arch="blackwell-desktop", gpus_per_node=1),
}


@cache
def upstream_rules() -> Rules:
    rules = load_rules(ROOT / "rules")
    cfg = config()
    model = rules.model
    known_hw = {h.id for h in model.hardware}
    hardware = list(model.hardware) + [
        Hardware(id=h, **NEW_HARDWARE[h]) for h in cfg["supportedHardware"] if h not in known_hw
    ]
    known_variants = {v.id for v in model.variant}
    variants = list(model.variant) + [
        Variant(id=v["id"], label=v["label"], total_params=v["subtitle"], active_params="")
        for v in cfg["variants"]
        if v["id"] not in known_variants
    ]
    cells = [
        Cell(**c["match"], verified=bool(c.get("verified", True)), env=list(c["env"]), flags=list(c["flags"]))
        for c in cfg["cells"]
    ]
    model = dataclasses.replace(model, hardware=hardware, variant=variants)
    return dataclasses.replace(rules, model=model, cells=cells)


@cache
def seed_rules_in(folder: Path) -> Rules:
    """The July page's model and cells (tests/data/july-rules) with the bundled Playground and
    lint rules: what the page's recorded Playground scenarios were made on, whatever the
    bundled cells are by now."""
    import shutil

    target = folder / "rules"
    shutil.copytree(ROOT / "tests" / "data" / "july-rules", target)  # the July model and cells
    shutil.copyfile(ROOT / "rules" / "playground.toml", target / "playground.toml")
    shutil.copyfile(ROOT / "rules" / "checks.toml", target / "checks.toml")
    return load_rules(target)
