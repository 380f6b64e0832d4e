"""The PersistentVolume controller's decisions, on an API server with its informers.

Each case is a rule from ``docs/concepts/storage/persistent-volumes.md`` or
``pkg/controller/volume/persistentvolume`` that a learner can see in ``kubectl get pv,pvc``:
which volume a claim gets, what happens to a volume when its claim goes, and the events.
The whole-cluster behaviour (provisioning, pods writing files) is in ``test_storage.py``.
"""

from __future__ import annotations

import random

import pytest

from k8skit.api.server import APIServer
from k8skit.api.store import ObjectStore
from k8skit.clock import Clock
from k8skit.control_plane.controllers.informer import SharedInformerFactory
from k8skit.control_plane.controllers.persistentvolume import (
    RESYNC_PERIOD_SECONDS,
    PersistentVolumeController,
)


class World:
    """An API server, its clock and a running PV controller."""

    def __init__(self) -> None:
        self.clock = Clock()
        self.api = APIServer(ObjectStore(self.clock), self.clock, random.Random(7))
        self.api.create({"apiVersion": "v1", "kind": "Namespace",
                         "metadata": {"name": "default"}})
        informers = SharedInformerFactory(self.api)
        self.controller = PersistentVolumeController(self.api, self.clock, informers)
        informers.start()
        self.controller.start()

    def volume(self, name: str, size: str, modes=("ReadWriteOnce",), storage_class="manual",
               policy="Retain", path="/mnt/data", **spec) -> None:
        self.api.create({
            "apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": name, "labels": spec.pop("labels", {})},
            "spec": {"capacity": {"storage": size}, "accessModes": list(modes),
                     "storageClassName": storage_class, "persistentVolumeReclaimPolicy": policy,
                     "hostPath": {"path": path}, **spec},
        })

    def claim(self, name: str, size: str, modes=("ReadWriteOnce",), **spec) -> None:
        spec.setdefault("storageClassName", "manual")
        self.api.create({
            "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
            "spec": {"accessModes": list(modes), "resources": {"requests": {"storage": size}},
                     **spec},
        })

    def run(self, seconds: float = 1) -> World:
        self.clock.run(seconds)
        return self

    def claim_phase(self, name: str) -> tuple[str, str]:
        claim = self.api.get("PersistentVolumeClaim", name)
        return claim["status"]["phase"], claim["spec"].get("volumeName", "")

    def volume_phase(self, name: str) -> str:
        return self.api.get("PersistentVolume", name, None)["status"]["phase"]

    def events(self, name: str) -> list[tuple[str, str, str]]:
        return [(e["type"], e["reason"], e["message"]) for e in self.api.list("Event")
                if e["involvedObject"]["name"] == name]


@pytest.fixture
def world() -> World:
    return World()


def test_a_claim_gets_the_smallest_volume_that_is_big_enough(world):
    world.volume("pv-10g", "10Gi")
    world.volume("pv-500m", "500Mi")
    world.volume("pv-2g", "2Gi")
    world.claim("data", "1Gi")
    world.run()
    assert world.claim_phase("data") == ("Bound", "pv-2g")
    assert world.volume_phase("pv-2g") == "Bound"
    assert {world.volume_phase("pv-10g"), world.volume_phase("pv-500m")} == {"Available"}
    claim = world.api.get("PersistentVolumeClaim", "data")
    assert claim["status"]["capacity"] == {"storage": "2Gi"}
    assert claim["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] == "yes"
    volume = world.api.get("PersistentVolume", "pv-2g", None)
    assert volume["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"]


def test_volumes_with_fewer_access_modes_are_preferred_before_size(world):
    """index.go searches the access-mode groups with the fewest modes first."""
    world.volume("shared-small", "1Gi", modes=("ReadWriteOnce", "ReadWriteMany"))
    world.volume("single-big", "5Gi", modes=("ReadWriteOnce",))
    world.claim("data", "1Gi")
    world.run()
    assert world.claim_phase("data") == ("Bound", "single-big")


def test_class_selector_and_access_modes_must_all_match(world):
    world.volume("fast", "1Gi", storage_class="fast")
    world.volume("read-only", "1Gi", modes=("ReadOnlyMany",))
    world.volume("labelled", "1Gi", labels={"tier": "gold"})
    world.volume("unlabelled", "1Gi")
    world.claim("gold", "1Gi", selector={"matchLabels": {"tier": "gold"}})
    world.claim("writer-many", "1Gi", modes=("ReadWriteMany",))
    world.run()
    assert world.claim_phase("gold") == ("Bound", "labelled")
    assert world.claim_phase("writer-many") == ("Pending", "")
    assert world.volume_phase("fast") == "Available"


def test_an_empty_class_binds_only_to_volumes_without_a_class(world):
    world.volume("classy", "1Gi")
    world.volume("plain", "1Gi", storage_class="")
    world.claim("no-class", "1Gi", storageClassName="")
    world.run()
    assert world.claim_phase("no-class") == ("Bound", "plain")


def test_a_volume_reserved_for_a_claim_is_used_even_if_bigger(world):
    world.volume("small", "1Gi")
    world.volume("reserved", "50Gi", claimRef={"name": "data", "namespace": "default"})
    world.claim("data", "1Gi")
    world.run()
    assert world.claim_phase("data") == ("Bound", "reserved")


def test_a_claim_without_class_or_volume_waits_with_failed_binding(world):
    world.claim("lonely", "1Gi", storageClassName="")
    world.run()
    assert world.claim_phase("lonely") == ("Pending", "")
    assert ("Normal", "FailedBinding", "no persistent volumes available for this claim and no "
            "storage class is set") in world.events("lonely")


def test_a_pending_claim_binds_to_a_later_volume_within_the_sync_period(world):
    world.claim("data", "1Gi")
    world.run(5)
    world.volume("late", "1Gi")
    world.run(1)
    assert world.claim_phase("data") == ("Pending", "")
    assert world.volume_phase("late") == "Available"
    world.run(RESYNC_PERIOD_SECONDS)
    assert world.claim_phase("data") == ("Bound", "late")


def test_retain_keeps_a_released_volume_out_of_reuse(world):
    world.volume("kept", "1Gi", policy="Retain")
    world.claim("first", "1Gi")
    world.run()
    world.api.delete("PersistentVolumeClaim", "first")
    world.run()
    assert world.volume_phase("kept") == "Released"
    world.claim("second", "1Gi")
    world.run(RESYNC_PERIOD_SECONDS + 1)
    assert world.claim_phase("second") == ("Pending", "")
    assert world.volume_phase("kept") == "Released"


def test_delete_policy_removes_a_hand_made_tmp_host_path_volume(world):
    world.volume("scratch", "1Gi", policy="Delete", path="/tmp/scratch")
    world.claim("data", "1Gi")
    world.run()
    world.api.delete("PersistentVolumeClaim", "data")
    world.run()
    assert world.api.try_get("PersistentVolume", "scratch", None) is None


def test_delete_policy_fails_for_host_paths_outside_tmp(world):
    world.volume("disk", "1Gi", policy="Delete", path="/mnt/disk")
    world.claim("data", "1Gi")
    world.run()
    world.api.delete("PersistentVolumeClaim", "data")
    world.run()
    message = "host_path deleter only supports /tmp/.+ but received provided /mnt/disk"
    volume = world.api.get("PersistentVolume", "disk", None)
    assert (volume["status"]["phase"], volume["status"]["message"]) == ("Failed", message)
    assert ("Warning", "VolumeFailedDelete", message) in world.events("disk")


def test_recycle_needs_a_recycler_the_simulator_does_not_run(world):
    world.volume("old-style", "1Gi", policy="Recycle")
    world.claim("data", "1Gi")
    world.run()
    world.api.delete("PersistentVolumeClaim", "data")
    world.run()
    assert world.volume_phase("old-style") == "Failed"
    assert ("Warning", "VolumeFailedRecycle", "No recycler plugin found for the volume!") in \
        world.events("old-style")


def test_a_bound_claim_whose_volume_is_deleted_is_lost(world):
    world.volume("fragile", "1Gi")
    world.claim("data", "1Gi")
    world.run()
    world.api.delete("PersistentVolume", "fragile", None)
    world.run()
    assert world.claim_phase("data") == ("Lost", "fragile")
    assert ("Warning", "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the "
            "volume is lost!") in world.events("data")


def test_a_claim_of_a_missing_class_cannot_be_provisioned(world):
    world.claim("data", "1Gi", storageClassName="fast")
    world.run()
    assert world.claim_phase("data") == ("Pending", "")
    assert ("Warning", "ProvisioningFailed", 'storageclass.storage.k8s.io "fast" not found') in \
        world.events("data")


def test_a_claim_made_before_any_default_class_gets_it_when_one_appears(world):
    """RetroactiveDefaultStorageClass (GA in v1.28)."""
    world.api.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                      "metadata": {"name": "early"},
                      "spec": {"accessModes": ["ReadWriteOnce"],
                               "resources": {"requests": {"storage": "1Gi"}}}})
    world.run()
    assert "storageClassName" not in world.api.get("PersistentVolumeClaim", "early")["spec"]
    world.api.create({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                      "metadata": {"name": "standard", "annotations": {
                          "storageclass.kubernetes.io/is-default-class": "true"}},
                      "provisioner": "example.com/nfs"})
    world.run()
    claim = world.api.get("PersistentVolumeClaim", "early")
    assert claim["spec"]["storageClassName"] == "standard"
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/storage-provisioner"] == \
        "example.com/nfs"
