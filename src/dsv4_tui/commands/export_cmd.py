"""`dsv4 export --to TARGET`: the selection as a file for a scheduler that already exists.

The targets come from the format registry (`core/formats`, `TARGETS`): Kubernetes
LeaderWorkerSet (a DisaggregatedSet for PD), an sbatch script, an srt-slurm recipe. The
selection, Env and `--override` options are those of `dsv4 print`. Without `-o`, stdout
gets exactly the file's text; `-o FILE` writes it atomically (mode 0644) and refuses an
existing file unless `--force`, and a symbolic link always (never written through). An
option the target does not read is refused (exit 2), so nothing is silently ignored. dsv4 never runs the file: kubectl, sbatch or srtctl do.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from ..core.deployment import ExportOptions, build
from ..core.formats import TARGETS
from ..core.formats.base import ExportTarget
from ..core.rules import Rules
from ..errors import EXIT_OK, UsageError
from ..host.files import WriteProblem, atomic_write, link_refused
from .overrides import overrides_of
from .print_cmd import override_help
from .selection_args import add_env_args, add_selection_args, env_of, selection_of

FILE_MODE = 0o644
# (ExportOptions field, flag, metavar (None: a switch), help)
OPTION_FLAGS: tuple[tuple[str, str, str | None, str], ...] = (
    ("name", "--name", "NAME", "the name of the objects / job / recipe (default: from the selection)"),
    ("namespace", "--namespace", "NS", "the Kubernetes namespace (default: the one kubectl uses)"),
    ("hf_token_secret", "--hf-token-secret", "SECRET", "the Kubernetes Secret that holds HF_TOKEN"),
    ("hf_token_key", "--hf-token-key", "KEY", "the key of HF_TOKEN in that Secret"),
    ("host_network", "--host-network", None, "multi-node / PD pods use the node's network (its RDMA NICs)"),
    ("rdma_resource", "--rdma-resource", "RES", "an RDMA device-plugin resource for those pods, e.g. rdma/ib"),
    ("whole_node", "--whole-node", None, "ask for every GPU of each node, not only the GPUs the command uses"),
    ("pyxis", "--pyxis", None, "run in the hardware's image through pyxis (srun --container-image)"),
    ("image", "--image", "IMAGE", "the container image (default: the rules' image for the hardware)"),
    ("partition", "--partition", "NAME", "the SLURM partition"),
    ("account", "--account", "NAME", "the SLURM account"),
    ("time_limit", "--time", "TIME", "the SLURM time limit"),
    ("model_dir", "--model-dir", "PATH", "srt-slurm model.path: a model_paths alias or a folder (default: hf:<repo>)"),
)
FLAG_OF = {field: flag for field, flag, _, _ in OPTION_FLAGS}


def _option_help(field: str, text: str) -> str:
    default = next(f.default for f in dataclasses.fields(ExportOptions) if f.name == field)
    users = [t.id for t in TARGETS.values() if field in t.options]
    shown = f" (default: {default})" if default not in (None, False) else ""
    return f"{text}{shown} [{', '.join(users)}]"


def targets_help() -> str:
    lines = [f"  {t.id:10} {t.label}: {t.description}" for t in TARGETS.values()]
    return "targets:\n" + "\n".join(lines)


def add_parser(sub, rules: Rules | None) -> None:
    p = sub.add_parser(
        "export",
        help="write the selection as a Kubernetes or SLURM file (" + " | ".join(TARGETS) + ")",
        description="Write the selection's verified command as a file for a scheduler that already exists. "
        "dsv4 runs nothing itself.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=targets_help() + "\n\n" + override_help(rules),
    )
    p.add_argument("--rules", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.add_argument(
        "--to", required=True, type=str.lower, choices=list(TARGETS), help="the target, any case (see below)"
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically, mode 0644) instead of stdout")
    p.add_argument("--force", action="store_true", help="with -o: overwrite FILE if it exists")
    p.add_argument("--parents", action="store_true", help="with -o: create FILE's folder (and its parents) if missing")
    add_selection_args(p)
    add_env_args(p)
    p.add_argument("--override", action="append", metavar="KEY=VALUE", help="a Playground override (repeatable)")
    g = p.add_argument_group("export options ([targets] that read them; other targets refuse them)")
    for field, flag, metavar, text in OPTION_FLAGS:
        if metavar is None:
            g.add_argument(flag, dest=f"opt_{field}", action="store_true", help=_option_help(field, text))
        else:
            g.add_argument(flag, dest=f"opt_{field}", metavar=metavar, help=_option_help(field, text))
    p.set_defaults(run=run)


def options_of(args: argparse.Namespace, target: ExportTarget) -> ExportOptions:
    """The ExportOptions the flags ask for; exit 2 naming every flag that is wrong."""
    given = {
        f: getattr(args, f"opt_{f}") for f, _, _, _ in OPTION_FLAGS if getattr(args, f"opt_{f}") not in (None, False)
    }
    problems = []
    for field, value in given.items():
        if field not in target.options:
            users = ", ".join(t.id for t in TARGETS.values() if field in t.options)
            problems.append(f"{FLAG_OF[field]} is not used by --to {target.id} (it is for: {users})")
            continue
        try:
            ExportOptions(**{field: value})
        except ValueError as exc:
            problems.append(f"{FLAG_OF[field]} {str(exc).split(' ', 1)[1]}")
    if problems:
        raise UsageError("\n".join(problems))
    return ExportOptions(**given)


def missing_folder(path: Path) -> Path | None:
    """The folder `path` would be written into, when it does not exist (None: it does)."""
    folder = path.absolute().parent
    return None if folder.is_dir() else folder


def write_file(path: Path, text: str, force: bool, parents: bool = False) -> Path:
    """Write `text` to `path` atomically (mode 0644); an existing file only with `force`, into
    a missing folder only with `parents` (never silently)."""
    if path.is_symlink():
        raise UsageError(link_refused(path))
    if path.is_dir():
        raise UsageError(f"-o {path}: is a folder; give a file name")
    if path.exists() and not force:
        raise UsageError(f"{path} already exists; add --force to overwrite it")
    folder = missing_folder(path)
    if folder is not None and not parents:
        raise UsageError(f"-o {path}: the folder {folder} does not exist; add --parents to create it")
    try:
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            print(f"dsv4: created the folder {folder}", file=sys.stderr)
        return atomic_write(path, text, mode=FILE_MODE, links="refuse")
    except WriteProblem as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def run(args: argparse.Namespace, rules: Rules) -> int:
    for notice in rules.notices:
        print(f"dsv4: {notice}", file=sys.stderr)
    target = TARGETS[args.to]
    sel = selection_of(rules, args, f"dsv4 export --to {target.id}")
    env = env_of(rules, args)
    ov = overrides_of(rules, sel, args)
    opts = options_of(args, target)
    try:
        text = target.export(build(rules, sel, env, ov), opts)
    except ValueError as exc:
        raise UsageError(f"cannot export {sel.text} to {target.id}: {exc}") from None
    if not args.output:
        sys.stdout.write(text)
        return EXIT_OK
    written = write_file(Path(args.output).expanduser(), text, args.force, args.parents)
    print(f"dsv4: wrote {written.absolute()} ({target.label}, {len(text.splitlines())} lines)", file=sys.stderr)
    return EXIT_OK
