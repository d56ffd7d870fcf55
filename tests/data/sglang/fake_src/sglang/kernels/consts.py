# ruff: noqa  (a fake SGLang source file for the extractor tests, written in upstream style)
from enum import IntEnum


class RealKvHashMode(IntEnum):
    NONE = 0
    PARTIAL = 1
    ALL = 2
