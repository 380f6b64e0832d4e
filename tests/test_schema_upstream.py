"""The simulator's schema and validator agree with the published Kubernetes OpenAPI schema.

``kubernetes_validate`` ships the JSON schemas generated from Kubernetes' OpenAPI documents. These
tests check that (a) manifests the simulator accepts are accepted by that schema, before and after
defaulting, (b) every field the simulator knows exists upstream with the same type, so the
simulator cannot invent a field, and (c) every struct the simulator describes lists all of the
upstream fields, so the simulator never refuses a field a real cluster takes.
"""

import copy
import json
from pathlib import Path

import kubernetes_validate
import pytest

from k8skit.api import schema
from k8skit.api.defaults import apply_defaults
from k8skit.api.manifests import load
from k8skit.api.validation import validate

VERSION = "1.33"
_SCHEMA_DIR = (Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
               / "v1.33.0-local-strict")
DEFINITIONS = json.loads((_SCHEMA_DIR / "_definitions.json").read_text())["$defs"]

# The upstream definition of each kind's top-level struct.
_KIND_DEFINITIONS = {
    "Namespace": "io.k8s.api.core.v1.Namespace",
    "Node": "io.k8s.api.core.v1.Node",
    "Pod": "io.k8s.api.core.v1.Pod",
    "Service": "io.k8s.api.core.v1.Service",
    "Endpoints": "io.k8s.api.core.v1.Endpoints",
    "ConfigMap": "io.k8s.api.core.v1.ConfigMap",
    "Secret": "io.k8s.api.core.v1.Secret",
    "ServiceAccount": "io.k8s.api.core.v1.ServiceAccount",
    "PersistentVolume": "io.k8s.api.core.v1.PersistentVolume",
    "PersistentVolumeClaim": "io.k8s.api.core.v1.PersistentVolumeClaim",
    "Event": "io.k8s.api.core.v1.Event",
    "Deployment": "io.k8s.api.apps.v1.Deployment",
    "ReplicaSet": "io.k8s.api.apps.v1.ReplicaSet",
    "EndpointSlice": "io.k8s.api.discovery.v1.EndpointSlice",
    "StorageClass": "io.k8s.api.storage.v1.StorageClass",
    "Lease": "io.k8s.api.coordination.v1.Lease",
}

REALISTIC_MANIFESTS = """
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
    matchExpressions:
    - {key: tier, operator: In, values: [frontend]}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: web, tier: frontend}
    spec:
      initContainers:
      - name: wait
        image: busybox:1.36
        command: [sh, -c, "sleep 2"]
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - {name: http, containerPort: 80}
        env:
        - {name: MODE, value: production}
        - name: GREETING
          valueFrom: {configMapKeyRef: {name: web-config, key: greeting}}
        - name: PASSWORD
          valueFrom: {secretKeyRef: {name: web-secret, key: password, optional: true}}
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        - name: CPU_LIMIT
          valueFrom: {resourceFieldRef: {resource: limits.cpu}}
        envFrom:
        - configMapRef: {name: web-config}
          prefix: CFG_
        resources:
          requests: {cpu: 250m, memory: 64Mi}
          limits: {cpu: 0.5, memory: 128Mi}
        volumeMounts:
        - {name: config, mountPath: /etc/web, readOnly: true}
        - {name: data, mountPath: /data}
        - {name: cache, mountPath: /cache}
        livenessProbe:
          httpGet: {path: /healthz, port: http}
          initialDelaySeconds: 5
          periodSeconds: 10
          timeoutSeconds: 2
          failureThreshold: 3
        readinessProbe:
          tcpSocket: {port: 80}
        startupProbe:
          exec: {command: [cat, /tmp/ready]}
          failureThreshold: 30
        lifecycle:
          preStop:
            exec: {command: [sh, -c, "sleep 5"]}
        imagePullPolicy: IfNotPresent
        workingDir: /srv
        securityContext: {runAsNonRoot: true, runAsUser: 1000, readOnlyRootFilesystem: true}
      volumes:
      - name: config
        configMap:
          name: web-config
          items: [{key: nginx.conf, path: nginx.conf}]
      - name: data
        persistentVolumeClaim: {claimName: web-data}
      - name: cache
        emptyDir: {sizeLimit: 1Gi}
      nodeSelector: {disktype: ssd}
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              labelSelector: {matchLabels: {app: web}}
              topologyKey: kubernetes.io/hostname
      tolerations:
      - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
      terminationGracePeriodSeconds: 20
      serviceAccountName: web
      restartPolicy: Always
      dnsPolicy: ClusterFirst
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http, nodePort: 30080}
  sessionAffinity: ClientIP
---
apiVersion: v1
kind: Service
metadata: {name: web-headless, namespace: shop}
spec:
  clusterIP: None
  selector: {app: web}
  ports:
  - {port: 80}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
data:
  greeting: hello
  nginx.conf: |
    server { listen 80; }
---
apiVersion: v1
kind: Secret
metadata: {name: web-secret, namespace: shop}
type: Opaque
data: {password: czNjcjN0}
stringData: {username: admin}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: web-data, namespace: shop}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
  storageClassName: standard
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-1}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /mnt/data}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: standard}
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: Pod
metadata:
  name: counter
  namespace: shop
spec:
  restartPolicy: OnFailure
  containers:
  - name: count
    image: busybox
    command: [sh, -c, "for i in 1 2 3; do echo $i; sleep 1; done"]
    resources:
      limits: {memory: 32Mi}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: frontend, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {tier: frontend}}
  template:
    metadata: {labels: {tier: frontend}}
    spec:
      containers:
      - {name: php, image: "gcr.io/google-samples/gb-frontend:v5"}
---
apiVersion: v1
kind: Node
metadata:
  name: worker-1
  labels: {kubernetes.io/hostname: worker-1}
spec:
  taints:
  - {key: dedicated, value: web, effect: NoSchedule}
status:
  capacity: {cpu: "4", memory: 8Gi, pods: "110"}
"""


def _accepted_here(obj: dict) -> dict:
    """The object as the simulated API server stores it, asserting it accepts it."""
    assert schema.decode_problem(obj) is None
    stored = apply_defaults(copy.deepcopy(obj))
    assert validate(stored) == []
    return stored


def test_manifests_the_simulator_accepts_are_accepted_upstream():
    objects = load(REALISTIC_MANIFESTS)
    assert len(objects) == 12
    for obj in objects:
        stored = _accepted_here(obj)
        kubernetes_validate.validate(obj, VERSION, strict=True)
        # Defaulting adds only fields the real schema has, with the right types.
        kubernetes_validate.validate(stored, VERSION, strict=True)


# -- the field table against the OpenAPI definitions --------------------------------------------
def _resolve(prop: dict) -> dict:
    if "$ref" in prop:
        return {"ref": prop["$ref"].rsplit("/", 1)[-1]}
    if "allOf" in prop:
        return _resolve(prop["allOf"][0])
    return prop


def _upstream_type(prop: dict) -> tuple:
    """A comparable description of an OpenAPI property: (shape, detail)."""
    prop = _resolve(prop)
    if "ref" in prop:
        return ("ref", prop["ref"])
    types = prop.get("type")
    kind = [t for t in types if t != "null"][0] if isinstance(types, list) else types
    if kind == "array":
        return ("list", _upstream_type(prop["items"]))
    if kind == "object":
        return ("map", _upstream_type(prop["additionalProperties"]))
    if kind == "integer":
        return ("integer", prop.get("format"))
    if kind == "string" and prop.get("format") == "byte":
        return ("bytes", None)
    return (kind, None)


_SCALARS = {
    schema.STRING: ("string", None),
    schema.BOOL: ("boolean", None),
    schema.INT32: ("integer", "int32"),
    schema.INT64: ("integer", "int64"),
    schema.BYTES: ("bytes", None),
}
_REFERENCED_SCALARS = {
    schema.QUANTITY: "io.k8s.apimachinery.pkg.api.resource.Quantity",
    schema.INT_OR_STRING: "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
    schema.TIME: "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
    schema.MICRO_TIME: "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
}


def _compare(go_type: str, upstream: tuple, path: str, visited: set, problems: list) -> None:
    go_type = schema.NAMED_MAPS.get(go_type, go_type)
    if go_type == schema.UNCHECKED:
        return
    if go_type in _SCALARS or go_type in schema.NAMED_STRINGS:
        expected = _SCALARS.get(go_type, ("string", None))
        if upstream != expected:
            problems.append(f"{path}: simulator {go_type}, upstream {upstream}")
    elif go_type in _REFERENCED_SCALARS:
        if upstream != ("ref", _REFERENCED_SCALARS[go_type]):
            problems.append(f"{path}: simulator {go_type}, upstream {upstream}")
    elif go_type.startswith("[]"):
        if upstream[0] != "list":
            problems.append(f"{path}: simulator {go_type}, upstream {upstream}")
        else:
            _compare(go_type[2:], upstream[1], f"{path}[]", visited, problems)
    elif go_type.startswith("map[string]"):
        if upstream[0] != "map":
            problems.append(f"{path}: simulator {go_type}, upstream {upstream}")
        else:
            _compare(go_type[len("map[string]"):], upstream[1], f"{path}{{}}", visited, problems)
    elif upstream[0] != "ref" or upstream[1].rsplit(".", 1)[-1] != go_type.split(".", 1)[1]:
        problems.append(f"{path}: simulator struct {go_type}, upstream {upstream}")
    else:
        _compare_struct(go_type, upstream[1], path, visited, problems)


def _compare_struct(go_type: str, definition: str, path: str, visited: set,
                    problems: list) -> None:
    if (go_type, definition) in visited:
        return
    visited.add((go_type, definition))
    upstream_fields = DEFINITIONS[definition].get("properties", {})
    for name, field_type in schema.STRUCTS[go_type].items():
        where = f"{path}.{name}"
        if name not in upstream_fields:
            problems.append(f"{where}: not an upstream field of {definition}")
            continue
        _compare(field_type, _upstream_type(upstream_fields[name]), where, visited, problems)
    for name in upstream_fields:
        if name not in schema.STRUCTS[go_type]:
            problems.append(f"{path}.{name}: upstream field missing from {go_type}")


@pytest.mark.parametrize("kind", sorted(schema.KIND_TYPES))
def test_every_field_exists_upstream_with_its_type_and_none_is_missing(kind):
    problems: list[str] = []
    _compare_struct(schema.KIND_TYPES[kind], _KIND_DEFINITIONS[kind], kind, set(), problems)
    assert problems == []


def test_every_struct_in_the_table_is_reachable_from_a_kind():
    reachable: set[str] = set()

    def walk(go_type: str) -> None:
        go_type = schema.NAMED_MAPS.get(go_type, go_type)
        while go_type.startswith(("[]", "map[string]")):
            go_type = go_type[2:] if go_type.startswith("[]") else go_type[len("map[string]"):]
        if go_type in schema.STRUCTS and go_type not in reachable:
            reachable.add(go_type)
            for field_type in schema.STRUCTS[go_type].values():
                walk(field_type)

    for go_type in schema.KIND_TYPES.values():
        walk(go_type)
    assert set(schema.STRUCTS) == reachable
