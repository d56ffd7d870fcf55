# ruff: noqa  (a fake SGLang source file for the extractor tests, written in upstream style)
__version__ = "9.9.9"
