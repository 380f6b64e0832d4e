"""The root-CA publisher: every namespace has a ``kube-root-ca.crt`` ConfigMap.

Source: ``pkg/controller/certificates/rootcacertpublisher/publisher.go``. Pods verify the API
server's certificate with the cluster's root CA; the publisher copies the CA bundle into a
ConfigMap named ``kube-root-ca.crt`` in every namespace (projected service-account volumes mount
its ``ca.crt`` key at ``/var/run/secrets/kubernetes.io/serviceaccount/ca.crt``), and puts it back
if it is deleted or edited.

The simulated cluster has no TLS, so its "certificate" is a placeholder with a certificate's
shape: PEM armour around base64 drawn from the cluster's seed, the same for every namespace of
one cluster and different between seeds, as a real cluster's CA would be. It is not a valid
X.509 certificate.
"""

from __future__ import annotations

import base64
import contextlib
import random
import textwrap

from k8skit.api.errors import AlreadyExists, NotFound
from k8skit.api.server import APIServer
from k8skit.clock import Clock
from k8skit.control_plane.controllers.informer import SharedInformerFactory
from k8skit.control_plane.controllers.workqueue import WorkQueue

COMPONENT = "root-ca-cert-publisher"
ROOT_CA_CONFIG_MAP = "kube-root-ca.crt"
DESCRIPTION_ANNOTATION = "kubernetes.io/description"
DESCRIPTION = ("Contains a CA bundle that can be used to verify the kube-apiserver when using "
               "internal endpoints such as the internal service IP or kubernetes.default.svc. "
               "No other usage is guaranteed across distributions of Kubernetes clusters.")

# About the size of the DER body of kubeadm's self-signed "kubernetes" CA.
_CERTIFICATE_BYTES = 792


def placeholder_ca_bundle(rng: random.Random) -> str:
    """A PEM-shaped stand-in for the cluster's root CA certificate (see the module docstring)."""
    body = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(_CERTIFICATE_BYTES)))
    lines = textwrap.wrap(body.decode(), 64)
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


class RootCACertPublisher:
    """Keeps ``kube-root-ca.crt`` with the cluster's CA bundle in every active namespace."""

    def __init__(self, api: APIServer, clock: Clock, informers: SharedInformerFactory,
                 rng: random.Random) -> None:
        self.api = api
        self.ca_bundle = placeholder_ca_bundle(rng)
        self.queue = WorkQueue(clock, self.sync)
        informers.informer("Namespace").add_handler(self._namespace_changed)
        informers.informer("ConfigMap").add_handler(self._config_map_changed)

    def _namespace_changed(self, event_type: str, namespace: dict) -> None:
        if event_type != "DELETED":
            self.queue.add(namespace["metadata"]["name"])

    def _config_map_changed(self, event_type: str, config_map: dict) -> None:
        if config_map["metadata"]["name"] == ROOT_CA_CONFIG_MAP:
            self.queue.add(config_map["metadata"].get("namespace", "default"))

    def sync(self, namespace: str) -> None:
        ns = self.api.try_get("Namespace", namespace, None)
        if ns is None or ns["metadata"].get("deletionTimestamp") \
                or ns.get("status", {}).get("phase") == "Terminating":
            return
        data = {"ca.crt": self.ca_bundle}
        existing = self.api.try_get("ConfigMap", ROOT_CA_CONFIG_MAP, namespace)
        if existing is None:
            with contextlib.suppress(AlreadyExists, NotFound):
                self.api.create({
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": ROOT_CA_CONFIG_MAP, "namespace": namespace,
                                 "annotations": {DESCRIPTION_ANNOTATION: DESCRIPTION}},
                    "data": data,
                }, user=COMPONENT)
            return
        annotations = existing["metadata"].get("annotations") or {}
        if existing.get("data") == data and annotations.get(DESCRIPTION_ANNOTATION) == DESCRIPTION:
            return
        existing["data"] = data
        existing["metadata"]["annotations"] = {**annotations, DESCRIPTION_ANNOTATION: DESCRIPTION}
        existing.pop("binaryData", None)
        self.api.update(existing, user=COMPONENT)
