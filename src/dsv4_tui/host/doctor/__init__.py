"""The Doctor: will this command run on this box?

Host checks for one selection (GPUs, SGLang, Docker, InfiniBand, NODE0_IP, weights, port,
RAM), each reporting ok / warn / fail / skipped with one line of reason and one of fix.
The caller builds a `DoctorRequest` from the rules; nothing here knows a model's name.

    results = run_doctor(request)                      # CLI: ordered list
    print(to_json(results)); sys.exit(exit_code(results))
    for result in iter_doctor(request, cancel=event):  # app worker: as they arrive
        ...
"""

from __future__ import annotations

from .context import DoctorContext
from .model import (
    FAIL,
    OK,
    SKIPPED,
    STATUSES,
    WARN,
    CheckResult,
    DoctorRequest,
    GpuInfo,
    fmt_bytes,
    fmt_decimal,
    parse_size,
    shm_from_docker_args,
    size_in,
)
from .output import DoctorFacts, exit_code, facts, summary, to_json, to_text
from .runner import TITLES, iter_doctor, planned_checks, run_doctor
from .safe import safe_text

__all__ = [
    "FAIL",
    "OK",
    "SKIPPED",
    "STATUSES",
    "TITLES",
    "WARN",
    "CheckResult",
    "DoctorContext",
    "DoctorFacts",
    "DoctorRequest",
    "GpuInfo",
    "exit_code",
    "facts",
    "fmt_bytes",
    "fmt_decimal",
    "iter_doctor",
    "parse_size",
    "planned_checks",
    "run_doctor",
    "safe_text",
    "shm_from_docker_args",
    "size_in",
    "summary",
    "to_json",
    "to_text",
]
