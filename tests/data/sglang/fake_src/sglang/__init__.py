# ruff: noqa  (a fake SGLang source file for the extractor tests, written in upstream style)
# A tiny fake SGLang source tree for the extractor tests. Importing it is a bug:
raise RuntimeError("dsv4 must never import sglang")
