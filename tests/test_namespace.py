"""Namespaces: what every namespace gets, and how a deleted one is emptied before it goes.

Sources: ``docs/concepts/overview/working-with-objects/namespaces.md``,
``pkg/controller/namespace``, ``pkg/controller/serviceaccount`` and
``pkg/controller/certificates/rootcacertpublisher``.
"""

from __future__ import annotations

import pytest

from k8skit import Cluster
from k8skit.api.meta import timestamp
from k8skit.control_plane.controllers.root_ca_cert_publisher import DESCRIPTION


@pytest.fixture()
def cluster() -> Cluster:
    c = Cluster(nodes=2, seed=9)
    c.apply("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n")
    return c


def test_every_namespace_has_a_default_service_account_and_the_root_ca(cluster):
    for namespace in ("default", "kube-system", "kube-public", "kube-node-lease", "dev"):
        assert cluster.api.try_get("ServiceAccount", "default", namespace) is not None
        config_map = cluster.api.get("ConfigMap", "kube-root-ca.crt", namespace)
        assert config_map["data"]["ca.crt"].startswith("-----BEGIN CERTIFICATE-----\n")
        assert config_map["metadata"]["annotations"]["kubernetes.io/description"] == DESCRIPTION
    bundles = {cluster.api.get("ConfigMap", "kube-root-ca.crt", ns)["data"]["ca.crt"]
               for ns in ("default", "dev")}
    assert len(bundles) == 1


def test_deleted_default_service_account_and_root_ca_come_back(cluster):
    cluster.kubectl("delete serviceaccount default -n dev")
    cluster.kubectl("delete configmap kube-root-ca.crt -n dev")
    assert cluster.api.try_get("ServiceAccount", "default", "dev") is not None
    assert cluster.api.try_get("ConfigMap", "kube-root-ca.crt", "dev") is not None


def test_terminating_namespace_is_emptied_then_removed(cluster):
    cluster.kubectl("create deployment web --image=nginx:1.25 --replicas=2 -n dev")
    cluster.kubectl("rollout status deployment/web -n dev")
    # What the API server does for `kubectl delete namespace dev` (NamespaceLifecycle).
    namespace = cluster.api.get("Namespace", "dev", None)
    namespace["metadata"]["deletionTimestamp"] = timestamp(cluster.now)
    namespace.setdefault("spec", {})["finalizers"] = ["kubernetes"]
    cluster.api.update(namespace)
    cluster.clock.settle()
    assert "Terminating" in cluster.kubectl("get namespace dev").stdout
    assert cluster.api.list("Deployment", namespace="dev") == []
    assert cluster.api.list("ServiceAccount", namespace="dev") == []
    pods = cluster.api.list("Pod", namespace="dev")
    assert pods and all(p["metadata"].get("deletionTimestamp") for p in pods)
    conditions = {c["type"]: c for c in cluster.api.get("Namespace", "dev", None)["status"]
                  ["conditions"]}
    assert conditions["NamespaceContentRemaining"]["reason"] == "SomeResourcesRemain"
    assert conditions["NamespaceContentRemaining"]["message"] == \
        f"Some resources are remaining: pods. has {len(pods)} resource instances"
    cluster.run(60)
    assert cluster.api.try_get("Namespace", "dev", None) is None
    assert cluster.api.list("Pod", namespace="dev") == []


def test_kubectl_delete_namespace_goes_through_terminating(cluster):
    forbidden = cluster.kubectl("delete namespace default")
    assert forbidden.stderr == ('Error from server (Forbidden): namespaces "default" is '
                                "forbidden: this namespace may not be deleted\n")
    cluster.kubectl("create deployment web --image=nginx:1.25 -n dev")
    cluster.run(30)
    assert cluster.kubectl("delete namespace dev --wait=false").ok
    assert "Terminating" in cluster.kubectl("get namespace dev").stdout
    cluster.run(60)
    assert cluster.api.try_get("Namespace", "dev", None) is None
