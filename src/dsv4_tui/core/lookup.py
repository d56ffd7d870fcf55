"""Facts of a selection looked up in the rules: the model repo and the Docker image."""

from __future__ import annotations

from .rules import Rules


def model_name(rules: Rules, sel) -> str:
    """`model_names`, most specific key first: hw|variant|quant, variant|quant, hw|quant,
    quant, hw, default."""
    names = rules.model.model_names
    keys = (f"{sel.hw}|{sel.variant}|{sel.quant}", f"{sel.variant}|{sel.quant}", f"{sel.hw}|{sel.quant}")
    for k in (*keys, sel.quant, sel.hw, "default"):
        if names.get(k):
            return names[k]
    return ""


def docker_image(rules: Rules, sel) -> str:
    """`docker.images`, most specific key first: hw|variant|quant, variant|quant,
    hw|quant|strategy, hw|quant, hw; else the model's default image."""
    images = rules.model.docker.images
    keys = (
        f"{sel.hw}|{sel.variant}|{sel.quant}",
        f"{sel.variant}|{sel.quant}",
        f"{sel.hw}|{sel.quant}|{sel.strategy}",
        f"{sel.hw}|{sel.quant}",
        sel.hw,
    )
    for k in keys:
        if images.get(k):
            return images[k]
    return rules.model.model.default_image
