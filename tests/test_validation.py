"""The API server refuses bad objects with the messages a real one prints."""

import base64
import copy

import pytest

from k8skit.api.defaults import apply_defaults
from k8skit.api.errors import BadRequest, Invalid
from k8skit.api.kinds import KINDS
from k8skit.api.manifests import load
from k8skit.api.schema import base64_error_position, decode_problem, rfc3339_problem, strict_decode
from k8skit.api.validation import validate, validate_update

POD = """
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: web
    image: nginx:1.27
"""
DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: nginx}
"""
SERVICE = """
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""


def stored(text: str, change=None) -> dict:
    """The object as the API server would see it: namespaced, defaulted."""
    obj = load(text)[0]
    if change:
        change(obj)
    if KINDS[obj["kind"]].namespaced:
        obj["metadata"].setdefault("namespace", "default")
    return apply_defaults(obj)


def refusal(text: str, change=None) -> str:
    """What kubectl prints when the API server refuses the object."""
    obj = stored(text, change)
    causes = validate(obj)
    assert causes, "expected the object to be refused"
    return str(Invalid(obj["kind"], obj["metadata"].get("name", ""), causes))


def container(obj):
    return obj["spec"]["containers"][0]


def test_valid_objects_have_no_problems():
    for text in (POD, DEPLOYMENT, SERVICE):
        assert validate(stored(text)) == []


# -- FIDELITY.md: validation messages ------------------------------------------------------------
def test_missing_image():
    assert refusal(POD, lambda o: container(o).pop("image")) == (
        'The Pod "web" is invalid: spec.containers[0].image: Required value'
    )


def test_no_containers_at_all():
    assert refusal(POD, lambda o: o["spec"].pop("containers")) == (
        'The Pod "web" is invalid: spec.containers: Required value'
    )


def test_unknown_field_is_a_strict_decoding_error():
    obj = load(DEPLOYMENT.replace("replicas: 3", "replicasx: 3"))[0]
    with pytest.raises(BadRequest) as caught:
        strict_decode(obj)
    assert str(caught.value) == (
        'Error from server (BadRequest): Deployment in version "v1" cannot be handled as a '
        'Deployment: strict decoding error: unknown field "spec.replicasx"'
    )


def test_several_unknown_fields_are_listed_with_their_paths():
    obj = load(DEPLOYMENT.replace("replicas: 3", "replicasx: 3")
               .replace("{name: web, image: nginx}", "{name: web, image: nginx, imag: x}"))[0]
    assert decode_problem(obj) == (
        'strict decoding error: unknown field "spec.replicasx", '
        'unknown field "spec.template.spec.containers[0].imag"'
    )


def test_selector_that_does_not_match_the_template():
    text = refusal(DEPLOYMENT, lambda o: o["spec"]["template"]["metadata"].update(
        labels={"app": "api"}))
    assert text == (
        'The Deployment "web" is invalid: spec.template.metadata.labels: Invalid value: '
        'map[string]string{"app":"api"}: `selector` does not match template `labels`'
    )


def test_a_deployment_needs_a_selector():
    assert refusal(DEPLOYMENT, lambda o: o["spec"].pop("selector")) == (
        'The Deployment "web" is invalid: \n'
        "* spec.selector: Required value\n"
        '* spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: '
        "`selector` does not match template `labels`"
    )


def test_restart_policy_values_in_upstream_order():
    assert refusal(POD, lambda o: o["spec"].update(restartPolicy="Sometimes")) == (
        'The Pod "web" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": '
        'supported values: "Always", "OnFailure", "Never"'
    )


def test_requests_above_limits():
    def over(obj):
        container(obj)["resources"] = {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}

    assert refusal(POD, over) == (
        'The Pod "web" is invalid: spec.containers[0].resources.requests: Invalid value: "2": '
        "must be less than or equal to cpu limit of 1"
    )


def test_requests_are_compared_as_quantities_not_text():
    def fine(obj):
        container(obj)["resources"] = {"requests": {"memory": "1024Mi"},
                                       "limits": {"memory": "1Gi"}}

    assert validate(stored(POD, fine)) == []


def test_negative_quantities_and_unknown_resources():
    def bad(obj):
        container(obj)["resources"] = {"limits": {"cpu": "-1", "memroy": "1Gi"}}

    assert refusal(POD, bad) == (
        'The Pod "web" is invalid: \n'
        '* spec.containers[0].resources.limits[cpu]: Invalid value: "-1": must be greater than '
        "or equal to 0\n"
        '* spec.containers[0].resources.limits[memroy]: Invalid value: "memroy": must be a '
        "standard resource type or fully qualified\n"
        '* spec.containers[0].resources.limits[memroy]: Invalid value: "memroy": must be a '
        "standard resource for containers\n"
        '* spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater '
        "than or equal to 0\n"
        '* spec.containers[0].resources.requests[memroy]: Invalid value: "memroy": must be a '
        "standard resource type or fully qualified\n"
        '* spec.containers[0].resources.requests[memroy]: Invalid value: "memroy": must be a '
        "standard resource for containers"
    )


def test_node_port_outside_the_range():
    def node_port(obj):
        obj["spec"].update(type="NodePort", ports=[{"port": 80, "nodePort": 80}])

    assert refusal(SERVICE, node_port) == (
        'The Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port '
        "is not in the valid range. The range of valid ports is 30000-32767"
    )


def test_config_map_over_one_mebibyte():
    def big(obj):
        obj["data"] = {"blob": "x" * (1024 * 1024 + 1)}

    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\n"
    assert refusal(text, big) == (
        'The ConfigMap "big" is invalid: []: Too long: must have at most 1048576 bytes'
    )


def test_secret_over_one_mebibyte_counts_decoded_bytes():
    text = "apiVersion: v1\nkind: Secret\nmetadata: {name: big}\n"
    just_fits = base64.b64encode(b"x" * (1024 * 1024)).decode()
    assert validate(stored(text, lambda o: o.update(data={"blob": just_fits}))) == []
    too_big = base64.b64encode(b"x" * (1024 * 1024 + 1)).decode()
    assert refusal(text, lambda o: o.update(data={"blob": too_big})) == (
        'The Secret "big" is invalid: data: Too long: must have at most 1048576 bytes'
    )


def test_secret_data_must_be_base64():
    obj = load("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {password: admin}\n")[0]
    with pytest.raises(BadRequest) as caught:
        strict_decode(obj)
    assert caught.value.message == (
        'Secret in version "v1" cannot be handled as a Secret: '
        "illegal base64 data at input byte 4"
    )


@pytest.mark.parametrize(
    ("text", "position"),
    [("YWRtaW4=", None), ("admin", 4), ("ab$d", 2), ("abc", 0), ("YQ=a", 2), ("YQ==\n", None),
     ("YWRt\naW4=", None), ("", None), ("YQ", 0), ("=abc", 0)],
)
def test_base64_errors_are_found_where_go_finds_them(text, position):
    assert base64_error_position(text) == position


# -- type errors, as Go's encoding/json words them -----------------------------------------------
def test_wrong_types_name_the_struct_field_and_go_type():
    replicas = load(DEPLOYMENT.replace("replicas: 3", 'replicas: "3"'))[0]
    assert decode_problem(replicas) == (
        "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of "
        "type int32"
    )
    env = load(POD.replace("image: nginx:1.27", "image: nginx:1.27\n    env: [{name: PORT, "
                                                 "value: 8080}]"))[0]
    assert decode_problem(env) == (
        "json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value "
        "of type string"
    )
    labels = load(POD.replace("{name: web}", "{name: web, labels: {version: 1.0}}"))[0]
    assert decode_problem(labels) == (
        "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type "
        "string"
    )
    # A Python caller's dict can be keyed by a number, which no JSON body can carry.
    selector = load(POD)[0]
    selector["spec"]["nodeSelector"] = {1: "a"}
    assert decode_problem(selector) == (
        "json: cannot unmarshal number into Go struct field PodSpec.spec.nodeSelector of type "
        "string"
    )
    fraction = load(DEPLOYMENT.replace("replicas: 3", "replicas: 1.5"))[0]
    assert "cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas" in (
        decode_problem(fraction))
    whole = load(DEPLOYMENT.replace("replicas: 3", "replicas: 3.0"))[0]
    assert decode_problem(whole) is None
    listed = load(POD.replace("containers:\n  - name: web\n    image: nginx:1.27",
                              "containers: {name: web}"))[0]
    assert decode_problem(listed) == (
        "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type "
        "[]v1.Container"
    )


def test_kinds_without_a_table_are_left_to_the_kind_check():
    assert decode_problem({"apiVersion": "v1", "kind": "ReplicationController"}) is None


def test_a_bad_quantity_is_reported_in_quantity_words():
    obj = load(POD.replace("image: nginx:1.27",
                           "image: nginx:1.27\n    resources: {limits: {cpu: lots}}"))[0]
    assert decode_problem(obj) == (
        "quantities must match the regular expression "
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )


def test_timestamps_are_parsed_as_rfc3339():
    assert rfc3339_problem("2026-01-01T00:00:00Z") is None
    assert rfc3339_problem("2026-01-01T00:00:00.5+02:00") is None
    assert rfc3339_problem("yesterday") == (
        'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as '
        '"2006"'
    )
    assert rfc3339_problem("2026-13-01T00:00:00Z") == (
        'parsing time "2026-13-01T00:00:00Z": month out of range'
    )


# -- names ---------------------------------------------------------------------------------------
def test_object_names_follow_their_kind():
    assert refusal(POD, lambda o: o["metadata"].update(name="Web_1")) == (
        'The Pod "Web_1" is invalid: metadata.name: Invalid value: "Web_1": a lowercase RFC 1123 '
        "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
        "start and end with an alphanumeric character (e.g. 'example.com', regex used for "
        "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    )
    # A Service name is a DNS-1035 label: it may not start with a digit.
    assert refusal(SERVICE, lambda o: o["metadata"].update(name="1web")) == (
        'The Service "1web" is invalid: metadata.name: Invalid value: "1web": a DNS-1035 label '
        "must consist of lower case alphanumeric characters or '-', start with an alphabetic "
        "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
        "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
    )
    assert "metadata.name: Required value: name or generateName is required" in refusal(
        POD, lambda o: o["metadata"].pop("name"))


def test_bad_labels_are_reported_at_metadata_labels():
    text = refusal(POD, lambda o: o["metadata"].update(labels={"app": "-web"}))
    assert text.startswith(
        'The Pod "web" is invalid: metadata.labels: Invalid value: "-web": a valid label must be '
        "an empty string or consist of alphanumeric characters"
    )


# -- containers ----------------------------------------------------------------------------------
def test_container_names_are_unique_across_init_and_regular_containers():
    def twins(obj):
        obj["spec"]["containers"].append({"name": "web", "image": "busybox"})
        obj["spec"]["initContainers"] = [{"name": "web", "image": "busybox"}]

    assert refusal(POD, twins) == (
        'The Pod "web" is invalid: \n'
        '* spec.containers[1].name: Duplicate value: "web"\n'
        '* spec.initContainers[0].name: Duplicate value: "web"'
    )


def test_ports_and_protocols():
    def ports(obj):
        container(obj)["ports"] = [{"containerPort": 70000}, {"containerPort": 80,
                                                             "protocol": "tcp"}]

    assert refusal(POD, ports) == (
        'The Pod "web" is invalid: \n'
        "* spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 "
        "and 65535, inclusive\n"
        '* spec.containers[0].ports[1].protocol: Unsupported value: "tcp": supported values: '
        '"SCTP", "TCP", "UDP"'
    )


def test_env_and_mounts():
    def env(obj):
        container(obj)["env"] = [{"name": "A", "value": "1",
                                  "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}}]
        container(obj)["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]

    assert refusal(POD, env) == (
        'The Pod "web" is invalid: \n'
        '* spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when '
        "`value` is not empty\n"
        '* spec.containers[0].volumeMounts[0].name: Not found: "data"'
    )


def test_probes_need_one_handler_and_liveness_needs_one_success():
    def probes(obj):
        container(obj)["livenessProbe"] = {"successThreshold": 2,
                                           "tcpSocket": {"port": 80}, "exec": {"command": ["x"]}}
        container(obj)["readinessProbe"] = {"periodSeconds": 5}

    assert refusal(POD, probes) == (
        'The Pod "web" is invalid: \n'
        "* spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 "
        "handler type\n"
        "* spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1\n"
        "* spec.containers[0].readinessProbe: Required value: must specify a handler type"
    )


def test_volumes_need_exactly_one_source():
    def volumes(obj):
        obj["spec"]["volumes"] = [{"name": "a"}, {"name": "b", "emptyDir": {}, "hostPath":
                                                  {"path": "/tmp"}}]

    assert refusal(POD, volumes) == (
        'The Pod "web" is invalid: \n'
        "* spec.volumes[0]: Required value: must specify a volume type\n"
        "* spec.volumes[1].hostPath: Forbidden: may not specify more than 1 volume type"
    )


def test_tolerations():
    def tolerations(obj):
        obj["spec"]["tolerations"] = [{"operator": "Equal", "value": "x"},
                                      {"key": "k", "effect": "NoSchedule",
                                       "tolerationSeconds": 10, "operator": "Exists"}]

    text = refusal(POD, tolerations)
    assert ('* spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists '
            'when `key` is empty, which means "match all values and all keys"') in text
    assert ("* spec.tolerations[1].effect: Invalid value: \"NoSchedule\": effect must be "
            "'NoExecute' when `tolerationSeconds` is set") in text


# -- workloads and services ----------------------------------------------------------------------
def test_deployment_numbers_and_strategy():
    def bad(obj):
        obj["spec"]["replicas"] = -1
        obj["spec"]["strategy"] = {"type": "RollingUpdate",
                                   "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}

    assert refusal(DEPLOYMENT, bad) == (
        'The Deployment "web" is invalid: \n'
        "* spec.replicas: Invalid value: -1: must be greater than or equal to 0\n"
        "* spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when "
        "`maxSurge` is 0"
    )
    assert "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: " \
           '"Always"' in refusal(DEPLOYMENT, lambda o: o["spec"]["template"]["spec"].update(
               restartPolicy="Never"))
    assert refusal(DEPLOYMENT, lambda o: o["spec"].update(strategy={"type": "Rolling"})) == (
        'The Deployment "web" is invalid: spec.strategy: Unsupported value: '
        'apps.DeploymentStrategy{Type:"Rolling", RollingUpdate:(*apps.RollingUpdateDeployment)'
        '(nil)}: supported values: "Recreate", "RollingUpdate"'
    )


def test_service_type_and_named_ports():
    def bad(obj):
        obj["spec"]["type"] = "Nodeport"
        obj["spec"]["ports"] = [{"port": 80}, {"port": 443}]

    assert refusal(SERVICE, bad) == (
        'The Service "web" is invalid: \n'
        "* spec.ports[0].name: Required value\n"
        "* spec.ports[1].name: Required value\n"
        '* spec.type: Unsupported value: "Nodeport": supported values: "ClusterIP", '
        '"ExternalName", "LoadBalancer", "NodePort"'
    )


def test_node_port_on_a_cluster_ip_service():
    assert refusal(SERVICE, lambda o: o["spec"]["ports"][0].update(nodePort=30080)) == (
        'The Service "web" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when '
        "`type` is 'ClusterIP'"
    )


def test_config_map_keys():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {'my key': x}\n"
    assert refusal(text) == (
        'The ConfigMap "c" is invalid: data[my key]: Invalid value: "my key": a valid config key '
        "must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
        "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
    )


def test_claims_need_an_access_mode_and_a_size():
    text = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec: {}\n"
    assert refusal(text) == (
        'The PersistentVolumeClaim "data" is invalid: \n'
        "* spec.accessModes: Required value: at least 1 access mode is required\n"
        "* spec.resources[storage]: Required value"
    )


# -- updates -------------------------------------------------------------------------------------
def test_deployment_selector_is_immutable():
    old = stored(DEPLOYMENT)

    def relabel(obj):
        obj["spec"]["selector"] = {"matchLabels": {"app": "web2"}}
        obj["spec"]["template"]["metadata"]["labels"] = {"app": "web2"}

    new = stored(DEPLOYMENT, relabel)
    assert validate(new) == []
    causes = validate_update(new, old)
    assert str(Invalid("Deployment", "web", causes)) == (
        'The Deployment "web" is invalid: spec.selector: Invalid value: '
        'v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, '
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
    )
    scaled = copy.deepcopy(old)
    scaled["spec"]["replicas"] = 5
    assert validate_update(scaled, old) == []


def test_pod_spec_is_immutable_but_for_images():
    old = stored(POD)
    new_image = copy.deepcopy(old)
    container(new_image)["image"] = "nginx:1.28"
    assert validate_update(new_image, old) == []
    bound = copy.deepcopy(old)
    bound["spec"]["nodeName"] = "worker-1"
    assert validate_update(bound, old) == []
    new_port = copy.deepcopy(old)
    container(new_port)["ports"] = [{"containerPort": 8080, "protocol": "TCP"}]
    message = str(Invalid("Pod", "web", validate_update(new_port, old)))
    assert message.startswith(
        'The Pod "web" is invalid: spec: Forbidden: pod updates may not change fields other '
        "than `spec.containers[*].image`,`spec.initContainers[*].image`,"
        "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing "
        "tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
        "previously negative)\n"
    )
    assert "spec.containers[0].ports" in message
    more = copy.deepcopy(old)
    more["spec"]["containers"].append({"name": "sidecar", "image": "busybox"})
    assert str(validate_update(more, old)[0]) == (
        "spec.containers: Forbidden: pod updates may not add or remove containers"
    )


def test_immutable_config_maps():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nimmutable: true\ndata: {a: b}\n"
    old = stored(text)
    new = copy.deepcopy(old)
    new["data"]["a"] = "c"
    assert [str(c) for c in validate_update(new, old)] == [
        "data: Forbidden: field is immutable when `immutable` is set"
    ]


def test_a_pod_spec_seen_before_gets_the_same_verdict():
    """Verdicts on specs are remembered; a remembered verdict is handed out as a fresh list."""
    bad = apply_defaults(load(POD.replace("image: nginx:1.27", "image: nginx:1.27\n"
                                          "    ports: [{containerPort: 0}]"))[0])
    bad["metadata"]["namespace"] = "default"
    first = validate(bad)
    assert [e.path for e in first] == ["spec.containers[0].ports[0].containerPort"]
    first.clear()
    assert [e.path for e in validate(copy.deepcopy(bad))] == [
        "spec.containers[0].ports[0].containerPort"]
    good = copy.deepcopy(bad)
    good["spec"]["containers"][0]["ports"][0]["containerPort"] = 80
    assert validate(good) == []
