# ruff: noqa  (a fake SGLang source file for the extractor tests, written in upstream style)
"""Shared choices (fake)."""

MOE_RUNNER_BACKEND_CHOICES = ["auto", "marlin", "flashinfer_mxfp4"]
BUILT_IN_SAMPLING_BACKENDS = frozenset({"pytorch", "flashinfer"})
SAMPLING_BACKEND_CHOICES = set(BUILT_IN_SAMPLING_BACKENDS)
