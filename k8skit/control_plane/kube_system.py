"""The cluster's own anatomy, as objects: what ``kubectl get pods -n kube-system`` shows.

A cluster made with kubeadm (or minikube, which uses kubeadm) runs most of Kubernetes on
Kubernetes. After ``kubeadm init`` and the add-ons, the API shows:

- four **static pods** on the control-plane node, ``kube-apiserver-control-plane``,
  ``etcd-control-plane``, ``kube-scheduler-control-plane`` and
  ``kube-controller-manager-control-plane``. The kubelet runs them from manifest files in
  ``/etc/kubernetes/manifests`` (no scheduler is involved; the API server cannot run itself) and
  publishes a read-only **mirror pod** for each: annotations ``kubernetes.io/config.source:
  file`` and ``kubernetes.io/config.mirror``, owned by the Node, priority class
  ``system-node-critical``, ``hostNetwork: true`` (their IP is the node's). Deleting a mirror
  pod does not stop the component: the kubelet publishes it again.
- one **kube-proxy** pod per node (``kube-proxy-<5 chars>``), made by the ``kube-proxy``
  DaemonSet: each pod is pinned to its node by node affinity on ``metadata.name``, tolerates
  every taint, and a node that joins later gets its own. A deleted one is replaced at once.
- the **CoreDNS** Deployment ``coredns`` (2 replicas) behind the ``kube-dns`` Service at
  ``10.96.0.10`` (ports 53/UDP, 53/TCP, 9153/TCP), with its ``coredns`` ConfigMap.
- in ``default``, the ``kubernetes`` Service (``10.96.0.1:443``), whose Endpoints the API
  server itself keeps pointing at the control plane (``192.168.49.2:8443``).
- minikube's default StorageClass ``standard`` (:mod:`k8skit.control_plane.provisioner`).

Sources: ``cmd/kubeadm/app/phases/controlplane/manifests.go`` (the static pods),
``cmd/kubeadm/app/phases/addons/proxy/manifests.go`` (kube-proxy),
``pkg/kubelet/pod/mirror_client.go`` (mirror pods), ``pkg/controller/daemon`` (the DaemonSet
controller), ``pkg/controlplane/controller/kubernetesservice`` (the ``kubernetes`` Service) and
``docs/concepts/architecture/_index.md``.

What the simulator simplifies: the components' work is done by the simulator's own Python
objects (the API server, scheduler, controllers, kube-proxy); these pods are their visible
faces, with idle processes from the real images. The simulator serves no DaemonSet kind:
:class:`KubeSystem` plays the DaemonSet controller for kube-proxy alone, and the pods' owner
reference names a ``kube-proxy`` DaemonSet that ``kubectl get daemonsets`` cannot list. The
static pods carry no probes and no host-path mounts of certificates, and a deleted mirror pod
comes back with its containers restarted, where a real kubelet leaves them running.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import random
import uuid

from k8skit.api.allocators import DNS_SERVICE_IP, KUBERNETES_SERVICE_IP
from k8skit.api.errors import AlreadyExists, NotFound
from k8skit.api.meta import random_suffix, timestamp
from k8skit.api.server import APIServer
from k8skit.api.store import WatchEvent
from k8skit.clock import Clock
from k8skit.control_plane.controllers.deployment_util import compute_hash
from k8skit.control_plane.provisioner import standard_storage_class
from k8skit.node.dns import cluster_dns_objects
from k8skit.node.kubelet.version import KUBELET_VERSION

NAMESPACE = "kube-system"
# The control plane runs the same release as the kubelets (kubeadm installs them together).
KUBERNETES_VERSION = KUBELET_VERSION
ETCD_IMAGE = "registry.k8s.io/etcd:3.5.21-0"  # kubeadm v1.33's etcd (constants.go)
# minikube's API server port (kubeadm's default is 6443).
API_SERVER_PORT = 8443
CLUSTER_CIDR = "10.244.0.0/16"
SERVICE_CLUSTER_IP_RANGE = "10.96.0.0/12"
CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"

# The built-in PriorityClasses (pkg/apis/scheduling: SystemCriticalPriority + 1000 / + 0).
SYSTEM_NODE_CRITICAL = ("system-node-critical", 2000001000)

MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
CONFIG_HASH_ANNOTATION = "kubernetes.io/config.hash"
CONFIG_SEEN_ANNOTATION = "kubernetes.io/config.seen"
CONFIG_SOURCE_ANNOTATION = "kubernetes.io/config.source"

KUBE_PROXY = "kube-proxy"
KUBE_PROXY_LABELS = {"k8s-app": KUBE_PROXY}
# The taints every DaemonSet pod tolerates (pkg/controller/daemon/util: AddOrUpdateDaemonPod-
# Tolerations); kube-proxy's own "operator: Exists" already covers them all.
_DAEMON_TOLERATIONS = [
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ("node.kubernetes.io/network-unavailable", "NoSchedule"),
]

# Who writes what, as the API server's audit log names them.
KUBEADM_USER = "kubernetes-admin"
API_SERVER_USER = "system:apiserver"
DAEMON_SET_CONTROLLER_USER = "system:serviceaccount:kube-system:daemon-set-controller"


def _control_plane_components(address: str, node_name: str) -> list[dict]:
    """The four static pods' containers, with kubeadm's flags (trimmed to the telling ones)
    and resource requests."""
    version = KUBERNETES_VERSION
    return [
        {"name": "etcd", "image": ETCD_IMAGE, "requests": {"cpu": "100m", "memory": "100Mi"},
         "annotations": {"kubeadm.kubernetes.io/etcd.advertise-client-urls":
                         f"https://{address}:2379"},
         "command": ["etcd", f"--advertise-client-urls=https://{address}:2379",
                     "--data-dir=/var/lib/minikube/etcd",
                     f"--initial-advertise-peer-urls=https://{address}:2380",
                     f"--initial-cluster={node_name}=https://{address}:2380",
                     f"--listen-client-urls=https://127.0.0.1:2379,https://{address}:2379",
                     f"--listen-peer-urls=https://{address}:2380", f"--name={node_name}"]},
        {"name": "kube-apiserver", "image": f"registry.k8s.io/kube-apiserver:{version}",
         "requests": {"cpu": "250m"},
         "annotations": {"kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint":
                         f"{address}:{API_SERVER_PORT}"},
         "command": ["kube-apiserver", f"--advertise-address={address}",
                     "--allow-privileged=true", "--authorization-mode=Node,RBAC",
                     "--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,"
                     "DefaultStorageClass,DefaultTolerationSeconds,NodeRestriction,"
                     "MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ResourceQuota",
                     "--etcd-servers=https://127.0.0.1:2379", f"--secure-port={API_SERVER_PORT}",
                     "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                     f"--service-cluster-ip-range={SERVICE_CLUSTER_IP_RANGE}"]},
        {"name": "kube-controller-manager",
         "image": f"registry.k8s.io/kube-controller-manager:{version}",
         "requests": {"cpu": "200m"}, "annotations": {},
         "command": ["kube-controller-manager", "--allocate-node-cidrs=true",
                     f"--cluster-cidr={CLUSTER_CIDR}", "--cluster-name=mk",
                     "--controllers=*,bootstrapsigner,tokencleaner",
                     "--kubeconfig=/etc/kubernetes/controller-manager.conf",
                     "--leader-elect=false",
                     f"--service-cluster-ip-range={SERVICE_CLUSTER_IP_RANGE}",
                     "--use-service-account-credentials=true"]},
        {"name": "kube-scheduler", "image": f"registry.k8s.io/kube-scheduler:{version}",
         "requests": {"cpu": "100m"}, "annotations": {},
         "command": ["kube-scheduler", "--bind-address=127.0.0.1",
                     "--kubeconfig=/etc/kubernetes/scheduler.conf", "--leader-elect=false"]},
    ]


def static_pod_manifest(component: dict, node_name: str) -> dict:
    """The manifest kubeadm writes to ``/etc/kubernetes/manifests/<component>.yaml``."""
    priority_class, priority = SYSTEM_NODE_CRITICAL
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": component["name"],
            "namespace": NAMESPACE,
            "labels": {"component": component["name"], "tier": "control-plane"},
            "annotations": dict(component["annotations"]),
        },
        "spec": {
            "containers": [{
                "name": component["name"],
                "image": component["image"],
                "imagePullPolicy": "IfNotPresent",
                "command": list(component["command"]),
                "resources": {"requests": dict(component["requests"])},
            }],
            "hostNetwork": True,
            "priority": priority,
            "priorityClassName": priority_class,
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "tolerations": [{"effect": "NoExecute", "operator": "Exists"}],
        },
    }


def mirror_pod(manifest: dict, node: dict, seen_at: float) -> dict:
    """The mirror pod the kubelet publishes for a static pod (``mirror_client.go``): named
    ``<name>-<node>``, bound to the node, owned by the Node, marked with the manifest's hash."""
    node_name = node["metadata"]["name"]
    pod = copy.deepcopy(manifest)
    config_hash = hashlib.md5(json.dumps(manifest, sort_keys=True).encode(),
                              usedforsecurity=False).hexdigest()
    meta = pod["metadata"]
    meta["name"] = f"{meta['name']}-{node_name}"
    meta["annotations"].update({
        CONFIG_HASH_ANNOTATION: config_hash,
        MIRROR_ANNOTATION: config_hash,
        CONFIG_SEEN_ANNOTATION: timestamp(seen_at).replace("Z", ".000000000Z"),
        CONFIG_SOURCE_ANNOTATION: "file",
    })
    meta["ownerReferences"] = [{"apiVersion": "v1", "kind": "Node", "name": node_name,
                                "uid": node["metadata"]["uid"], "controller": True}]
    pod["spec"]["nodeName"] = node_name
    return pod


def kube_proxy_template() -> dict:
    """The kube-proxy DaemonSet's pod template, as kubeadm's add-on manifest has it."""
    priority_class, priority = SYSTEM_NODE_CRITICAL
    return {
        "metadata": {"labels": dict(KUBE_PROXY_LABELS)},
        "spec": {
            "containers": [{
                "name": KUBE_PROXY,
                "image": f"registry.k8s.io/kube-proxy:{KUBERNETES_VERSION}",
                "imagePullPolicy": "IfNotPresent",
                "command": ["/usr/local/bin/kube-proxy",
                            "--config=/var/lib/kube-proxy/config.conf",
                            "--hostname-override=$(NODE_NAME)"],
                "env": [{"name": "NODE_NAME", "valueFrom": {
                    "fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
                "securityContext": {"privileged": True},
                "volumeMounts": [{"name": KUBE_PROXY, "mountPath": "/var/lib/kube-proxy"}],
            }],
            "hostNetwork": True,
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "priority": priority,
            "priorityClassName": priority_class,
            "serviceAccountName": KUBE_PROXY,
            "tolerations": [{"operator": "Exists"}],
            "volumes": [{"name": KUBE_PROXY, "configMap": {"name": KUBE_PROXY}}],
        },
    }


def kube_proxy_config_map(proxy_mode: str) -> dict:
    """The ``kube-proxy`` ConfigMap kubeadm writes: the component's configuration file and the
    kubeconfig it reaches the API server with."""
    config = (
        "apiVersion: kubeproxy.config.k8s.io/v1alpha1\n"
        "bindAddress: 0.0.0.0\n"
        "clientConnection:\n"
        "  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf\n"
        f"clusterCIDR: {CLUSTER_CIDR}\n"
        "kind: KubeProxyConfiguration\n"
        f'mode: "{proxy_mode}"\n'
    )
    kubeconfig = (
        "apiVersion: v1\n"
        "kind: Config\n"
        "clusters:\n"
        "- cluster:\n"
        "    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt\n"
        f"    server: https://control-plane.minikube.internal:{API_SERVER_PORT}\n"
        "  name: default\n"
        "contexts:\n"
        "- context:\n"
        "    cluster: default\n"
        "    namespace: default\n"
        "    user: default\n"
        "  name: default\n"
        "current-context: default\n"
        "users:\n"
        "- name: default\n"
        "  user:\n"
        "    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n"
    )
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": KUBE_PROXY, "namespace": NAMESPACE,
                         "labels": {"app": KUBE_PROXY}},
            "data": {"config.conf": config, "kubeconfig.conf": kubeconfig}}


def kubernetes_service() -> dict:
    """The ``kubernetes`` Service: the API server, reachable from every pod at 10.96.0.1."""
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": KUBERNETES_SERVICE_IP, "type": "ClusterIP",
                     "sessionAffinity": "None",
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP",
                                "targetPort": API_SERVER_PORT}]}}


def kubernetes_endpoints(address: str) -> list[dict]:
    """The ``kubernetes`` Endpoints and EndpointSlice, which the API server writes itself (the
    mirroring controller is told to keep off with ``skip-mirror``)."""
    port = {"name": "https", "port": API_SERVER_PORT, "protocol": "TCP"}
    endpoints = {"apiVersion": "v1", "kind": "Endpoints",
                 "metadata": {"name": "kubernetes", "namespace": "default",
                              "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
                 "subsets": [{"addresses": [{"ip": address}], "ports": [dict(port)]}]}
    endpoint_slice = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                      "metadata": {"name": "kubernetes", "namespace": "default",
                                   "labels": {"kubernetes.io/service-name": "kubernetes"}},
                      "addressType": "IPv4",
                      "endpoints": [{"addresses": [address], "conditions": {"ready": True}}],
                      "ports": [dict(port)]}
    return [endpoints, endpoint_slice]


def _internal_ip(node: dict) -> str:
    for address in (node.get("status") or {}).get("addresses") or []:
        if address.get("type") == "InternalIP":
            return address["address"]
    return ""


def _is_control_plane(node: dict) -> bool:
    return CONTROL_PLANE_LABEL in (node["metadata"].get("labels") or {})


class KubeSystem:
    """Creates the cluster's own objects and keeps the per-node ones (mirror pods, kube-proxy
    pods) in step with the nodes, as kubelets and the DaemonSet controller do."""

    def __init__(self, api: APIServer, clock: Clock, rng: random.Random,
                 proxy_mode: str = "", dns_replicas: int = 2) -> None:
        self.api = api
        self.clock = clock
        self.rng = rng
        self.proxy_mode = "" if proxy_mode == "iptables" else proxy_mode
        self.dns_replicas = dns_replicas
        # The DaemonSet the kube-proxy pods name as their owner.
        self.daemon_set_uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        template = kube_proxy_template()
        self.revision_hash = compute_hash(template)
        self._proxy_template = template
        self._started = False

    def start(self) -> None:
        """Create the add-ons, then follow nodes and the pods kept per node."""
        if self._started:
            return
        self._started = True
        for obj in self.addon_objects():
            self._ensure(obj, KUBEADM_USER)
        self._ensure(kubernetes_service(), API_SERVER_USER)
        self.api.watch("Node", self._node_event)
        self.api.watch("Pod", self._pod_event)
        for node in self.api.list("Node"):
            self._sync_node(node)

    def addon_objects(self) -> list[dict]:
        """What kubeadm's add-on phase and minikube's default add-ons create."""
        service_accounts = [{"apiVersion": "v1", "kind": "ServiceAccount",
                             "metadata": {"name": name, "namespace": NAMESPACE}}
                            for name in ("coredns", KUBE_PROXY)]
        return [*service_accounts, kube_proxy_config_map(self.proxy_mode),
                *cluster_dns_objects(replicas=self.dns_replicas, cluster_ip=DNS_SERVICE_IP),
                standard_storage_class()]

    def write_proxy_mode(self, proxy_mode: str) -> None:
        """Write ``proxy_mode`` into the ``kube-proxy`` ConfigMap, as an administrator's
        ``kubectl -n kube-system edit configmap kube-proxy`` does (so as the cluster's admin).
        Each kube-proxy reads the file only when it starts: nothing changes until it restarts."""
        self.proxy_mode = "" if proxy_mode == "iptables" else proxy_mode
        config_map = self.api.get("ConfigMap", KUBE_PROXY, NAMESPACE)
        edited = copy.deepcopy(config_map)
        edited["data"] = kube_proxy_config_map(self.proxy_mode)["data"]
        self.api.update(edited)

    # -- nodes ----------------------------------------------------------------------------------
    def _node_event(self, event: WatchEvent) -> None:
        if event.type == "ADDED":
            self._sync_node(event.object)

    def _sync_node(self, node: dict) -> None:
        if _is_control_plane(node):
            self._publish_mirror_pods(node)
            address = _internal_ip(node)
            if address:
                for obj in kubernetes_endpoints(address):
                    self._ensure(obj, API_SERVER_USER)
        self._ensure_kube_proxy(node["metadata"]["name"])

    # -- static pods ----------------------------------------------------------------------------
    def _publish_mirror_pods(self, node: dict) -> None:
        node_name = node["metadata"]["name"]
        for component in _control_plane_components(_internal_ip(node), node_name):
            manifest = static_pod_manifest(component, node_name)
            self._ensure(mirror_pod(manifest, node, self.clock.now), f"system:node:{node_name}")

    # -- the kube-proxy DaemonSet ---------------------------------------------------------------
    def kube_proxy_pods(self) -> dict[str, dict]:
        """The kube-proxy pods by node name, leaving out those being deleted: the DaemonSet
        controller replaces a terminating pod without waiting for it to be gone."""
        return {pod["spec"].get("nodeName") or _pinned_node(pod): pod
                for pod in self.api.list("Pod", NAMESPACE, label_selector=KUBE_PROXY_LABELS)
                if not pod["metadata"].get("deletionTimestamp")}

    def _ensure_kube_proxy(self, node_name: str) -> None:
        if node_name in self.kube_proxy_pods():
            return
        pod = copy.deepcopy(self._proxy_template)
        pod.update({"apiVersion": "v1", "kind": "Pod"})
        meta = pod["metadata"]
        meta.update({"generateName": f"{KUBE_PROXY}-", "namespace": NAMESPACE,
                     "name": f"{KUBE_PROXY}-{random_suffix(self.rng)}"})
        meta["labels"].update({"controller-revision-hash": self.revision_hash,
                               "pod-template-generation": "1"})
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "DaemonSet",
                                    "name": KUBE_PROXY, "uid": self.daemon_set_uid,
                                    "controller": True, "blockOwnerDeletion": True}]
        spec = pod["spec"]
        spec["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchFields": [
                {"key": "metadata.name", "operator": "In", "values": [node_name]}]}]}}}
        spec["tolerations"] += [{"key": key, "operator": "Exists", "effect": effect}
                                for key, effect in _DAEMON_TOLERATIONS]
        self._ensure(pod, DAEMON_SET_CONTROLLER_USER)

    # -- pods kept per node ---------------------------------------------------------------------
    def _pod_event(self, event: WatchEvent) -> None:
        """A mirror pod is gone or a kube-proxy pod is being deleted: publish the mirror pod
        again (the kubelet does, once the old one is gone) or create a new kube-proxy pod."""
        pod = event.object
        meta = pod["metadata"]
        if meta.get("namespace") != NAMESPACE:
            return
        mirror = MIRROR_ANNOTATION in (meta.get("annotations") or {})
        proxy = (meta.get("labels") or {}).get("k8s-app") == KUBE_PROXY
        if (mirror and event.type == "DELETED") or \
                (proxy and (event.type == "DELETED" or meta.get("deletionTimestamp"))):
            node = self.api.try_get("Node", pod["spec"].get("nodeName") or _pinned_node(pod),
                                    None)
            if node is not None:
                self._sync_node(node)

    def _ensure(self, obj: dict, user: str) -> None:
        kind, meta = obj["kind"], obj["metadata"]
        if self.api.try_get(kind, meta["name"], meta.get("namespace")) is not None:
            return
        with contextlib.suppress(AlreadyExists, NotFound):
            self.api.create(obj, user=user)


def _pinned_node(pod: dict) -> str:
    """The node a DaemonSet pod's required node affinity names (before it is scheduled)."""
    affinity = ((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution") or {}
    for term in affinity.get("nodeSelectorTerms") or []:
        for field in term.get("matchFields") or []:
            if field.get("key") == "metadata.name" and field.get("values"):
                return field["values"][0]
    return ""
