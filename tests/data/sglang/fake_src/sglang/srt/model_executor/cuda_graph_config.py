# ruff: noqa  (a fake SGLang source file for the extractor tests, written in upstream style)
class Backend:
    FULL = "full"
    DISABLED = "disabled"
    ALL = (FULL, DISABLED)


def parse_cuda_graph_backend_arg(raw):
    return raw
