"""The Hugging Face cache: where it is, and how much of one model it holds.

The folder follows huggingface_hub's conventions (HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE,
HF_HOME/hub, XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub), read from the
context's env, not from the process. Scanning uses `huggingface_hub.scan_cache_dir`,
imported only when a scan runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..files import read_small
from .context import DoctorContext


def hf_home(ctx: DoctorContext) -> Path:
    env = ctx.env
    if env.get("HF_HOME"):
        return ctx.expand(env["HF_HOME"])
    if env.get("XDG_CACHE_HOME"):
        return ctx.expand(env["XDG_CACHE_HOME"]) / "huggingface"
    return ctx.home() / ".cache" / "huggingface"


def hub_cache_dir(ctx: DoctorContext) -> Path:
    """The hub cache this env's `huggingface_hub` (and so sglang) downloads into."""
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if ctx.env.get(name):
            return ctx.expand(ctx.env[name])
    return hf_home(ctx) / "hub"


def token_available(ctx: DoctorContext) -> bool:
    """An HF token in this env (HF_TOKEN, HUGGING_FACE_HUB_TOKEN) or the saved token file."""
    if any(ctx.env.get(name, "").strip() for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")):
        return True
    path = ctx.expand(ctx.env["HF_TOKEN_PATH"]) if ctx.env.get("HF_TOKEN_PATH") else hf_home(ctx) / "token"
    try:
        return bool(read_small(path, 4096).strip())
    except OSError:
        return False


@dataclass
class CachedModel:
    """One repo in the cache. Bytes are of its main revision (else its largest)."""

    cache_dir: Path
    found: bool = False
    present_bytes: int = 0
    incomplete_bytes: int = 0  # interrupted downloads (*.incomplete blobs)
    shards_total: int | None = None  # from the snapshot's *.safetensors.index.json
    shards_present: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def shards_complete(self) -> bool | None:
        if self.shards_total is None or self.shards_present is None:
            return None
        return self.shards_present >= self.shards_total


def repo_folder(repo_id: str) -> str:
    return "models--" + repo_id.replace("/", "--")


def scan_model(cache_dir: Path, repo_id: str) -> CachedModel:
    """How much of `repo_id` is in `cache_dir`. Raises ImportError without huggingface_hub."""
    from huggingface_hub import scan_cache_dir  # lazily: only the doctor needs it

    model = CachedModel(cache_dir)
    if not cache_dir.is_dir():
        return model
    info = scan_cache_dir(cache_dir)
    folder = repo_folder(repo_id)
    model.problems = [str(warning) for warning in info.warnings if folder in str(warning)]
    model.incomplete_bytes = _incomplete_bytes(cache_dir / folder / "blobs")
    repo = next((r for r in info.repos if r.repo_type == "model" and r.repo_id.lower() == repo_id.lower()), None)
    if repo is None or not repo.revisions:
        model.found = model.incomplete_bytes > 0
        return model
    mains = [rev for rev in repo.revisions if "main" in rev.refs]
    revision = mains[0] if mains else max(repo.revisions, key=lambda rev: rev.size_on_disk)
    model.found = True
    model.present_bytes = revision.size_on_disk
    model.shards_total, model.shards_present = _shards(Path(revision.snapshot_path))
    return model


def _incomplete_bytes(blobs: Path) -> int:
    total = 0
    try:
        for path in blobs.glob("*.incomplete"):
            total += path.stat().st_size
    except OSError:
        pass
    return total


def _shards(snapshot: Path) -> tuple[int | None, int | None]:
    """(listed, present) weight files from the snapshot's safetensors index, if it has one."""
    try:
        index = next(iter(sorted(snapshot.glob("*.safetensors.index.json"))), None)
        if index is None:
            return None, None
        weight_map = json.loads(index.read_text(encoding="utf-8")).get("weight_map", {})
        files = set(weight_map.values()) if isinstance(weight_map, dict) else set()
    except (OSError, ValueError, AttributeError):
        return None, None
    if not files:
        return None, None
    present = sum(1 for name in files if isinstance(name, str) and (snapshot / name).is_file())
    return len(files), present
