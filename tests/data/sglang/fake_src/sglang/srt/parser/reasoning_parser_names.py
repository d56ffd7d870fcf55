# ruff: noqa  (a fake SGLang source file for the extractor tests, written in upstream style)
REASONING_PARSER_NAMES = ["deepseek-v4", "qwen3"]
