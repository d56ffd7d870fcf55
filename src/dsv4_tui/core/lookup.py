"""Facts of a selection looked up in the rules: the model repo and the Docker image."""

from __future__ import annotations

from .rules import Rules


def model_name(rules: Rules, sel) -> str:
    """`model_names["hw|variant|quant"]`, else `model_names["variant|quant"]`."""
    names = rules.model.model_names
    return names.get(f"{sel.hw}|{sel.variant}|{sel.quant}") or names.get(f"{sel.variant}|{sel.quant}", "")


def docker_image(rules: Rules, hw: str, quant: str) -> str:
    """`docker.images["hw|quant"]`, else `docker.images[hw]`, else the model's default image."""
    images = rules.model.docker.images
    return images.get(f"{hw}|{quant}") or images.get(hw) or rules.model.model.default_image
