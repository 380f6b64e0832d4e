"""kubectl against an API server filled by hand: messages, exit codes and output shapes."""

import random

import pytest

from k8skit.api.server import APIServer
from k8skit.api.store import ObjectStore
from k8skit.clock import Clock
from k8skit.kubectl import Kubectl, KubectlResult, apply_manifests


def fresh_api(nodes=("worker-1",)) -> APIServer:
    """An API server with the kubeadm namespaces and Ready nodes, but no components."""
    clock = Clock()
    api = APIServer(ObjectStore(clock), clock, random.Random(0))
    for namespace in ("default", "kube-system"):
        api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    for name in nodes:
        api.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
                    "status": {"conditions": [{"type": "Ready", "status": "True"}],
                               "nodeInfo": {"kubeletVersion": "v1.33.4"}}})
    return api


@pytest.fixture
def api():
    return fresh_api()


@pytest.fixture
def kubectl(api):
    return Kubectl(api)


POD_YAML = """apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: web
    image: nginx
"""


def test_result_shows_as_terminal_text():
    result = KubectlResult("NAME\nweb\n", "warning\n", 0)
    assert str(result) == repr(result) == "NAME\nweb\nwarning"
    assert result.ok and result.lines == ["NAME", "web"]
    assert not KubectlResult("", "error: x\n", 1).ok


@pytest.mark.parametrize(("command", "stderr"), [
    # cobra suggests every verb within two edits: `get`, and `set` (g->s, drop a t).
    ("gett pods",
     'error: unknown command "gett" for "kubectl"\n\nDid you mean this?\n\tget\n\tset\n'),
    ("frobnicate", 'error: unknown command "frobnicate" for "kubectl"\n'),
    ("get pods --foo", "error: unknown flag: --foo\nSee 'kubectl get --help' for usage.\n"),
    ("get pods -z", "error: unknown shorthand flag: 'z' in -z\n"
                    "See 'kubectl get --help' for usage.\n"),
    ("get pods -n", "error: flag needs an argument: 'n' in -n\n"
                    "See 'kubectl get --help' for usage.\n"),
    ("get podz", 'error: the server doesn\'t have a resource type "podz"\n'),
    ("get pods nope", 'Error from server (NotFound): pods "nope" not found\n'),
    ("delete pod nope", 'Error from server (NotFound): pods "nope" not found\n'),
    ("logs --tail=x web", 'error: invalid argument "x" for "--tail" flag: strconv.ParseInt: '
                          'parsing "x": invalid syntax\nSee \'kubectl logs --help\' for usage.\n'),
    ("get pods 'unbalanced", "error: cannot split the command line: No closing quotation\n"),
])
def test_mistakes_are_kubectl_messages_with_exit_code_1(kubectl, command, stderr):
    result = kubectl.run(command)
    assert (result.stdout, result.stderr, result.returncode) == ("", stderr, 1)


def test_empty_lists_say_so_on_stderr_and_succeed(kubectl):
    result = kubectl.run("get pods")
    assert (result.stdout, result.stderr, result.returncode) == (
        "", "No resources found in default namespace.\n", 0)
    assert kubectl.run("get pods -n kube-system").stderr == \
        "No resources found in kube-system namespace.\n"
    assert kubectl.run("get pods -A").stderr == "No resources found\n"


def test_apply_created_unchanged_configured(kubectl, api):
    assert kubectl.run("apply -f -", stdin=POD_YAML).stdout == "pod/web created\n"
    assert kubectl.run("apply -f -", stdin=POD_YAML).stdout == "pod/web unchanged\n"
    changed = POD_YAML.replace("app: web", "app: shop")
    assert kubectl.run("apply -f -", stdin=changed).stdout == "pod/web configured\n"
    live = api.get("Pod", "web")
    assert live["metadata"]["labels"] == {"app": "shop"}
    applied = live["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    assert applied.startswith('{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},')
    assert applied.endswith("}\n")


def test_apply_keeps_what_others_set_and_removes_what_it_dropped(kubectl, api):
    kubectl.run("apply -f -", stdin=POD_YAML.replace("app: web", "app: web\n    tier: fe"))
    kubectl.run("label pod web owner=ops")
    kubectl.run("apply -f -", stdin=POD_YAML)
    assert api.get("Pod", "web")["metadata"]["labels"] == {"app": "web", "owner": "ops"}


def test_create_refuses_an_existing_object(kubectl):
    assert kubectl.run("create -f -", stdin=POD_YAML).stdout == "pod/web created\n"
    result = kubectl.run("create -f -", stdin=POD_YAML)
    assert result.stderr == ('Error from server (AlreadyExists): error when creating "STDIN": '
                             'pods "web" already exists\n')
    assert result.returncode == 1


def test_bad_manifests_are_reported_not_raised(kubectl):
    result = kubectl.run("apply -f -", stdin="apiVersion: v1\nkind: Pod\nmetadata: [\n")
    assert result.returncode == 1
    assert result.stderr.startswith("error: error parsing STDIN: error converting YAML to JSON")
    assert kubectl.run("apply -f missing.yaml").stderr == \
        'error: the path "missing.yaml" does not exist\n'


def test_apply_manifests_is_the_python_side(api):
    assert apply_manifests(api, POD_YAML) == ["pod/web created"]
    assert apply_manifests(api, POD_YAML) == ["pod/web unchanged"]


def test_run_creates_a_labelled_pod(kubectl, api):
    result = kubectl.run("run nginx --image=nginx --port=80 --env=MODE=demo")
    assert result.stdout == "pod/nginx created\n"
    pod = api.get("Pod", "nginx")
    assert pod["metadata"]["labels"] == {"run": "nginx"}
    container = pod["spec"]["containers"][0]
    assert (container["name"], container["image"]) == ("nginx", "nginx")
    assert container["ports"][0]["containerPort"] == 80
    assert container["env"] == [{"name": "MODE", "value": "demo"}]


@pytest.mark.parametrize(("command", "line"), [
    ("run web --image=nginx", "pod/web created"),
    ("create deployment web --image=nginx", "deployment.apps/web created"),
    ("create namespace web", "namespace/web created"),
    ("create configmap web --from-literal=a=b", "configmap/web created"),
])
@pytest.mark.parametrize(("flag", "mark"), [
    ("--dry-run=client", " (dry run)"), ("--dry-run=server", " (server dry run)"),
])
def test_a_dry_run_says_which_and_creates_nothing(kubectl, api, command, line, flag, mark):
    assert kubectl.run(f"{command} {flag}").stdout == f"{line}{mark}\n"
    kind = {"pod": "Pod", "deployment.apps": "Deployment", "namespace": "Namespace",
            "configmap": "ConfigMap"}[line.split("/")[0]]
    assert api.try_get(kind, "web", None if kind == "Namespace" else "default") is None


def test_run_command_and_dry_run(kubectl, api):
    kubectl.run("run once --image=busybox --restart=Never --command -- sh -c 'echo hi'")
    spec = api.get("Pod", "once")["spec"]
    assert spec["restartPolicy"] == "Never"
    assert spec["containers"][0]["command"] == ["sh", "-c", "echo hi"]
    printed = kubectl.run("run web --image=nginx --dry-run=client -o yaml").stdout
    assert printed == ("apiVersion: v1\nkind: Pod\nmetadata:\n  creationTimestamp: null\n"
                       "  labels:\n    run: web\n  name: web\nspec:\n  containers:\n"
                       "  - image: nginx\n    name: web\n    resources: {}\n"
                       "  dnsPolicy: ClusterFirst\n  restartPolicy: Always\nstatus: {}\n")
    assert api.try_get("Pod", "web") is None
    assert kubectl.run("run web").stderr == 'error: required flag(s) "image" not set\n'


def test_get_output_formats(kubectl):
    kubectl.run("apply -f -", stdin=POD_YAML)
    kubectl.run("run db --image=postgres")
    assert kubectl.run("get pods -o name").stdout == "pod/db\npod/web\n"
    single = kubectl.run("get pod web -o yaml").stdout
    assert single.startswith("apiVersion: v1\nkind: Pod\n")
    listed = kubectl.run("get pods -o yaml").stdout
    assert listed.startswith("apiVersion: v1\nitems:\n- apiVersion: v1\n")
    assert listed.endswith("kind: List\nmetadata:\n  resourceVersion: \"\"\n")
    assert kubectl.run("get pods -o jsonpath={.items[*].metadata.name}").stdout == "db web"
    assert kubectl.run("get pods -l app=web -o name").stdout == "pod/web\n"


def test_all_namespaces_adds_a_namespace_column(kubectl):
    kubectl.run("run web --image=nginx")
    kubectl.run("run dns --image=coredns -n kube-system")
    lines = kubectl.run("get pods -A").lines
    assert lines[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert [line.split()[:2] for line in lines[1:]] == [["default", "web"],
                                                        ["kube-system", "dns"]]


def test_several_kinds_print_one_table_each_with_kind_prefixes(kubectl):
    kubectl.run("run web --image=nginx")
    text = kubectl.run("get pods,nodes").stdout
    pods, nodes = text.split("\n\n")
    assert pods.splitlines()[1].startswith("pod/web ")
    assert nodes.splitlines()[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert nodes.splitlines()[1].startswith("node/worker-1 ")


def test_found_objects_print_and_missing_ones_fail(kubectl):
    kubectl.run("run web --image=nginx")
    result = kubectl.run("get pods web nope")
    assert result.lines[1].startswith("web ")
    assert result.stderr == 'Error from server (NotFound): pods "nope" not found\n'
    assert result.returncode == 1


def test_delete_waits_until_the_object_is_gone(kubectl, api):
    kubectl.run("run web --image=nginx")
    assert kubectl.run("delete pod web").stdout == 'pod "web" deleted\n'
    assert api.try_get("Pod", "web") is None
    forced = kubectl.run("delete pods --all --force")
    assert forced.stderr == "No resources found\n"


def test_force_delete_warns(kubectl):
    kubectl.run("run web --image=nginx")
    result = kubectl.run("delete pod web --force")
    assert result.stdout == 'pod "web" force deleted\n'
    assert result.stderr.startswith("Warning: Immediate deletion does not wait")


def test_label_and_annotate(kubectl, api):
    kubectl.run("run web --image=nginx")
    assert kubectl.run("label pod web tier=fe").stdout == "pod/web labeled\n"
    result = kubectl.run("label pod web tier=be")
    assert result.stderr == "error: 'tier' already has a value (fe), and --overwrite is false\n"
    assert kubectl.run("label pod web tier=be --overwrite").stdout == "pod/web labeled\n"
    assert kubectl.run("label pod web tier-").stdout == "pod/web unlabeled\n"
    assert api.get("Pod", "web")["metadata"]["labels"] == {"run": "web"}
    assert kubectl.run("annotate pod web note=hi").stdout == "pod/web annotated\n"
    assert api.get("Pod", "web")["metadata"]["annotations"] == {"note": "hi"}


def test_cordon_and_taint_nodes(kubectl, api):
    assert kubectl.run("cordon worker-1").stdout == "node/worker-1 cordoned\n"
    assert kubectl.run("cordon worker-1").stdout == "node/worker-1 already cordoned\n"
    assert "Ready,SchedulingDisabled" in kubectl.run("get nodes").stdout
    assert kubectl.run("uncordon worker-1").stdout == "node/worker-1 uncordoned\n"
    assert kubectl.run("taint nodes worker-1 gpu=yes:NoSchedule").stdout == \
        "node/worker-1 tainted\n"
    assert api.get("Node", "worker-1", None)["spec"]["taints"] == [
        {"key": "gpu", "value": "yes", "effect": "NoSchedule"}]
    again = kubectl.run("taint nodes worker-1 gpu=no:NoSchedule")
    assert again.returncode == 1 and "--overwrite is false" in again.stderr
    assert kubectl.run("taint nodes worker-1 gpu:NoSchedule-").stdout == \
        "node/worker-1 untainted\n"
    assert "taints" not in api.get("Node", "worker-1", None)["spec"]


def test_top_without_metrics(kubectl):
    assert kubectl.run("top nodes").stderr == "error: Metrics API not available\n"


def test_ages_follow_the_simulated_clock(kubectl, api):
    kubectl.run("run web --image=nginx")
    api.clock.run(150)
    assert kubectl.run("get pods").lines[1].split()[-1] == "2m30s"


def test_namespace_of_the_context(kubectl):
    kubectl.run("run dns --image=coredns -n kube-system")
    assert kubectl.run("config set-context --current --namespace=kube-system").ok
    assert kubectl.run("get pods -o name").stdout == "pod/dns\n"
    assert kubectl.run("config current-context").stdout == "k8skit\n"


def test_help_and_version(kubectl):
    assert kubectl.run("get --help").stdout.startswith("Display one or many resources.")
    assert kubectl.run("version").stdout == ("Client Version: v1.33.4\n"
                                             "Kustomize Version: v5.6.0\n"
                                             "Server Version: v1.33.4\n")


def test_internal_failures_are_one_line(api):
    api.list = None  # a broken server: kubectl must still not raise
    result = Kubectl(api).run("get pods")
    assert result.returncode == 1
    assert result.stderr.startswith("error: internal error in the simulator: TypeError")
    assert result.stderr.count("\n") == 1


def test_describe_pod_on_a_hand_built_pod(kubectl, api):
    kubectl.run("run web --image=nginx --port=8080")
    pod = api.get("Pod", "web")
    pod["status"] = {"phase": "Pending", "conditions": [{"type": "PodScheduled",
                                                         "status": "False"}]}
    api.update_status(pod)
    text = kubectl.run("describe pod web").stdout
    # "Service Account:" is the longest label of the first block: values start at column 18.
    assert text.startswith("Name:             web\nNamespace:        default\n")
    assert "Node:             <none>\n" in text
    assert "Containers:\n  web:\n    Image:        nginx\n    Port:         8080/TCP\n" in text
    assert "Conditions:\n  Type           Status\n  PodScheduled   False \n" in text
    # After the Conditions table a new block starts, measured on "Node-Selectors:" (column 17).
    assert text.endswith("Events:          <none>\n")
