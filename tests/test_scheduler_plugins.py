"""The scheduler's plugins against upstream's formulas, on examples worked out by hand.

Each test builds a small cluster in the scheduler's node table, asks for the decision with every
node evaluated, and reads the plugin's points from the decision's explanation. The expected
numbers are computed in the test from upstream's formula (integer arithmetic, as Go does it).
"""

import math
import random

import pytest

from k8skit.control_plane.scheduler.cache import NodeTable
from k8skit.control_plane.scheduler.explanation import explain
from k8skit.control_plane.scheduler.framework import num_feasible_nodes_to_find
from k8skit.control_plane.scheduler.plugins import (
    MOST_ALLOCATED,
    REQUESTED_TO_CAPACITY_RATIO,
    NodeResourcesFit,
    default_profile,
)
from k8skit.control_plane.scheduler.pod_info import PodInfo
from k8skit.control_plane.scheduler.schedule_one import schedule_pod

GI = 1024 ** 3
MI = 1024 ** 2


def node(name, cpu="4", memory="8Gi", pods="110", labels=None, taints=(), images=(),
         unschedulable=False, hostname=True):
    hostname_label = {"kubernetes.io/hostname": name} if hostname else {}
    return {
        "metadata": {"name": name, "labels": {**hostname_label, **(labels or {})}},
        "spec": {"taints": list(taints), **({"unschedulable": True} if unschedulable else {})},
        "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods},
                   "images": [{"names": [n], "sizeBytes": size} for n, size in images]},
    }


_serial = iter(range(10 ** 6))


def pod(name=None, cpu=None, memory=None, owner=None, limits=None, image="nginx", **spec):
    name = name or f"pod-{next(_serial)}"
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    resources = {"requests": requests} if requests else {}
    if limits:
        resources["limits"] = limits
    meta = {"name": name, "namespace": "default", "uid": f"uid-{name}"}
    if owner:
        meta["ownerReferences"] = [{"kind": "ReplicaSet", "name": owner, "uid": f"rs-{owner}",
                                    "controller": True}]
    return {"metadata": meta,
            "spec": {"containers": [{"name": "app", "image": image, "resources": resources}],
                     **spec}}


def cluster(*nodes, placed=()):
    """A node table with ``nodes`` and the pods ``placed`` as (pod, node name) pairs."""
    table = NodeTable()
    for n in nodes:
        table.set_node(n)
    for p, node_name in placed:
        info = PodInfo(p)
        info.node_name = node_name
        table.set_pod(info)
    return table


def decide(table, p, profile=None, seed=0):
    result, _ = schedule_pod(profile or default_profile(), table, PodInfo(p), 0,
                             random.Random(seed), evaluate_all=True)
    return explain(result)


def go_round(x):
    """Go's math.Round: halves away from zero (Python's round() rounds halves to even)."""
    return math.floor(x + 0.5)


def points(explanation, node_name, plugin):
    """(raw, normalized) points of ``plugin`` for ``node_name``."""
    for line in explanation.node(node_name).scores:
        if line.plugin == plugin:
            return line.raw, line.normalized
    raise AssertionError(f"{plugin} did not score {node_name}")


# -- NodeResourcesFit ------------------------------------------------------------------------
def test_least_allocated_counts_requests_already_on_the_node_and_the_new_pod():
    table = cluster(node("a"), node("b"), placed=[(pod(cpu="1", memory="2Gi"), "a")])
    result = decide(table, pod(cpu="500m", memory="1Gi"))
    # a: cpu (4000 - 1500) * 100 // 4000 = 62; memory (8Gi - 3Gi) * 100 // 8Gi = 62
    cpu = (4000 - 1500) * 100 // 4000
    memory = (8 * GI - 3 * GI) * 100 // (8 * GI)
    assert points(result, "a", "NodeResourcesFit") == ((cpu + memory) // 2,) * 2 == (62, 62)
    # b is empty: cpu (4000 - 500) * 100 // 4000 = 87, memory (8Gi - 1Gi) * 100 // 8Gi = 87
    assert points(result, "b", "NodeResourcesFit")[0] == 87
    assert result.chosen == "b"


def test_scoring_counts_a_container_without_requests_as_100m_and_200Mi():
    table = cluster(node("a"), node("b"), placed=[(pod(), "a")])
    result = decide(table, pod())
    # b: cpu (4000 - 100) * 100 // 4000 = 97; memory (8192Mi - 200Mi) * 100 // 8192Mi = 97
    assert points(result, "b", "NodeResourcesFit")[0] == (
        (4000 - 100) * 100 // 4000 + (8192 - 200) * MI * 100 // (8192 * MI)) // 2 == 97
    # a already runs one such pod: cpu (4000 - 200) * 100 // 4000 = 95,
    # memory (8192Mi - 400Mi) * 100 // 8192Mi = 95
    assert points(result, "a", "NodeResourcesFit")[0] == 95


def test_most_allocated_prefers_the_fuller_node():
    profile = default_profile(fit=NodeResourcesFit(MOST_ALLOCATED))
    table = cluster(node("a"), node("b"), placed=[(pod(cpu="1", memory="2Gi"), "a")])
    result = decide(table, pod(cpu="500m", memory="1Gi"), profile)
    # a: cpu 1500 * 100 // 4000 = 37, memory 3Gi * 100 // 8Gi = 37
    assert points(result, "a", "NodeResourcesFit")[0] == (1500 * 100 // 4000) == 37
    # b: cpu 500 * 100 // 4000 = 12, memory 1Gi * 100 // 8Gi = 12
    assert points(result, "b", "NodeResourcesFit")[0] == 12
    assert result.chosen == "a"


def test_requested_to_capacity_ratio_follows_its_shape():
    fit = NodeResourcesFit(REQUESTED_TO_CAPACITY_RATIO, shape=((0, 0), (100, 10)))
    table = cluster(node("a"), node("b"))
    result = decide(table, pod(cpu="2", memory="2Gi"), default_profile(fit=fit))
    # cpu utilization 2000 * 100 // 4000 = 50 -> 0 + (100 - 0) * (50 - 0) / 100 = 50;
    # memory 2Gi * 100 // 8Gi = 25 -> 25; round((50 + 25) / 2) = round(37.5) = 38
    assert points(result, "a", "NodeResourcesFit")[0] == 38


def test_balanced_allocation_prefers_even_cpu_and_memory():
    table = cluster(node("a"), node("b"), placed=[(pod(cpu="2", memory="1Gi"), "a")])
    result = decide(table, pod(cpu="1", memory="1Gi"))
    # a: f_cpu = 3000/4000 = 0.75, f_mem = 2Gi/8Gi = 0.25 -> (1 - 0.25) * 100 = 75
    f_cpu, f_mem = 3000 / 4000, 2 / 8
    assert points(result, "a", "NodeResourcesBalancedAllocation")[0] == int(
        (1 - abs(f_cpu - f_mem) / 2) * 100) == 75
    # b: f_cpu = 0.25, f_mem = 0.125 -> (1 - 0.0625) * 100 = 93.75 -> 93
    assert points(result, "b", "NodeResourcesBalancedAllocation")[0] == 93


def test_balanced_allocation_skips_pods_without_requests():
    result = decide(cluster(node("a"), node("b")), pod())
    line = next(s for s in result.node("a").scores
                if s.plugin == "NodeResourcesBalancedAllocation")
    assert line.skipped and line.weighted == 0


def test_filter_reads_requests_not_limits():
    table = cluster(node("a", cpu="1", memory="1Gi"), node("b", cpu="1", memory="1Gi"))
    result = decide(table, pod(cpu="100m", memory="64Mi", limits={"cpu": "8", "memory": "16Gi"}))
    assert result.chosen in ("a", "b")


def test_filter_reasons_for_cpu_memory_and_pod_count():
    table = cluster(node("small", cpu="1", memory="1Gi"), node("full", pods="1"),
                    node("ok"), placed=[(pod(), "full")])
    result = decide(table, pod(cpu="2", memory="2Gi"))
    assert result.node("small").reasons == ("Insufficient cpu", "Insufficient memory")
    assert result.node("full").reasons == ("Too many pods",)
    assert result.chosen == "ok"


# -- TaintToleration -------------------------------------------------------------------------
CONTROL_PLANE = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}


@pytest.mark.parametrize(("toleration", "tolerated"), [
    ({"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}, True),
    ({"key": "dedicated", "value": "gpu"}, True),                     # Equal, any effect
    ({"key": "dedicated", "operator": "Equal", "value": "cpu"}, False),
    ({"key": "dedicated", "operator": "Exists"}, True),
    ({"key": "dedicated", "operator": "Exists", "effect": "NoExecute"}, False),
    ({"operator": "Exists"}, True),                                   # empty key: every taint
    ({"key": "other", "operator": "Exists"}, False),
])
def test_tolerations_against_a_taint(toleration, tolerated):
    taint = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}
    table = cluster(node("tainted", taints=[taint]), node("plain"))
    result = decide(table, pod(tolerations=[toleration]))
    assert result.node("tainted").feasible is tolerated


def test_untolerated_taint_reason_names_key_and_value():
    table = cluster(node("cp", taints=[CONTROL_PLANE]),
                    node("w", taints=[{"key": "k", "value": "v", "effect": "NoExecute"}]),
                    node("soft", taints=[{"key": "k", "value": "v",
                                          "effect": "PreferNoSchedule"}]))
    result = decide(table, pod())
    assert result.node("cp").reasons == (
        "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }",)
    assert result.node("w").reasons == ("node(s) had untolerated taint {k: v}",)
    assert result.chosen == "soft"   # PreferNoSchedule only lowers the score


def test_prefer_no_schedule_taints_are_counted_and_reversed():
    soft = [{"key": f"k{i}", "value": "v", "effect": "PreferNoSchedule"} for i in range(2)]
    table = cluster(node("two", taints=soft), node("one", taints=soft[:1]), node("none"))
    result = decide(table, pod())
    # raw counts 2, 1, 0; reversed DefaultNormalizeScore: 100 - 100 * count // 2
    assert points(result, "two", "TaintToleration") == (2, 100 - 100 * 2 // 2)
    assert points(result, "one", "TaintToleration") == (1, 50)
    assert points(result, "none", "TaintToleration") == (0, 100)


def test_cordoned_node_is_unschedulable_unless_tolerated():
    table = cluster(node("cordoned", unschedulable=True), node("w"))
    assert decide(table, pod()).node("cordoned").reasons == ("node(s) were unschedulable",)
    tolerating = pod(tolerations=[{"key": "node.kubernetes.io/unschedulable",
                                   "operator": "Exists", "effect": "NoSchedule"}])
    assert decide(table, tolerating).node("cordoned").feasible


# -- NodeAffinity ----------------------------------------------------------------------------
def _required(*expressions):
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": list(expressions)}]}}}


@pytest.mark.parametrize(("expression", "feasible"), [
    ({"key": "disk", "operator": "In", "values": ["ssd", "nvme"]}, {"ssd"}),
    ({"key": "disk", "operator": "NotIn", "values": ["ssd"]}, {"hdd", "bare", "cores"}),
    ({"key": "disk", "operator": "Exists"}, {"ssd", "hdd"}),
    ({"key": "disk", "operator": "DoesNotExist"}, {"bare", "cores"}),
    ({"key": "cores", "operator": "Gt", "values": ["8"]}, {"cores"}),
    ({"key": "cores", "operator": "Lt", "values": ["8"]}, set()),   # "x" is not a number
])
def test_node_affinity_operators(expression, feasible):
    table = cluster(node("ssd", labels={"disk": "ssd", "cores": "x"}),
                    node("hdd", labels={"disk": "hdd"}), node("bare"),
                    node("cores", labels={"cores": "16"}))
    result = decide(table, pod(affinity=_required(expression)))
    assert {n.node for n in result.nodes if n.feasible} == feasible
    for entry in result.nodes:
        if not entry.feasible:
            assert entry.reasons == ("node(s) didn't match Pod's node affinity/selector",)


def test_node_selector_and_affinity_terms_are_ored_within_and_anded_with_selector():
    table = cluster(node("a", labels={"zone": "a", "disk": "ssd"}),
                    node("b", labels={"zone": "b", "disk": "ssd"}),
                    node("c", labels={"zone": "c", "disk": "hdd"}))
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]},
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["c"]}]}]}}}
    result = decide(table, pod(affinity=affinity, nodeSelector={"disk": "ssd"}))
    assert [n.node for n in result.nodes if n.feasible] == ["a"]


def test_preferred_node_affinity_sums_weights_then_normalizes():
    table = cluster(node("both", labels={"zone": "a", "disk": "ssd"}),
                    node("zone", labels={"zone": "a"}), node("none"))
    preferred = [
        {"weight": 20, "preference": {"matchExpressions": [
            {"key": "zone", "operator": "In", "values": ["a"]}]}},
        {"weight": 60, "preference": {"matchExpressions": [
            {"key": "disk", "operator": "In", "values": ["ssd"]}]}},
    ]
    result = decide(table, pod(affinity={"nodeAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": preferred}}))
    # raw 80, 20, 0; normalized 100 * raw // 80
    assert points(result, "both", "NodeAffinity") == (80, 100)
    assert points(result, "zone", "NodeAffinity") == (20, 100 * 20 // 80)
    assert points(result, "none", "NodeAffinity") == (0, 0)
    assert result.chosen == "both"


# -- PodTopologySpread -----------------------------------------------------------------------
def test_system_default_spreading_by_hostname():
    placed = [(pod(owner="web"), "a"), (pod(owner="web"), "a"), (pod(owner="web"), "b")]
    table = cluster(node("a"), node("b"), node("c"), placed=placed)
    result = decide(table, pod(owner="web"))
    # hostname constraint: weight ln(3 nodes + 2); score = count * weight + (maxSkew 3 - 1);
    # no node has a zone label, so the zone constraint gives nothing.
    weight = math.log(3 + 2)
    raw = {"a": go_round(2 * weight + 2), "b": go_round(weight + 2), "c": go_round(2)}
    assert raw == {"a": 5, "b": 4, "c": 2}
    lowest, highest = 2, 5
    for name, score in raw.items():
        assert points(result, name, "PodTopologySpread") == (
            score, 100 * (highest + lowest - score) // highest)
    assert result.chosen == "c"


def test_system_default_spreading_adds_zones():
    labels = {"a1": "a", "a2": "a", "b1": "b"}
    table = cluster(*(node(n, labels={"topology.kubernetes.io/zone": z})
                      for n, z in labels.items()),
                    placed=[(pod(owner="web"), "a1")])
    result = decide(table, pod(owner="web"))
    # hostname: ln(3 + 2) per pod on the node, + 2; zone: 2 domains -> ln(2 + 2) per pod in
    # the zone, + 4.
    host, zone = math.log(5), math.log(4)
    expected = {"a1": go_round(host + 2 + zone + 4), "a2": go_round(2 + zone + 4),
                "b1": go_round(2 + 4)}
    for name, score in expected.items():
        assert points(result, name, "PodTopologySpread")[0] == score
    assert result.chosen == "b1"


def test_pods_without_a_controller_are_not_spread_by_default():
    result = decide(cluster(node("a"), node("b")), pod())
    line = next(s for s in result.node("a").scores if s.plugin == "PodTopologySpread")
    assert line.skipped


def test_do_not_schedule_constraint_filters_on_skew():
    constraint = {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                  "whenUnsatisfiable": "DoNotSchedule",
                  "labelSelector": {"matchLabels": {"app": "db"}}}
    placed_pod = pod()
    placed_pod["metadata"]["labels"] = {"app": "db"}
    table = cluster(node("a"), node("b"), node("nolabel", hostname=False),
                    placed=[(placed_pod, "a")])
    new = pod(topologySpreadConstraints=[constraint])
    new["metadata"]["labels"] = {"app": "db"}
    result = decide(table, new)
    # a: 1 + 1 - min(1, 0) = 2 > 1
    assert result.node("a").reasons == ("node(s) didn't match pod topology spread constraints",)
    assert result.node("nolabel").reasons == (
        "node(s) didn't match pod topology spread constraints (missing required label)",)
    assert result.chosen == "b"


# -- ImageLocality ---------------------------------------------------------------------------
def test_image_locality_scales_by_spread_and_thresholds():
    size = 500 * MI
    table = cluster(node("has", images=[("nginx:latest", size)]), node("b"), node("c"))
    result = decide(table, pod(image="nginx"))
    # one of three nodes has it: int(size * 1/3); then 100 * (sum - 23Mi) / (1000Mi - 23Mi)
    scaled = int(size * (1 / 3))
    assert points(result, "has", "ImageLocality")[0] == (
        100 * (scaled - 23 * MI) // (1000 * MI - 23 * MI)) == 14
    assert points(result, "b", "ImageLocality")[0] == 0


# -- the whole decision ----------------------------------------------------------------------
def test_default_weights():
    weights = {w.plugin.name: w.weight for w in default_profile().scores}
    assert weights == {"TaintToleration": 3, "NodeAffinity": 2, "NodeResourcesFit": 1,
                       "PodTopologySpread": 2, "NodeResourcesBalancedAllocation": 1,
                       "ImageLocality": 1}


def test_explanation_totals_are_the_weighted_sums_and_the_winner_has_the_highest():
    placed = [(pod(cpu="1", memory="1Gi", owner="web"), "a")]
    table = cluster(node("a"), node("b", memory="4Gi"), node("c"), placed=placed)
    result = decide(table, pod(cpu="500m", memory="512Mi", owner="web"))
    for entry in result.nodes:
        assert entry.total == sum(line.normalized * line.weight for line in entry.scores
                                  if not line.skipped)
    assert result.node(result.chosen).total == max(n.total for n in result.nodes)


@pytest.mark.parametrize(("nodes", "expected"), [
    (3, 3), (99, 99), (100, 100), (150, 100), (1000, 420), (5000, 500), (10000, 500)])
def test_percentage_of_nodes_to_score(nodes, expected):
    # 50 - nodes/125 percent, at least 5 %, at least 100 nodes
    assert num_feasible_nodes_to_find(nodes) == expected


def test_big_cluster_scores_only_part_of_it_and_rotates():
    table = cluster(*(node(f"n{i}") for i in range(1000)))
    profile = default_profile()
    first, start = schedule_pod(profile, table, PodInfo(pod()), 0, random.Random(0))
    assert len(first.feasible) == 420 and start == 420
    second, start = schedule_pod(profile, table, PodInfo(pod()), start, random.Random(0))
    assert int(second.feasible[0]) == 420 and start == 840
    assert sum(not n.evaluated for n in explain(second).nodes) == 580


def test_ties_are_broken_by_the_seeded_random_stream():
    table = cluster(*(node(f"n{i}") for i in range(4)))
    choices = [decide(table, pod(name="same"), seed=seed).chosen for seed in range(40)]
    assert choices == [decide(table, pod(name="same"), seed=seed).chosen for seed in range(40)]
    assert len(set(choices)) == 4
