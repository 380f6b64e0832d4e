"""Defaulting fills what a real API server fills, so ``get -o yaml`` shows what it would show."""

import base64
import copy

import pytest

from k8skit.api.defaults import apply_defaults, default_image_pull_policy
from k8skit.api.manifests import load


def defaulted(text: str) -> dict:
    return apply_defaults(load(text)[0])


POD = """
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: web
    image: nginx:1.27
    ports: [{containerPort: 80}]
    resources:
      limits: {cpu: 0.5, memory: 1.5Gi}
    livenessProbe:
      httpGet: {port: 80}
"""
DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        resources: {limits: {cpu: "1"}}
"""


def test_a_pod_gets_the_defaults_get_o_yaml_shows():
    pod = defaulted(POD)
    spec = pod["spec"]
    assert {key: spec[key] for key in (
        "restartPolicy", "dnsPolicy", "schedulerName", "terminationGracePeriodSeconds",
        "securityContext", "enableServiceLinks", "serviceAccountName", "serviceAccount",
        "priority", "preemptionPolicy")} == {
        "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
        "schedulerName": "default-scheduler", "terminationGracePeriodSeconds": 30,
        "securityContext": {}, "enableServiceLinks": True, "serviceAccountName": "default",
        "serviceAccount": "default", "priority": 0, "preemptionPolicy": "PreemptLowerPriority",
    }
    container = spec["containers"][0]
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert container["terminationMessagePath"] == "/dev/termination-log"
    assert container["terminationMessagePolicy"] == "File"
    assert container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert container["livenessProbe"] == {
        "httpGet": {"port": 80, "path": "/", "scheme": "HTTP"},
        "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3,
    }
    # Limits on cpu and memory, copied into the requests: the best QoS class.
    assert pod["status"] == {"phase": "Pending", "qosClass": "Guaranteed"}


def test_limits_become_requests_and_quantities_are_canonical():
    resources = defaulted(POD)["spec"]["containers"][0]["resources"]
    assert resources == {"limits": {"cpu": "500m", "memory": "1536Mi"},
                         "requests": {"cpu": "500m", "memory": "1536Mi"}}


def test_qos_class_follows_requests_and_limits():
    text = POD.replace("limits: {cpu: 0.5, memory: 1.5Gi}", "requests: {cpu: 1}")
    assert defaulted(text)["status"]["qosClass"] == "Burstable"
    text = POD.replace("limits: {cpu: 0.5, memory: 1.5Gi}", "{}")
    assert defaulted(text)["status"]["qosClass"] == "BestEffort"


def test_every_pod_tolerates_a_failed_node_for_five_minutes():
    assert defaulted(POD)["spec"]["tolerations"] == [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 300},
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 300},
    ]
    own = POD.replace("containers:", "tolerations: [{key: node.kubernetes.io/unreachable, "
                                     "operator: Exists, effect: NoExecute, "
                                     "tolerationSeconds: 60}]\n  containers:")
    tolerations = defaulted(own)["spec"]["tolerations"]
    assert [(t["key"], t["tolerationSeconds"]) for t in tolerations] == [
        ("node.kubernetes.io/unreachable", 60), ("node.kubernetes.io/not-ready", 300)]


@pytest.mark.parametrize(
    ("image", "policy"),
    [("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.27", "IfNotPresent"),
     ("localhost:5000/shop/web", "Always"), ("localhost:5000/shop/web:v2", "IfNotPresent"),
     ("gcr.io/google-samples/kubernetes-bootcamp:v1", "IfNotPresent"),
     ("busybox@sha256:" + "0" * 64, "IfNotPresent")],
)
def test_image_pull_policy_follows_the_tag(image, policy):
    assert default_image_pull_policy(image) == policy


def test_a_deployment_and_its_template():
    deployment = defaulted(DEPLOYMENT)
    spec = deployment["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "RollingUpdate",
                                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600
    template = spec["template"]
    assert template["metadata"] == {"labels": {"app": "web"}, "creationTimestamp": None}
    pod_spec = template["spec"]
    assert pod_spec["restartPolicy"] == "Always"
    assert pod_spec["containers"][0]["imagePullPolicy"] == "Always"
    assert pod_spec["containers"][0]["resources"] == {"limits": {"cpu": "1"}}
    # Admission and SetDefaults_Pod apply to pods, not to the templates they come from.
    for pod_only in ("enableServiceLinks", "serviceAccountName", "priority", "tolerations"):
        assert pod_only not in pod_spec


def test_chosen_values_are_kept():
    text = (DEPLOYMENT.replace("selector:", "replicas: 0\n  strategy: {type: Recreate}\n"
                                            "  selector:")
            .replace("image: nginx", "image: nginx\n        imagePullPolicy: Never"))
    spec = defaulted(text)["spec"]
    assert spec["replicas"] == 0
    assert spec["strategy"] == {"type": "Recreate"}
    assert spec["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Never"


def test_null_means_unset():
    assert defaulted(DEPLOYMENT.replace("selector:", "replicas: null\n  selector:"))[
        "spec"]["replicas"] == 1
    assert defaulted(DEPLOYMENT.replace("replicas", "x").replace("selector:", "replicas: 2.0\n  "
                                                                              "selector:"))[
        "spec"]["replicas"] == 2


def test_replica_set():
    text = DEPLOYMENT.replace("kind: Deployment", "kind: ReplicaSet")
    assert defaulted(text)["spec"]["replicas"] == 1


def test_services():
    service = defaulted("""
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}, {port: 443, targetPort: https, name: https}]
""")
    assert service["spec"] == {
        "selector": {"app": "web"},
        "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80},
                  {"port": 443, "targetPort": "https", "name": "https", "protocol": "TCP"}],
        "type": "ClusterIP", "sessionAffinity": "None", "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
    }
    assert service["status"] == {"loadBalancer": {}}
    node_port = defaulted("""
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: NodePort, sessionAffinity: ClientIP, clusterIP: None, ports: [{port: 80}]}
""")["spec"]
    assert node_port["externalTrafficPolicy"] == "Cluster"
    assert node_port["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}
    assert node_port["clusterIPs"] == ["None"]
    external = defaulted("apiVersion: v1\nkind: Service\nmetadata: {name: db}\n"
                         "spec: {type: ExternalName, externalName: db.example.com}\n")["spec"]
    assert "ipFamilies" not in external and "internalTrafficPolicy" not in external
    balancer = defaulted("apiVersion: v1\nkind: Service\nmetadata: {name: lb}\n"
                         "spec: {type: LoadBalancer, ports: [{port: 80}]}\n")["spec"]
    assert balancer["allocateLoadBalancerNodePorts"] is True


def test_secret_string_data_is_stored_as_base64_data():
    secret = defaulted("""
apiVersion: v1
kind: Secret
metadata: {name: s}
data: {user: b2xk}
stringData: {user: admin, password: s3cr3t}
""")
    assert secret["type"] == "Opaque"
    assert "stringData" not in secret
    assert {k: base64.b64decode(v).decode() for k, v in secret["data"].items()} == {
        "user": "admin", "password": "s3cr3t"}


def test_storage():
    claim = defaulted("""
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1.5Gi}}}
""")
    assert claim["spec"]["volumeMode"] == "Filesystem"
    assert claim["spec"]["resources"]["requests"]["storage"] == "1536Mi"
    assert claim["status"] == {"phase": "Pending"}
    volume = defaulted("apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\n"
                       "spec: {capacity: {storage: 5Gi}, hostPath: {path: /data}}\n")
    assert volume["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert volume["spec"]["hostPath"] == {"path": "/data", "type": ""}
    assert volume["status"] == {"phase": "Pending"}
    storage_class = defaulted("apiVersion: storage.k8s.io/v1\nkind: StorageClass\n"
                              "metadata: {name: standard}\nprovisioner: example.com/disk\n")
    assert storage_class["reclaimPolicy"] == "Delete"
    assert storage_class["volumeBindingMode"] == "Immediate"


def test_volumes_in_pods():
    text = POD.replace("containers:", "volumes:\n  - {name: c, configMap: {name: c}}\n"
                                      "  - {name: s, secret: {secretName: s}}\n  containers:")
    volumes = defaulted(text)["spec"]["volumes"]
    assert [v.get("configMap", v.get("secret"))["defaultMode"] for v in volumes] == [420, 420]


def test_namespaces_and_nodes():
    namespace = defaulted("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
    assert namespace["metadata"]["labels"] == {"kubernetes.io/metadata.name": "shop"}
    assert namespace["spec"] == {"finalizers": ["kubernetes"]}
    assert namespace["status"] == {"phase": "Active"}
    node = defaulted("apiVersion: v1\nkind: Node\nmetadata: {name: n}\n"
                     "status: {capacity: {cpu: 4, memory: 8192Mi}}\n")
    assert node["status"]["capacity"] == {"cpu": "4", "memory": "8Gi"}
    assert node["status"]["allocatable"] == node["status"]["capacity"]


def test_env_field_references():
    text = POD.replace("ports:", "env:\n    - {name: N, valueFrom: {fieldRef: "
                                 "{fieldPath: metadata.name}}}\n    ports:")
    env = defaulted(text)["spec"]["containers"][0]["env"]
    assert env[0]["valueFrom"]["fieldRef"] == {"fieldPath": "metadata.name", "apiVersion": "v1"}


@pytest.mark.parametrize("text", [POD, DEPLOYMENT])
def test_defaulting_twice_changes_nothing(text):
    once = defaulted(text)
    assert apply_defaults(copy.deepcopy(once)) == once
