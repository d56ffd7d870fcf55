"""Regenerate the JSON schemas in this folder from the CRDs in shared/reference/deploy-targets/.

    python tests/data/deploy-targets/extract_schemas.py ../shared/reference/deploy-targets

Each CRD's served/storage version `openAPIV3Schema` is written as JSON with the `description`
strings dropped (they do not take part in validation and are 80% of the bytes). The example
manifests and recipes are copied as they are. The test suite never reads shared/.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CRDS = {
    "leaderworkerset.schema.json": "k8s/leaderworkerset.x-k8s.io_leaderworkersets.yaml",
    "disaggregatedset.schema.json": "k8s/disaggregatedset.x-k8s.io_disaggregatedsets.yaml",
}
COPIES = (
    "k8s/lws-sglang-example.yaml",
    "k8s/disaggregatedset-sample.yaml",
    "slurm/example-agg-2n-low-latency.yaml",
    "slurm/example-disagg-1p1d-dep4-mega-moe.yaml",
)


def strip_descriptions(node):
    if isinstance(node, dict):
        return {k: strip_descriptions(v) for k, v in node.items() if not (k == "description" and isinstance(v, str))}
    if isinstance(node, list):
        return [strip_descriptions(v) for v in node]
    return node


def storage_schema(crd: dict) -> dict:
    version = next(v for v in crd["spec"]["versions"] if v.get("storage"))
    return {
        "group": crd["spec"]["group"],
        "kind": crd["spec"]["names"]["kind"],
        "version": version["name"],
        "openAPIV3Schema": strip_descriptions(version["schema"]["openAPIV3Schema"]),
    }


def main(source: Path) -> None:
    for target, rel in CRDS.items():
        docs = [d for d in yaml.safe_load_all((source / rel).read_text(encoding="utf-8")) if d]
        out = storage_schema(docs[0])
        (HERE / target).write_text(json.dumps(out, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    for rel in COPIES:
        shutil.copyfile(source / rel, HERE / Path(rel).name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[3] / "shared" / "reference" / "deploy-targets")
