"""Garbage collection by ownerReferences: background, orphan and foreground cascading.

Source: ``docs/concepts/architecture/garbage-collection.md`` and
``pkg/controller/garbagecollector``. Orphan and foreground deletion are asked for with
finalizers on the owner (``orphan``, ``foregroundDeletion``), which is what the API server
writes for ``kubectl delete --cascade=orphan|foreground``; these tests set them directly.
"""

from __future__ import annotations

import pytest

from k8skit import Cluster
from k8skit.api.meta import timestamp


@pytest.fixture()
def cluster() -> Cluster:
    c = Cluster(nodes=2, seed=4)
    assert c.kubectl("create deployment web --image=nginx:1.25 --replicas=3").ok
    assert c.kubectl("rollout status deployment/web").ok
    return c


def mark_for_deletion(c: Cluster, kind: str, name: str, finalizer: str) -> None:
    obj = c.api.get(kind, name)
    obj["metadata"]["finalizers"] = [finalizer]
    obj["metadata"]["deletionTimestamp"] = timestamp(c.now)
    c.api.update(obj)
    c.clock.settle()


def test_deleting_a_deployment_deletes_its_replica_sets_and_their_pods(cluster):
    assert cluster.kubectl("delete deployment web").stdout == 'deployment.apps "web" deleted\n'
    assert cluster.api.list("ReplicaSet", namespace="default") == []
    pods = cluster.api.list("Pod", namespace="default")
    assert pods and all(p["metadata"].get("deletionTimestamp") for p in pods)
    cluster.run(40)
    assert cluster.api.list("Pod", namespace="default") == []


def test_orphan_propagation_keeps_the_dependents_without_owner(cluster):
    rs = cluster.api.list("ReplicaSet", namespace="default")[0]["metadata"]["name"]
    mark_for_deletion(cluster, "Deployment", "web", "orphan")
    assert cluster.api.try_get("Deployment", "web") is None
    survivor = cluster.api.get("ReplicaSet", rs)
    assert "ownerReferences" not in survivor["metadata"]
    cluster.run(30)
    pods = cluster.api.list("Pod", namespace="default")
    assert len(pods) == 3 and not any(p["metadata"].get("deletionTimestamp") for p in pods)


def test_foreground_propagation_removes_the_owner_after_its_dependents(cluster):
    mark_for_deletion(cluster, "Deployment", "web", "foregroundDeletion")
    assert cluster.api.list("ReplicaSet", namespace="default") == []
    assert cluster.api.try_get("Deployment", "web") is None


def test_a_dependent_whose_owner_never_existed_is_collected(cluster):
    cluster.api.create({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "leftover", "ownerReferences": [{
            "apiVersion": "apps/v1", "kind": "Deployment", "name": "gone",
            "uid": "00000000-0000-4000-8000-000000000000"}]}})
    cluster.clock.settle()
    assert cluster.api.try_get("ConfigMap", "leftover") is None


def test_a_dependent_keeps_living_while_another_owner_exists(cluster):
    owner = cluster.api.get("Deployment", "web")
    other = cluster.api.create({"apiVersion": "v1", "kind": "ConfigMap",
                                "metadata": {"name": "other-owner"}})
    cluster.api.create({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "shared", "ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
             "uid": owner["metadata"]["uid"]},
            {"apiVersion": "v1", "kind": "ConfigMap", "name": "other-owner",
             "uid": other["metadata"]["uid"]}]}})
    cluster.kubectl("delete deployment web")
    shared = cluster.api.get("ConfigMap", "shared")
    assert [ref["name"] for ref in shared["metadata"]["ownerReferences"]] == ["other-owner"]
    cluster.kubectl("delete configmap other-owner")
    assert cluster.api.try_get("ConfigMap", "shared") is None
