"""Kubernetes building blocks shared by the LeaderWorkerSet export: pod templates, Services,
the router Deployment. Plain dicts, written by `yaml_text`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..deployment_types import SECRET, Deployment, Fill, Role, Slot
from ..export_options import ExportOptions

GPU_RESOURCE = {"nvidia": "nvidia.com/gpu", "amd": "amd.com/gpu"}
NAME_LABEL = "app.kubernetes.io/name"
COMPONENT_LABEL = "app.kubernetes.io/component"
WORKER_INDEX = "leaderworkerset.sigs.k8s.io/worker-index"  # "0" on a group's leader pod
GROUP_INDEX = "leaderworkerset.sigs.k8s.io/group-index"  # which replica (group) a pod belongs to
SHM_VOLUME = "dshm"
PROBE = {"initialDelaySeconds": 60, "periodSeconds": 10}  # loading the weights takes minutes


def literal(word: str) -> str:
    """A word as Kubernetes must write it so it stays literal: `$(VAR)` would be expanded in
    command, args and env values, and `$$` is the escape for `$`."""
    return word.replace("$", "$$")


def env_ref(name: str) -> str:
    return f"$({name})"


def fill_with(mapping: Mapping[str, str]) -> Fill:
    """A `Fill` for slots whose kind is a key of `mapping` (e.g. rank → `$(LWS_WORKER_INDEX)`);
    a secret is `$(NAME)`, its env var (set from the Secret, see `_env`)."""

    def fill(slot: Slot) -> str:
        if slot.kind == SECRET:
            return slot.fill(env_ref(slot.role), literal)
        return slot.fill(mapping[slot.kind], literal)

    return fill


def metadata(name: str, opts: ExportOptions, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if opts.namespace:
        meta["namespace"] = opts.namespace
    if labels:
        meta["labels"] = dict(labels)
    return meta


def role_labels(name: str, role: str) -> dict[str, str]:
    return {NAME_LABEL: name, COMPONENT_LABEL: role}


def _env(dep: Deployment, role: Role, opts: ExportOptions) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if role.gpus:
        for i, secret in enumerate(dep.secret_env):  # the token first: its key is --hf-token-key
            ref = {"name": opts.hf_token_secret, "key": opts.hf_token_key if i == 0 else secret, "optional": True}
            out.append({"name": secret, "valueFrom": {"secretKeyRef": ref}})
    out += [{"name": name, "value": literal(value)} for name, value in role.env]
    return out


def _ports(role: Role) -> list[dict[str, Any]]:
    ports = [{"name": "http", "containerPort": role.port}] if role.port else []
    if role.bootstrap_port:
        ports.append({"name": "bootstrap", "containerPort": role.bootstrap_port})
    return ports


def _resources(dep: Deployment, role: Role, opts: ExportOptions) -> dict[str, Any]:
    limits = {GPU_RESOURCE[dep.vendor]: str(opts.gpus(dep, role))}
    if opts.rdma_resource and role.needs_fabric:
        limits[opts.rdma_resource] = "1"
    return {"limits": limits}


def container(dep: Deployment, role: Role, opts: ExportOptions, fill: Fill, *, leader: bool) -> dict[str, Any]:
    """The `sglang serve` container of one pod: the role's exact env and argv."""
    c: dict[str, Any] = {
        "name": "sglang",
        "image": opts.image_for(dep),
        "command": role.command(fill, literal),
        "env": _env(dep, role, opts),
    }
    if leader:
        c["ports"] = _ports(role)
        if role.port:
            c["readinessProbe"] = {"httpGet": {"path": "/health", "port": role.port}, **PROBE}
    c["resources"] = _resources(dep, role, opts)
    if role.needs_fabric:
        c["securityContext"] = {"capabilities": {"add": ["IPC_LOCK"]}}
    c["volumeMounts"] = [{"name": SHM_VOLUME, "mountPath": "/dev/shm"}]
    return c


def pod_template(
    dep: Deployment, role: Role, opts: ExportOptions, fill: Fill, labels: Mapping[str, str], *, leader: bool
) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if opts.host_network and role.needs_fabric:
        spec["hostNetwork"] = True
        spec["dnsPolicy"] = "ClusterFirstWithHostNet"  # still resolve the Services (router, bootstrap)
    spec["containers"] = [container(dep, role, opts, fill, leader=leader)]
    spec["volumes"] = [{"name": SHM_VOLUME, "emptyDir": {"medium": "Memory"}}]
    return {"metadata": {"labels": dict(labels)}, "spec": spec}


def service(
    name: str, opts: ExportOptions, selector: Mapping[str, str], ports: list[tuple[str, int]]
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(name, opts),
        "spec": {
            "selector": dict(selector),
            "ports": [{"name": n, "protocol": "TCP", "port": p, "targetPort": p} for n, p in ports],
        },
    }


def router_deployment(dep: Deployment, role: Role, opts: ExportOptions, name: str, fill: Fill) -> dict[str, Any]:
    """The PD router as a Deployment (no GPU); `fill` points its peers at the role Services."""
    labels = role_labels(name, role.name)
    c: dict[str, Any] = {"name": "router", "image": opts.image_for(dep), "command": role.command(fill, literal)}
    if role.env:
        c["env"] = [{"name": n, "value": literal(v)} for n, v in role.env]
    if role.port:
        c["ports"] = [{"name": "http", "containerPort": role.port}]
        c["readinessProbe"] = {"tcpSocket": {"port": role.port}, "periodSeconds": 10}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(f"{name}-{role.name}", opts, labels),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [c]}},
        },
    }
