"""`dsv4 export --to lws`: LeaderWorkerSet / DisaggregatedSet manifests.

Valid against the CRDs' openAPIV3Schema (strict, like kubectl), and exact: each pod's env
and argv, read back from the YAML with Kubernetes' `$(VAR)` expansion and LWS' variables,
equal what `dsv4 print` gives for the same selection and node rank.
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dsv4_tui.core.deployment import ExportOptions, build, from_deploy, from_playground
from dsv4_tui.core.env import Env
from dsv4_tui.core.formats import lws
from dsv4_tui.core.playground import Overrides
from dsv4_tui.core.render import render_command
from dsv4_tui.core.selection import Selection
from test_export_support import (
    DATA,
    HEAD_IP,
    Command,
    at_rank,
    base_cells,
    crd_errors,
    hostile_env,
    multinode_cells,
    override_args,
    parse_printed,
    pd_combinations,
    printed,
    printed_router,
    router_hosts,
)

# Recorded on the July page (69 cells, with the GB300 Pro PD role cells): this module runs on
# its rules (tests/data/july-rules); the bundled rules follow the upstream config now.
pytestmark = pytest.mark.usefixtures("july_rules")


@pytest.fixture(scope="module")
def rules():
    from conftest import JULY_RULES
    from dsv4_tui.host.rules_files import load_rules

    return load_rules(JULY_RULES)


Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
GB300_ROLES = Selection("gb300", "pro", "fp4", "balanced", "multi-2")  # prefill 2 x 2 nodes, decode 1 x 4
GB200_MULTI = Selection("gb200", "pro", "fp4", "balanced", "multi-2")
B200_SINGLE = Selection("b200", "flash", "fp4", "low-latency", "single")
AMD_SINGLE = Selection("mi355x", "flash", "fp8", "low-latency", "single")


def docs_of(text: str) -> list[dict]:
    return [d for d in yaml.load_all(text, Loader=Loader) if d is not None]


def export_docs(dep, opts: ExportOptions | None = None) -> list[dict]:
    return docs_of(lws.export(dep, opts or ExportOptions()))


def k8s_expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' expansion of command/args/env values: `$(VAR)` for a known VAR, `$$` → `$`."""
    out, i = [], 0
    while i < len(text):
        if text.startswith("$$", i):
            out.append("$")
            i += 2
        elif text.startswith("$(", i) and text.find(")", i) > 0:
            end = text.find(")", i)
            name = text[i + 2 : end]
            out.append(env.get(name, text[i : end + 1]))
            i = end + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def lws_specs(doc: dict) -> dict[str, dict]:
    """{role name: LWS spec}: one for a LeaderWorkerSet ("serve"), one per DisaggregatedSet role."""
    if doc["kind"] == "LeaderWorkerSet":
        component = next(iter(_templates(doc["spec"]).values()))["metadata"]["labels"]["app.kubernetes.io/component"]
        return {component: doc["spec"]}
    return {r["name"]: r["spec"] for r in doc["spec"]["roles"]}


def _templates(spec: dict) -> dict[str, dict]:
    """{"leader": …, "worker": …}; a group of one has only its leader (LWS runs the worker template)."""
    t = spec["leaderWorkerTemplate"]
    if t["size"] == 1:
        return {"leader": t.get("leaderTemplate", t["workerTemplate"])}
    return {"leader": t.get("leaderTemplate", t["workerTemplate"]), "worker": t["workerTemplate"]}


def pod_command(spec: dict, rank: int, head: str = HEAD_IP) -> Command:
    """The (env, argv) of the pod with worker index `rank` in a group led by `head`."""
    size = spec["leaderWorkerTemplate"]["size"]
    template = _templates(spec)["leader" if rank == 0 else "worker"]
    (c,) = template["spec"]["containers"]
    lws_env = {"LWS_LEADER_ADDRESS": head, "LWS_GROUP_SIZE": str(size), "LWS_WORKER_INDEX": str(rank)}
    env = tuple((e["name"], k8s_expand(e["value"], lws_env)) for e in c["env"] if "value" in e)
    return Command(env, tuple(k8s_expand(a, lws_env) for a in [*c["command"], *c.get("args", [])]))


def check_core_objects(docs: list[dict]) -> None:
    """Services and Deployments: the keys Kubernetes requires, selectors that match pods."""
    pod_labels = [t["metadata"]["labels"] for d in docs for s in _all_specs(d) for t in _templates(s).values()]
    for d in docs:
        assert d["apiVersion"] and d["kind"] and d["metadata"]["name"]
        if d["kind"] == "Service":
            ports = d["spec"]["ports"]
            assert ports and all(isinstance(p["port"], int) and p["targetPort"] == p["port"] for p in ports)
            router = [x for x in docs if x["kind"] == "Deployment"]
            labels = pod_labels + [x["spec"]["template"]["metadata"]["labels"] for x in router]
            lws_labels = {k: v for k, v in d["spec"]["selector"].items() if k.startswith("app.kubernetes.io/")}
            assert any(lws_labels.items() <= labels_.items() for labels_ in labels), d["metadata"]["name"]
        elif d["kind"] == "Deployment":
            spec = d["spec"]
            assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()
            assert all(c["name"] and c["image"] and c["command"] for c in spec["template"]["spec"]["containers"])
        else:
            assert d["kind"] in ("LeaderWorkerSet", "DisaggregatedSet")


def _all_specs(doc: dict) -> list[dict]:
    return list(lws_specs(doc).values()) if doc["kind"] in ("LeaderWorkerSet", "DisaggregatedSet") else []


def check_valid(docs: list[dict]) -> None:
    for d in docs:
        if d["kind"] in ("LeaderWorkerSet", "DisaggregatedSet"):
            assert crd_errors(d) == [], d["metadata"]["name"]
        if d["kind"] == "DisaggregatedSet":  # the CRD's CEL rule: all replicas > 0 (or all 0)
            assert all(r["spec"]["replicas"] > 0 for r in d["spec"]["roles"])
    check_core_objects(docs)


# --------------------------------------------------------------------------- valid


def test_the_schemas_accept_the_references_and_reject_an_unknown_field(rules):
    for name in ("lws-sglang-example.yaml", "disaggregatedset-sample.yaml"):
        for doc in docs_of((DATA / name).read_text(encoding="utf-8")):
            if doc["kind"] != "Service":
                assert crd_errors(doc) == []
    doc = export_docs(from_deploy(rules, GB200_MULTI, Env.defaults(rules)))[0]
    doc["spec"]["leaderWorkerTemplate"]["sizee"] = 2
    assert any("sizee" in e for e in crd_errors(doc))


def test_every_cell_exports_valid_manifests(rules):
    env = Env.defaults(rules)
    for cell in rules.cells:
        docs = export_docs(from_deploy(rules, Selection.of(cell), env))
        check_valid(docs)
        assert docs[0]["kind"] == ("DisaggregatedSet" if cell.has_roles else "LeaderWorkerSet")


def test_every_pd_combination_exports_a_valid_disaggregated_set(rules):
    env = Env.defaults(rules)
    for sel, ov in pd_combinations(rules):
        docs = export_docs(from_playground(rules, sel, ov, env))
        check_valid(docs)
        assert [d["kind"] for d in docs] == ["DisaggregatedSet", "Service", "Service", "Deployment", "Service"]


# --------------------------------------------------------------------------- exact


def test_every_multinode_pod_runs_exactly_what_dsv4_print_gives(rules):
    env = Env.defaults(rules)
    for sel in multinode_cells(rules):
        cell = rules.cell(sel)
        docs = export_docs(from_deploy(rules, sel, env))
        specs = lws_specs(docs[0])
        gpu_roles = [r for r in cell.role if r.raw is None] if cell.has_roles else [None]
        assert len(specs) == len(gpu_roles)
        for k, (name, spec) in enumerate(specs.items()):
            assert spec["replicas"] == (gpu_roles[k].replicas if gpu_roles[k] else 1)
            for rank in range(spec["leaderWorkerTemplate"]["size"]):
                want = printed(sel, rank=rank)[k]
                assert pod_command(spec, rank) == at_rank(want, rank), (sel.text, name, rank)


def test_single_node_cells_are_groups_of_one_with_the_exact_command(rules):
    env = Env.defaults(rules)
    for sel in base_cells(rules):
        if rules.by_id["nodes"][sel.nodes].count != 1:
            continue
        (spec,) = lws_specs(export_docs(from_deploy(rules, sel, env))[0]).values()
        assert spec["leaderWorkerTemplate"]["size"] == 1 and "leaderTemplate" not in spec["leaderWorkerTemplate"]
        assert pod_command(spec, 0) == printed(sel)[0]


def test_role_cells_router_points_at_each_workers_service(rules):
    docs = export_docs(from_deploy(rules, GB300_ROLES, Env.defaults(rules)))
    services = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Service"}
    (router,) = [d for d in docs if d["kind"] == "Deployment"]
    name = docs[0]["metadata"]["name"]
    hosts = {(role, i): f"{name}-{role}-{i}" for role, n in (("prefill", 2), ("decode", 1)) for i in range(n)}
    want = router_hosts(printed(GB300_ROLES)[-1], hosts)
    (c,) = router["spec"]["template"]["spec"]["containers"]
    assert tuple(c["command"]) == want.argv
    for (role, i), host in hosts.items():
        sel = services[host]["spec"]["selector"]
        assert sel["app.kubernetes.io/component"] == role
        assert sel["leaderworkerset.sigs.k8s.io/group-index"] == str(i)
        assert sel["leaderworkerset.sigs.k8s.io/worker-index"] == "0"
    assert {p["port"] for p in services[f"{name}-prefill-0"]["spec"]["ports"]} == {30000, 8998}


@pytest.mark.parametrize(
    "sel,ov",
    [
        (B200_SINGLE, Overrides(pd_mode="prefill")),
        (GB200_MULTI, Overrides(pd_mode="decode", hisparse=True, pd_ib_device="mlx5_0")),
        (AMD_SINGLE, Overrides(pd_mode="prefill", pd_transfer="mori")),
    ],
)
def test_playground_pd_roles_and_router_are_exact(rules, sel, ov):
    docs = export_docs(from_playground(rules, sel, ov, Env.defaults(rules)))
    specs = lws_specs(docs[0])
    assert list(specs) == ["prefill", "decode"]
    for mode, spec in specs.items():
        for rank in range(spec["leaderWorkerTemplate"]["size"]):
            (want,) = printed(sel, *override_args(ov.with_(pd_mode=mode)), rank=rank)
            assert pod_command(spec, rank) == want, (mode, rank)
    name = docs[0]["metadata"]["name"]
    (router,) = [d for d in docs if d["kind"] == "Deployment"]
    want = router_hosts(
        printed_router(sel, ov), {("prefill", 0): f"{name}-prefill-0", ("decode", 0): f"{name}-decode-0"}
    )
    assert tuple(router["spec"]["template"]["spec"]["containers"][0]["command"]) == want.argv


def test_user_env_values_are_substituted_like_dsv4_print(rules):
    """PORT as `dsv4 print` gives it; never the Env's bind host: a pod binds its own (issue 18, 4)."""
    env = Env.defaults(rules).with_values({"PORT": "31000", "HOST_IP": "10.0.0.5"})
    (spec,) = lws_specs(export_docs(build(rules, GB200_MULTI, env))[0]).values()
    want = printed(GB200_MULTI, "--set=PORT=31000", rank=1)[0]
    assert pod_command(spec, 1) == want
    assert "10.0.0.5" not in lws.export(build(rules, GB200_MULTI, env), ExportOptions())
    svc = export_docs(build(rules, GB200_MULTI, env))[1]
    assert svc["spec"]["ports"][0]["port"] == 31000


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1))
@example("$(LWS_WORKER_INDEX)")
@example("$$(LWS_GROUP_SIZE)$")
@example("a'b\"c\\d")
@example("x\n---\ny: 1")
@example("\n\n")  # a blank line inside the quoted value (found by hypothesis)
@example("a\n# b")
@example("yes")
@example("0x10")
@example("\u2028\ufeff\x85")
def test_any_value_reads_back_exactly_and_is_never_expanded(rules, value):
    """A bind host carrying quotes, `$(LWS_WORKER_INDEX)`, newlines…: the pod never gets it,
    it binds the default (its own address) and is otherwise exactly `dsv4 print`'s."""
    dep = build(rules, GB200_MULTI, hostile_env(rules, HOST_IP=value, HF_TOKEN="hf_x"))
    (spec,) = lws_specs(export_docs(dep)[0]).values()
    subst = hostile_env(rules, NODE_RANK="1", NODE0_IP=HEAD_IP).subst()
    (want,) = parse_printed(render_command(rules, GB200_MULTI, "python", subst))
    assert pod_command(spec, 1) == want
    assert pod_command(spec, 1).argv[-4:-2] == ("--host", "0.0.0.0")


# --------------------------------------------------------------------------- what a user relies on


def test_hf_token_comes_from_a_secret_never_inline(rules):
    env = Env.defaults(rules).with_values({"HF_TOKEN": "hf_supersecret123"})
    opts = ExportOptions(hf_token_secret="my-hf", hf_token_key="tok")
    text = lws.export(from_deploy(rules, GB300_ROLES, env), opts)
    assert "hf_supersecret123" not in text
    for spec in lws_specs(docs_of(text)[0]).values():
        for template in _templates(spec).values():
            (c,) = template["spec"]["containers"]
            token = [e for e in c["env"] if e["name"] == "HF_TOKEN"]
            assert token == [
                {"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": "my-hf", "key": "tok", "optional": True}}}
            ]


def test_gpus_image_shm_and_probe(rules):
    for sel, resource in ((GB200_MULTI, "nvidia.com/gpu"), (AMD_SINGLE, "amd.com/gpu")):
        dep = from_deploy(rules, sel, Env.defaults(rules))
        (spec,) = lws_specs(export_docs(dep)[0]).values()
        for role, template in _templates(spec).items():
            pod = template["spec"]
            (c,) = pod["containers"]
            assert c["image"] == dep.image and dep.image == rules.model.docker.images[sel.hw]
            assert c["resources"]["limits"][resource] == str(rules.hardware(sel.hw).gpus_per_node)
            assert {"name": "dshm", "emptyDir": {"medium": "Memory"}} in pod["volumes"]
            assert {"name": "dshm", "mountPath": "/dev/shm"} in c["volumeMounts"]
            leader = role == "leader"
            assert ("readinessProbe" in c) == leader
        probe = _templates(spec)["leader"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]
        assert probe == {"path": "/health", "port": 30000}
    (spec,) = lws_specs(
        export_docs(
            from_deploy(rules, GB200_MULTI, Env.defaults(rules)), ExportOptions(gpus_per_node=2, image="my/img:1")
        )[0]
    ).values()
    c = _templates(spec)["worker"]["spec"]["containers"][0]
    assert c["resources"]["limits"]["nvidia.com/gpu"] == "2" and c["image"] == "my/img:1"


def test_fabric_settings_only_where_the_command_needs_them(rules):
    env = Env.defaults(rules)
    single = _templates(next(iter(lws_specs(export_docs(from_deploy(rules, B200_SINGLE, env))[0]).values())))["leader"]
    assert "securityContext" not in single["spec"]["containers"][0]
    opts = ExportOptions(host_network=True, rdma_resource="rdma/ib")
    for dep in (
        from_deploy(rules, GB200_MULTI, env),
        from_playground(rules, B200_SINGLE, Overrides(pd_mode="prefill"), env),
    ):
        text = lws.export(dep, opts)
        assert "RDMA" in text.split("apiVersion")[0]  # the YAML comment explains the choice
        for spec in lws_specs(docs_of(text)[0]).values():
            for template in _templates(spec).values():
                pod = template["spec"]
                assert pod["hostNetwork"] is True and pod["dnsPolicy"] == "ClusterFirstWithHostNet"
                c = pod["containers"][0]
                assert c["securityContext"]["capabilities"]["add"] == ["IPC_LOCK"]
                assert c["resources"]["limits"]["rdma/ib"] == "1"


def test_names_namespace_and_bad_options(rules):
    dep = from_deploy(rules, GB300_ROLES, Env.defaults(rules))
    docs = export_docs(dep, ExportOptions(name="dsv4-prod", namespace="llm"))
    assert all(d["metadata"].get("namespace") == "llm" for d in docs)
    assert docs[0]["metadata"]["name"] == "dsv4-prod"
    for bad in ({"name": "Bad_Name"}, {"namespace": "a b"}, {"rdma_resource": "x y"}, {"gpus_per_node": 0}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            ExportOptions(**bad)


def test_format_entry():
    assert lws.FORMAT.id == "lws" and lws.FORMAT.suffix == ".lws.yaml" and lws.FORMAT.export is lws.export
