"""The request journey: its steps are the cluster's own records of one kubectl apply, in the
order the API server's audit log has them, each component named and lit on the anatomy."""

import pytest

from k8skit import Cluster
from k8skit.widgets.request_journey import ABSENT, RequestJourney, diff, follow_apply

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""


def expected_component(user: str) -> tuple[str, str | None]:
    """Who an audit user is, as chapter 3 names the components."""
    if user == "system:admin":
        return "kubectl", None
    if user.startswith("system:node:"):
        return "kubelet", user.split(":")[2]
    if user == "system:default-scheduler":
        return "kube-scheduler", None
    if user.endswith("-controller"):
        return "kube-controller-manager", None
    raise AssertionError(f"unexpected writer {user}")


@pytest.fixture(scope="module")
def journey():
    cluster = Cluster(nodes=3, seed=8)
    start = len(cluster.api.audit)
    dashboard = RequestJourney(cluster, MANIFEST)
    return dashboard, cluster.api.audit[start:]


def test_every_step_is_a_write_of_the_audit_log_in_its_order(journey):
    dashboard, audit = journey
    by_revision = {record.revision: record for record in audit}
    revisions = []
    for step in dashboard.journey.steps:
        for revision in step.revisions:
            record = by_revision[revision]
            component, node = expected_component(record.user)
            assert (step.actor.component, step.actor.node) == (component, node)
            assert (record.verb, record.kind, record.time) == (step.verb, step.kind, step.time)
            revisions.append(revision)
    assert revisions == sorted(revisions)
    assert len(revisions) == len(set(revisions))


def test_the_components_come_in_the_order_of_the_story(journey):
    dashboard, _ = journey
    order = dashboard.journey.components
    story = ["kubectl", "kube-controller-manager", "kube-scheduler", "kubelet",
             "container runtime", "kube-controller-manager", "kube-proxy"]
    position = 0
    for component in order:
        if position < len(story) and component == story[position]:
            position += 1
    assert position == len(story), order
    assert order[0] == "kubectl" and order[-1] == "kube-proxy"


def test_the_first_steps_are_kubectls_creates_with_what_the_api_server_filled_in(journey):
    dashboard, _ = journey
    first, second = dashboard.journey.steps[:2]
    assert (first.verb, first.kind, first.objects) == ("create", "Deployment", ["default/web"])
    assert (second.kind, second.objects) == ("Service", ["default/web"])
    filled = {change.path: change.after for change in first.changes}
    assert all(change.before is ABSENT for change in first.changes)
    assert filled["spec.strategy.type"] == "RollingUpdate"
    assert filled["spec.template.spec.containers[web].imagePullPolicy"] == "Always"
    assert "metadata.uid" in filled and "spec.replicas" not in filled
    assert first.highlight == ["kubectl", "kube-apiserver", "etcd"]


def test_the_scheduler_step_binds_each_pod_to_the_node_kubectl_shows(journey):
    dashboard, _ = journey
    cluster = dashboard.cluster
    nodes = {line.split()[0]: line.split()[6] for line in
             cluster.kubectl("get pods -l app=web -o wide").stdout.splitlines()[1:]}
    binds = [step for step in dashboard.journey.steps if step.actor.component == "kube-scheduler"]
    assert binds and all(step.verb == "update" and step.kind == "Pod" for step in binds)
    bound = {obj.split("/")[1] for step in binds for obj in step.objects}
    assert bound == set(nodes)
    first = binds[0]
    change = next(c for c in first.changes if c.path == "spec.nodeName")
    assert change.before is ABSENT and change.after == nodes[first.objects[0].split("/")[1]]
    assert any(line.startswith("Scheduled: Successfully assigned") for line in first.said)


def test_the_runtime_pulls_creates_and_starts_before_the_kubelet_reports_running(journey):
    dashboard, _ = journey
    steps = dashboard.journey.steps
    for pod, node in ((line.split()[0], line.split()[6]) for line in dashboard.cluster.kubectl(
            "get pods -l app=web -o wide").stdout.splitlines()[1:]):
        runtime = [i for i, s in enumerate(steps) if s.actor.component == "container runtime"
                   and s.objects == [f"default/{pod}"]]
        said = [line.split(":")[0] for i in runtime for line in steps[i].said]
        assert said == ["Pulling", "Pulled", "Created", "Started"]
        assert all(steps[i].actor.node == node for i in runtime)
        assert steps[runtime[0]].highlight == [f"kubelet/{node}", f"container runtime/{node}"]
        running = next(i for i, s in enumerate(steps) if s.actor.component == "kubelet"
                       and s.objects == [f"default/{pod}"] and any(
                           c.path == "status.phase" and c.after == "Running" for c in s.changes))
        assert running > runtime[-1]


def test_kube_proxy_ends_sending_the_service_to_both_pods(journey):
    dashboard, _ = journey
    last = dashboard.journey.steps[-1]
    ips = sorted(f"{p['status']['podIP']}:80" for p in dashboard.cluster.api.list(
        "Pod", "default", label_selector="app=web"))
    assert last.actor.component == "kube-proxy"
    assert sorted(last.changes[0].after) == ips
    assert set(last.nodes) == set(dashboard.cluster.kube_proxies)
    assert not last.writes and all(key.startswith("kube-proxy/") for key in last.highlight)


def test_nothing_of_the_clusters_own_start_up_is_in_the_journey(journey):
    dashboard, _ = journey
    for step in dashboard.journey.steps:
        assert all(obj.startswith("default/") for obj in step.objects)
        assert step.kind not in ("Lease", "Node")


def test_the_controls_walk_the_steps_on_the_anatomy(journey):
    dashboard, _ = journey
    steps = dashboard.journey.steps
    dashboard.step.value = 1
    dashboard.previous_button.click()
    assert dashboard.message_text == "This is the first step."
    dashboard.next_button.click()
    assert dashboard.step.value == 2 and not dashboard.problem
    title = dashboard.figure.layout.title.text
    assert title.endswith("now: " + ", ".join(sorted(steps[1].highlight)))
    assert f"Step 2 of {len(steps)}" in dashboard.details.value
    dashboard.step.value = len(steps)
    assert "kube-proxy/" in dashboard.figure.layout.title.text
    dashboard.next_button.click()
    assert dashboard.message_text == "This is the last step recorded."


def test_a_manifest_kubectl_refuses_makes_no_journey():
    dashboard = RequestJourney(Cluster(nodes=1, seed=1), "kind: [unclosed")
    assert dashboard.problem and "error" in dashboard.message_text
    assert dashboard.journey.steps == [] and dashboard.step.disabled
    assert "Nothing was applied" in dashboard.details.value


def test_an_object_the_api_server_refuses_makes_no_journey():
    dashboard = RequestJourney(Cluster(nodes=1, seed=1), """\
apiVersion: v1
kind: Pod
metadata: {name: broken}
spec:
  containers: [{name: c}]
""")
    assert dashboard.problem
    assert 'The Pod "broken" is invalid' in dashboard.message_text
    assert "spec.containers[0].image: Required value" in dashboard.message_text
    assert dashboard.journey.steps == []


def test_pods_selected_by_an_existing_service_bring_its_endpoints_into_the_journey():
    cluster = Cluster(nodes=2, seed=9)
    cluster.apply(MANIFEST.split("---\n")[1])
    cluster.run(5)
    journey = follow_apply(cluster, MANIFEST.split("---\n")[0])
    kinds = [step.kind for step in journey.steps]
    assert "Service" not in kinds[:1]
    assert "Endpoints" in kinds and "EndpointSlice" in kinds
    assert journey.components[-1] == "kube-proxy"


def test_the_text_shown_without_widgets_names_where_the_journey_goes(journey):
    dashboard, _ = journey
    assert dashboard._repr_mimebundle_()["text/plain"] == (
        f"RequestJourney: {len(dashboard.journey.steps)} steps from kubectl to kube-proxy in "
        "30 s; run it in JupyterLab")


def test_a_change_is_shown_field_by_field_with_list_items_by_their_name():
    before = {"metadata": {"resourceVersion": "7"}, "status": {
        "phase": "Pending",
        "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}]}}
    after = {"metadata": {"resourceVersion": "9"}, "status": {
        "phase": "Running",
        "conditions": [{"type": "PodScheduled", "status": "True", "lastProbeTime": None},
                       {"type": "Ready", "status": "True"}]}}
    assert [str(change) for change in diff(before, after)] == [
        "status.phase: Pending → Running",
        "status.conditions[PodScheduled].status: True",
        "status.conditions[Ready].status: False → True",
        "status.conditions[Ready].reason: ContainersNotReady → (removed)",
    ]


def test_an_object_that_existed_before_shows_only_what_the_journey_changed():
    cluster = Cluster(nodes=2, seed=9)
    cluster.apply(MANIFEST.split("---\n")[1])
    cluster.run(5)
    journey = follow_apply(cluster, MANIFEST.split("---\n")[0])
    first = next(step for step in journey.steps if step.kind == "Endpoints")
    assert first.verb == "update"
    paths = [change.path for change in first.changes]
    assert paths and all(path.startswith(("subsets", "metadata.annotations")) for path in paths)
    ips = {p["status"]["podIP"] for p in cluster.api.list("Pod", "default")}
    named = {path.split("Addresses[")[1].split("]")[0] for path in paths if "Addresses[" in path}
    assert named and named <= ips       # addresses are named by their IP
    deleted = [step for step in journey.steps if step.verb == "delete"]
    assert deleted and all(step.changes == [] for step in deleted)
